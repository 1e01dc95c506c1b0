/**
 * The upssched command: upsmon's NOTIFYCMD. It reads upssched.conf line by
 * line and acts on every AT line matching the event in UPSNAME/NOTIFYTYPE:
 * EXECUTE runs CMDSCRIPT here and now; timer commands go to the timer
 * daemon on PIPEFN, which this process starts when none is running. `-l`
 * lists the pending timers.
 *
 * @module
 */

import { count, getopt, GetoptError } from "../cli/getopt.ts";
import { confPath, NUT_VERSION } from "../conf/paths.ts";
import { Logger } from "../daemon/log.ts";
import { listTimers, SchedClientError, sendRequest } from "./client.ts";
import { type ConfEntry, errorText, globalsOf, parseUpsschedConf } from "./conf.ts";
import { daemonMain } from "./daemon.ts";
import { runCmdscript } from "./exec.ts";
import { actionFor, atMatches, type SchedEvent } from "./match.ts";

/** First argument selecting the timer daemon (bin/upssched starts it so). */
export const DAEMON_FLAG = "--timer-daemon";
/** Our extension: seconds the daemon waits without timers before exiting. */
export const EMPTY_WAIT_ENV = "NUT_UPSSCHED_EMPTY_WAIT";

const HELP = `Usage: upssched [OPTIONS] [NOTIFYMSG]

Timer helper for upsmon(8). Set it as NOTIFYCMD in upsmon.conf: upsmon runs
it with UPSNAME and NOTIFYTYPE in the environment and the notification text
as NOTIFYMSG; every matching AT line of upssched.conf is then carried out.

  -D        raise the debugging level (may be repeated)
  -l        list the timers pending in the running timer daemon
  -V        print the version and exit
  -h        print this help and exit
`;

/** PATH for the daemon when upsmon gave us none. */
const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: treated as unset
  }
}

function out(text: string): void {
  const data = new TextEncoder().encode(text);
  let off = 0;
  while (off < data.length) off += Deno.stdout.writeSync(data.subarray(off));
}

/** The launcher next to our entry point: starts the daemon detached. */
function launcherPath(): string {
  return new URL("../../bin/upssched", import.meta.url).pathname;
}

function readConf(file: string, log: Logger): ConfEntry[] | null {
  let data: Uint8Array;
  try {
    data = Deno.readFileSync(file);
  } catch (e) {
    const why = e instanceof Deno.errors.NotFound
      ? "No such file or directory"
      : e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable
      ? "Permission denied"
      : (e as Error).message;
    log.error(`Can't open ${file}: ${why}`);
    return null;
  }
  return parseUpsschedConf(data, file);
}

/** Log one unusable config line (file:line and what is wrong). */
function logError(e: Extract<ConfEntry, { kind: "error" }>, log: Logger): void {
  log.error(errorText(e));
}

async function listMain(entries: ConfEntry[], log: Logger): Promise<number> {
  let errors = 0;
  for (const e of entries) {
    if (e.kind === "error") {
      logError(e, log);
      errors++;
    }
  }
  if (errors > 0) log.error(`Encountered ${errors} config errors, those entries were ignored`);
  const { pipefn } = globalsOf(entries);
  if (!pipefn) {
    log.error("upssched.conf: invalid configuration for timer listing: lacks PIPEFN");
    return 1;
  }
  let rows: string[] | null;
  try {
    rows = await listTimers(pipefn);
  } catch (e) {
    log.error(`upssched timer listing failed: ${(e as Error).message}`);
    return 1;
  }
  if (rows === null) {
    log.error("upssched timer is not running");
    return 1;
  }
  out(rows.map((r) => r + "\n").join(""));
  return 0;
}

/** Walk the config in order, acting on matching AT lines as they come. */
async function eventMain(entries: ConfEntry[], ev: SchedEvent, log: Logger): Promise<number> {
  let cmdscript: string[] | undefined;
  let pipefn: string | undefined;
  let lockfn: string | undefined;
  let errors = 0;
  const emptyWait = env(EMPTY_WAIT_ENV);

  for (const e of entries) {
    switch (e.kind) {
      case "error":
        logError(e, log);
        errors++;
        continue;
      case "CMDSCRIPT":
        cmdscript = e.argv;
        if (e.argv[0].includes(" ")) {
          const hint = "be sure to pass any arguments as separately quoted tokens!";
          log.warn(`CMDSCRIPT: command '${e.argv[0]}' contains spaces, ${hint}`);
        }
        continue;
      case "PIPEFN":
        pipefn = e.path;
        continue;
      case "LOCKFN":
        lockfn = e.path;
        continue;
      case "DEBUG_MIN":
        log.level = Math.max(log.level, e.level);
        continue;
      case "AT":
        break;
    }
    // complain on stdout as well as in the log: upsmon may have no terminal
    for (
      const [what, value] of [["CMDSCRIPT", cmdscript], ["PIPEFN", pipefn], ["LOCKFN", lockfn]]
    ) {
      if (value === undefined) {
        const msg = `${what} must be set before any ATs in the config file!`;
        out(msg + "\n");
        log.error(msg);
        return 1;
      }
    }
    if (!atMatches(e.rule, ev)) continue;
    const action = actionFor(e.rule, ev);
    if (action.kind === "log") {
      log.error(action.message);
    } else if (action.kind === "execute") {
      await runCmdscript(cmdscript!, action.cmd, { NOTIFYMSG: ev.message }, log);
    } else {
      const script = cmdscript!, pipe = pipefn!, lock = lockfn!;
      const level = log.level;
      try {
        await sendRequest(action.request, {
          pipefn: pipe,
          lockfn: lock,
          log,
          spawnDaemon: () => spawnDaemon(script, pipe, lock, level, emptyWait, log),
        });
      } catch (err) {
        if (!(err instanceof SchedClientError)) throw err;
        log.error(err.message);
        return 1;
      }
    }
  }
  if (errors > 0) log.error(`Encountered ${errors} config errors, those entries were ignored`);
  return 0;
}

/**
 * Start the timer daemon through the launcher (setsid, stdio detached) and
 * wait until it listens (the launcher returns then) or has failed.
 */
async function spawnDaemon(
  cmdscript: string[],
  pipefn: string,
  lockfn: string,
  level: number,
  emptyWait: string | undefined,
  log: Logger,
): Promise<boolean> {
  const args = [DAEMON_FLAG, ...Array(level).fill("-D")];
  if (emptyWait !== undefined && emptyWait !== "") args.push("-e", emptyWait);
  args.push(pipefn, lockfn, ...cmdscript);
  // The launcher is a bash script found through PATH (#!/usr/bin/env bash).
  // With no PATH at all, Deno reports only its own node_compat_bin directory.
  const current = env("PATH") ?? "";
  const usable = current.split(":").some((d) => d === "/bin" || d === "/usr/bin");
  const path = usable ? undefined : { PATH: current ? `${current}:${DEFAULT_PATH}` : DEFAULT_PATH };
  try {
    const st = await new Deno.Command(launcherPath(), {
      args,
      env: path,
      stdin: "null",
      stdout: "null",
      stderr: "inherit", // the daemon's start-up errors, shown by the launcher
    }).spawn().status;
    if (!st.success) log.error(`Timer daemon failed to start (exit status ${st.code})`);
    return st.success;
  } catch (e) {
    log.error(`Unable to start the timer daemon: ${(e as Error).message}`);
    return false;
  }
}

/** upssched's main: returns the exit status. */
export async function upsschedMain(args: string[]): Promise<number> {
  if (args[0] === DAEMON_FLAG) return await daemonMain(args.slice(1));
  const log = new Logger("upssched");
  let parsed;
  try {
    parsed = getopt(args, "+DVhl");
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    log.error(`Error: unknown option -${e.option}. Try -h for help.`);
    return 1;
  }
  for (const [c] of parsed.opts) {
    if (c === "h") {
      out(HELP);
      return 0;
    }
    if (c === "V") {
      out(`Network UPS Tools upssched ${NUT_VERSION}\n`);
      return 0;
    }
  }
  log.level = count(parsed, "D");
  if (log.level === 0) {
    const n = Number(env("NUT_DEBUG_LEVEL") ?? "0");
    if (Number.isInteger(n) && n > 0) log.level = n;
  }
  const listing = count(parsed, "l") > 0;

  const upsName = env("UPSNAME");
  const notifyType = env("NOTIFYTYPE");
  if (!listing && (upsName === undefined || notifyType === undefined)) {
    out(
      "Error: environment variables UPSNAME and NOTIFYTYPE must be set.\n" +
        "This program should only be run from upsmon(8).\n",
    );
    return 1;
  }

  const entries = readConf(`${confPath()}/upssched.conf`, log);
  if (!entries) return 1;
  if (listing) return await listMain(entries, log);
  return await eventMain(entries, {
    upsName: upsName!,
    notifyType: notifyType!,
    message: parsed.rest[0] ?? "",
  }, log);
}
