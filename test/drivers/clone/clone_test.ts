/**
 * clone and clone-outlet as processes (bin/ launchers): relaying a
 * dummy-ups through our upsd to upsc, staleness and recovery when the
 * source goes and comes back, the virtual outlet's timers against a
 * scripted source (commands sent to it, FSD, automatic shutdown),
 * clone-outlet's status, the command line against Debian's drivers, and
 * the launchers' sandbox.
 */

import { assert, assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { FakeDriver } from "../../helpers/fake_driver.ts";
import {
  BIN,
  DEBIAN,
  exists,
  freePort,
  haveDebianNut,
  makeNutDir,
  NO_DEBIAN_NUT,
  Proc,
  ROOT,
  run,
  waitFor,
} from "../../helpers/nut.ts";
import { SockPeer, sockTalk } from "../../helpers/sock.ts";
import { pingDriver } from "../../../lib/driver/query.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";
if (!haveDebianNut) console.log(`clone tests: ${NO_DEBIAN_NUT}`);

Deno.test({
  name:
    "clone / clone-outlet: a dummy-ups relayed through our upsd; stale and back with the source",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("clone-upsd-");
    const port = freePort();
    const env = { ...dir.env, PATH };
    let upsd: Proc | undefined;
    try {
      dir.write(
        "src.dev",
        "ups.mfr: Acme\nups.status: OL\nbattery.charge: 90\noutlet.1.status: on\n",
      );
      dir.write(
        "ups.conf",
        "pollinterval = 1\n[src]\n\tdriver = dummy-ups\n\tport = src.dev\n" +
          "[cl]\n\tdriver = clone\n\tport = dummy-ups-src\n\tmincharge = 20\n" +
          "[co]\n\tdriver = clone-outlet\n\tport = dummy-ups-src\n\tprefix = outlet.1\n",
      );
      dir.write("upsd.conf", `LISTEN 127.0.0.1 ${port}\n`);
      dir.write("upsd.users", "", 0o640);
      const start = await run(`${BIN}/upsdrvctl`, ["start"], env);
      assertEquals(start.code, 0, start.stderr);
      upsd = new Proc(`${BIN}/upsd`, ["-F"], env);
      const upsc = (ups: string, ...v: string[]) =>
        run(`${BIN}/upsc`, [`${ups}@127.0.0.1:${port}`, ...v], env);
      await waitFor(
        async () => (await upsc("cl", "battery.charge")).stdout === "90\n",
        20000,
        "cl",
      );
      const all = (await upsc("cl")).stdout;
      for (
        const line of [
          "battery.charge: 90",
          "battery.charge.low: 20",
          "driver.name: clone",
          "driver.parameter.port: dummy-ups-src",
          "ups.delay.shutdown: 120",
          "ups.delay.start: 30",
          "ups.mfr: Acme",
          "ups.status: OL",
          "ups.timer.shutdown: -1",
          "ups.timer.start: -1",
        ]
      ) assertStringIncludes(all, line + "\n");
      assert(!all.includes("driver.parameter.mode"), "the source's driver.* is not copied");
      const cmds = (await run(`${BIN}/upscmd`, ["-l", `cl@127.0.0.1:${port}`], env)).stdout;
      assertEquals(
        cmds.split("\n").slice(2).filter((l) => l).map((l) => l.split(" - ")[0]),
        ["shutdown.return", "shutdown.stayoff"],
      );
      await waitFor(async () => (await upsc("co", "ups.status")).stdout === "OL\n", 10000, "co");

      // the source changes: the clones follow
      dir.write(
        "src.dev",
        "ups.mfr: Acme\nups.status: OB\nbattery.charge: 70\noutlet.1.status: off\n",
      );
      await waitFor(
        async () => (await upsc("cl", "battery.charge")).stdout === "70\n",
        10000,
        "70",
      );
      await waitFor(
        async () => (await upsc("co", "ups.status")).stdout === "OB OFF\n",
        10000,
        "OFF",
      );

      // the source goes away: stale at once, back when it returns
      const clonePid = Deno.readTextFileSync(`${dir.state}/clone-cl.pid`);
      assertEquals((await run(`${BIN}/upsdrvctl`, ["stop", "src"], env)).code, 0);
      await waitFor(
        async () => (await upsc("cl", "ups.status")).stderr === "Error: Data stale\n",
        5000,
        "cl stale",
      );
      await waitFor(
        async () => (await upsc("co", "ups.status")).stderr === "Error: Data stale\n",
        5000,
        "co stale",
      );
      dir.write("src.dev", "ups.status: OL\nbattery.charge: 95\n");
      assertEquals((await run(`${BIN}/upsdrvctl`, ["start", "src"], env)).code, 0);
      await waitFor(
        async () => (await upsc("cl", "battery.charge")).stdout === "95\n",
        15000,
        "back",
      );
      await waitFor(
        async () => (await upsc("co", "ups.status")).stdout.startsWith("OL"),
        15000,
        "co back",
      );
      assertEquals(Deno.readTextFileSync(`${dir.state}/clone-cl.pid`), clonePid, "no restart");
      // variables gone from the source while away were removed
      assertEquals(
        (await upsc("cl", "outlet.1.status")).stderr,
        "Error: Variable not supported by UPS\n",
      );
    } finally {
      await upsd?.stop();
      await run(`${BIN}/upsdrvctl`, ["stop"], env);
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "clone: shutdown.return timers, load.off/load.on sent to the source, FSD, low charge",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("clone-timers-");
    const src = new FakeDriver(`${dir.state}/fake-src`, [
      'SETINFO ups.status "OL"',
      'SETINFO battery.charge "80"',
      'SETINFO outlet.status "on"',
      "DATAOK",
    ]);
    const p = new Proc(`${BIN}/clone`, [
      "-s",
      "cl",
      "-x",
      "port=fake-src",
      "-x",
      "offdelay=2",
      "-x",
      "ondelay=1",
      "-x",
      "load.off=outlet.off",
      "-x",
      "load.on=outlet.on",
      "-x",
      "load.status=outlet.status",
      "-i",
      "1",
      "-F",
    ], { ...dir.env, PATH });
    let peer: SockPeer | undefined;
    try {
      const sock = `${dir.state}/clone-cl`;
      await waitFor(() => pingDriver(sock), 15000, "clone up");
      peer = await SockPeer.open(sock);
      await peer.send("DUMPALL\n");
      const dump = await peer.until((l) => l === "DUMPDONE");
      assert(dump.includes('SETINFO ups.status "OL"'), dump.join("\n"));
      assert(dump.includes("DATAOK"));

      const t0 = Date.now();
      await peer.send("INSTCMD shutdown.return TRACKING t1\n");
      const first = await peer.until((l) => l === "TRACKING t1 0");
      assert(first.includes('SETINFO ups.status "FSD OL"'), first.join("\n"));
      assert(first.includes('SETINFO ups.timer.shutdown "2"'));
      await waitFor(() => src.received.includes("INSTCMD outlet.off"), 6000, "load.off sent");
      const offAfter = Date.now() - t0;
      assert(offAfter >= 1500 && offAfter < 5000, `off after ${offAfter} ms (offdelay 2)`);
      await peer.until((l) => l === 'SETINFO ups.timer.shutdown "-1"', 3000);

      // the on-timer waits for mains: on battery it starts over
      src.broadcast('SETINFO ups.status "OB"');
      await peer.until((l) => l === 'SETINFO ups.status "FSD OB"', 3000);
      await new Promise((r) => setTimeout(r, 2500));
      assert(!src.received.includes("INSTCMD outlet.on"), "not on battery");
      src.broadcast('SETINFO ups.status "OL"');
      await waitFor(() => src.received.includes("INSTCMD outlet.on"), 5000, "load.on sent");
      await peer.until((l) => l === 'SETINFO ups.status "OL"', 3000);

      // thresholds: SET through the clone, then an automatic shutdown.return
      await peer.send('SET battery.charge.low "50" TRACKING t2\n');
      await peer.until((l) => l === "TRACKING t2 0");
      src.broadcast('SETINFO ups.status "OB"', 'SETINFO battery.charge "40"');
      await peer.until((l) => l === 'SETINFO ups.status "FSD OB"', 4000);
      await peer.send("INSTCMD bogus.cmd TRACKING t3\nSET ups.mfr x TRACKING t4\n");
      await peer.until((l) => l === "TRACKING t3 1");
      await peer.until((l) => l === "TRACKING t4 1");
      assertEquals(src.received.filter((l) => l.startsWith("INSTCMD")).length, 2);
    } finally {
      peer?.close();
      await p.stop();
      src.close();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "clone-outlet: OFF and FSD from the outlet's variables, read-only",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("clone-outlet-");
    const src = new FakeDriver(`${dir.state}/fake-pdu`, [
      'SETINFO ups.status "OL"',
      'SETINFO outlet.2.status "on"',
      'SETINFO outlet.2.delay.shutdown "10"',
      'SETINFO outlet.2.timer.shutdown "-1"',
      'SETINFO driver.name "fake"',
      "DATAOK",
    ]);
    const p = new Proc(
      `${BIN}/clone-outlet`,
      ["-s", "o2", "-x", "port=fake-pdu", "-x", "prefix=outlet.2", "-i", "1", "-F"],
      { ...dir.env, PATH },
    );
    let peer: SockPeer | undefined;
    try {
      const sock = `${dir.state}/clone-outlet-o2`;
      await waitFor(() => pingDriver(sock), 15000, "clone-outlet up");
      peer = await SockPeer.open(sock);
      await peer.send("DUMPALL\n");
      const dump = await peer.until((l) => l === "DUMPDONE");
      assert(dump.includes('SETINFO outlet.2.delay.shutdown "10"'), dump.join("\n"));
      assert(dump.includes('SETINFO driver.name "clone-outlet"'));
      await waitFor(
        async () =>
          (await sockTalk(sock, "DUMPVALUE ups.status\n", (l) => l === "DUMPDONE"))
            .includes('SETINFO ups.status "OL"'),
        3000,
        "the source's status after the first poll",
      );
      src.broadcast('SETINFO outlet.2.timer.shutdown "5"');
      await peer.until((l) => l === 'SETINFO ups.status "FSD OL"', 3000);
      src.broadcast('SETINFO outlet.2.status "off"', 'SETINFO outlet.2.timer.shutdown "-1"');
      await peer.until((l) => l === 'SETINFO ups.status "OL OFF"', 3000);
      await peer.send("INSTCMD load.on TRACKING c1\nSET outlet.2.status on TRACKING c2\n");
      await peer.until((l) => l === "TRACKING c1 1");
      await peer.until((l) => l === "TRACKING c2 1");
    } finally {
      peer?.close();
      await p.stop();
      src.close();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "clone / clone-outlet command line: output and exit codes as Debian's 2.8.0",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("clone-cli-");
    try {
      const env = { ...dir.env, PATH };
      dir.write("ups.conf", "[c]\n\tdriver = clone\n\tport = nosuch\n");
      const cases: Array<[string, string[]]> = [
        ["clone", ["-h"]],
        ["clone", ["-L"]],
        ["clone", ["-V"]],
        ["clone", ["-s", "x", "-x", "port=foo", "-k"]],
        ["clone", ["-a", "c", "-k"]],
        ["clone", ["-s", "x"]],
        ["clone-outlet", ["-h"]],
        ["clone-outlet", ["-L"]],
        ["clone-outlet", ["-s", "x", "-x", "port=foo", "-k"]],
        ["clone-outlet", ["-s", "x", "-x", "port=foo", "-x", "prefix=outlet.1", "-k"]],
      ];
      for (const [prog, args] of cases) {
        const want = await run(`/lib/nut/${prog}`, [...args, "-u", "root"], env);
        const got = await run(`${BIN}/${prog}`, args, env);
        const what = `${prog} ${args.join(" ")}`;
        assertEquals(got.code, want.code, `${what}: exit code\n${got.stderr}`);
        assertEquals(got.stdout, want.stdout, `${what}: stdout`);
        assertEquals(got.stderr, want.stderr, `${what}: stderr`);
      }
      assert(exists(DEBIAN.dummyUps));
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name:
    "clone launchers: only the config, state, own socket and source socket (sandbox refuses the rest)",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("clone-sandbox-");
    const src = new FakeDriver(`${dir.state}/dummy-ups-src`);
    try {
      dir.write("ups.conf", "[cl]\n\tdriver = clone\n\tport = dummy-ups-src\n");
      const perms = async (prog: string, args: string[]) => {
        const r = await run(`${BIN}/${prog}`, args, { ...dir.env, PATH, NUT_PRINT_PERMS: "1" });
        assertEquals(r.code, 0, r.stderr);
        return r.stdout.trim().split("\n");
      };
      const [entry, ...flags] = await perms("clone", ["-a", "cl"]);
      assertEquals(entry, "cmd/clone/main.ts");
      assertEquals(flags, [
        `--allow-read=${dir.conf},${dir.state},${dir.state},/etc/group`,
        `--allow-write=${dir.state},${dir.state}`,
        "--allow-env=NUT_CONFPATH,NUT_STATEPATH,NUT_ALTPIDPATH,NUT_READY_FIFO",
        `--allow-net=unix:${dir.state}/clone-cl,unix:${dir.state}/dummy-ups-src`,
      ]);
      const outlet = await perms("clone-outlet", ["-s", "o", "-x", "port=x-y", "-F"]);
      assertEquals(outlet[4], `--allow-net=unix:${dir.state}/clone-outlet-o,unix:${dir.state}/x-y`);

      const probe = dir.write(
        `${dir.root}/probe.ts`,
        `const tries: Array<[string, () => unknown]> = [
          ["read /etc/passwd", () => Deno.readTextFileSync("/etc/passwd")],
          ["read ${dir.root}", () => [...Deno.readDirSync("${dir.root}")]],
          ["write conf", () => Deno.writeTextFileSync("${dir.conf}/x", "x")],
          ["tcp listen", () => Deno.listen({ port: 0 })],
          ["tcp connect", () => Deno.connect({ hostname: "127.0.0.1", port: 1 })],
          ["other socket", () => Deno.listen({ transport: "unix", path: "${dir.state}/other" })],
          ["run", () => new Deno.Command("true").outputSync()],
          ["env HOME", () => Deno.env.get("HOME")],
        ];
        for (const [what, fn] of tries) {
          try { await fn(); console.log(what + ": allowed"); } catch (e) { console.log(what + ": " + (e as Error).name); }
        }
        const l = Deno.listen({ transport: "unix", path: "${dir.state}/clone-cl" });
        l.close();
        console.log("own socket: allowed");
        const c = await Deno.connect({ transport: "unix", path: "${dir.state}/dummy-ups-src" });
        c.close();
        console.log("source socket: allowed");
        Deno.readTextFileSync("${dir.conf}/ups.conf");
        console.log("ups.conf: allowed");
`,
      );
      const deno = `${ROOT}/node_modules/.bin/deno`;
      const r = await run(deno, ["run", "--quiet", "--no-prompt", ...flags, probe], { PATH });
      assertEquals(r.stdout.trim().split("\n"), [
        "read /etc/passwd: NotCapable",
        `read ${dir.root}: NotCapable`,
        "write conf: NotCapable",
        "tcp listen: NotCapable",
        "tcp connect: NotCapable",
        "other socket: NotCapable",
        "run: NotCapable",
        "env HOME: NotCapable",
        "own socket: allowed",
        "source socket: allowed",
        "ups.conf: allowed",
      ], r.stderr);
      const all = flags.join(" ");
      for (const bad of ["--allow-all", "--allow-run", "--allow-ffi", "--allow-sys"]) {
        assert(!all.includes(bad), `clone grants ${bad}`);
      }
    } finally {
      src.close();
      await dir.cleanup();
    }
  },
});
