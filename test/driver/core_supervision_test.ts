/**
 * The driver core's supervision and reload, in-process with a test driver
 * whose device can vanish: DATASTALE at the failing poll, reconnect() with
 * backoff, DATAOK again without a restart; `-c reload-or-error` /
 * `-c exit` from a second core; ups.conf changes adopted or refused.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/nut.ts";
import { SockPeer, sockTalk } from "../helpers/sock.ts";
import { DriverCore } from "../../lib/driver/core.ts";
import { Logger } from "../../lib/daemon/log.ts";
import {
  DeviceError,
  type DriverContext,
  type DriverInfo,
  type DriverInstance,
} from "../../lib/driver/types.ts";

class MemLogger extends Logger {
  lines: string[] = [];
  override debug(_lvl: number, _msg: string): void {}
  override info(msg: string): void {
    this.lines.push(msg);
  }
  override warn(msg: string): void {
    this.lines.push(msg);
  }
  override error(msg: string): void {
    this.lines.push(msg);
  }
}

interface Device {
  present: boolean;
  polls: number;
  reconnects: number;
  reloads: number;
  color?: string;
}

function vanishingDriver(dev: Device): DriverInfo {
  return {
    name: "vanish-drv",
    desc: "Vanishing test driver",
    version: "0.1",
    vars: [{ name: "color", desc: "a color", reloadable: true }, { name: "cable", desc: "c" }],
    create(ctx: DriverContext): DriverInstance {
      return {
        initups() {},
        initinfo() {},
        updateinfo() {
          dev.polls++;
          if (!dev.present) throw new DeviceError("device vanished");
          ctx.state.setInfo("ups.polls", String(dev.polls));
          ctx.state.setInfo("ups.color", ctx.getval("color") ?? "none");
          ctx.status.init();
          ctx.status.set("OL");
          ctx.commitStatus();
          ctx.state.dataOk();
        },
        reconnect() {
          dev.reconnects++;
          if (!dev.present) throw new DeviceError("still gone");
        },
        reload() {
          dev.reloads++;
        },
        shutdown() {},
      };
    },
  };
}

async function withEnv(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "core-sup-" });
  const keys = ["NUT_CONFPATH", "NUT_STATEPATH", "NUT_ALTPIDPATH"];
  const saved = keys.map((k) => [k, Deno.env.get(k)] as const);
  for (const k of keys) Deno.env.set(k, dir);
  try {
    await fn(dir);
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) Deno.env.delete(k);
      else Deno.env.set(k, v);
    }
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "driver core: a vanished device goes stale at once and recovers without a restart",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withEnv(async (dir) => {
      const dev: Device = { present: true, polls: 0, reconnects: 0, reloads: 0 };
      const log = new MemLogger("vanish-drv");
      const core = new DriverCore(vanishingDriver(dev), {
        log,
        out: () => {},
        handleSignals: false,
      });
      const run = core.main(["-s", "v1", "-x", "port=none", "-i", "1", "-F"]);
      const sock = `${dir}/vanish-drv-v1`;
      await waitFor(() => Deno.statSync(sock).isSocket, 5000, "socket");
      const peer = await SockPeer.open(sock);
      await peer.send("DUMPALL\n");
      const dump = await peer.until((l) => l === "DUMPDONE");
      assert(dump.includes("DATAOK"), dump.join("\n"));

      // the device goes away: stale at the next poll, not later
      dev.present = false;
      const t0 = Date.now();
      const lost = await peer.until((l) => l === "DATASTALE", 3000);
      assert(Date.now() - t0 < 2500, "DATASTALE at the next poll (interval 1 s)");
      assert(!lost.includes("DATAOK"));
      assertEquals(core.supervisor?.phase, "reconnecting");
      // attempts are published while reconnecting
      await peer.until((l) => l.startsWith('SETINFO driver.reconnect_count "2"'), 5000);
      const tries = dev.reconnects;
      assert(tries >= 2, `reconnect() called (${tries})`);

      // it comes back: fresh again, same process, no restart
      dev.present = true;
      const back = await peer.until((l) => l === "DATAOK", 6000);
      assert(back.some((l) => l.startsWith("SETINFO ups.polls")), back.join("\n"));
      await peer.until((l) => l === "DELINFO driver.reconnect_count", 3000);
      assertEquals(core.supervisor?.phase, "running");
      assert(
        log.lines.includes("Communications with UPS [v1] re-established"),
        log.lines.join("\n"),
      );
      assert(
        log.lines.includes("Driver reconnecting to the device [v1], will try indefinitely"),
      );
      const pollsAfter = dev.polls;
      await peer.until((l) => l.startsWith("SETINFO ups.polls"), 3000);
      assert(dev.polls > pollsAfter, "polling goes on");
      peer.close();
      core.stop(15);
      assertEquals(await run, 0);
    });
  },
});

Deno.test({
  name: "driver core: reconnect_max_tries ends the driver with status 1",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withEnv(async () => {
      const dev: Device = { present: false, polls: 0, reconnects: 0, reloads: 0 };
      const log = new MemLogger("vanish-drv");
      const core = new DriverCore(vanishingDriver(dev), {
        log,
        out: () => {},
        handleSignals: false,
      });
      // the device is missing from the first poll on (start-up goes on, stale)
      const code = await core.main([
        "-s",
        "v2",
        "-x",
        "port=none",
        "-x",
        "reconnect_max_tries=2",
        "-i",
        "1",
        "-F",
      ]);
      assertEquals(code, 1);
      assertEquals(dev.reconnects, 2);
      assert(
        log.lines.includes(
          "Driver lost connection to the device [v2] and tried to reconnect for 2 times, now will exit as configured",
        ),
        log.lines.join("\n"),
      );
    });
  },
});

Deno.test({
  name: "driver core: reload via -c / INSTCMD adopts run-time settings, refuses others",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withEnv(async (dir) => {
      const conf = (poll: number, color: string, cable: string) =>
        Deno.writeTextFileSync(
          `${dir}/ups.conf`,
          `pollinterval = ${poll}\n[r1]\n\tdriver = vanish-drv\n\tport = none\n` +
            `\tcolor = ${color}\n\tcable = ${cable}\n`,
        );
      conf(1, "red", "a");
      const dev: Device = { present: true, polls: 0, reconnects: 0, reloads: 0 };
      const log = new MemLogger("vanish-drv");
      const core = new DriverCore(vanishingDriver(dev), {
        log,
        out: () => {},
        handleSignals: false,
      });
      const run = core.main(["-a", "r1", "-F"]);
      const sock = `${dir}/vanish-drv-r1`;
      await waitFor(() => Deno.statSync(sock).isSocket, 5000, "socket");
      const control = async (cmd: string) => {
        const clog = new MemLogger("vanish-drv");
        const code = await new DriverCore(vanishingDriver(dev), {
          log: clog,
          out: () => {},
          handleSignals: false,
        }).main(["-a", "r1", "-c", cmd]);
        return { code, log: clog.lines };
      };

      // a reloadable change: adopted, published, no restart needed
      conf(3, "blue", "a");
      const ok = await control("reload-or-error");
      assertEquals(ok.code, 0, ok.log.join("\n"));
      assertEquals(ok.log, ["Request for driver to reload-or-error returned code 0"]);
      const dump = await sockTalk(sock, "DUMPALL\n", (l) => l === "DUMPDONE");
      assert(dump.includes('SETINFO driver.parameter.pollinterval "3"'), dump.join("\n"));
      assert(dump.includes('SETINFO driver.parameter.color "blue"'));
      assertEquals(core.settings.pollInterval, 3);
      assertEquals(dev.reloads, 1);
      await waitFor(
        async () =>
          (await sockTalk(sock, "DUMPVALUE ups.color\n", (l) => l === "DUMPDONE"))
            .includes('SETINFO ups.color "blue"'),
        5000,
        "the driver reads the new color",
      );

      // a setting that needs a restart: reported (2), old value kept
      conf(3, "blue", "b");
      const refused = await control("reload-or-error");
      assertEquals(refused.code, 2, refused.log.join("\n") + "\n" + log.lines.join("\n"));
      assertEquals(core.settings.getval("cable"), "a");
      assert(
        log.lines.some((l) => l.includes("Setting 'cable' was changed")),
        log.lines.join("\n"),
      );
      // plain reload succeeds anyway
      assertEquals((await control("reload")).code, 0);

      // a broken file keeps the running configuration (asked over the socket:
      // `-c` itself needs the section too)
      Deno.writeTextFileSync(`${dir}/ups.conf`, "[other]\n\tdriver = vanish-drv\n\tport = x\n");
      assertEquals(
        await sockTalk(
          sock,
          "INSTCMD driver.reload TRACKING b1\n",
          (l) => l.startsWith("TRACKING"),
        ),
        ["TRACKING b1 2"],
      );
      assertEquals((await control("reload")).code, 1, "the section is gone for -c too");
      conf(3, "blue", "a");
      assertEquals(core.settings.pollInterval, 3);
      assert(log.lines.some((l) => l.startsWith("Reload failed (Error: Section r1 not found")));

      // unknown command, and no driver to talk to
      assertEquals((await control("bogus")).code, 1);
      // exit over the socket
      assertEquals((await control("exit")).code, 0);
      assertEquals(await run, 0);
      const gone = await control("exit");
      assertEquals(gone.code, 255);
      assertEquals(gone.log, [
        "Socket dialog with the other driver instance: No such file or directory",
      ]);
    });
  },
});

Deno.test({
  name: "driver core: reload-or-exit with a restart-only change exits with 138",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    await withEnv(async (dir) => {
      const write = (port: string) =>
        Deno.writeTextFileSync(
          `${dir}/ups.conf`,
          `[r2]\n\tdriver = vanish-drv\n\tport = ${port}\n`,
        );
      write("one");
      const dev: Device = { present: true, polls: 0, reconnects: 0, reloads: 0 };
      const log = new MemLogger("vanish-drv");
      const core = new DriverCore(vanishingDriver(dev), {
        log,
        out: () => {},
        handleSignals: false,
      });
      const run = core.main(["-a", "r2", "-F"]);
      await waitFor(() => Deno.statSync(`${dir}/vanish-drv-r2`).isSocket, 5000, "socket");
      write("two");
      const r = await sockTalk(
        `${dir}/vanish-drv-r2`,
        "INSTCMD driver.reload-or-exit TRACKING t1\n",
        (l) => l.startsWith("TRACKING"),
      );
      assertEquals(r, ["TRACKING t1 2"]);
      assertEquals(await run, 138);
      assert(
        log.lines.includes(
          "NUT driver reload-or-exit: setting port was changed and requires a driver restart",
        ),
      );
    });
  },
});
