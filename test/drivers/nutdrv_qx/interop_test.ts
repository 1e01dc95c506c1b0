/**
 * Our nutdrv_qx / blazer_ser against Debian's 2.8.0 ones, on the same
 * simulated units: `-d 1` dumps must match line for line (except what is
 * ours by design: ups.alarm is committed from the first poll, where 2.8.0
 * waits for its first full update; and USB/port details). Units: each
 * protocol's model unit, the fixture transcripts, and status-bit corner
 * cases. Also: our driver served by Debian's upsd.
 *
 * Skipped with a message when Debian's NUT (nutdrv_qx, blazer_ser, upsd)
 * is not installed.
 */

import { assertEquals } from "../../helpers/assert.ts";
import { BIN, exists, makeNutDir, run } from "../../helpers/nut.ts";
import { QxDevice, type QxFamily } from "../../../lib/sim/qx_device.ts";
import { SerialSimulator } from "../../../lib/sim/serial_sim.ts";
import { parseTranscript, replyTable } from "../../../lib/sim/transcripts.ts";
import { haveFile, SERIAL_FIXTURES } from "./helpers.ts";
import { startQxStack } from "./qx_stack.ts";

const haveDebianQx = exists("/lib/nut/nutdrv_qx") && exists("/lib/nut/blazer_ser") &&
  exists("/lib/nut/upsd");
if (!haveDebianQx) {
  console.log("Debian's nutdrv_qx/blazer_ser/upsd not installed: interop tests skipped");
}
const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";
const opts = { sanitizeResources: false, sanitizeOps: false, ignore: !haveDebianQx };

interface Case {
  family: QxFamily;
  driver: "nutdrv_qx" | "blazer_ser";
  transcript?: string;
  /** Replies (without CR) replacing the model's. */
  replies?: Record<string, string>;
  args?: string[];
}

const CASES: Case[] = [
  { family: "megatec", driver: "nutdrv_qx" },
  { family: "q1", driver: "nutdrv_qx" },
  { family: "mustek", driver: "nutdrv_qx" },
  { family: "mecer", driver: "nutdrv_qx" },
  { family: "voltronic", driver: "nutdrv_qx" },
  { family: "voltronic-qs", driver: "nutdrv_qx" },
  { family: "megatec", driver: "nutdrv_qx", transcript: "megatec_q1_mec0003_usb_stringdesc.txt" },
  {
    family: "voltronic",
    driver: "nutdrv_qx",
    transcript: "voltronic_qgs_orion_dc3000rt_serial.txt",
  },
  {
    family: "megatec",
    driver: "nutdrv_qx",
    replies: { Q1: "(000.0 000.0 230.0 050 50.0 11.2 30.0 11010110", F: "#230.0 004 24.00 50.0" },
  },
  {
    family: "voltronic",
    driver: "nutdrv_qx",
    replies: {
      QGS: "(230.4 50.0 230.1 50.0 001.6 022 380.2 379.8 054.5 ---.- 027.7 100000100001",
      QLDL: "(021 019",
      QMF: "(#####ACME-POWER",
      QWS: "(1000000010000000000000000000000000000000000000000000000000000000",
    },
  },
  { family: "megatec", driver: "nutdrv_qx", args: ["-x", "novendor", "-x", "norating"] },
  { family: "megatec", driver: "blazer_ser" },
  { family: "mustek", driver: "blazer_ser" },
  { family: "megatec", driver: "blazer_ser", transcript: "megatec_q1_mec0003_usb_stringdesc.txt" },
  {
    family: "megatec",
    driver: "blazer_ser",
    replies: { Q1: "(000.0 000.0 230.0 050 50.0 11.2 30.0 11010110", F: "#230.0 004 24.00 50.0" },
  },
];

/** Lines we compare: `name: value`, without alarms (see above) and USB/port details. */
function comparable(out: string): string[] {
  return out.split("\n")
    .filter((l) => /^[a-z][a-z0-9_.]*: /.test(l))
    .filter((l) => !/^(driver\.version\.usb|driver\.parameter\.port|ups\.alarm): /.test(l))
    .map((l) => l.replace(/^ups\.status: ALARM /, "ups.status: "));
}

async function dumpWith(c: Case, which: "debian" | "ours"): Promise<string[]> {
  let replies = c.transcript
    ? replyTable(parseTranscript(Deno.readTextFileSync(`${SERIAL_FIXTURES}/${c.transcript}`)))
    : undefined;
  if (c.replies) {
    replies = new Map(Object.entries(c.replies).map(([k, v]) => [k, [v + "\r"]]));
  }
  const dir = await makeNutDir("qx-interop-");
  const sim = SerialSimulator.start(new QxDevice({ family: c.family, replies }));
  try {
    const args = ["-s", "t", "-x", `port=${sim.path}`, "-d", "1", ...(c.args ?? [])];
    const r = which === "debian"
      ? await run(`/lib/nut/${c.driver}`, [...args, "-u", "root"], { ...dir.env, PATH })
      : await run(`${BIN}/${c.driver}`, args, { ...dir.env, PATH });
    assertEquals(r.code, 0, `${which} ${c.driver}: ${r.stderr}`);
    return comparable(r.stdout);
  } finally {
    await sim.stop();
    await dir.cleanup();
  }
}

for (const c of CASES) {
  const what = c.transcript ?? (c.replies ? `${c.family} corner case` : `${c.family} model unit`);
  Deno.test({
    name: `interop: ${c.driver} -d 1 on ${what}${c.args ? " " + c.args.join(" ") : ""} = Debian's`,
    ...opts,
    ignore: opts.ignore ||
      (c.transcript !== undefined && !haveFile(`${SERIAL_FIXTURES}/${c.transcript}`)),
    async fn() {
      const theirs = await dumpWith(c, "debian");
      const ours = await dumpWith(c, "ours");
      assertEquals(ours, theirs);
    },
  });
}

Deno.test({
  name: "interop: our nutdrv_qx served by Debian's upsd",
  ...opts,
  async fn() {
    const s = await startQxStack({ family: "voltronic", upsd: "debian" });
    try {
      assertEquals(await s.value("ups.status"), "OL");
      assertEquals(await s.value("driver.version.data"), "Voltronic 0.06");
      const before = s.device.received.length;
      assertEquals((await s.upscmd("test.battery.start.quick")).code, 0);
      // queries of the full update that follows a command are not commands
      const commands = s.device.received.slice(before).filter((q) => !/^(Q[A-Z0-9]+|F|I)$/.test(q));
      assertEquals(commands, ["T"]);
    } finally {
      await s.stop();
    }
  },
});
