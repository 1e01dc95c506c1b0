/**
 * upslog against Debian's upsd: records compared with Debian's upslog run
 * side by side, signals (HUP reopen, USR1 record now, TERM last record),
 * reconnection after upsd restarts, background mode, and the newer options
 * (-m with `*`, -N, -d) that Debian's 2.8.0 lacks.
 */

import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import { BIN, DEBIAN, haveDebianNut, NO_DEBIAN_NUT, Proc, run, waitFor } from "../helpers/nut.ts";
import { type NutStack, startNutStack } from "../helpers/nut_stack.ts";

type Impl = "debian" | "ours";

const DEVICES = [
  {
    name: "quirky",
    desc: "Quirky",
    dev:
      'ups.status: OL CHRG\nbattery.charge: 87\nups.load: 23\nups.firmware: "with \\"quotes\\""\n',
  },
  { name: "lowbatt", desc: "On battery", dev: "ups.status: OB LB\nbattery.charge: 5\n" },
  { name: "down", desc: "No driver", start: false },
];

function upslog(impl: Impl, args: string[], s: NutStack): Proc {
  if (impl === "ours") return new Proc(`${BIN}/upslog`, args, s.env);
  // As root, Debian's upslog drops to user "nut" unless told otherwise, and
  // keeps its PID file in /run/nut whatever NUT_ALTPIDPATH says: give it a
  // path in the test directory.
  const i = args.indexOf("-p");
  const a = i >= 0 ? args.map((x, j) => j === i + 1 ? `${s.dir.state}/${x}.pid` : x) : args;
  return new Proc(DEBIAN.upslog, ["-u", "root", ...a], s.env);
}

/** Output lines after the banner and the "logging status" lines. */
function records(stdout: string): string[] {
  return stdout.split("\n").filter((l) =>
    l !== "" && !l.startsWith("Network UPS Tools") && !l.startsWith("logging status of ")
  );
}

function stderrLines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "" && l !== "Init SSL without certificate database");
}

function lineCount(path: string): number {
  try {
    return Deno.readTextFileSync(path).split("\n").filter((l) => l !== "").length;
  } catch {
    return 0;
  }
}

/** Gone or a zombie waiting for its (re)parent to reap it. */
function processEnded(pid: number): boolean {
  try {
    return Deno.readTextFileSync(`/proc/${pid}/stat`).split(") ")[1]?.startsWith("Z") ?? true;
  } catch {
    return true;
  }
}

const FORMAT =
  "%UPSHOST%|%VAR ups.status%|%VAR battery.charge%|%VAR nope.var%|%VAR status%|%FOO%|%var ups.load%|[%VAR ups.firmware%]|%%|%VAR ups.load";

Deno.test({
  name: "upslog: records, banner, exit like Debian's upslog (side by side)",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const s = await startNutStack({ devices: DEVICES });
    try {
      await t.step("same records for the same format; TERM writes a last record", async () => {
        for (const ups of ["quirky", "lowbatt", "down"]) {
          const args = (
            p: string,
          ) => ["-s", `${ups}@${s.addr}`, "-l", "-", "-i", "1", "-f", FORMAT, "-p", p];
          const theirs = upslog("debian", args("debian"), s);
          const ours = upslog("ours", args("ours"), s);
          await waitFor(
            () => records(theirs.stdout).length >= 2 && records(ours.stdout).length >= 2,
            10000,
            "records",
          );
          const [a, b] = await Promise.all([theirs.stop(), ours.stop()]);
          assertEquals([a.code, b.code], [0, 0]);
          const head = (out: string) => out.split("\n").slice(0, 2);
          assertEquals(head(ours.stdout), head(theirs.stdout));
          assertEquals(new Set(records(ours.stdout)), new Set(records(theirs.stdout)));
          assertEquals(records(ours.stdout).length >= 3, true, "a last record after TERM");
          assertEquals(stderrLines(ours.stderr), stderrLines(theirs.stderr));
          assertEquals(stderrLines(ours.stderr), ["Signal 15: exiting"]);
        }
        const pid = Number(Deno.readTextFileSync(`${s.dir.state}/ours.pid`).trim());
        assert(pid > 0, "PID file written");
      });

      await t.step("time, epoch, host and pid fields; the legacy argument form", async () => {
        const fmt = ["%TIME", "@Y-@m-@d", "@H:@M:@S%", "%ETIME%", "%HOST%", "%PID%"];
        const theirs = upslog("debian", ["-p", "debian", `quirky@${s.addr}`, "-", "1", ...fmt], s);
        const ours = upslog("ours", ["-p", "ours", `quirky@${s.addr}`, "-", "1", ...fmt], s);
        await waitFor(
          () => records(theirs.stdout).length >= 1 && records(ours.stdout).length >= 1,
          10000,
          "records",
        );
        await Promise.all([theirs.stop(), ours.stop()]);
        assertEquals(ours.stdout.split("\n")[1], theirs.stdout.split("\n")[1]);
        const shape = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\d+) (\S+) (\d+) $/;
        const r1 = records(theirs.stdout)[0], r2 = records(ours.stdout)[0];
        assertMatch(r1, shape);
        assertMatch(r2, shape);
        const [, , epoch, host, pid] = shape.exec(r2)!;
        assertEquals(host, shape.exec(r1)![3]);
        assertEquals(Number(pid), ours.pid);
        assert(Math.abs(Number(epoch) - Date.now() / 1000) < 30, "epoch is now");
      });

      await t.step("argument errors", async () => {
        for (
          const args of [
            ["-s", `quirky@${s.addr}`],
            ["-l", "-"],
            ["-s", "quirky@127.0.0.1:0", "-l", "-"],
            ["a", "b"],
          ]
        ) {
          const a = await run(DEBIAN.upslog, args, s.env);
          const b = await run(`${BIN}/upslog`, args, s.env);
          assertEquals(b.code, a.code, args.join(" "));
          assertEquals(b.stdout.split("\n")[0], "Network UPS Tools upslog 2.8.0");
        }
        const bad = await run(`${BIN}/upslog`, ["-s", "ups@", "-l", "-"], s.env);
        assertEquals(bad.code, 1);
        assertEquals(
          bad.stderr,
          "upscli_splitname: got the @ separator and then an empty hostname[:port] string\n" +
            "Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n\n",
        );
      });
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "upslog: SIGHUP reopens the log (rotation), SIGUSR1 writes a record now — as Debian's does",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await startNutStack({ devices: DEVICES });
    try {
      for (const impl of ["debian", "ours"] as Impl[]) {
        const log = `${s.dir.root}/${impl}.log`;
        const p = upslog(impl, [
          "-F",
          "-s",
          `quirky@${s.addr}`,
          "-l",
          log,
          "-i",
          "20",
          "-f",
          "%VAR ups.status%",
          "-p",
          impl,
        ], s);
        try {
          await waitFor(() => lineCount(log) === 1, 10000, `${impl}: first record`);
          // Deno arms its SIGUSR1 handling only 500 ms after start
          await new Promise((r) => setTimeout(r, 700));
          Deno.kill(p.pid, "SIGUSR1");
          await waitFor(() => lineCount(log) === 2, 5000, `${impl}: record on SIGUSR1`);
          Deno.renameSync(log, `${log}.1`);
          Deno.kill(p.pid, "SIGHUP");
          // the HUP ends the sleep too: a record goes to the new file at once
          await waitFor(() => lineCount(log) === 1, 5000, `${impl}: new file after SIGHUP`);
          const st = await p.stop();
          assertEquals(st.code, 0, `${impl} exit status`);
          assertEquals(Deno.readTextFileSync(`${log}.1`), "OL CHRG\nOL CHRG\n", impl);
          assertEquals(
            Deno.readTextFileSync(log),
            "OL CHRG\nOL CHRG\n",
            `${impl}: last record after TERM`,
          );
          const err = stderrLines(p.stderr).filter((l) =>
            !/Debugger|chrome:\/\/inspect|inspector/.test(l)
          );
          assertEquals(err, ["Signal 1: reopening log file", "Signal 15: exiting"], impl);
        } finally {
          await p.stop();
        }
      }
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "upslog: NA while upsd is away, values again after it comes back (both implementations)",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await startNutStack({ devices: DEVICES });
    const procs: Proc[] = [];
    try {
      const args = (
        p: string,
      ) => ["-s", `quirky@${s.addr}`, "-l", "-", "-i", "1", "-f", "%VAR ups.status%", "-p", p];
      const theirs = upslog("debian", args("debian"), s);
      const ours = upslog("ours", args("ours"), s);
      procs.push(theirs, ours);
      const seen = (p: Proc, rec: string) => records(p.stdout).includes(rec);
      await waitFor(() => seen(theirs, "OL CHRG") && seen(ours, "OL CHRG"), 10000, "first records");
      const upsd = s.procs.pop()!;
      await upsd.stop();
      await waitFor(() => seen(theirs, "NA") && seen(ours, "NA"), 10000, "NA while upsd is down");
      const again = new Proc(DEBIAN.upsd, ["-F", "-u", "root"], s.env);
      s.procs.push(again);
      const after = (p: Proc) =>
        records(p.stdout).lastIndexOf("NA") < records(p.stdout).lastIndexOf("OL CHRG");
      await waitFor(() => after(theirs) && after(ours), 20000, "values after upsd restarts", 200);
      await Promise.all([theirs.stop(), ours.stop()]);
      const collapse = (r: string[]) => r.filter((x, i) => i === 0 || x !== r[i - 1]);
      assertEquals(collapse(records(ours.stdout)), collapse(records(theirs.stdout)));
      assertEquals(collapse(records(ours.stdout)), ["OL CHRG", "NA", "OL CHRG"]);
    } finally {
      for (const p of procs) await p.stop();
      await s.stop();
    }
  },
});

Deno.test({
  name:
    "upslog: -m '*@host,-' expands LIST UPS, -N prefixes %UPSHOST%<TAB>, -d ends after N rounds",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await startNutStack({ devices: DEVICES });
    try {
      const r = await run(`${BIN}/upslog`, [
        "-d",
        "2",
        "-i",
        "1",
        "-N",
        "-m",
        `*@${s.addr},-`,
        "-f",
        "%VAR ups.status%",
        "-p",
        "star",
      ], s.env);
      assertEquals(r.code, 0);
      const a = s.addr;
      assertEquals(r.stdout.split("\n").slice(0, 4), [
        "Network UPS Tools upslog 2.8.0",
        `logging status of quirky@${a} to - (1s intervals)`,
        `logging status of lowbatt@${a} to - (1s intervals)`,
        `logging status of down@${a} to - (1s intervals)`,
      ]);
      assertEquals(records(r.stdout), [
        `quirky@${a}\tOL CHRG`,
        `lowbatt@${a}\tOB LB`,
        `down@${a}\tNA`,
        `quirky@${a}\tOL CHRG`,
        `lowbatt@${a}\tOB LB`,
        `down@${a}\tNA`,
      ]);
      assertEquals(stderrLines(r.stderr), [
        `Querying 127.0.0.1:${s.port} for currently served devices`,
        "2 loops have elapsed",
        "Signal 1: exiting",
      ]);
      // several UPSes into one file without %UPSHOST%: NUT's hint
      const file = `${s.dir.root}/shared.log`;
      const r2 = await run(`${BIN}/upslog`, [
        "-d",
        "1",
        "-F",
        "-m",
        `quirky@${a},${file}`,
        "-m",
        `lowbatt@${a},${file}`,
        "-f",
        "%VAR ups.status%",
        "-p",
        "shared",
      ], s.env);
      assertEquals(r2.code, 0);
      assertEquals(Deno.readTextFileSync(file), "OL CHRG\nOB LB\n");
      assertEquals(stderrLines(r2.stderr).slice(0, 2), [
        `NOTE: File ${file} is already receiving other logs`,
        "NOTE: Consider adding %UPSHOST% to the log formatting string, e.g. pass -N on CLI",
      ]);
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "upslog: background by default when logging to a file; PID file; TERM ends it",
  ignore: !haveDebianNut,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await startNutStack({ devices: DEVICES });
    const log = `${s.dir.root}/bg.log`;
    let pid = 0;
    try {
      const r = await run(`${BIN}/upslog`, [
        "-s",
        `quirky@${s.addr}`,
        "-l",
        log,
        "-i",
        "1",
        "-f",
        "%VAR battery.charge%",
        "-p",
        "bg",
      ], s.env);
      assertEquals(r.code, 0);
      // start-up output is shown before the launcher returns, as NUT prints it before forking
      assertEquals(
        r.stdout,
        `Network UPS Tools upslog 2.8.0\nlogging status of quirky@${s.addr} to ${log} (1s intervals)\n`,
      );
      pid = Number(Deno.readTextFileSync(`${s.dir.state}/bg.pid`).trim());
      assert(pid > 0 && !processEnded(pid), "daemon running");
      await waitFor(() => lineCount(log) >= 2, 10000, "background records");
      Deno.kill(pid, "SIGTERM");
      await waitFor(() => processEnded(pid), 5000, "daemon exit");
      assert(Deno.readTextFileSync(log).split("\n").filter((l) => l).every((l) => l === "87"));
      pid = 0;
    } finally {
      if (pid && !processEnded(pid)) Deno.kill(pid, "SIGKILL");
      await s.stop();
    }
  },
});

if (!haveDebianNut) console.log(NO_DEBIAN_NUT);
