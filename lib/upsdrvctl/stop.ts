/**
 * Stopping a driver through its PID file: SIGTERM, wait up to 5 s for the
 * process to go, then SIGKILL (NUT master; 2.8.0 only sent SIGTERM). A
 * driver killed that way cannot clean up, so its PID file is removed here.
 * Messages are NUT's (`kill: No such process`, `Stopping <file> failed: …`).
 *
 * Deno.kill needs the launcher's --allow-run (/proc is out of reach: Deno
 * wants --allow-all for it).
 *
 * @module
 */

import type { CtlLog } from "./log.ts";

export interface StopDeps {
  log: CtlLog;
  /** Milliseconds to wait for the process to exit after each signal. */
  graceMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

function errnoText(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such process";
  if (e instanceof Deno.errors.PermissionDenied) return "Operation not permitted";
  if (e instanceof Deno.errors.NotCapable) {
    return "Operation not permitted (not allowed by the sandbox)";
  }
  return (e instanceof Error ? e.message : String(e)).replace(/^E[A-Z]+: /, "")
    .replace(/ \(os error \d+\)$/, "");
}

/** Read a PID file as NUT does (leading integer); undefined if unreadable. */
export function readPid(path: string): number | undefined {
  try {
    const m = /^\s*([+-]?\d+)/.exec(Deno.readTextFileSync(path));
    return m ? parseInt(m[1], 10) : 0;
  } catch {
    return undefined;
  }
}

/**
 * Does `pid` exist? Signal 0 (Deno.kill accepts the number 0, which only
 * checks existence, though its type lists names only); without the run
 * permission, the PID file's presence has to do. A driver removes its PID
 * file as its last act, so a missing file also means gone (a zombie waiting
 * to be reaped does not count).
 */
export function processAlive(pid: number, pidFile?: string): boolean {
  if (pidFile !== undefined && !fileExists(pidFile)) return false;
  try {
    Deno.kill(pid, 0 as unknown as Deno.Signal);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    if (e instanceof Deno.errors.PermissionDenied) return true; // exists, not ours
    return pidFile === undefined ? true : fileExists(pidFile);
  }
}

function fileExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Signal the driver named in `pidFile` to stop; true on success. */
export async function stopByPidFile(pidFile: string, deps: StopDeps): Promise<boolean> {
  const { log } = deps;
  const grace = deps.graceMs ?? 5000;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pid = readPid(pidFile);
  if (pid === undefined) {
    log.log(`Can't open ${pidFile}: No such file or directory`);
    return false;
  }
  if (pid < 1) {
    log.log(`Ignoring invalid pid number ${pid}`);
    log.log(`Stopping ${pidFile} failed: Invalid argument`);
    return false;
  }
  try {
    Deno.kill(pid, "SIGTERM");
  } catch (e) {
    log.log(`kill: ${errnoText(e)}`);
    log.log(`Stopping ${pidFile} failed: ${errnoText(e)}`);
    return false;
  }
  const gone = async () => {
    for (let waited = 0; waited < grace; waited += 100) {
      if (!processAlive(pid, pidFile)) return true;
      await sleep(100);
    }
    return !processAlive(pid, pidFile);
  };
  if (await gone()) return true;
  log.log(`Stopping ${pidFile} failed, retrying harder`);
  try {
    Deno.kill(pid, "SIGKILL");
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      log.log(`Stopping ${pidFile} failed: ${errnoText(e)}`);
      return false;
    }
  }
  if (await gone()) {
    // a killed driver leaves its PID file behind
    try {
      Deno.removeSync(pidFile);
    } catch {
      // already gone
    }
    return true;
  }
  log.log(`Stopping ${pidFile} failed`);
  return false;
}
