/**
 * What upsdrvctl takes from ups.conf (spec server-config.md §2): global
 * `driverpath`, `maxstartdelay`, `maxretry`, `retrydelay`, the `nowait`
 * flag; per section `driver`, `port`, `sdorder`, `maxstartdelay`, and (NUT
 * master) `maxretry` / `retrydelay`. Everything else belongs to the drivers.
 * Keys match exactly, numbers are read like C's atoi, as NUT does.
 *
 * Pure: parsed ups.conf in, table out.
 *
 * @module
 */

import type { UpsConf } from "../conf/ups_conf.ts";
import { atoi } from "../driver/settings.ts";

export interface UpsEntry {
  name: string;
  driver?: string;
  port?: string;
  /** Shutdown order (default 0; negative: never shut down by upsdrvctl). */
  sdorder: number;
  /** Per-section overrides (undefined: the global value). */
  maxStartDelay?: number;
  maxRetry?: number;
  retryDelay?: number;
}

export interface CtlTable {
  /** undefined: the default driver directory. */
  driverPath?: string;
  /** Seconds to wait for a driver to be ready (2.8.0 default 45). */
  maxStartDelay: number;
  /** Start attempts per driver (default 1). */
  maxRetry: number;
  /** Seconds between attempts (default 5). */
  retryDelay: number;
  /** Do not wait for drivers at all. */
  nowait: boolean;
  ups: UpsEntry[];
}

export const DEFAULT_MAX_START_DELAY = 45;
export const DEFAULT_MAX_RETRY = 1;
export const DEFAULT_RETRY_DELAY = 5;

/** Build the table; `ignoreNowait` is NUT master's NUT_IGNORE_NOWAIT=true. */
export function ctlTable(conf: UpsConf, ignoreNowait = false): CtlTable {
  const t: CtlTable = {
    maxStartDelay: DEFAULT_MAX_START_DELAY,
    maxRetry: DEFAULT_MAX_RETRY,
    retryDelay: DEFAULT_RETRY_DELAY,
    nowait: false,
    ups: [],
  };
  for (const e of conf.global.entries) {
    if (e.value === undefined) {
      if (e.key === "nowait" && !ignoreNowait) t.nowait = true;
      continue;
    }
    switch (e.key) {
      case "driverpath":
        t.driverPath = e.value;
        break;
      case "maxstartdelay":
        t.maxStartDelay = atoi(e.value);
        break;
      case "maxretry":
        t.maxRetry = atoi(e.value);
        break;
      case "retrydelay":
        t.retryDelay = atoi(e.value);
        break;
    }
  }
  for (const s of conf.sections) {
    const u: UpsEntry = { name: s.name, sdorder: 0 };
    for (const e of s.entries) {
      if (e.value === undefined) continue;
      switch (e.key) {
        case "driver":
          u.driver = e.value;
          break;
        case "port":
          u.port = e.value;
          break;
        case "sdorder":
          u.sdorder = atoi(e.value);
          break;
        case "maxstartdelay":
          u.maxStartDelay = atoi(e.value);
          break;
        case "maxretry":
          u.maxRetry = atoi(e.value);
          break;
        case "retrydelay":
          u.retryDelay = atoi(e.value);
          break;
      }
    }
    t.ups.push(u);
  }
  return t;
}

/** The driver name as NUT prints a missing one. */
export function driverName(u: UpsEntry): string {
  return u.driver ?? "(null)";
}

/** `<driverpath>/<driver>` */
export function driverProgram(driverPath: string, u: UpsEntry): string {
  return `${driverPath}/${driverName(u)}`;
}

/** `-D…` argument passing a debug level on (none at level 0). */
export function debugArg(level: number): string | undefined {
  return level > 0 ? "-" + "D".repeat(Math.min(level, 64)) : undefined;
}

export interface ArgvOptions {
  debug: number;
  passDebug: boolean;
  foreground?: 0 | 1 | 2;
  chroot?: string;
  user?: string;
}

/** `<driver> [-D…] [-B|-F|-FF] -a <ups> [-r <dir>] [-u <user>]` */
export function startArgv(program: string, u: UpsEntry, o: ArgvOptions): string[] {
  const argv = [program];
  const d = o.passDebug ? debugArg(o.debug) : undefined;
  if (d) argv.push(d);
  if (o.foreground !== undefined) argv.push(["-B", "-F", "-FF"][o.foreground]);
  argv.push("-a", u.name);
  if (o.chroot !== undefined) argv.push("-r", o.chroot);
  if (o.user !== undefined) argv.push("-u", o.user);
  return argv;
}

/** `<driver> -a <ups> -k [-r <dir>] [-u <user>]` (no debug: 2.8.0 passes none here). */
export function shutdownArgv(program: string, u: UpsEntry, o: ArgvOptions): string[] {
  const argv = [program, "-a", u.name, "-k"];
  if (o.chroot !== undefined) argv.push("-r", o.chroot);
  if (o.user !== undefined) argv.push("-u", o.user);
  return argv;
}

/** Sections with sdorder 0, 1, 2 … in file order within each; negative ones never. */
export function shutdownOrder(ups: readonly UpsEntry[]): UpsEntry[] {
  // a stable sort keeps file order within one sdorder
  return ups.filter((u) => u.sdorder >= 0).sort((a, b) => a.sdorder - b.sdorder);
}

/** The last path component (for the PID file fallback name). */
export function basename(path: string): string {
  const parts = path.split("/");
  return parts[parts.length - 1] || path;
}

/** PID file names tried by `stop`: `<driver>-<ups>.pid`, then `<driver>-<basename(port)>.pid`. */
export function pidFileNames(pidPath: string, u: UpsEntry): { first: string; fallback?: string } {
  const d = driverName(u);
  return {
    first: `${pidPath}/${d}-${u.name}.pid`,
    fallback: u.port !== undefined ? `${pidPath}/${d}-${basename(u.port)}.pid` : undefined,
  };
}

/** The driver's socket `<statepath>/<driver>-<ups>`. */
export function socketPath(statePath: string, u: UpsEntry): string {
  return `${statePath}/${driverName(u)}-${u.name}`;
}
