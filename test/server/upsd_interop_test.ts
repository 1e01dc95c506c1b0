/**
 * Debian's NUT 2.8.0 clients against our upsd, compared byte for byte with
 * the same clients against Debian's upsd: both servers mirror the same
 * Debian dummy-ups drivers, and ours reads descriptions from Debian's
 * cmdvartab (DATAPATH /usr/share/nut).
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import {
  BIN,
  DEBIAN,
  freePort,
  haveDebianNut,
  makeNutDir,
  NO_DEBIAN_NUT,
  type NutDir,
  portOpen,
  Proc,
  run,
  talk,
  waitFor,
} from "../helpers/nut.ts";
import { USERS } from "./upsd_harness.ts";

const PYTHON = "/usr/bin/python3";
const havePyNut = (() => {
  try {
    return Deno.statSync("/usr/lib/python3/dist-packages/PyNUT.py").isFile;
  } catch {
    return false;
  }
})();
if (!haveDebianNut) console.log(NO_DEBIAN_NUT);

const DEV = `ups.status: OL CHRG
ups.id: myid
ups.mfr: Test "Mfr" #1
battery.charge: 87
battery.runtime: 1800
input.voltage: 230.1
ups.load: 23
ambient.temperature: 25
`;

interface Pair {
  dir: NutDir;
  ours: number;
  theirs: number;
  env: Record<string, string>;
  procs: Proc[];
  stop(): Promise<void>;
}

async function startPair(): Promise<Pair> {
  const dir = await makeNutDir("upsd-interop-");
  const ours = freePort();
  let theirs = freePort();
  while (theirs === ours) theirs = freePort();
  const env = {
    ...dir.env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/",
  };
  dir.write("dev1.dev", DEV);
  dir.write("dev2.dev", "ups.status: OB LB\nbattery.charge: 5\n");
  dir.write(
    "ups.conf",
    `[dev1]\n  driver = dummy-ups\n  port = dev1.dev\n  desc = "First UPS"\n` +
      `[dev2]\n  driver = dummy-ups\n  port = dev2.dev\n[gone]\n  driver = dummy-ups\n  port = none.dev\n`,
  );
  dir.write("upsd.users", USERS, 0o640);
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await p.stop();
    await dir.cleanup();
  };
  try {
    for (const u of ["dev1", "dev2"]) {
      procs.push(new Proc(DEBIAN.dummyUps, ["-a", u, "-F", "-u", "root"], env));
    }
    await waitFor(
      () => ["dev1", "dev2"].every((u) => exists(`${dir.state}/dummy-ups-${u}`)),
      15000,
      "driver sockets",
    );
    // Debian's upsd reads upsd.conf at start only: start it with its own, then write ours
    dir.write("upsd.conf", `LISTEN 127.0.0.1 ${theirs}\n`, 0o640);
    procs.push(new Proc(DEBIAN.upsd, ["-F", "-u", "root"], env));
    await waitFor(() => portOpen(theirs), 15000, "Debian upsd");
    dir.write("upsd.conf", `LISTEN 127.0.0.1 ${ours}\nDATAPATH /usr/share/nut\n`, 0o640);
    procs.push(new Proc(`${BIN}/upsd`, ["-F"], env));
    for (const port of [theirs, ours]) {
      await waitFor(
        async () => {
          const l = await talk(port, ["GET VAR dev1 ups.status", "GET VAR dev2 ups.status"], 2);
          return l[0] === 'VAR dev1 ups.status "OL CHRG"' && l[1] === 'VAR dev2 ups.status "OB LB"';
        },
        20000,
        `served on ${port}`,
        200,
      );
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, ours, theirs, env, procs, stop };
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Run a Debian client against both servers; `{port}` in args is replaced. */
async function both(p: Pair, cmd: string, args: string[], stdin?: string) {
  const sub = (port: number) => args.map((a) => a.replaceAll("{port}", String(port)));
  const a = await run(cmd, sub(p.theirs), p.env, stdin);
  const b = await run(cmd, sub(p.ours), p.env, stdin);
  return { theirs: a, ours: b };
}

Deno.test({
  name: "interop: upsc, upscmd, upsrw give the same output from our upsd as from Debian's",
  ignore: !haveDebianNut,
  async fn() {
    const p = await startPair();
    try {
      const cases: Array<[string, string[]]> = [
        [DEBIAN.upsc, ["dev1@127.0.0.1:{port}"]],
        [DEBIAN.upsc, ["dev1@127.0.0.1:{port}", "ups.status"]],
        [DEBIAN.upsc, ["DEV1@127.0.0.1:{port}", "UPS.MFR"]],
        [DEBIAN.upsc, ["dev1@127.0.0.1:{port}", "no.such"]],
        [DEBIAN.upsc, ["nosuch@127.0.0.1:{port}"]],
        [DEBIAN.upsc, ["gone@127.0.0.1:{port}"]],
        [DEBIAN.upsc, ["-l", "127.0.0.1:{port}"]],
        [DEBIAN.upsc, ["-L", "127.0.0.1:{port}"]],
        [DEBIAN.upsc, ["-c", "dev1@127.0.0.1:{port}"]],
        [DEBIAN.upscmd, ["-l", "dev1@127.0.0.1:{port}"]],
        [DEBIAN.upsrw, ["dev1@127.0.0.1:{port}"]],
        [DEBIAN.upsrw, ["dev2@127.0.0.1:{port}"]],
        [DEBIAN.upscmd, ["-u", "admin", "-p", "wrong", "dev1@127.0.0.1:{port}", "load.off"]],
        [DEBIAN.upscmd, ["-u", "admin", "-p", "secret", "dev1@127.0.0.1:{port}", "no.cmd"]],
        [DEBIAN.upsrw, ["-s", "ups.id=x", "-u", "mon", "-p", "pass", "dev1@127.0.0.1:{port}"]],
        [DEBIAN.upsrw, ["-s", "nope=x", "-u", "admin", "-p", "secret", "dev1@127.0.0.1:{port}"]],
      ];
      for (const [cmd, args] of cases) {
        const r = await both(p, cmd, args);
        const what = `${cmd} ${args.join(" ")}`;
        assertEquals(r.ours.stdout, r.theirs.stdout, `stdout of ${what}`);
        assertEquals(r.ours.stderr, r.theirs.stderr, `stderr of ${what}`);
        assertEquals(r.ours.code, r.theirs.code, `exit code of ${what}`);
      }
      // a write that works, through ours: the driver applies it and both servers see it
      const set = await run(DEBIAN.upsrw, [
        "-s",
        "ups.id=viaours",
        "-u",
        "admin",
        "-p",
        "secret",
        `dev1@127.0.0.1:${p.ours}`,
      ], p.env);
      assertEquals(set.code, 0, set.stderr);
      assertStringIncludes(set.stdout + set.stderr, "OK");
      await waitFor(
        async () =>
          (await run(DEBIAN.upsc, [`dev1@127.0.0.1:${p.theirs}`, "ups.id"], p.env)).stdout ===
            "viaours\n",
        10000,
        "SET reached the driver",
      );
      const cmd = await run(DEBIAN.upscmd, [
        "-w",
        "-u",
        "admin",
        "-p",
        "secret",
        `dev1@127.0.0.1:${p.ours}`,
        "load.off",
      ], p.env);
      // dummy-ups has no real commands: the tracked result is "unknown"/failed, but the round trip works
      assertMatch(cmd.stdout + cmd.stderr, /(OK|Unknown|FAILED|ERR)/);
    } finally {
      await p.stop();
    }
  },
});

Deno.test({
  name: "interop: PyNUT (python3-nut) against our upsd",
  ignore: !haveDebianNut || !havePyNut,
  async fn() {
    const p = await startPair();
    const script = `
import sys, PyNUT
port = int(sys.argv[1])
c = PyNUT.PyNUTClient(host="127.0.0.1", port=port, login="admin", password="secret")
print(sorted(c.GetUPSList().items()))
print(sorted(c.GetUPSVars("dev1").items()))
print(sorted(c.GetRWVars("dev1").items()))
print(sorted(c.GetUPSCommands("dev1").items()))
print(c.ver())
print(c.help())
try:
    c.SetRWVar("dev1", "ups.id", "myid")
    print("set ok")
except Exception as e:
    print("set failed", e)
try:
    print(c.ListClients("dev1"))
except Exception as e:
    print("clients failed", e)
`;
    try {
      const a = await run(PYTHON, ["-c", script, String(p.theirs)], p.env);
      const b = await run(PYTHON, ["-c", script, String(p.ours)], p.env);
      assertEquals(b.code, 0, b.stderr);
      assertEquals(b.stdout, a.stdout);
      assertStringIncludes(b.stdout, "set ok");
      assertStringIncludes(b.stdout, "(b'battery.charge', b'87')");
    } finally {
      await p.stop();
    }
  },
});

Deno.test({
  name: "interop: upslog logs from our upsd",
  ignore: !haveDebianNut,
  async fn() {
    const p = await startPair();
    try {
      const log = new Proc(DEBIAN.upslog, [
        "-s",
        `dev1@127.0.0.1:${p.ours}`,
        "-l",
        "-",
        "-i",
        "1",
        "-f",
        "%VAR battery.charge% [%VAR ups.status%] %VAR ups.mfr%",
      ], p.env);
      const lines = () => log.stdout.split("\n").filter((l) => /^\d+ \[/.test(l));
      await waitFor(() => lines().length > 0, 10000, "upslog line");
      await log.stop();
      assertEquals(lines()[0], "87 [OL CHRG] Test Mfr"); // dummy-ups itself drops the quotes and the comment
    } finally {
      await p.stop();
    }
  },
});

Deno.test({
  name: "interop: Debian's dummy-ups comes and goes under our upsd",
  ignore: !haveDebianNut,
  async fn() {
    const p = await startPair();
    try {
      const drv = p.procs[0];
      await drv.stop();
      await waitFor(
        async () =>
          (await talk(p.ours, ["GET VAR dev1 ups.status"], 1))[0] === "ERR DRIVER-NOT-CONNECTED",
        10000,
        "driver gone",
      );
      const r = await run(DEBIAN.upsc, [`dev1@127.0.0.1:${p.ours}`], p.env);
      assertEquals(r.code, 1);
      assertStringIncludes(r.stderr, "Error: Driver not connected");
      // a killed 2.8.0 driver in the foreground leaves its socket file behind; the new one replaces it
      p.procs[0] = new Proc(DEBIAN.dummyUps, ["-a", "dev1", "-F", "-u", "root"], p.env);
      await waitFor(
        async () =>
          (await talk(p.ours, ["GET VAR dev1 ups.status"], 1))[0] ===
            'VAR dev1 ups.status "OL CHRG"',
        20000,
        "served again",
        200,
      );
      assert(await portOpen(p.ours));
    } finally {
      await p.stop();
    }
  },
});

Deno.test({
  name: "interop: our dummy-ups under our upsd, read by Debian's upsc",
  ignore: !haveDebianNut || !exists(`${BIN}/dummy-ups`),
  async fn() {
    const { startNutStack } = await import("../helpers/nut_stack.ts");
    const s = await startNutStack({
      devices: [{ name: "ours1", dev: "ups.status: OB LB\nbattery.charge: 12\n", desc: "ours" }],
      driver: "ours",
      upsd: "ours",
    });
    try {
      const r = await run(DEBIAN.upsc, [`ours1@${s.addr}`], s.env);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stdout, "battery.charge: 12\n");
      assertStringIncludes(r.stdout, "ups.status: OB LB\n");
      const l = await run(DEBIAN.upsc, ["-L", s.addr], s.env);
      assertEquals(l.stdout, "ours1: ours\n");
    } finally {
      await s.stop();
    }
  },
});
