/**
 * default.*, override.* and ignorelb through the whole core (ups.conf →
 * published state), and their reload: a default gives way to the device's
 * reading, an override never does, ignorelb drops the device's LB and
 * derives it from the thresholds (and refuses to start without them).
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/nut.ts";
import { sockTalk } from "../helpers/sock.ts";
import { DriverCore } from "../../lib/driver/core.ts";
import { Logger } from "../../lib/daemon/log.ts";
import type { DriverContext, DriverInfo, DriverInstance } from "../../lib/driver/types.ts";

class MemLogger extends Logger {
  lines: string[] = [];
  override debug(): void {}
  override info(m: string): void {
    this.lines.push(m);
  }
  override warn(m: string): void {
    this.lines.push(m);
  }
  override error(m: string): void {
    this.lines.push(m);
  }
}

/** A device that reports charge 15 %, its own mfr, no low-charge mark, and LB. */
function device(readings: Record<string, string>): DriverInfo {
  return {
    name: "preset-drv",
    desc: "Preset test driver",
    version: "0.1",
    create(ctx: DriverContext): DriverInstance {
      return {
        initups() {},
        initinfo() {},
        updateinfo() {
          for (const [k, v] of Object.entries(readings)) ctx.state.setInfo(k, v);
          ctx.status.init();
          ctx.status.set("OL LB");
          ctx.commitStatus();
          ctx.state.dataOk();
        },
        shutdown() {},
      };
    },
  };
}

async function inDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "core-presets-" });
  const keys = ["NUT_CONFPATH", "NUT_STATEPATH", "NUT_ALTPIDPATH"];
  const saved = keys.map((k) => [k, Deno.env.get(k)] as const);
  for (const k of keys) Deno.env.set(k, dir);
  try {
    await fn(dir);
  } finally {
    for (const [k, v] of saved) v === undefined ? Deno.env.delete(k) : Deno.env.set(k, v);
    await Deno.remove(dir, { recursive: true });
  }
}

const value = (dump: string[], name: string) =>
  dump.find((l) => l.startsWith(`SETINFO ${name} `))?.slice(`SETINFO ${name} `.length);

Deno.test({
  name: "driver core: default.*, override.* and ignorelb end to end, and on reload",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await inDir(async (dir) => {
      const conf = (extra: string) =>
        Deno.writeTextFileSync(
          `${dir}/ups.conf`,
          `[p1]\n\tdriver = preset-drv\n\tport = none\n\tignorelb\n${extra}`,
        );
      conf(
        "\tdefault.battery.charge.low = 20\n\tdefault.battery.charge = 99\n" +
          '\toverride.ups.mfr = "Fixed Inc"\n',
      );
      const log = new MemLogger("preset-drv");
      const core = new DriverCore(
        device({ "battery.charge": "15", "ups.mfr": "Device Mfr" }),
        { log, out: () => {}, handleSignals: false },
      );
      const run = core.main(["-a", "p1", "-F"]);
      const sock = `${dir}/preset-drv-p1`;
      await waitFor(() => Deno.statSync(sock).isSocket, 5000, "socket");
      let dump = await sockTalk(sock, "DUMPALL\n", (l) => l === "DUMPDONE");
      assertEquals(value(dump, "battery.charge"), '"15"', "the reading replaced the default");
      assertEquals(value(dump, "battery.charge.low"), '"20"', "the default fills a gap");
      assertEquals(value(dump, "ups.mfr"), '"Fixed Inc"', "the override wins");
      assertEquals(value(dump, "device.mfr"), '"Fixed Inc"');
      assertEquals(value(dump, "ups.status"), '"OL LB"', "15 < 20: LB derived");
      assertEquals(value(dump, "driver.flag.ignorelb"), '"enabled"');

      // reload: a lower threshold, the override dropped
      conf("\tdefault.battery.charge.low = 20\n\toverride.battery.charge.low = 10\n");
      const r = await sockTalk(
        sock,
        "INSTCMD driver.reload TRACKING r\n",
        (l) => l.startsWith("TRACKING"),
      );
      assertEquals(r.at(-1), "TRACKING r 0", log.lines.join("\n"));
      await waitFor(
        async () => {
          dump = await sockTalk(sock, "DUMPALL\n", (l) => l === "DUMPDONE");
          return value(dump, "ups.status") === '"OL"' && value(dump, "ups.mfr") === '"Device Mfr"';
        },
        5000,
        "LB cleared by the new threshold, mfr back to the device's",
      );
      assertEquals(value(dump, "battery.charge.low"), '"10"');
      core.stop(15);
      assertEquals(await run, 0);
    });
  },
});

Deno.test({
  name: "driver core: ignorelb without thresholds refuses to start",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await inDir(async (dir) => {
      Deno.writeTextFileSync(
        `${dir}/ups.conf`,
        "[p2]\n\tdriver = preset-drv\n\tport = none\n\tignorelb\n",
      );
      const log = new MemLogger("preset-drv");
      const code = await new DriverCore(device({ "battery.charge": "15" }), {
        log,
        out: () => {},
        handleSignals: false,
      }).main(["-a", "p2", "-F"]);
      assertEquals(code, 1);
      assert(log.lines.join("\n").includes("The 'ignorelb' flag is set, but there is no way"));
    });
  },
});
