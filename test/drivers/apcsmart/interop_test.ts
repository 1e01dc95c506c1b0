/**
 * Our apcsmart against Debian's 2.8.0 apcsmart on the same simulated units:
 * `-d 1` dumps match line for line. Skipped with a message when Debian's
 * apcsmart is not installed.
 */

import { assertEquals } from "../../helpers/assert.ts";
import { BIN, exists, makeNutDir, run } from "../../helpers/nut.ts";
import { ApcDevice, type ApcDeviceOptions } from "../../../lib/sim/apc_device.ts";
import { SerialSimulator } from "../../../lib/sim/serial_sim.ts";
import { APC_UNITS } from "./units.ts";

const haveDebianApc = exists("/lib/nut/apcsmart");
if (!haveDebianApc) console.log("Debian's apcsmart not installed: interop tests skipped");
const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";

interface Case {
  name: string;
  device: ApcDeviceOptions;
  state?: { mains?: boolean; lowBattery?: boolean; overload?: boolean };
}

const CASES: Case[] = [
  { name: "model Smart-UPS 1500", device: {} },
  { name: "on battery, low", device: {}, state: { mains: false, lowBattery: true } },
  { name: "overload", device: {}, state: { overload: true } },
  ...APC_UNITS.map((u) => ({
    name: u.file.split("/")[1].replace(/__\d.*$/, ""),
    device: u.device,
  })),
];

function comparable(out: string): string[] {
  return out.split("\n")
    .filter((l) => /^[a-z][a-z0-9_.]*: /.test(l))
    .filter((l) => !/^driver\.parameter\.port: /.test(l));
}

async function dumpWith(c: Case, which: "debian" | "ours"): Promise<string[]> {
  const dev = new ApcDevice(c.device);
  if (c.state) dev.set(c.state);
  dev.unsolicited(); // the unit was in that state before anyone listened
  const dir = await makeNutDir("apc-interop-");
  const sim = SerialSimulator.start(dev);
  try {
    const args = ["-s", "t", "-x", `port=${sim.path}`, "-d", "1"];
    const r = which === "debian"
      ? await run("/lib/nut/apcsmart", [...args, "-u", "root"], { ...dir.env, PATH })
      : await run(`${BIN}/apcsmart`, args, { ...dir.env, PATH });
    assertEquals(r.code, 0, `${which}: ${r.stderr}`);
    return comparable(r.stdout);
  } finally {
    await sim.stop();
    await dir.cleanup();
  }
}

for (const c of CASES) {
  Deno.test({
    name: `interop: apcsmart -d 1 on ${c.name} = Debian's`,
    ignore: !haveDebianApc,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const theirs = await dumpWith(c, "debian");
      const ours = await dumpWith(c, "ours");
      assertEquals(ours, theirs);
    },
  });
}
