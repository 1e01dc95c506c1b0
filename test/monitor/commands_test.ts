/**
 * The programs upsmon runs (lib/monitor/commands.ts) and the power-down
 * flag (lib/monitor/powerdown.ts), with real /bin/sh processes.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { CommandRunner } from "../../lib/monitor/commands.ts";
import {
  clearStalePowerDownFlag,
  POWERDOWN_MAGIC,
  powerDownFlagState,
  writePowerDownFlag,
} from "../../lib/monitor/powerdown.ts";

async function tmp(): Promise<string> {
  const d = await Deno.makeTempDir({ prefix: "upsmon-cmd-" });
  await Deno.chmod(d, 0o777);
  return d;
}

function script(dir: string, body: string): string {
  const p = `${dir}/notify.sh`;
  Deno.writeTextFileSync(p, `#!/bin/sh\n${body}\n`);
  Deno.chmodSync(p, 0o755);
  return p;
}

Deno.test("commands: NOTIFYCMD gets UPSNAME, NOTIFYTYPE and the message as one argument, never as shell code", async () => {
  const d = await tmp();
  try {
    const cmd = script(d, `printf '%s|%s|%s|%s\\n' "$NOTIFYTYPE" "$UPSNAME" "$#" "$1" >> ${d}/out`);
    const logs: string[] = [];
    const r = new CommandRunner({ notifyCmd: cmd, log: (_l, m) => logs.push(m) });
    const evil = `UPS u: alarms: [$(touch ${d}/pwned); \`touch ${d}/pwned2\` "quoted" 'single']`;
    r.notify("ALARM", "u@h", evil, { wall: false, exec: true });
    r.notify("SHUTDOWN", "", "Auto logout and shutdown proceeding", { wall: false, exec: true });
    r.notify("ONLINE", "u@h", "not run", { wall: false, exec: false });
    await r.idle();
    assertEquals(Deno.readTextFileSync(`${d}/out`).split("\n").filter(Boolean), [
      `ALARM|u@h|1|${evil}`,
      "SHUTDOWN||1|Auto logout and shutdown proceeding",
    ]);
    assert(!exists(`${d}/pwned`) && !exists(`${d}/pwned2`), "message was interpreted by the shell");
    assertEquals(logs, []);
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("commands: a NOTIFYCMD line with arguments works as in NUT 2.8.0 (shell command line)", async () => {
  const d = await tmp();
  try {
    const cmd = script(d, `echo "$1 / $2" >> ${d}/out`);
    const r = new CommandRunner({ notifyCmd: `${cmd} fixed`, log: () => {} });
    r.notify("ONBATT", "u", "msg", { wall: false, exec: true });
    await r.idle();
    assertEquals(Deno.readTextFileSync(`${d}/out`), "fixed / msg\n");
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("commands: notifications run in order; a hanging one holds the next back only so long", async () => {
  const d = await tmp();
  try {
    const cmd = script(
      d,
      `case "$1" in slow*) sleep 0.3;; hang) sleep 2;; esac; echo "$1" >> ${d}/out`,
    );
    const r = new CommandRunner({ notifyCmd: cmd, log: () => {}, notifyWaitMs: 500 });
    for (const m of ["slow1", "fast2", "slow3", "fast4"]) {
      r.notify("ONBATT", "u", m, { wall: false, exec: true });
    }
    r.notify("ONBATT", "u", "hang", { wall: false, exec: true });
    r.notify("ONBATT", "u", "after", { wall: false, exec: true });
    const t0 = Date.now();
    const read = () => exists(`${d}/out`) ? Deno.readTextFileSync(`${d}/out`) : "";
    while (!read().includes("after") && Date.now() - t0 < 5000) {
      await new Promise((res) => setTimeout(res, 50));
    }
    const lines = read().split("\n").filter(Boolean);
    assertEquals(lines, ["slow1", "fast2", "slow3", "fast4", "after"]);
    assert(Date.now() - t0 < 1800, "the hanging NOTIFYCMD blocked the next one");
    await r.idle();
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test({
  name: "commands: NOTIFYCMD runs as RUN_AS_USER, SHUTDOWNCMD with upsmon's own privileges",
  ignore: Deno.uid() !== 0,
  async fn() {
    const d = await tmp();
    try {
      const cmd = script(d, `id -u >> ${d}/notify-uid`);
      const r = new CommandRunner({
        notifyCmd: cmd,
        shutdownCmd: `id -u > ${d}/shutdown-uid`,
        user: { uid: 65534, gid: 65534 },
        log: () => {},
      });
      r.notify("ONBATT", "u", "m", { wall: false, exec: true });
      await r.idle();
      assertEquals(await r.shutdown(), 0);
      assertEquals(Deno.readTextFileSync(`${d}/notify-uid`).trim(), "65534");
      assertEquals(Deno.readTextFileSync(`${d}/shutdown-uid`).trim(), "0");
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
});

Deno.test("commands: shutdown writes POWERDOWNFLAG, runs SHUTDOWNCMD, reports a failure", async () => {
  const d = await tmp();
  try {
    const logs: string[] = [];
    const flag = `${d}/killpower`;
    const ok = new CommandRunner({
      shutdownCmd: `echo ran > ${d}/marker`,
      powerDownFlag: flag,
      log: (_l, m) => logs.push(m),
    });
    assertEquals(await ok.shutdown(), 0);
    assertEquals(Deno.readTextFileSync(flag), POWERDOWN_MAGIC);
    assertEquals(Deno.statSync(flag).mode! & 0o777, 0o644);
    assertEquals(Deno.readTextFileSync(`${d}/marker`), "ran\n");
    const bad = new CommandRunner({
      shutdownCmd: "exit 3",
      powerDownFlag: `${d}/no/such/dir/flag`,
      log: (_l, m) => logs.push(m),
      prefix: "upsmon parent: ",
    });
    assertEquals(await bad.shutdown(), 3);
    assertEquals(logs.map((l) => l.replace(/\(.*\)/, "(...)")), [
      "upsmon parent: Failed to create power down flag! (...)",
      "upsmon parent: Unable to call shutdown command: exit 3",
    ]);
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("commands: wall gets the message on stdin; no wall program is reported", async () => {
  const d = await tmp();
  try {
    const fakeWall = script(d, `cat > ${d}/walled`);
    const r = new CommandRunner({ wallPath: fakeWall, log: () => {} });
    r.wall("Executing automatic power-fail shutdown");
    await r.idle();
    assertEquals(Deno.readTextFileSync(`${d}/walled`), "Executing automatic power-fail shutdown\n");
    const logs: string[] = [];
    new CommandRunner({ log: (_l, m) => logs.push(m) }).wall("x");
    assertEquals(logs, ["Can't invoke wall"]);
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

Deno.test("powerdown: the flag is ours only with the magic word; a foreign file is never removed", async () => {
  const d = await tmp();
  try {
    const f = `${d}/killpower`;
    assertEquals(powerDownFlagState(f), "unset");
    assertEquals(clearStalePowerDownFlag(f), true);
    writePowerDownFlag(f);
    assertEquals(powerDownFlagState(f), "set");
    assertEquals(clearStalePowerDownFlag(f), true);
    assertEquals(powerDownFlagState(f), "unset");
    Deno.writeTextFileSync(f, `${POWERDOWN_MAGIC} with more\nsecond line\n`);
    assertEquals(powerDownFlagState(f), "set");
    Deno.writeTextFileSync(f, "important data\n");
    assertEquals(powerDownFlagState(f), "foreign");
    assertEquals(clearStalePowerDownFlag(f), false);
    assertEquals(Deno.readTextFileSync(f), "important data\n");
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}
