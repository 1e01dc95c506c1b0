/**
 * The privileged part of upsmon (NUT's "upsmon parent", spec upsmon.md §2).
 *
 * It starts the monitor as a child `deno run` whose permissions allow the
 * network (only the upsd servers named in MONITOR lines), reading
 * upsmon.conf and writing the PID file — and no programs. It then reads the
 * monitor's requests from the child's stdout and is the only one that can
 * run NOTIFYCMD and wall (as RUN_AS_USER) and SHUTDOWNCMD (with its own
 * privileges), and write POWERDOWNFLAG. The commands themselves come from
 * its own reading of upsmon.conf, never from the pipe.
 *
 * The child's stdin is a pipe that is never written: when this process
 * dies, the monitor sees EOF and reports NOPARENT (spec §2).
 *
 * @module
 */

import { parseUpsmonConf, type UpsmonConfig } from "../conf/upsmon_conf.ts";
import { formatHost } from "../client/mod.ts";
import { notifyReady } from "../daemon/ready.ts";
import type { CommandRunner } from "./commands.ts";
import { decodeRequest, RequestLines } from "./pipe.ts";
import type { LogLevel } from "./actions.ts";

/** The hidden first argument that makes cmd/upsmon/main.ts the monitor child. */
export const MONITOR_CHILD_FLAG = "--monitor-child";

/** Environment variables the monitor may read. */
export const MONITOR_ENV = [
  "NUT_CONFPATH",
  "NUT_STATEPATH",
  "NUT_ALTPIDPATH",
  "NUT_DEBUG_LEVEL",
  "NUT_DEFAULT_CONNECT_TIMEOUT",
  "NUT_QUIET_INIT_SSL",
  "NUT_QUIET_INIT_BANNER",
];

/** The exact Deno permission flags of the monitor child. */
export function monitorPermissions(
  config: UpsmonConfig,
  configPath: string,
  pidFile: string,
): string[] {
  const nets = [...new Set(config.monitors.map((m) => `${formatHost(m.host)}:${m.port}`))];
  const perms = [
    `--allow-read=${configPath},${pidFile}`,
    `--allow-write=${pidFile}`,
    `--allow-env=${MONITOR_ENV.join(",")}`,
  ];
  // an empty --allow-net= would mean "everything"
  if (nets.length > 0) perms.unshift(`--allow-net=${nets.join(",")}`);
  return perms;
}

/**
 * V8 settings of both upsmon processes (bin/upsmon sets the same for the
 * privileged part), for a daemon that wakes briefly every few tens of
 * seconds (measured with `deno task bench upsmon-idle`): V8's memory reducer
 * re-arms an 8 s timer after any allocation, so an idle upsmon would wake
 * every 8 s just to consider a GC of a heap of a few MiB; and code that runs
 * once in a while stays in the bytecode interpreter, so Sparkplug's
 * baseline code (compiled at once, about 1 MiB more) makes each poll
 * cheaper — about 40 % less idle CPU.
 */
export const UPSMON_V8_FLAGS = "--v8-flags=--no-memory-reducer,--always-sparkplug";

export interface PrivilegedOptions {
  /** Arguments upsmon was started with (passed on to the monitor). */
  args: string[];
  config: UpsmonConfig;
  configPath: string;
  pidFile: string;
  runner: CommandRunner;
  /** Deno executable and the run flags common to every launcher. */
  deno: string;
  denoRunFlags: string[];
  /** cmd/upsmon/main.ts */
  entry: string;
  /** Start the monitor as this user (RUN_AS_USER when root). */
  user?: { uid: number; gid: number };
  log: (level: LogLevel, message: string) => void;
}

/** Start the monitor and serve its requests; resolves with upsmon's exit code. */
export async function runPrivileged(o: PrivilegedOptions): Promise<number> {
  const argv = [
    ...o.denoRunFlags,
    ...monitorPermissions(o.config, o.configPath, o.pidFile),
    UPSMON_V8_FLAGS,
    o.entry,
    MONITOR_CHILD_FLAG,
    ...o.args,
  ];
  const child = new Deno.Command(o.deno, {
    args: argv,
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
    ...(o.user ? { uid: o.user.uid, gid: o.user.gid } : {}),
  }).spawn();

  // signals meant for upsmon reach the monitor; USR1/USR2 are ignored here as in NUT
  const forward = (sig: Deno.Signal) => () => {
    try {
      child.kill(sig);
    } catch {
      // already gone
    }
  };
  const handlers: Array<[Deno.Signal, () => void]> = [
    ["SIGTERM", forward("SIGTERM")],
    ["SIGINT", forward("SIGINT")],
    ["SIGQUIT", forward("SIGQUIT")],
    ["SIGHUP", forward("SIGHUP")],
    ["SIGUSR1", () => {}],
    ["SIGUSR2", () => {}],
  ];
  for (const [s, h] of handlers) Deno.addSignalListener(s, h);

  let shutdownStatus: number | undefined | "none" = "none";
  const lines = new RequestLines();
  try {
    for await (const chunk of child.stdout) {
      for (const line of lines.push(chunk)) {
        if (line === null) {
          o.log("error", "upsmon parent: request line from the monitor too long, ignored");
          continue;
        }
        if (line === "") continue;
        const req = decodeRequest(line);
        if ("error" in req) {
          o.log("error", `upsmon parent: bad request from the monitor (${req.error}), ignored`);
          continue;
        }
        switch (req.op) {
          case "ready":
            notifyReady();
            break;
          case "notify":
            o.runner.notify(req.type, req.ups, req.message, req);
            break;
          case "wall":
            o.runner.wall(req.message);
            break;
          case "shutdown":
            if (shutdownStatus === "none") shutdownStatus = await o.runner.shutdown();
            break;
          case "reload":
            await reloadNotifyCmd(o);
            break;
        }
      }
    }
  } catch (e) {
    o.log("error", `upsmon parent: read: ${e instanceof Error ? e.message : String(e)}`);
  }
  const st = await child.status;
  for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
  await o.runner.idle();
  if (shutdownStatus !== "none") {
    const cmd = o.runner.shutdownCmd ?? "";
    o.log(
      "warning",
      shutdownStatus === 0
        ? `upsmon parent: Exiting after calling shutdown command: ${cmd}`
        : `upsmon parent: Exiting after trying to call (${
          shutdownStatus ?? "not started"
        }) shutdown command: ${cmd}`,
    );
    return 0;
  }
  if (st.signal !== null) {
    o.log("error", `upsmon parent: read: the monitor process was killed by ${st.signal}`);
    return 1;
  }
  return st.code;
}

/** After a reload, NOTIFYCMD may change (only if the file reads cleanly). */
async function reloadNotifyCmd(o: PrivilegedOptions): Promise<void> {
  try {
    const r = parseUpsmonConf(await Deno.readFile(o.configPath), o.configPath);
    if (r.errors.length === 0 && !r.fatal) o.runner.setNotifyCmd(r.config.notifyCmd);
  } catch {
    // unreadable: the monitor has reported it; keep the old command
  }
}
