/**
 * upsdrvctl end to end through bin/upsdrvctl: test-mode output against
 * Debian's 2.8.0 upsdrvctl, real start/stop/status/shutdown of our
 * dummy-ups and of Debian's (driverpath /lib/nut), shutdown order,
 * retries, start-up timeouts, nowait, one driver per UPS, -F supervision,
 * -c requests, and the launcher's permissions.
 */

import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import {
  BIN,
  DEBIAN,
  exists,
  haveDebianNut,
  makeNutDir,
  type NutDir,
  Proc,
  ROOT,
  run,
  waitFor,
} from "../helpers/nut.ts";
import { pingDriver } from "../../lib/driver/query.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";
const CTL = `${BIN}/upsdrvctl`;
const haveDebianCtl = exists(DEBIAN.upsdrvctl);
const BANNER = "Network UPS Tools - UPS driver controller 2.8.0\n";

if (!haveDebianCtl) {
  console.log(`${DEBIAN.upsdrvctl} is absent (apt-get install nut-server): comparisons skipped`);
}

/** stderr without timestamps and without the debug hint paragraph (worded differently on purpose). */
export function normalize(stderr: string): string {
  const out: string[] = [];
  let hint = false;
  for (const line of stderr.split("\n")) {
    const m = /^ *\d+\.\d{6}\t(.*)$/.exec(line);
    if (m) {
      hint = m[1] === "[D2] ";
      if (!hint) out.push(m[1]);
    } else if (!hint) out.push(line);
  }
  return out.join("\n");
}

/** Our upsdrvctl; quiet about systemd-managed drivers, which 2.8.0 does not mention. */
function ctl(dir: NutDir, args: string[], extraEnv: Record<string, string> = {}) {
  return run(CTL, args, { ...dir.env, PATH, NUT_QUIET_INIT_NDE_WARNING: "1", ...extraEnv });
}

/** Fake driver programs that log their arguments and behave as told. */
function fakeDrivers(dir: NutDir): string {
  const drv = `${dir.root}/drv`;
  Deno.mkdirSync(drv);
  const log = `${dir.root}/calls.log`;
  const script = (name: string, body: string) => {
    const p = `${drv}/${name}`;
    Deno.writeTextFileSync(p, `#!/bin/sh\necho "${name} $*" >> ${log}\n${body}\n`);
    Deno.chmodSync(p, 0o755);
  };
  script("ok-drv", "exit 0");
  script("fail3", "exit 3");
  script("crash", "kill -SEGV $$");
  script("slow", "sleep 5; exit 0");
  // fails the first time, then works
  script("flaky", `[ -e ${drv}/flaky.seen ] && exit 0; touch ${drv}/flaky.seen; exit 4`);
  return drv;
}

function calls(dir: NutDir): string[] {
  try {
    return Deno.readTextFileSync(`${dir.root}/calls.log`).trim().split("\n").filter((l) => l);
  } catch {
    return [];
  }
}

Deno.test({
  name: "upsdrvctl -t: output and exit codes as Debian's 2.8.0 upsdrvctl",
  ignore: !haveDebianCtl,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("ctl-t-");
    try {
      dir.write(
        "ups.conf",
        "maxretry = 2\nretrydelay = 1\ndriverpath = /lib/nut\n" +
          "[a]\n\tdriver = dummy-ups\n\tport = a.dev\n\tsdorder = 2\n" +
          "[b]\n\tdriver = dummy-ups\n\tport = /x/b.dev\n" +
          "[c]\n\tdriver = nosuch\n\tport = /dev/x\n\tsdorder = -1\n" +
          "[d]\n\tdriver = dummy-ups\n\tport = d.dev\n\tsdorder = 1\n",
      );
      Deno.writeTextFileSync(`${dir.state}/dummy-ups-a.pid`, "12345\n");
      Deno.writeTextFileSync(`${dir.state}/dummy-ups-b.dev.pid`, "12346\n");
      const cases = [
        ["-t", "start"],
        ["-t", "stop"],
        ["-t", "shutdown"],
        ["-t", "start", "a"],
        ["-t", "stop", "b"],
        ["-t", "stop", "d"],
        ["-t", "shutdown", "c"],
        ["-t", "-d", "-D", "start", "d"],
        ["-t", "-DDD", "-d", "-u", "nut", "-r", "/chr", "start", "a"],
        ["-t", "-d", "-u", "nut", "-r", "/chr", "shutdown", "d"],
        ["-t", "shutdown", "zz"],
        ["-t", "bogus"],
        ["-V"],
        ["start", "zz"],
        ["bogus"],
      ];
      for (const args of cases) {
        const want = await run(DEBIAN.upsdrvctl, args, { ...dir.env, PATH });
        const got = await ctl(dir, args);
        const what = `upsdrvctl ${args.join(" ")}`;
        assertEquals(got.code, want.code, `${what}: exit status\n${got.stderr}`);
        assertEquals(got.stdout, want.stdout, `${what}: stdout`);
        assertEquals(normalize(got.stderr), normalize(want.stderr), `${what}: stderr`);
      }
      // no ups.conf at all, and an empty one
      Deno.removeSync(`${dir.conf}/ups.conf`);
      for (const args of [["start"], ["-t", "stop"]]) {
        const want = await run(DEBIAN.upsdrvctl, args, { ...dir.env, PATH });
        const got = await ctl(dir, args);
        assertEquals([got.code, normalize(got.stderr)], [want.code, normalize(want.stderr)]);
      }
      dir.write("ups.conf", "maxretry = 3\n");
      const want = await run(DEBIAN.upsdrvctl, ["start"], { ...dir.env, PATH });
      const got = await ctl(dir, ["start"]);
      assertEquals([got.code, got.stderr], [want.code, want.stderr]);
      assertEquals(got.stderr, "Error: no UPS definitions found in ups.conf\n");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "upsdrvctl: help, version, unknown option (exit 0 as NUT), extra words refused",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("ctl-help-");
    try {
      const h = await ctl(dir, ["-h"]);
      assertEquals(h.code, 0);
      assert(h.stdout.startsWith(BANNER + "Starts and stops UPS drivers via ups.conf.\n\n"));
      assertStringIncludes(h.stdout, `usage: ${CTL} [OPTIONS] (start | stop | shutdown) [<ups>]`);
      const z = await ctl(dir, ["-Z"]);
      assertEquals([z.code, z.stderr], [0, `${CTL}: invalid option -- 'Z'\n`]);
      assertEquals((await ctl(dir, [])).code, 0);
      assertEquals(await ctl(dir, ["-V"]), { code: 0, stdout: BANNER, stderr: "" });
      dir.write("ups.conf", "[a]\n\tdriver = dummy-ups\n\tport = a.dev\n");
      const x = await ctl(dir, ["-t", "start", "a", "b"]);
      assertEquals(x.code, 1);
      assertStringIncludes(x.stderr, "Error: extra arguments left on command line");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "upsdrvctl: start, status, refusal of a second driver, -c, stop of our dummy-ups",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("ctl-ours-");
    try {
      dir.write("a.dev", "ups.status: OL\nbattery.charge: 91\n");
      dir.write("b.dev", "ups.status: OB\n");
      dir.write(
        "ups.conf",
        "maxretry = 2\nretrydelay = 0\n" +
          "[a]\n\tdriver = dummy-ups\n\tport = a.dev\n" +
          "[b]\n\tdriver = dummy-ups\n\tport = b.dev\n" +
          "[m]\n\tdriver = dummy-ups\n\tport = missing.dev\n",
      );
      const start = await ctl(dir, ["start"]);
      assertEquals(start.code, 1, "m cannot start");
      assertEquals(
        start.stderr.split("\n").filter((l) => l.startsWith("Driver failed")),
        ["Driver failed to start (exit status=1)", "Driver failed to start (exit status=1)"],
        start.stderr,
      );
      for (const u of ["a", "b"]) {
        assert(await pingDriver(`${dir.state}/dummy-ups-${u}`), `${u} answers`);
        assertMatch(Deno.readTextFileSync(`${dir.state}/dummy-ups-${u}.pid`), /^\d+\n$/);
      }
      const pidA = Deno.readTextFileSync(`${dir.state}/dummy-ups-a.pid`).trim();

      const st = await ctl(dir, ["status"]);
      assertEquals(st.code, 0);
      const rows = st.stdout.split("\n").slice(1, 5);
      assertEquals(
        rows[0],
        "UPSNAME    \t     UPSDRV\tRUNNING\tPF_PID\tS_RESPONSIVE\tS_PID\tS_STATUS",
      );
      assertEquals(rows[1], `a          \t  dummy-ups\tRUNNING\t${pidA}\tRESPONSIVE\t${pidA}\tOL`);
      assertMatch(rows[2], /^b +\t {2}dummy-ups\tRUNNING\t\d+\tRESPONSIVE\t\d+\tOB$/);
      assertEquals(rows[3], "m          \t  dummy-ups\tN/A\t-1\tNOT_RESPONSIVE\tN/A\t");
      assertEquals((await ctl(dir, ["list"])).stdout, BANNER + "a\nb\nm\n");
      assertEquals((await ctl(dir, ["-l", "b"])).stdout, BANNER + "b\n");

      // one driver per UPS: a running one is left alone
      const again = await ctl(dir, ["start", "a"]);
      assertEquals(again.code, 1);
      assertEquals(
        again.stderr,
        `Driver for UPS [a] is already running (${dir.state}/dummy-ups-a answers): not starting another\n`,
      );
      assertEquals(Deno.readTextFileSync(`${dir.state}/dummy-ups-a.pid`).trim(), pidA);

      // -c over the socket
      const reload = await ctl(dir, ["-c", "reload-or-error", "a"]);
      assertEquals([reload.code, reload.stderr], [
        0,
        "Request for driver to reload-or-error returned code 0\n",
      ]);

      const stop = await ctl(dir, ["stop"]);
      assertEquals(stop.code, 1, "m has no PID file");
      assertEquals(
        stop.stderr,
        [
          `Can't open ${dir.state}/dummy-ups-m.pid: No such file or directory`,
          `Can't open ${dir.state}/dummy-ups-missing.dev.pid either: No such file or directory`,
          "",
        ].join("\n"),
      );
      for (const u of ["a", "b"]) {
        assert(!exists(`${dir.state}/dummy-ups-${u}`), `${u} socket removed`);
        assert(!exists(`${dir.state}/dummy-ups-${u}.pid`), `${u} PID file removed`);
      }
      await waitFor(() => !exists(`/proc/${pidA}`), 5000, "the driver process gone (and reaped)");
      const gone = await ctl(dir, ["stop", "a"]);
      assertEquals(gone.code, 1);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "upsdrvctl: a foreground driver (no PID file) is stopped over its socket",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("ctl-fgstop-");
    dir.write("f.dev", "ups.status: OL\n");
    dir.write("ups.conf", "[f]\n\tdriver = dummy-ups\n\tport = f.dev\n");
    const p = new Proc(`${BIN}/dummy-ups`, ["-a", "f", "-F"], { ...dir.env, PATH });
    try {
      await waitFor(() => pingDriver(`${dir.state}/dummy-ups-f`), 15000, "driver up");
      const r = await ctl(dir, ["stop", "f"]);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stderr, "Can't open");
      assertEquals((await p.wait()).code, 0);
    } finally {
      await p.stop();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "upsdrvctl: shutdown order, retries, timeouts, abnormal exits, nowait, missing program",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("ctl-fake-");
    try {
      const drv = fakeDrivers(dir);
      const conf = (global: string, sections: string) =>
        dir.write("ups.conf", `driverpath = ${drv}\n${global}\n${sections}`);
      conf(
        "",
        "[late]\n\tdriver = ok-drv\n\tport = x\n\tsdorder = 5\n" +
          "[never]\n\tdriver = ok-drv\n\tport = x\n\tsdorder = -1\n" +
          "[first]\n\tdriver = fail3\n\tport = x\n" +
          "[mid]\n\tdriver = crash\n\tport = x\n\tsdorder = 1\n" +
          "[first2]\n\tdriver = ok-drv\n\tport = x\n",
      );
      const sd = await ctl(dir, ["-u", "nut", "shutdown"]);
      assertEquals(sd.code, 1);
      assertEquals(calls(dir), [
        "fail3 -a first -k -u nut",
        "ok-drv -a first2 -k -u nut",
        "crash -a mid -k -u nut",
        "ok-drv -a late -k -u nut",
      ]);
      assertEquals(sd.stderr, "Driver failed to start (exit status=3)\nDriver exited abnormally\n");
      Deno.removeSync(`${dir.root}/calls.log`);
      assertEquals((await ctl(dir, ["shutdown", "never"])).code, 0, "named: done regardless");
      assertEquals(calls(dir), ["ok-drv -a never -k"]);

      // retries: flaky works at the second attempt; fail3 never does
      Deno.removeSync(`${dir.root}/calls.log`);
      conf(
        "maxretry = 3\nretrydelay = 0",
        "[fl]\n\tdriver = flaky\n\tport = x\n[f3]\n\tdriver = fail3\n\tport = x\n",
      );
      const r = await ctl(dir, ["-t", "start"]);
      assertEquals(r.code, 0);
      assertEquals(calls(dir), [], "test mode runs nothing");
      const st = await ctl(dir, ["start"]);
      assertEquals(st.code, 1);
      assertEquals(calls(dir), [
        "flaky -a fl",
        "flaky -a fl",
        "fail3 -a f3",
        "fail3 -a f3",
        "fail3 -a f3",
      ]);
      assertEquals(
        st.stderr,
        "Driver failed to start (exit status=4)\n" +
          "Driver failed to start (exit status=3)\n".repeat(3),
      );
      Deno.removeSync(`${drv}/flaky.seen`);
      Deno.removeSync(`${dir.root}/calls.log`);
      assertEquals((await ctl(dir, ["start", "fl"])).code, 0, "a later success clears the failure");

      // a driver that does not return within maxstartdelay is left running
      conf("maxstartdelay = 1", "[s]\n\tdriver = slow\n\tport = x\n");
      // (the slow driver keeps the inherited stderr open: time the exit itself)
      const t0 = Date.now();
      const child = new Deno.Command(CTL, {
        args: ["start"],
        env: { ...dir.env, PATH },
        stdout: "null",
        stderr: "piped",
      }).spawn();
      const code = (await child.status).code;
      assert(Date.now() - t0 < 4800, "did not wait for the slow driver (5 s)");
      const err = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      assertEquals([code, err], [1, "Startup timer elapsed, continuing...\n"]);

      // nowait: nothing is waited for, failures go unnoticed
      conf("nowait", "[f]\n\tdriver = fail3\n\tport = x\n");
      assertEquals((await ctl(dir, ["start"])).code, 0);
      const ignored = await ctl(dir, ["start"], { NUT_IGNORE_NOWAIT: "true" });
      assertEquals(ignored.code, 1);
      assertStringIncludes(
        ignored.stderr,
        "NOTE: 'nowait' setting ignored due to NUT_IGNORE_NOWAIT envvar",
      );

      // a missing program ends the run before later sections
      Deno.removeSync(`${dir.root}/calls.log`);
      conf(
        "",
        "[a]\n\tdriver = ok-drv\n\tport = x\n[b]\n\tdriver = nope\n\tport = x\n" +
          "[c]\n\tdriver = ok-drv\n\tport = x\n",
      );
      const miss = await ctl(dir, ["start"]);
      assertEquals([miss.code, miss.stderr], [
        1,
        `Can't start ${drv}/nope: No such file or directory\n`,
      ]);
      assertEquals(calls(dir), ["ok-drv -a a"]);
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "upsdrvctl: Debian's dummy-ups started and stopped through driverpath = /lib/nut",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("ctl-deb-");
    try {
      dir.write("d.dev", "ups.status: OL\n");
      dir.write("ups.conf", "driverpath = /lib/nut\n[d]\n\tdriver = dummy-ups\n\tport = d.dev\n");
      const start = await ctl(dir, ["-u", "root", "start"]);
      assertEquals(start.code, 0, start.stderr);
      assert(await pingDriver(`${dir.state}/dummy-ups-d`), "Debian's driver answers");
      const st = await ctl(dir, ["status", "d"]);
      // 2.8.0 drivers answer PING but not GETPID / DUMPSTATUS
      assertMatch(
        st.stdout.split("\n")[2],
        /^d +\t {2}dummy-ups\tRUNNING\t\d+\tRESPONSIVE\tN\/A\t$/,
      );
      const sd = await ctl(dir, ["-u", "root", "shutdown"]);
      assertEquals(sd.code, 1, "dummy-ups cannot shut down");
      assertStringIncludes(sd.stderr, "Driver failed to start (exit status=1)");
      const stop = await ctl(dir, ["stop"]);
      assertEquals(stop.code, 0, stop.stderr);
      await waitFor(() => !exists(`${dir.state}/dummy-ups-d.pid`), 5000, "PID file removed");
      assert(!(await pingDriver(`${dir.state}/dummy-ups-d`)));
    } finally {
      await run(DEBIAN.upsdrvctl, ["stop"], { ...dir.env, PATH });
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "upsdrvctl -F: stays the drivers' parent; SIGTERM stops them; a dying one ends all",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("ctl-fg-");
    const env = { ...dir.env, PATH };
    let p: Proc | undefined;
    try {
      for (const u of ["x", "y"]) dir.write(`${u}.dev`, "ups.status: OL\n");
      dir.write(
        "ups.conf",
        "[x]\n\tdriver = dummy-ups\n\tport = x.dev\n[y]\n\tdriver = dummy-ups\n\tport = y.dev\n",
      );
      p = new Proc(CTL, ["-F", "start"], env);
      for (const u of ["x", "y"]) {
        await waitFor(() => pingDriver(`${dir.state}/dummy-ups-${u}`), 15000, `${u} up`);
        assert(!exists(`${dir.state}/dummy-ups-${u}.pid`), "-F: no PID file");
      }
      assertEquals((await p.stop()).code, 0);
      for (const u of ["x", "y"]) assert(!exists(`${dir.state}/dummy-ups-${u}`), `${u} stopped`);

      // one driver leaves (asked over its socket): the other is stopped too
      p = new Proc(CTL, ["-FF", "start"], env);
      for (const u of ["x", "y"]) {
        await waitFor(() => pingDriver(`${dir.state}/dummy-ups-${u}`), 15000, `${u} up`);
      }
      assert(exists(`${dir.state}/dummy-ups-x.pid`), "-FF: PID file");
      await ctl(dir, ["-c", "exit", "x"]);
      const st = await p.wait();
      assertEquals(st.code, 1);
      assertStringIncludes(
        p.stderr,
        "Driver for UPS [x] exited (status 0): stopped the other drivers",
      );
      assert(!exists(`${dir.state}/dummy-ups-y`), "y stopped as well");
    } finally {
      await p?.stop();
      await dir.cleanup();
    }
  },
});

Deno.test("upsdrvctl launcher: narrowest permissions per command", async () => {
  const dir = await makeNutDir("ctl-perms-");
  try {
    dir.write(
      "ups.conf",
      "driverpath = /opt/drv\n[a]\n\tdriver = dummy-ups\n\tport = a.dev\n" +
        '[b]\n\tdriver = "clone"\n\tport = dummy-ups-a # comment\n',
    );
    const perms = async (args: string[]) => {
      const r = await run(CTL, args, { ...dir.env, PATH, NUT_PRINT_PERMS: "1" });
      assertEquals(r.code, 0, r.stderr);
      return r.stdout.trim().split("\n");
    };
    const socks = `${dir.state}/dummy-ups-a,${dir.state}/clone-b`;
    const reads = `${dir.conf},${dir.state},${dir.state},/opt/drv,/run/systemd/system,` +
      "/etc/systemd/system/nut-driver@.service,/lib/systemd/system/nut-driver@.service," +
      `/usr/lib/systemd/system/nut-driver@.service,${socks}`;
    const common = [
      "cmd/upsdrvctl/main.ts",
      "--allow-env=NUT_CONFPATH,NUT_STATEPATH,NUT_ALTPIDPATH,NUT_DEBUG_LEVEL,NUT_IGNORE_NOWAIT,NUT_QUIET_INIT_NDE_WARNING,NUT_ARGV0",
      `--allow-net=unix:${dir.state}/dummy-ups-a,unix:${dir.state}/clone-b`,
    ];
    assertEquals(await perms(["-u", "nut", "start"]), [
      ...common,
      `--allow-write=${socks}`,
      "--allow-run=/opt/drv/dummy-ups,/opt/drv/clone",
      `--allow-read=${reads}`,
    ]);
    assertEquals(await perms(["stop", "a"]), [
      ...common,
      `--allow-write=${socks},${dir.state}`,
      "--allow-run",
      `--allow-read=${reads}`,
    ]);
    assertEquals(await perms(["list"]), [
      ...common,
      `--allow-write=${socks}`,
      `--allow-read=${reads}`,
    ]);
    for (const args of [["start"], ["stop"], ["-c", "reload"], ["list"]]) {
      const all = (await perms(args)).join(" ");
      for (const bad of ["--allow-all", "--allow-ffi", "--allow-sys", "--allow-net "]) {
        assert(!all.includes(bad), `${args.join(" ")} grants ${bad}`);
      }
      assert(!/--allow-net=[^ ]*(?<!unix:[^,]*)\b\d+\.\d+/.test(all), "only unix sockets");
    }
    assert(exists(`${ROOT}/cmd/upsdrvctl/main.ts`));
  } finally {
    await dir.cleanup();
  }
});
