/**
 * Our dummy-ups (through bin/dummy-ups) talked to directly on its socket,
 * compared with Debian's 2.8.0 dummy-ups for the same files and requests.
 */

import { assert, assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import {
  BIN,
  DEBIAN,
  exists,
  haveDebianNut,
  makeNutDir,
  NO_DEBIAN_NUT,
  type NutDir,
  Proc,
  run,
  waitFor,
} from "../../helpers/nut.ts";
import { SockPeer, sockTalk } from "../../helpers/sock.ts";
import { deviceFixtures, SAMPLE_DEV } from "./fixtures.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";

/** ups.conf with one section per name, all dummy-ups on `<file>.dev`. */
function upsConf(sections: Array<[string, string]>, extra = ""): string {
  return extra +
    sections.map(([name, file]) => `[${name}]\n\tdriver = dummy-ups\n\tport = ${file}\n`)
      .join("");
}

function startOurs(dir: NutDir, name: string, args: string[] = ["-F"]): Proc {
  return new Proc(`${BIN}/dummy-ups`, ["-a", name, ...args], { ...dir.env, PATH });
}

function startDebian(dir: NutDir, name: string): Proc {
  return new Proc(DEBIAN.dummyUps, ["-a", name, "-F", "-u", "root"], { ...dir.env, PATH });
}

async function dump(dir: NutDir, name: string): Promise<string[]> {
  const path = `${dir.state}/dummy-ups-${name}`;
  await waitFor(() => exists(path), 10000, `socket ${path}`);
  // Debian's driver binds before it listens: retry a refused connect
  return await waitFor(
    () => sockTalk(path, "DUMPALL\n", (l) => l === "DUMPDONE"),
    5000,
    `DUMPALL on ${name}`,
  );
}

Deno.test({
  name: "dummy-ups DUMPALL is line for line Debian's for the same .dev files",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-dump-");
    const procs: Proc[] = [];
    try {
      const files = deviceFixtures(Number(Deno.env.get("DUMMY_FIXTURES") ?? 3));
      const sections: Array<[string, string]> = [];
      for (const f of files) {
        dir.write(`${f.name}.dev`, f.text);
        sections.push([`deb_${f.name}`, `${f.name}.dev`], [`our_${f.name}`, `${f.name}.dev`]);
      }
      dir.write("ups.conf", upsConf(sections));
      for (const f of files) {
        procs.push(startDebian(dir, `deb_${f.name}`), startOurs(dir, `our_${f.name}`));
      }
      for (const f of files) {
        const want = await dump(dir, `deb_${f.name}`);
        const got = await dump(dir, `our_${f.name}`);
        assert(want.length > 20, `Debian dump of ${f.name} too short`);
        assertEquals(got, want, `DUMPALL for ${f.name}`);
      }
    } finally {
      for (const p of procs) await p.stop();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "dummy-ups socket session (PING, SET with TRACKING, INSTCMD) matches Debian's",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-sess-");
    const procs: Proc[] = [];
    try {
      dir.write("s.dev", SAMPLE_DEV);
      dir.write("ups.conf", upsConf([["deb", "s.dev"], ["our", "s.dev"]]));
      procs.push(startDebian(dir, "deb"), startOurs(dir, "our"));
      await dump(dir, "deb");
      await dump(dir, "our");
      const script = [
        "PING",
        "ping",
        'SET ups.id "x" TRACKING t-1',
        "SET nonexist.var 7 TRACKING t-3",
        'SET ups.model "New Model"',
        "SET battery.charge 55 TRACKING t-4",
        'SET ups.id "" TRACKING t-5',
        "INSTCMD load.off TRACKING abc-123",
        "INSTCMD load.off 5 TRACKING abc-124",
        "INSTCMD test.battery.start",
        "FOO bar",
        "PING",
      ];
      const session = async (name: string) => {
        const p = await SockPeer.open(`${dir.state}/dummy-ups-${name}`);
        await p.send(script.map((l) => l + "\n").join(""));
        const lines = await p.until((l) => l === "PONG" && seen++ === 2);
        p.close();
        return lines;
      };
      let seen = 0;
      const want = await session("deb");
      seen = 0;
      const got = await session("our");
      assertEquals(got, want);
      assertEquals(want, [
        "PONG",
        "PONG",
        'SETINFO ups.id "x"',
        "TRACKING t-1 0",
        'SETINFO nonexist.var "7"',
        "SETFLAGS nonexist.var RW STRING",
        "SETAUX nonexist.var 32",
        "TRACKING t-3 0",
        'SETINFO ups.model "New Model"',
        'SETINFO battery.charge "55"',
        "TRACKING t-4 0",
        "DELINFO ups.id",
        "TRACKING t-5 0",
        "TRACKING abc-123 1",
        "TRACKING abc-124 1",
        "PONG",
      ]);
      // the change shows in a later dump
      const after = await dump(dir, "our");
      assert(after.includes('SETINFO battery.charge "55"'));
      assert(!after.some((l) => l.startsWith("SETINFO ups.id ")));
    } finally {
      for (const p of procs) await p.stop();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "dummy-ups: always escaped broadcasts, GETPID/DUMPVALUE/LOGOUT, clean exit on SIGTERM",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-esc-");
    try {
      dir.write("s.dev", SAMPLE_DEV);
      dir.write("ups.conf", upsConf([["our", "s.dev"], ["ff", "s.dev"]]));
      const p = startOurs(dir, "our");
      const sock = `${dir.state}/dummy-ups-our`;
      await dump(dir, "our");
      const peer = await SockPeer.open(sock);
      await peer.send(
        'SET "a b" 1 TRACKING bad\nSET ups.id "a\\"b\\\\" TRACKING q\nGETPID\nDUMPVALUE ups.id\nLOGOUT\n',
      );
      const lines = await peer.until((l) => l === "OK Goodbye");
      assertEquals(lines, [
        "TRACKING bad 2",
        'SETINFO ups.id "a\\"b\\\\"',
        "TRACKING q 0",
        `PID ${p.pid}`,
        'SETINFO ups.id "a\\"b\\\\"',
        "SETAUX ups.id 16",
        "SETFLAGS ups.id RW STRING",
        "DATAOK",
        "DUMPDONE",
        "OK Goodbye",
      ]);
      assert(await peer.eof(), "LOGOUT closes");
      peer.close();
      assertEquals(exists(`${dir.state}/dummy-ups-our.pid`), false, "-F: no PID file");
      // -FF: foreground, but with a PID file
      const ff = startOurs(dir, "ff", ["-FF"]);
      await dump(dir, "ff");
      assertEquals(Deno.readTextFileSync(`${dir.state}/dummy-ups-ff.pid`), `${ff.pid}\n`);
      assertEquals((await ff.stop()).code, 0);
      assertEquals(exists(`${dir.state}/dummy-ups-ff.pid`), false, "PID file removed");
      const st = await p.stop();
      assertEquals(st.code, 0);
      assertEquals(exists(sock), false, "socket removed at exit");
      assertStringIncludes(p.stderr, "Signal 15: exiting");
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "dummy-ups background mode: ready handshake, PID file, duplicate instance takes over",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-bg-");
    const pids: number[] = [];
    try {
      dir.write("s.dev", SAMPLE_DEV);
      dir.write("ups.conf", upsConf([["bg", "s.dev"]]));
      const env = { ...dir.env, PATH };
      const pidFile = `${dir.state}/dummy-ups-bg.pid`;
      const sock = `${dir.state}/dummy-ups-bg`;
      // what upsdrvctl does: exec the driver and wait for it to exit 0
      const first = await run(`${BIN}/dummy-ups`, ["-a", "bg"], env);
      assertEquals(first.code, 0, first.stderr);
      const pid1 = parseInt(Deno.readTextFileSync(pidFile), 10);
      pids.push(pid1);
      assertEquals(Deno.readTextFileSync(pidFile), `${pid1}\n`);
      assert(exists(`/proc/${pid1}`), "driver keeps running detached");
      assert((await dump(dir, "bg")).includes("DATAOK"));
      // a second start asks the first to leave over the socket and takes over
      const second = await run(`${BIN}/dummy-ups`, ["-a", "bg"], env);
      assertEquals(second.code, 0, second.stderr);
      const pid2 = parseInt(Deno.readTextFileSync(pidFile), 10);
      pids.push(pid2);
      assert(pid2 !== pid1);
      await waitFor(() => !exists(`/proc/${pid1}`), 5000, "first instance gone");
      assert((await dump(dir, "bg")).includes("DATAOK"));
      Deno.kill(pid2, "SIGTERM");
      await waitFor(() => !exists(`/proc/${pid2}`), 5000, "second instance gone");
      assertEquals(exists(pidFile), false, "PID file removed");
      assertEquals(exists(sock), false, "socket removed");
    } finally {
      for (const pid of pids) {
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "dummy-ups command line: messages, output and exit codes as Debian's",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-cli-");
    try {
      dir.write("s.dev", SAMPLE_DEV);
      dir.write(
        "ups.conf",
        upsConf([["ok", "s.dev"]]) +
          "[wrong]\n\tdriver = usbhid-ups\n\tport = auto\n" +
          "[noport]\n\tdriver = dummy-ups\n" +
          "[badvar]\n\tdriver = dummy-ups\n\tport = s.dev\n\tmaxstartdelay = 3\n" +
          "[badflag]\n\tdriver = dummy-ups\n\tport = s.dev\n\tnowait\n" +
          "[nofile]\n\tdriver = dummy-ups\n\tport = missing.dev\n",
      );
      const env = { ...dir.env, PATH };
      const cases: string[][] = [
        ["-h"],
        ["-L"],
        ["-V"],
        [],
        ["-a", "nosuch"],
        ["-a", "wrong"],
        ["-a", "noport"],
        ["-a", "badvar"],
        ["-a", "badflag"],
        ["-a", "ok", "-x", "bogus=1"],
        ["-a", "ok", "-x", "pollinterval=5"],
        ["-a", "ok", "-i", "0"],
        ["-s", "x"],
        ["-s", "x", "extra"],
        ["-a", "ok", "-k"],
        ["-a", "nofile", "-F"],
        ["-a", "ok", "-d", "1"],
      ];
      for (const args of cases) {
        const want = await run(DEBIAN.dummyUps, [...args, "-u", "root"], env);
        const got = await run(`${BIN}/dummy-ups`, args, env);
        const what = `dummy-ups ${args.join(" ")}`;
        assertEquals(got.code, want.code, `${what}: exit code\n${got.stderr}`);
        assertEquals(got.stdout, want.stdout, `${what}: stdout`);
        assertEquals(got.stderr, want.stderr, `${what}: stderr`);
      }
    } finally {
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "dummy-ups once mode re-reads a changed file; loop mode plays TIMER sequences",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-play-");
    const procs: Proc[] = [];
    try {
      dir.write("once.dev", "ups.status: OL\nbattery.charge: 100\n");
      dir.write("loop.seq", "ups.status: OL\nTIMER 1\nups.status: OB\nTIMER 1\n");
      dir.write(
        "ups.conf",
        "pollinterval = 1\n" + upsConf([["once", "once.dev"], ["loop", "loop.seq"]]),
      );
      procs.push(startOurs(dir, "once"), startOurs(dir, "loop"));
      await dump(dir, "once");
      await dump(dir, "loop");
      const once = await SockPeer.open(`${dir.state}/dummy-ups-once`);
      const loop = await SockPeer.open(`${dir.state}/dummy-ups-loop`);
      // loop: the status alternates about every second
      const flips = await loop.until((l) => l === 'SETINFO ups.status "OB"', 5000);
      assert(flips.length >= 1);
      await loop.until((l) => l === 'SETINFO ups.status "OL"', 5000);
      // once: a client SET persists until the file changes
      await once.send("SET battery.charge 42\n");
      await once.until((l) => l === 'SETINFO battery.charge "42"');
      await new Promise((r) => setTimeout(r, 1500));
      assert((await dump(dir, "once")).includes('SETINFO battery.charge "42"'), "SET persisted");
      dir.write("once.dev", "ups.status: OB LB\nbattery.charge: 5\n");
      const later = new Date(Date.now() + 5000);
      Deno.utimeSync(`${dir.conf}/once.dev`, later, later);
      const changes = await once.until((l) => l === 'SETINFO battery.charge "5"', 5000);
      assert(changes.includes('SETINFO ups.status "OB LB"'), changes.join("\n"));
      once.close();
      loop.close();
    } finally {
      for (const p of procs) await p.stop();
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "Debian's upsdrvctl starts, stops and shuts down our dummy-ups (driverpath = bin/)",
  ignore: !haveDebianNut || !exists(DEBIAN.upsdrvctl),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-drvctl-");
    let pid: number | undefined;
    try {
      dir.write("s.dev", SAMPLE_DEV);
      dir.write("ups.conf", upsConf([["ctl", "s.dev"]], `driverpath = ${BIN}\n`));
      const env = { ...dir.env, PATH };
      const start = await run(DEBIAN.upsdrvctl, ["start", "ctl"], env);
      assertEquals(start.code, 0, start.stderr);
      assertEquals(
        start.stdout,
        "Network UPS Tools - Device simulation and repeater driver 0.15 (2.8.0)\n" +
          "Network UPS Tools - UPS driver controller 2.8.0\n",
      );
      pid = parseInt(Deno.readTextFileSync(`${dir.state}/dummy-ups-ctl.pid`), 10);
      assert((await dump(dir, "ctl")).includes("DATAOK"));
      const stop = await run(DEBIAN.upsdrvctl, ["stop", "ctl"], env);
      assertEquals(stop.code, 0, stop.stderr);
      await waitFor(() => !exists(`/proc/${pid}`), 5000, "driver stopped");
      assertEquals(exists(`${dir.state}/dummy-ups-ctl`), false);
      const down = await run(DEBIAN.upsdrvctl, ["shutdown", "ctl"], env);
      assertEquals(down.code, 1);
      assertEquals(
        down.stderr,
        "Initiating UPS shutdown\nshutdown not supported\nDriver failed to start (exit status=1)\n",
      );
    } finally {
      if (pid !== undefined && exists(`/proc/${pid}`)) Deno.kill(pid, "SIGKILL");
      await dir.cleanup();
    }
  },
});

if (!haveDebianNut) console.log(NO_DEBIAN_NUT);
