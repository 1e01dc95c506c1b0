/**
 * Test kit for upsmon scenarios with real processes on loopback: our
 * dummy-ups and upsd (test/helpers/nut_stack.ts), any number of upsmon
 * instances (ours through bin/upsmon, or Debian's), a shared event log
 * written by every instance's NOTIFYCMD and SHUTDOWNCMD, and a bounded
 * pool so that several scenarios run at once without starving the machine.
 *
 * Each event line is `<epoch seconds> <instance> <NOTIFYTYPE|SHUTDOWNCMD> [<ups>]`.
 *
 * @module
 */

import { NutClient } from "../../lib/client/mod.ts";
import { BIN, DEBIAN, makeNutDir, type NutDir, Proc, run, waitFor } from "../helpers/nut.ts";
import { type NutStack, type StackDevice, startNutStack } from "../helpers/nut_stack.ts";

export const USERS = `[admin]
\tpassword = adminpw
\tactions = SET FSD
\tinstcmds = ALL
[mon]
\tpassword = monpw
\tupsmon primary
[sec]
\tpassword = secpw
\tupsmon secondary
`;

/** Short timers so that each scenario takes seconds (the brief's values). */
export const FAST = [
  "POLLFREQ 1",
  "POLLFREQALERT 1",
  "HOSTSYNC 3",
  "FINALDELAY 1",
  "DEADTIME 3",
];

const ALL_TYPES = [
  "ONLINE",
  "ONBATT",
  "LOWBATT",
  "FSD",
  "COMMOK",
  "COMMBAD",
  "SHUTDOWN",
  "REPLBATT",
  "NOCOMM",
  "NOPARENT",
  "SHUTDOWN_HOSTSYNC",
];

export interface Event {
  t: number;
  who: string;
  what: string;
  ups: string;
}

export interface Scene {
  stack: NutStack;
  /** Shared event log (NOTIFYCMD and SHUTDOWNCMD of every instance). */
  eventsFile: string;
  events(): Event[];
  /** Events of one instance, as `TYPE` strings. */
  of(who: string): string[];
  /** Set ups.status through upsd (admin SET VAR). */
  setStatus(ups: string, status: string): Promise<void>;
  /** Read ups.status as clients see it. */
  status(ups: string): Promise<string>;
  /** A UPS address for MONITOR lines. */
  addr(ups: string): string;
  /** Kill a UPS's driver (by PID). */
  killDriver(ups: string): Promise<void>;
  /** Start it again. */
  startDriver(ups: string): Promise<void>;
  /** Stop upsd (by PID); its clients see their connections close. */
  killUpsd(): Promise<void>;
  /** Start upsd again on the same port. */
  startUpsd(): Promise<void>;
  /** A client logged in to `ups` as a secondary that never logs out. */
  stuckSecondary(ups: string): Promise<NutClient>;
  mons: Map<string, Mon>;
  stop(): Promise<void>;
}

export interface Mon {
  name: string;
  dir: NutDir;
  proc: Proc;
  conf: string;
}

export interface MonOptions {
  /** upsmon.conf lines besides the NOTIFYCMD/SHUTDOWNCMD/NOTIFYFLAG ones. */
  lines: string[];
  args?: string[];
  /** "ours" (bin/upsmon -F) or "debian" (/lib/nut/upsmon, in a private /run). */
  impl?: "ours" | "debian";
}

/** A scene: our dummy-ups drivers, and our upsd unless `upsd` says Debian's. */
export async function startScene(
  devices: string[],
  upsdImpl: "ours" | "debian" = "ours",
): Promise<Scene> {
  const stack = await startNutStack({
    devices: devices.map((name): StackDevice => ({ name, dev: "ups.status: OL\n" })),
    users: USERS,
    driver: "ours",
    upsd: upsdImpl,
  });
  const eventsFile = `${stack.dir.root}/events.log`;
  Deno.writeTextFileSync(eventsFile, "");
  Deno.chmodSync(eventsFile, 0o666);
  // NOTIFYCMD runs as RUN_AS_USER (nut when root): a script anyone may run
  const notify = stack.dir.write(
    "notify.sh",
    `#!/bin/sh\necho "$(date +%s.%N) $1 $NOTIFYTYPE $UPSNAME" >> ${eventsFile}\n`,
    0o755,
  );
  const sd = stack.dir.write(
    "shutdown.sh",
    `#!/bin/sh\necho "$(date +%s.%N) $1 SHUTDOWNCMD $(id -u)" >> ${eventsFile}\n`,
    0o755,
  );
  const drivers = new Map<string, Proc>();
  devices.forEach((d, i) => drivers.set(d, stack.procs[i]));
  let upsd = stack.procs[devices.length];
  const mons = new Map<string, Mon>();
  let admin: NutClient | undefined;
  const adminClient = async () => {
    if (admin?.connected) return admin;
    admin = await NutClient.connect("127.0.0.1", stack.port, { tryTls: false });
    await admin.username("admin");
    await admin.password("adminpw");
    return admin;
  };
  const extra: NutClient[] = [];

  const events = (): Event[] =>
    Deno.readTextFileSync(eventsFile).split("\n").filter(Boolean).map((l) => {
      const [t, who, what, ups] = l.split(" ");
      return { t: Number(t), who, what, ups: ups ?? "" };
    });

  const scene: Scene = {
    stack,
    eventsFile,
    events,
    of: (who) => events().filter((e) => e.who === who).map((e) => e.what),
    async setStatus(ups, status) {
      await (await adminClient()).setVar(ups, "ups.status", status);
    },
    async status(ups) {
      const c = await NutClient.connect("127.0.0.1", stack.port, { tryTls: false });
      try {
        return await c.getVar(ups, "ups.status");
      } finally {
        await c.logout();
      }
    },
    addr: (ups) => `${ups}@127.0.0.1:${stack.port}`,
    async killDriver(ups) {
      const p = drivers.get(ups)!;
      await p.stop();
    },
    async startDriver(ups) {
      const p = new Proc(`${BIN}/dummy-ups`, ["-a", ups, "-F"], stack.env);
      drivers.set(ups, p);
      stack.procs.push(p);
      await waitFor(
        async () => {
          try {
            const s = await scene.status(ups);
            return !s.includes("WAIT");
          } catch {
            return false;
          }
        },
        15000,
        `driver ${ups} back`,
        200,
      );
    },
    async killUpsd() {
      await upsd.stop();
    },
    async startUpsd() {
      upsd = upsdImpl === "ours"
        ? new Proc(`${BIN}/upsd`, ["-F"], stack.env)
        : new Proc(DEBIAN.upsd, ["-F", "-u", "root"], stack.env);
      stack.procs.push(upsd);
      await waitFor(
        () => scene.status(devices[0]).then(() => true, () => false),
        15000,
        "upsd back",
        200,
      );
    },
    async stuckSecondary(ups) {
      const c = await NutClient.connect("127.0.0.1", stack.port, { tryTls: false });
      await c.username("sec");
      await c.password("secpw");
      await c.login(ups);
      extra.push(c);
      return c;
    },
    mons,
    async stop() {
      for (const m of mons.values()) await stopTree(m.proc);
      for (const c of extra) c.close();
      admin?.close();
      await stack.stop();
      for (const m of mons.values()) await m.dir.cleanup();
    },
  };
  (scene as SceneInternals).notify = notify;
  (scene as SceneInternals).sd = sd;
  return scene;
}

interface SceneInternals extends Scene {
  notify: string;
  sd: string;
}

/** Types NUT 2.8.0 does not know (it warns about NOTIFYFLAG lines for them). */
const NEWER_TYPES = [
  "CAL",
  "NOTCAL",
  "OFF",
  "NOTOFF",
  "BYPASS",
  "NOTBYPASS",
  "ECO",
  "NOTECO",
  "ALARM",
  "NOTALARM",
  "OVER",
  "NOTOVER",
  "TRIM",
  "NOTTRIM",
  "BOOST",
  "NOTBOOST",
  "OTHER",
  "NOTOTHER",
];

/** upsmon.conf text for one instance of a scene (no wall(1) for ours: tests stay quiet). */
export function monConf(scene: Scene, name: string, lines: string[], impl = "ours"): string {
  const s = scene as SceneInternals;
  return [
    ...lines,
    `NOTIFYCMD "${s.notify} ${name}"`,
    `SHUTDOWNCMD "${s.sd} ${name}"`,
    ...ALL_TYPES.map((t) => `NOTIFYFLAG ${t} SYSLOG+EXEC`),
    ...(impl === "ours" ? NEWER_TYPES.map((t) => `NOTIFYFLAG ${t} SYSLOG`) : []),
    "",
  ].join("\n");
}

/** Start one upsmon instance of a scene, in its own NUT directory. */
export async function startMon(scene: Scene, name: string, o: MonOptions): Promise<Mon> {
  const dir = await makeNutDir(`upsmon-${name}-`);
  const conf = dir.write("upsmon.conf", monConf(scene, name, o.lines, o.impl ?? "ours"), 0o644);
  const env = {
    ...dir.env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/root",
  };
  let proc: Proc;
  if ((o.impl ?? "ours") === "ours") {
    proc = new Proc(`${BIN}/upsmon`, ["-F", ...(o.args ?? [])], env);
  } else {
    // Debian's upsmon keeps its PID file in /run/nut: give it a private /run
    proc = new Proc("unshare", [
      "--mount",
      "--propagation",
      "private",
      "--",
      "sh",
      "-c",
      `mount -t tmpfs tmpfs /run && mkdir -p /run/nut && chmod 777 /run/nut && exec ${DEBIAN.upsmon} -F ${
        (o.args ?? []).join(" ")
      }`,
    ], env);
  }
  const m: Mon = { name, dir, proc, conf };
  scene.mons.set(name, m);
  return m;
}

/** PIDs of every descendant of `pid` (read from /proc). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${e.name}/stat`);
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parent.set(Number(e.name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parent) {
      if (pp === p && !out.includes(c)) {
        out.push(c);
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}

/**
 * Stop an upsmon and everything it started. Debian's root process does not
 * pass SIGTERM on to its child, which would survive (holding our output
 * pipes open): its children are found first and stopped by PID too.
 */
export async function stopTree(p: Proc): Promise<void> {
  const kids = descendants(p.pid);
  for (const k of kids) {
    try {
      Deno.kill(k, "SIGTERM");
    } catch {
      // already gone
    }
  }
  await p.stop();
}

/** Wait until an instance is logged in (upsd counts its LOGIN). */
export async function waitLogins(scene: Scene, ups: string, n: number, timeoutMs = 20000) {
  await waitFor(
    async () => {
      const c = await NutClient.connect("127.0.0.1", scene.stack.port, { tryTls: false });
      try {
        return (await c.getNumLogins(ups)) === n;
      } catch {
        return false;
      } finally {
        await c.logout();
      }
    },
    timeoutMs,
    `${n} logins on ${ups}`,
    150,
  );
}

/** Wait for an event of an instance. */
export async function waitEvent(scene: Scene, who: string, what: string, timeoutMs = 15000) {
  return await waitFor(
    () => scene.events().find((e) => e.who === who && e.what === what),
    timeoutMs,
    `${who} ${what} (events so far: ${scene.events().map((e) => `${e.who}:${e.what}`).join(" ")})`,
    50,
  );
}

/** Has the process exited? */
export async function exited(p: Proc, withinMs: number): Promise<Deno.CommandStatus | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([
    p.status,
    new Promise<undefined>((res) => timer = setTimeout(() => res(undefined), withinMs)),
  ]);
  clearTimeout(timer);
  return r;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run at most `n` scenarios at once: each is started when the module loads
 * (so they overlap), and its Deno.test only awaits the outcome.
 */
export function scenarioPool(n: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  const acquire = async () => {
    if (active >= n) await new Promise<void>((r) => waiting.push(r));
    active++;
  };
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return (name: string, fn: () => Promise<void>, opts: { ignore?: boolean } = {}) => {
    const outcome = opts.ignore ? Promise.resolve(undefined) : (async () => {
      await acquire();
      try {
        await fn();
        return undefined;
      } catch (e) {
        return e;
      } finally {
        release();
      }
    })();
    Deno.test({
      name,
      ignore: opts.ignore,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const e = await outcome;
        if (e) throw e;
      },
    });
  };
}

/** Run a command and return its output (for upsmon -c / -K). */
export async function upsmonCmd(m: Mon, args: string[]) {
  return await run(`${BIN}/upsmon`, args, {
    ...m.dir.env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  });
}
