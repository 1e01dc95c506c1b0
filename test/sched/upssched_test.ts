/**
 * bin/upssched end to end: real CLI runs with a temp NUT_CONFPATH, a real
 * timer daemon on the PIPEFN socket, and a CMDSCRIPT that logs its argv and
 * environment. Timers are 1-2 s; daemons idle out after 1 s
 * (NUT_UPSSCHED_EMPTY_WAIT) and are killed by PID at the end regardless.
 */

import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { BIN, ROOT, waitFor } from "../helpers/nut.ts";
import { alive, cpuTicks, SchedDir, sleep } from "./harness.ts";

const A = { ups: "a@localhost", type: "ONBATT", msg: "UPS a@localhost on battery" };
const A_ONLINE = { ups: "a@localhost", type: "ONLINE", msg: "UPS a@localhost on line power" };
const B = { ups: "b@localhost", type: "ONBATT", msg: "UPS b@localhost on battery" };

function record(argv: string[], ups: string, type: string, msg: string): string {
  return `argv=${
    argv.map((a) => `[${a}]`).join("")
  } UPSNAME=[${ups}] NOTIFYTYPE=[${type}] NOTIFYMSG=[${msg}]`;
}

async function withDir(fn: (d: SchedDir) => Promise<void>): Promise<void> {
  const d = await SchedDir.create();
  try {
    await fn(d);
  } finally {
    await d.cleanup();
  }
}

function ok(r: { code: number; stdout: string; stderr: string }): void {
  assertEquals(r.code, 0, `exit status; stdout: ${r.stdout} stderr: ${r.stderr}`);
}

Deno.test("upssched: START-TIMER fires CMDSCRIPT once at expiry, with the event's variables", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER onbattwarn 1\n");
    const t0 = Date.now();
    ok(await d.event(A));
    assertEquals(d.records(), [], "nothing runs before the timer expires");
    assertEquals(d.daemonPids().length, 1, "a daemon was started");
    const stat = Deno.lstatSync(d.pipefn);
    assert(stat.isSocket, "PIPEFN is a socket");
    assertEquals(stat.mode! & 0o777, 0o660);
    assert(!d.exists(d.lockfn), "the daemon removed LOCKFN once listening");
    await waitFor(() => d.records().length > 0, 5000, "the timer to fire");
    const elapsed = Date.now() - t0;
    assert(elapsed >= 900, `fired after ${elapsed} ms, not before 1 s`);
    await sleep(600);
    assertEquals(d.records(), [record(["onbattwarn"], A.ups, A.type, A.msg)]);
  });
});

Deno.test("upssched: START then CANCEL before expiry runs nothing", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER onbattwarn 2\nAT ONLINE * CANCEL-TIMER onbattwarn\n");
    ok(await d.event(A));
    ok(await d.event(A_ONLINE));
    await sleep(2500);
    assertEquals(d.records(), []);
  });
});

Deno.test("upssched: CANCEL-TIMER removes every timer of the name", async () => {
  await withDir(async (d) => {
    d.writeConf(
      "AT ONBATT * START-TIMER warn 1\nAT ONBATT * START-TIMER keep 1\nAT ONLINE * CANCEL-TIMER warn\n",
    );
    ok(await d.event(A));
    ok(await d.event(B)); // a second, independent "warn"
    const l = await d.cli(["-l"]);
    ok(l);
    assertEquals(l.stdout.split("\n").filter(Boolean).map((r) => r.split("\t")[0]), [
      "warn",
      "keep",
      "warn",
      "keep",
    ]);
    ok(await d.event(A_ONLINE));
    await waitFor(() => d.records().length >= 2, 5000, "the keep timers");
    await sleep(500);
    assertEquals(d.records().map((r) => r.split(" ")[0]).sort(), ["argv=[keep]", "argv=[keep]"]);
  });
});

Deno.test("upssched: CANCEL-TIMER with a command runs it when nothing is pending (starting a daemon)", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONLINE * CANCEL-TIMER onbattwarn back-late\n");
    ok(await d.event(A_ONLINE));
    // answered once the command ran: it is logged already
    assertEquals(d.records(), [record(["back-late"], A_ONLINE.ups, "ONLINE", A_ONLINE.msg)]);
    assertEquals(d.daemonPids().length, 1);
  });
});

Deno.test("upssched: CANCEL-TIMER without a command and no daemon starts nothing", async () => {
  await withDir(async (d) => {
    d.writeConf(
      'AT ONLINE * CANCEL-TIMER onbattwarn\nAT ONLINE * CANCEL-TIMER other ""\n' +
        "AT ONLINE * CANCEL-TIMER-MATCHED onbattwarn\n",
    );
    const r = await d.event(A_ONLINE);
    ok(r);
    assertEquals(r.stderr, "");
    assertEquals(d.daemonPids(), []);
    assert(!d.exists(d.pipefn) && !d.exists(d.lockfn));
  });
});

Deno.test("upssched: EXECUTE runs CMDSCRIPT (with fixed arguments) at once, every matching line in order", async () => {
  await withDir(async (d) => {
    d.writeConf(
      `CMDSCRIPT "${d.script}" --fixed "two words"\nPIPEFN ${d.pipefn}\nLOCKFN ${d.lockfn}\n` +
        "AT ONBATT a@localhost EXECUTE first\n" +
        "AT onbatt * EXECUTE second\n" +
        "AT ONBATT A@LOCALHOST EXECUTE wrong-case-ups\n" +
        "AT ONLINE * EXECUTE wrong-type\n",
      true,
    );
    ok(await d.event(A));
    assertEquals(d.records(), [
      record(["--fixed", "two words", "first"], A.ups, A.type, A.msg),
      record(["--fixed", "two words", "second"], A.ups, A.type, A.msg),
    ]);
    assertEquals(d.daemonPids(), [], "EXECUTE needs no daemon");
  });
});

Deno.test("upssched: START-TIMER-SHARED from two UPSes fires once with both recorded", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER-SHARED grid 1\n");
    await Promise.all([d.event(A), d.event(B)]).then((rs) => rs.forEach(ok));
    const rows = (await d.cli(["-l"])).stdout.split("\n").filter(Boolean);
    assertEquals(rows.length, 1, rows.join("\n"));
    await waitFor(() => d.records().length > 0, 5000, "the shared timer");
    await sleep(500);
    const recs = d.records();
    assertEquals(recs.length, 1);
    // arrival order of the two events is not fixed
    const [ups, msg] = recs[0].includes("UPSNAME=[a@")
      ? [`${A.ups},${B.ups}`, `${A.msg}.\t${B.msg}`]
      : [`${B.ups},${A.ups}`, `${B.msg}.\t${A.msg}`];
    assertEquals(recs[0], record(["grid"], ups, "ONBATT", msg));
  });
});

Deno.test("upssched: CANCEL-TIMER-MATCHED cancels only the caller's UPS and type", async () => {
  await withDir(async (d) => {
    d.writeConf(
      "AT ONBATT * START-TIMER warn 1\n" +
        "AT ONBATT a@localhost CANCEL-TIMER-MATCHED warn\n" + // same event: cancels a's
        "AT LOWBATT * CANCEL-TIMER-MATCHED warn nothing-matched\n",
    );
    ok(await d.event(B)); // b: started, then "cancel matched" does not apply to b
    ok(await d.event(A)); // a: started and cancelled again by the next line
    ok(await d.event({ ups: "b@localhost", type: "LOWBATT", msg: "low" })); // wrong type for b's timer
    await waitFor(() => d.records().length >= 2, 5000, "b's timer and the fallback");
    await sleep(500);
    assertEquals(d.records().sort(), [
      record(["nothing-matched"], "b@localhost", "LOWBATT", "low"),
      record(["warn"], B.ups, B.type, B.msg),
    ]);
  });
});

Deno.test("upssched: -l lists pending timers; the daemon is not started by -l", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER lister 2\n");
    const none = await d.cli(["-l"]);
    assertEquals([none.code, none.stderr], [1, "upssched timer is not running\n"]);
    assertEquals(d.daemonPids(), []);
    ok(await d.event(A));
    const before = Date.now() / 1000;
    const l = await d.cli(["-l"]);
    ok(l);
    const rows = l.stdout.split("\n").filter(Boolean);
    assertEquals(rows.length, 1);
    const f = rows[0].split("\t");
    assertEquals(f.length, 6);
    assertEquals([f[0], f[3], f[4], f[5]], ["lister", "ONBATT", A.ups, A.msg]);
    assert(Math.abs(Number(f[1]) - (before + 2)) <= 2, `expiry ${f[1]}`);
    assert(Number(f[2]) > 0 && Number(f[2]) <= 2, `seconds left ${f[2]}`);
  });
});

Deno.test("upssched: -l needs PIPEFN", async () => {
  await withDir(async (d) => {
    d.writeConf(`CMDSCRIPT ${d.script}\n`, true);
    const r = await d.cli(["-l"]);
    assertEquals(r.code, 1);
    assertEquals(
      r.stderr,
      "upssched.conf: invalid configuration for timer listing: lacks PIPEFN\n",
    );
  });
});

Deno.test("upssched: concurrent CLIs start exactly one daemon and lose no timer", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER race 2\n");
    const runs = await Promise.all(
      ["u1", "u2", "u3", "u4"].map((u) => d.event({ ups: `${u}@h`, type: "ONBATT", msg: u })),
    );
    runs.forEach(ok);
    assertEquals(d.daemonPids().length, 1, "one daemon");
    const rows = (await d.cli(["-l"])).stdout.split("\n").filter(Boolean);
    assertEquals(rows.map((r) => r.split("\t")[4]).sort(), ["u1@h", "u2@h", "u3@h", "u4@h"]);
  });
});

Deno.test("upssched: the daemon sleeps without polling and exits once idle, removing its socket", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER short 1\nAT ONBATT * START-TIMER long 3\n");
    ok(await d.event(A));
    const [pid] = d.daemonPids();
    assert(pid, "daemon running");
    await sleep(200);
    const t0 = cpuTicks(pid);
    await sleep(600); // only timers pending: nothing to do
    const used = cpuTicks(pid) - t0;
    assert(used <= 3, `idle daemon used ${used} clock ticks in 0.6 s`);
    await waitFor(() => d.records().length === 2, 6000, "both timers");
    assert(alive(pid), "still up right after the last timer");
    // NUT_UPSSCHED_EMPTY_WAIT=1: gone about a second later
    await waitFor(() => !alive(pid), 4000, "the idle daemon to exit");
    assert(!d.exists(d.pipefn), "PIPEFN removed");
    assertEquals(d.records().map((r) => r.split(" ")[0]), ["argv=[short]", "argv=[long]"]);
  });
});

Deno.test("upssched: a stale lock file and a dead daemon's socket are recovered", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER again 1\n");
    // a socket nobody listens on any more, and a lock left 10 s ago
    // (a closed Deno listener removes its file; a process that exits does not)
    const bind = `Deno.listen({ transport: "unix", path: ${
      JSON.stringify(d.pipefn)
    } }); Deno.exit(0);`;
    ok(await d.exec(`${ROOT}/node_modules/.bin/deno`, ["eval", bind], d.env(null)));
    assert(Deno.lstatSync(d.pipefn).isSocket);
    Deno.writeTextFileSync(d.lockfn, "12345\n");
    const old = new Date(Date.now() - 10_000);
    Deno.utimeSync(d.lockfn, old, old);
    ok(await d.event(A));
    assertEquals(d.daemonPids().length, 1);
    await waitFor(() => d.records().length === 1, 5000, "the timer");
  });
});

Deno.test("upssched: a second daemon on a live PIPEFN leaves at once", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER keep 2\n");
    ok(await d.event(A));
    const [first] = d.daemonPids();
    const r = await d.exec(
      `${BIN}/upssched`,
      ["--timer-daemon", d.pipefn, d.lockfn, d.script],
      d.env(null),
    );
    assertEquals(r.code, 0, r.stderr);
    assertEquals(d.daemonPids(), [first]);
    assertEquals((await d.cli(["-l"])).stdout.split("\t")[0], "keep");
  });
});

Deno.test("upssched: timer delays read like strtol; negative ones are ignored", async () => {
  await withDir(async (d) => {
    d.writeConf(
      "AT ONBATT * START-TIMER negative -5\nAT ONBATT * START-TIMER nodelay\n" +
        "AT ONBATT * START-TIMER junk 1x\n",
    );
    ok(await d.event(A));
    await waitFor(() => d.records().length >= 2, 5000, "two timers");
    await sleep(300);
    assertEquals(d.records().map((r) => r.split(" ")[0]), ["argv=[nodelay]", "argv=[junk]"]);
  });
});

Deno.test("upssched: a failing CMDSCRIPT is logged, exit status stays 0", async () => {
  await withDir(async (d) => {
    const failing = `${d.conf}/fail.sh`;
    Deno.writeTextFileSync(failing, "#!/bin/sh\nexit 3\n");
    Deno.chmodSync(failing, 0o755);
    d.writeConf(
      `CMDSCRIPT ${failing}\nPIPEFN ${d.pipefn}\nLOCKFN ${d.lockfn}\nAT ONBATT * EXECUTE boom\n` +
        `CMDSCRIPT ${d.conf}/missing.sh\nAT ONBATT * EXECUTE nothing\n`,
      true,
    );
    const r = await d.event(A);
    ok(r);
    assertStringIncludes(r.stderr, `exec_cmd(${failing} 'boom') returned 3\n`);
    assertStringIncludes(
      r.stderr,
      `execvp(${d.conf}/missing.sh) failed: No such file or directory`,
    );
  });
});

Deno.test("upssched: config errors are located as file:line, counted, and skipped", async () => {
  await withDir(async (d) => {
    const file = d.writeConf(
      "BOGUS foo bar\nAT ONBATT * EXECUTE\nAT ONBATT * BOGUS-CMD x\nAT ONBATT * EXECUTE ok\n" +
        'AT ONBATT * EXECUTE ""\nAT ONBATT * EXECUTE "a#b"\n',
    );
    const r = await d.event(A);
    ok(r);
    assertEquals(r.stdout, "");
    assertEquals(r.stderr.split("\n"), [
      `${file}:4: invalid directive BOGUS foo bar`,
      `${file}:5: invalid directive AT ONBATT * EXECUTE`,
      "Invalid command: BOGUS-CMD\t[x]",
      "Empty EXECUTE command argument",
      `Parse error: ${file}:9: Unbalanced word due to unescaped # in quotes`,
      "Encountered 3 config errors, those entries were ignored",
      "",
    ]);
    assertEquals(d.records(), [record(["ok"], A.ups, A.type, A.msg)]);
  });
});

Deno.test("upssched: AT before CMDSCRIPT/PIPEFN/LOCKFN is fatal, on stdout and stderr", async () => {
  await withDir(async (d) => {
    const cases: Array<[string, string]> = [
      ["AT ONBATT * EXECUTE x\n", "CMDSCRIPT"],
      [`CMDSCRIPT ${d.script}\nAT ONLINE * EXECUTE x\n`, "PIPEFN"],
      [`CMDSCRIPT ${d.script}\nPIPEFN ${d.pipefn}\nAT ONLINE * EXECUTE x\n`, "LOCKFN"],
    ];
    for (const [conf, what] of cases) {
      d.writeConf(conf, true);
      const r = await d.event(A);
      const msg = `${what} must be set before any ATs in the config file!\n`;
      assertEquals([r.code, r.stdout, r.stderr], [1, msg, msg], what);
    }
    assertEquals(d.records(), []);
  });
});

Deno.test("upssched: environment, options and a missing config", async () => {
  await withDir(async (d) => {
    const noEnv = await d.cli([]);
    assertEquals([noEnv.code, noEnv.stdout], [
      1,
      "Error: environment variables UPSNAME and NOTIFYTYPE must be set.\n" +
      "This program should only be run from upsmon(8).\n",
    ]);
    const onlyOne = await d.cli(["msg"], { ups: "x" });
    assertEquals(onlyOne.code, 1);
    const help = await d.cli(["-h"]);
    assertEquals(help.code, 0);
    assertMatch(help.stdout, /^Usage: upssched \[OPTIONS\] \[NOTIFYMSG\]\n/);
    const version = await d.cli(["-V"]);
    assertEquals([version.code, version.stdout], [0, "Network UPS Tools upssched 2.8.0\n"]);
    const bad = await d.cli(["-x"], { ups: "a", type: "ONBATT" });
    assertEquals([bad.code, bad.stderr], [1, "Error: unknown option -x. Try -h for help.\n"]);
    // empty values are fine (SHUTDOWN has an empty UPSNAME); the config is missing here
    const missing = await d.cli([], { ups: "", type: "SHUTDOWN" });
    assertEquals([missing.code, missing.stderr], [
      1,
      `Can't open ${d.conf}/upssched.conf: No such file or directory\n`,
    ]);
    d.writeConf("AT SHUTDOWN * EXECUTE bye\n");
    ok(await d.cli([], { ups: "", type: "SHUTDOWN" }));
    assertEquals(d.records(), [record(["bye"], "", "SHUTDOWN", "")]);
  });
});

Deno.test("upssched: -D shows debug lines; DEBUG_MIN raises the level from its line on", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * EXECUTE quiet\nDEBUG_MIN 1\nAT ONBATT * EXECUTE loud\n");
    const r = await d.event(A);
    ok(r);
    assert(!r.stderr.includes("'quiet'"), r.stderr);
    assertMatch(r.stderr, /\[D1\] Executing command: \S+cmd\.sh 'loud'/);
    const r2 = await d.cli(["-D", A.msg], A);
    assertMatch(r2.stderr, /\[D1\] Executing command: \S+cmd\.sh 'quiet'/);
  });
});

Deno.test("upssched: an unusable PIPEFN or LOCKFN directory fails fast with the reason", async () => {
  await withDir(async (d) => {
    const body = "AT ONBATT * START-TIMER x 1\n";
    d.writeConf(
      `CMDSCRIPT ${d.script}\nPIPEFN ${d.root}/nope/pipe\nLOCKFN ${d.lockfn}\n${body}`,
      true,
    );
    const t0 = Date.now();
    const r = await d.event(A);
    assertEquals(r.code, 1);
    assert(Date.now() - t0 < 3000, "no 30 attempts");
    assertStringIncludes(r.stderr, `bind ${d.root}/nope/pipe failed`);
    assert(
      r.stderr.endsWith(
        "Failed to connect to parent and failed to create parent\n" +
          "Unable to connect to daemon and unable to start daemon\n",
      ),
      r.stderr,
    );
    assert(!d.exists(d.lockfn), "lock released");

    d.writeConf(
      `CMDSCRIPT ${d.script}\nPIPEFN ${d.pipefn}\nLOCKFN ${d.root}/nope/lock\n${body}`,
      true,
    );
    const r2 = await d.event(A);
    assertEquals(r2.code, 1);
    assertStringIncludes(r2.stderr, `Can't create lock file ${d.root}/nope/lock: `);
    assertEquals(d.daemonPids(), []);
  });
});

Deno.test("upssched: a CMDSCRIPT path with a blank gets a warning", async () => {
  await withDir(async (d) => {
    const dir = `${d.conf}/with space`;
    Deno.mkdirSync(dir);
    Deno.copyFileSync(d.script, `${dir}/cmd.sh`);
    d.writeConf(
      `CMDSCRIPT "${dir}/cmd.sh"\nPIPEFN ${d.pipefn}\nLOCKFN ${d.lockfn}\nAT ONBATT * EXECUTE spaced\n`,
      true,
    );
    const r = await d.event(A);
    ok(r);
    assertEquals(
      r.stderr,
      `CMDSCRIPT: command '${dir}/cmd.sh' contains spaces, be sure to pass any arguments as separately quoted tokens!\n`,
    );
    assertEquals(
      Deno.readTextFileSync(`${dir}/runs.log`),
      record(["spaced"], A.ups, A.type, A.msg) + "\n",
    );
  });
});

Deno.test("upssched: works when upsmon passes no PATH (the daemon still starts)", async () => {
  await withDir(async (d) => {
    d.writeConf("AT ONBATT * START-TIMER nopath 0\n");
    const env = d.env(A);
    delete env.PATH;
    ok(await d.exec("/bin/bash", [`${BIN}/upssched`, A.msg], env));
    await waitFor(() => d.records().length === 1, 5000, "the timer");
  });
});
