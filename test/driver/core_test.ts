/**
 * The driver core as an instance: two drivers in one process, each with its
 * own socket, state and poll loop; poll failures turn data stale; stop()
 * and `INSTCMD driver.exit` end one without touching the other.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/nut.ts";
import { SockPeer, sockTalk } from "../helpers/sock.ts";
import { DriverCore } from "../../lib/driver/core.ts";
import { Logger } from "../../lib/daemon/log.ts";
import type { DriverContext, DriverInfo, DriverInstance } from "../../lib/driver/types.ts";

class QuietLogger extends Logger {
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

interface Probe {
  polls: number;
  fail: boolean;
  cmds: string[];
}

function fakeDriver(probe: Probe): DriverInfo {
  return {
    name: "fake-drv",
    desc: "Fake test driver",
    version: "1.0",
    vars: [{ name: "color", desc: "a color" }],
    create(ctx: DriverContext): DriverInstance {
      return {
        initups() {},
        initinfo() {
          ctx.state.setInfo("ups.color", ctx.getval("color") ?? "none");
          ctx.state.addCmd("beeper.toggle");
        },
        updateinfo() {
          probe.polls++;
          if (probe.fail) throw new Error("device gone");
          ctx.state.setInfo("ups.polls", String(probe.polls));
          ctx.status.init();
          ctx.status.set("OL");
          ctx.commitStatus();
          ctx.state.dataOk();
        },
        shutdown() {},
        setvar(name, value) {
          ctx.state.setInfo(name, value);
          return 0;
        },
        instcmd(cmd) {
          probe.cmds.push(cmd);
          return 0;
        },
      };
    },
  };
}

Deno.test({
  name: "driver core: two instances in one process, poll loop, stale on failure, driver.exit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "core-test-" });
    const saved = ["NUT_CONFPATH", "NUT_STATEPATH", "NUT_ALTPIDPATH"].map((
      k,
    ) => [k, Deno.env.get(k)]);
    Deno.env.set("NUT_CONFPATH", dir);
    Deno.env.set("NUT_STATEPATH", dir);
    Deno.env.set("NUT_ALTPIDPATH", dir);
    try {
      const pa: Probe = { polls: 0, fail: false, cmds: [] };
      const pb: Probe = { polls: 0, fail: false, cmds: [] };
      const out: string[] = [];
      const mk = (p: Probe) =>
        new DriverCore(fakeDriver(p), {
          log: new QuietLogger("fake-drv"),
          out: (t) => out.push(t),
          handleSignals: false,
        });
      const a = mk(pa);
      const b = mk(pb);
      const runA = a.main(["-s", "alpha", "-x", "port=none", "-x", "color=red", "-i", "1", "-F"]);
      const runB = b.main(["-s", "beta", "-x", "port=none", "-F"]);
      const sa = `${dir}/fake-drv-alpha`;
      const sb = `${dir}/fake-drv-beta`;
      const dumpOf = async (path: string) => {
        await waitFor(() => Deno.statSync(path).isSocket, 5000, path);
        return await sockTalk(path, "DUMPALL\n", (l) => l === "DUMPDONE");
      };
      const da = await dumpOf(sa);
      const db = await dumpOf(sb);
      assert(da.includes('SETINFO ups.color "red"'));
      assert(da.includes('SETINFO driver.parameter.color "red"'));
      assert(db.includes('SETINFO ups.color "none"'));
      assert(da.includes('SETINFO driver.name "fake-drv"'));
      assert(da.includes('SETINFO driver.version.internal "1.0"'));
      assert(da.includes('SETINFO driver.parameter.pollinterval "1"'));
      assert(db.includes('SETINFO driver.parameter.pollinterval "2"'));
      assertEquals(
        out.filter((t) => t === "Network UPS Tools - Fake test driver 1.0 (2.8.0)\n").length,
        2,
      );

      // a SET on alpha does not touch beta
      await sockTalk(sa, "SET ups.id x TRACKING 1\n", (l) => l.startsWith("TRACKING"));
      assert(!(await dumpOf(sb)).some((l) => l.startsWith("SETINFO ups.id")));

      // the poll loop runs every pollinterval while the socket is served
      const peer = await SockPeer.open(sa);
      const before = pa.polls;
      await peer.until((l) => l.startsWith("SETINFO ups.polls"), 3000);
      assert(pa.polls > before);
      // a failing poll makes the data stale, a good one fresh again
      pa.fail = true;
      await peer.until((l) => l === "DATASTALE", 3000);
      pa.fail = false;
      await peer.until((l) => l === "DATAOK", 3000);
      peer.close();

      // driver.exit (how a newer instance asks us to leave) ends alpha only
      const r = await sockTalk(
        sa,
        "INSTCMD driver.exit TRACKING bye\n",
        (l) => l.startsWith("TRACKING"),
      );
      assertEquals(r, ["TRACKING bye 0"]);
      assertEquals(await runA, 0);
      assertEquals(pa.cmds, [], "driver.exit is the core's, not the driver's");
      assert((await dumpOf(sb)).includes("DATAOK"), "beta still served");
      b.stop(15);
      assertEquals(await runB, 0);
      for (const p of [sa, sb]) {
        let gone = false;
        try {
          Deno.statSync(p);
        } catch {
          gone = true;
        }
        assert(gone, `${p} removed`);
      }
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) Deno.env.delete(k!);
        else Deno.env.set(k!, v);
      }
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("driver core: usage errors", async () => {
  const run = async (args: string[]) => {
    const log = new QuietLogger("fake-drv");
    const out: string[] = [];
    const code = await new DriverCore(fakeDriver({ polls: 0, fail: false, cmds: [] }), {
      log,
      out: (t) => out.push(t),
      handleSignals: false,
    }).main(args);
    return { code, out: out.join(""), err: log.lines.join("\n") };
  };
  assertEquals(
    (await run([])).err,
    "Error: specifying '-a id' or '-s id' is now mandatory. Try -h for help.",
  );
  assertEquals(
    (await run(["-Z"])).err,
    "fake-drv: invalid option -- 'Z'\nError: unknown option -?. Try -h for help.",
  );
  assertEquals((await run(["-s", "x"])).code, 1);
  assertEquals(
    (await run(["-s", "x", "extra"])).err,
    "Error: too many non-option arguments. Try -h for help.",
  );
  const help = await run(["-h"]);
  assertEquals(help.code, 0);
  assert(help.out.includes("usage: fake-drv (-a <id>|-s <id>) [OPTIONS]"));
  assert(help.out.endsWith("a color : -x color=<value>\n"));
  assertEquals(
    (await run(["-L"])).out,
    'Network UPS Tools - Fake test driver 1.0 (2.8.0)\nVALUE color "a color"\n',
  );
  assertEquals((await run(["-V"])).out, "Network UPS Tools - Fake test driver 1.0 (2.8.0)\n");
  const bad = await run(["-s", "x", "-x", "shade=1"]);
  assertEquals(bad.code, 0);
  assert(bad.out.includes("Fatal error: 'shade' is not a valid variable name for this driver."));
});
