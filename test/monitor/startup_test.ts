/**
 * upsmon through bin/upsmon: start-up checks and exit codes (spec
 * upsmon.md §1, §3, §9, §11), -K, -h/-V, -c, the single-instance check,
 * background start, POWERDOWNFLAG handling, a dead privileged part
 * (NOPARENT), and -p (one process).
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { BIN, makeNutDir, type NutDir, Proc, run, waitFor } from "../helpers/nut.ts";
import { POWERDOWN_MAGIC } from "../../lib/monitor/powerdown.ts";
import { exited, FAST, startMon, startScene, waitEvent, waitLogins } from "./scenario_kit.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";

async function upsmon(dir: NutDir, args: string[]) {
  return await run(`${BIN}/upsmon`, args, { ...dir.env, PATH });
}

/** A MONITOR line nobody answers (connection refused): upsmon still runs. */
const NOWHERE = "MONITOR u@127.0.0.1:1 1 m p primary";

Deno.test("startup: insufficient power is refused with NUT's text, exit 1", async () => {
  const dir = await makeNutDir("upsmon-start-");
  try {
    dir.write("upsmon.conf", `${NOWHERE}\nMINSUPPLIES 2\nSHUTDOWNCMD "true"\n`);
    const r = await upsmon(dir, ["-F"]);
    assertEquals(r.code, 1);
    assertStringIncludes(
      r.stdout,
      "\nFatal error: insufficient power configured!\n\nSum of power values........: 1\n" +
        "Minimum value (MINSUPPLIES): 2\n\nEdit your upsmon.conf and change the values.\n",
    );
    assert(r.stdout.startsWith("Network UPS Tools upsmon 2.8.0\n"));
    dir.write("upsmon.conf", "SHUTDOWNCMD true\n");
    const none = await upsmon(dir, ["-F"]);
    assertEquals(none.code, 1, "no MONITOR line at all");
    assertStringIncludes(none.stdout, "Sum of power values........: 0");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("startup: missing file, old-style MONITOR: exit 1; bad lines are reported and skipped", async () => {
  const dir = await makeNutDir("upsmon-start-");
  try {
    const missing = await upsmon(dir, ["-F"]);
    assertEquals(missing.code, 1);
    assertStringIncludes(missing.stderr, `stat ${dir.conf}/upsmon.conf: No such file or directory`);
    dir.write("upsmon.conf", "MONITOR u@h 1 pw primary\n");
    const old = await upsmon(dir, ["-F"]);
    assertEquals(old.code, 1);
    assertStringIncludes(old.stderr, "Unable to use old-style MONITOR line without a username");
    assertStringIncludes(old.stderr, "Fatal error: unusable configuration");
    dir.write("upsmon.conf", `${NOWHERE}\nBOGUS 1\nPOLLFREQ x\nMINSUPPLIES 5\n`);
    const bad = await upsmon(dir, ["-F"]);
    assertEquals(bad.code, 1, "still insufficient power");
    assertStringIncludes(bad.stderr, `${dir.conf}/upsmon.conf:2: invalid directive BOGUS 1`);
    assertStringIncludes(bad.stderr, "Encountered 2 config errors, those entries were ignored");
    assertStringIncludes(bad.stdout, "Warning: no shutdown command defined!");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("startup: -h, -V, unknown -c word, -c without a running upsmon", async () => {
  const dir = await makeNutDir("upsmon-start-");
  try {
    dir.write("upsmon.conf", `${NOWHERE}\nPOWERDOWNFLAG /etc/killpower\n`);
    const h = await upsmon(dir, ["-h"]);
    assertEquals(h.code, 0);
    assertStringIncludes(h.stdout, "check the power-down flag (/etc/killpower)");
    const v = await upsmon(dir, ["-V"]);
    assertEquals([v.code, v.stdout], [0, "Network UPS Tools upsmon 2.8.0\n"]);
    const bogus = await upsmon(dir, ["-c", "bogus"]);
    assertEquals(bogus.code, 0);
    assertStringIncludes(bogus.stdout, "usage: upsmon [OPTIONS]");
    const stop = await upsmon(dir, ["-c", "stop"]);
    assertEquals(stop.code, 1);
    assertStringIncludes(stop.stderr, `fopen ${dir.state}/upsmon.pid: No such file or directory`);
    assertStringIncludes(stop.stderr, "Failed to signal the currently running daemon (if any)");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("startup: -K reports the power-down flag with NUT's exit codes", async () => {
  const dir = await makeNutDir("upsmon-start-");
  try {
    const flag = `${dir.state}/killpower`;
    dir.write("upsmon.conf", `${NOWHERE}\nPOWERDOWNFLAG ${flag}\n`);
    let r = await upsmon(dir, ["-K"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "Power down flag is not set");
    Deno.writeTextFileSync(flag, POWERDOWN_MAGIC);
    r = await upsmon(dir, ["-K"]);
    assertEquals(r.code, 0);
    assertStringIncludes(r.stderr, "Power down flag is set");
    Deno.writeTextFileSync(flag, "something else\n");
    r = await upsmon(dir, ["-K"]);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "does not contain the upsmon magic string");
    dir.write("upsmon.conf", `${NOWHERE}\n`);
    assertEquals((await upsmon(dir, ["-K"])).code, 1, "not configured");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("startup: background start, single instance, -c stop; stale flag removed, foreign flag kept", async () => {
  const dir = await makeNutDir("upsmon-start-");
  try {
    const flag = `${dir.state}/killpower`;
    Deno.writeTextFileSync(flag, POWERDOWN_MAGIC);
    dir.write("upsmon.conf", `${NOWHERE}\nSHUTDOWNCMD "true"\nPOWERDOWNFLAG ${flag}\n`);
    const bg = await upsmon(dir, []);
    assertEquals(bg.code, 0, bg.stderr);
    assertStringIncludes(bg.stdout, "Network UPS Tools upsmon 2.8.0");
    const pid = parseInt(Deno.readTextFileSync(`${dir.state}/upsmon.pid`), 10);
    assert(pid > 0);
    assert(!exists(flag), "the flag of the last shutdown is removed at start");
    const second = await upsmon(dir, ["-F"]);
    assertEquals(second.code, 1);
    assertStringIncludes(
      second.stdout,
      "Fatal error: A previous upsmon instance is already running!\n" +
        "Either stop the previous instance first, or use the 'reload' command.\n",
    );
    assertEquals((await upsmon(dir, ["-c", "stop"])).code, 0);
    await waitFor(() => !exists(`/proc/${pid}`), 10000, "monitor gone");
    await waitFor(() => !exists(`${dir.state}/upsmon.pid`), 5000, "PID file removed");
    // a file that is not ours is left alone and the feature is off for this run
    Deno.writeTextFileSync(flag, "precious\n");
    const p = new Proc(`${BIN}/upsmon`, ["-F"], { ...dir.env, PATH });
    await waitFor(
      () => p.stderr.includes("does not contain the upsmon magic string"),
      10000,
      "warning",
    );
    await p.stop();
    assertStringIncludes(
      p.stderr,
      `POWERDOWNFLAG (${flag}) does not contain the upsmon magic string (not a NUT file) - disabling!`,
    );
    assertEquals(Deno.readTextFileSync(flag), "precious\n");
  } finally {
    await dir.cleanup();
  }
});

Deno.test("startup: when the privileged part dies, the monitor reports it and keeps monitoring", async () => {
  const dir = await makeNutDir("upsmon-start-");
  dir.write("upsmon.conf", `${NOWHERE}\nSHUTDOWNCMD "true"\nPOLLFREQ 1\n`);
  const q = new Proc(`${BIN}/upsmon`, ["-F"], { ...dir.env, PATH });
  try {
    const pidFile = `${dir.state}/upsmon.pid`;
    const child = await waitFor(
      () => exists(pidFile) ? parseInt(Deno.readTextFileSync(pidFile), 10) : 0,
      15000,
      "PID file",
    );
    Deno.kill(q.pid, "SIGKILL");
    await waitFor(() => q.stderr.includes("Parent died - shutdown impossible"), 10000, "NOPARENT");
    assertStringIncludes(q.stderr, "upsmon parent process died - shutdown impossible");
    assert(exists(`/proc/${child}`), "the monitor keeps running");
    Deno.kill(child, "SIGTERM");
    await waitFor(() => !exists(`/proc/${child}`), 10000, "monitor gone");
  } finally {
    await q.stop();
    await dir.cleanup();
  }
});

Deno.test({
  name: "startup: -p runs one process that shuts down by itself",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const s = await startScene(["ups"]);
    try {
      const flag = `${s.stack.dir.state}/killpower-mono`;
      const m = await startMon(s, "mono", {
        lines: [`MONITOR ${s.addr("ups")} 1 mon monpw primary`, ...FAST, `POWERDOWNFLAG ${flag}`],
        args: ["-p"],
      });
      await waitLogins(s, "ups", 1);
      const pid = parseInt(Deno.readTextFileSync(`${m.dir.state}/upsmon.pid`), 10);
      assertEquals(pid, m.proc.pid, "no second process in -p mode");
      assertStringIncludes(
        m.proc.stderr,
        "Warning: running as one big root process by request (upsmon -p)",
      );
      await s.setStatus("ups", "OB LB");
      await waitEvent(s, "mono", "SHUTDOWNCMD");
      assertEquals((await exited(m.proc, 5000))?.code, 0);
      assertEquals(Deno.readTextFileSync(flag), POWERDOWN_MAGIC);
    } finally {
      await s.stop();
    }
  },
});

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}
