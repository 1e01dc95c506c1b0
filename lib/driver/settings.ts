/**
 * A driver's settings from ups.conf (global part and its section) and `-x`
 * arguments, applied in command-line order as NUT 2.8.0 does (`-x` after
 * `-a` overrides the file). Pure: no I/O, errors are thrown as DriverExit
 * with NUT's exact messages and exit codes (spec server-config.md §2,
 * daemons.md §3) — including the odd exit status 0 after an unknown
 * variable or flag.
 *
 * What 2.8.0 accepts (checked against Debian's binaries):
 * - global: pollinterval, synchronous, user, group, debug_min (any case),
 *   chroot; anything else is ignored;
 * - from NUT master, global and section: reconnect_max_tries and
 *   reconnect_report_freq (see supervisor.ts);
 * - section and -x: port, desc, sdorder, user, group, synchronous, debug_min,
 *   sddelay (obsolete, warned), flags nolock and ignorelb, default.* and
 *   override.* (prefix in any case), the driver's own settings and flags
 *   (any case); section only: driver (checked) and pollinterval.
 * - published: driver.parameter.<key> for port and the driver's settings,
 *   driver.flag.<flag> = enabled for flags; not desc/user/group/...
 *
 * @module
 */

import type { UpsConfBlock } from "../conf/ups_conf.ts";
import { DriverExit, type DriverOption } from "./types.ts";

export type Synchronous = "auto" | "yes" | "no";

/** A `default.<var>` or `override.<var>` setting, in the order given. */
export interface Preset {
  kind: "default" | "override";
  name: string;
  value: string;
}

const CORE_FLAGS = ["nolock", "ignorelb"];

function notValid(what: "variable name" | "flag", key: string): DriverExit {
  return new DriverExit(
    0,
    `\nFatal error: '${key}' is not a valid ${what} for this driver.\n\n` +
      "Look in the man page or call this driver with -h for a list of\n" +
      "valid variable names and flags.",
    true,
  );
}

/** C atoi: leading integer, 0 when none. */
export function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? parseInt(m[1], 10) : 0;
}

export class DriverSettings {
  port: string | undefined;
  pollInterval = 2;
  synchronous: Synchronous = "auto";
  /** From ups.conf (global, then section); `-u` / `-g` win over these. */
  confUser: string | undefined;
  confGroup: string | undefined;
  debugMin = 0;
  desc: string | undefined;
  /** NUT master: -1 = reconnect forever, 0 = exit when the device is lost, N = give up after N tries. */
  reconnectMaxTries = -1;
  /** NUT master: report a running reconnection every N attempts (-1: never). */
  reconnectReportFreq = -1;
  /** Declared settings by lower-case name. */
  readonly vars = new Map<string, string>();
  /** Flags given (core and declared), lower-case for declared ones. */
  readonly flags = new Set<string>();
  /** driver.parameter.* / driver.flag.* to publish, in order (first spelling wins). */
  readonly published: Array<[string, string]> = [];
  readonly presets: Preset[] = [];
  /** Non-fatal notices (e.g. obsolete settings). */
  readonly warnings: string[] = [];
  readonly #vars: Map<string, string>;
  readonly #flags: Map<string, string>;
  readonly #reloadable: Set<string>;

  constructor(
    readonly driverName: string,
    vars: readonly DriverOption[] = [],
    flags: readonly DriverOption[] = [],
  ) {
    this.#vars = new Map(vars.map((v) => [v.name.toLowerCase(), v.name]));
    this.#flags = new Map(flags.map((f) => [f.name.toLowerCase(), f.name]));
    this.#reloadable = new Set(
      [...vars, ...flags].filter((o) => o.reloadable).map((o) => o.name.toLowerCase()),
    );
  }

  /** True if the driver declared this setting or flag reloadable. */
  isReloadable(name: string): boolean {
    return this.#reloadable.has(name.toLowerCase());
  }

  /** Value of a declared setting. */
  getval(name: string): string | undefined {
    return this.vars.get(name.toLowerCase());
  }

  /** True if a declared setting or a flag was given. */
  testvar(name: string): boolean {
    const k = name.toLowerCase();
    return this.vars.has(k) || this.flags.has(k) || this.flags.has(name);
  }

  /** The global part of ups.conf (keys before the first section). */
  applyGlobal(block: UpsConfBlock): void {
    for (const e of block.entries) {
      if (e.value === undefined) continue; // flags at global level are ignored
      switch (e.key) {
        case "pollinterval":
          this.#setPollInterval(e.value, "Error: invalid pollinterval: ");
          break;
        case "synchronous":
          this.synchronous = parseSynchronous(e.value);
          break;
        case "user":
          this.confUser = e.value;
          break;
        case "group":
          this.confGroup = e.value;
          break;
        case "chroot":
          break; // accepted; a Deno program cannot chroot (see core)
        case "reconnect_max_tries":
        case "reconnect_report_freq":
          this.#setReconnect(e.key, e.value);
          break;
        default:
          if (e.key.toLowerCase() === "debug_min") this.#setDebugMin(e.value);
      }
    }
  }

  /** One ups.conf section (`-a`): checks the driver name first. */
  applySection(name: string, block: UpsConfBlock): void {
    for (const e of block.entries) {
      if (e.value === undefined) {
        this.#flag(e.key);
        continue;
      }
      if (e.key === "driver") {
        if (e.value !== this.driverName) {
          throw new DriverExit(
            1,
            `Error: UPS [${name}] is for driver ${e.value}, but I'm ${this.driverName}!\n`,
          );
        }
        continue;
      }
      if (e.key === "pollinterval") {
        this.#setPollInterval(e.value, "Error: invalid pollinterval: ");
        continue;
      }
      this.#value(e.key, e.value);
    }
  }

  /** One `-x name=value` or `-x flag` argument. */
  applyX(arg: string): void {
    const eq = arg.indexOf("=");
    if (eq < 0) this.#flag(arg);
    else this.#value(arg.slice(0, eq), arg.slice(eq + 1));
  }

  /** `-i <seconds>`. */
  applyPollIntervalOption(text: string): void {
    this.#setPollInterval(text, "Error: command-line: invalid pollinterval: ");
  }

  #setPollInterval(text: string, prefix: string): void {
    const n = atoi(text);
    if (n <= 0) throw new DriverExit(1, `${prefix}${n}`);
    this.pollInterval = n;
  }

  #setDebugMin(text: string): void {
    const n = atoi(text);
    if (!/^\s*\d/.test(text) || n < 0) {
      this.warnings.push(`Invalid debug_min value found in ups.conf for the driver: ${text}`);
      return;
    }
    this.debugMin = Math.max(this.debugMin, n);
  }

  #setReconnect(key: string, text: string): void {
    if (!/^\s*[+-]?\d+\s*$/.test(text)) {
      this.warnings.push(`WARNING : Invalid ${key} value found in ups.conf global settings`);
      return;
    }
    if (key === "reconnect_max_tries") this.reconnectMaxTries = parseInt(text, 10);
    else this.reconnectReportFreq = parseInt(text, 10);
  }

  #publish(name: string, value: string): void {
    this.published.push([name, value]);
  }

  #flag(key: string): void {
    if (CORE_FLAGS.includes(key)) {
      this.flags.add(key);
      this.#publish(`driver.flag.${key}`, "enabled");
      return;
    }
    const k = key.toLowerCase();
    // NUT 2.8.0 also takes a declared setting's name given as a flag
    if (this.#flags.has(k) || this.#vars.has(k)) {
      this.flags.add(k);
      this.#publish(`driver.flag.${key}`, "enabled");
      return;
    }
    throw notValid("flag", key);
  }

  #value(key: string, value: string): void {
    switch (key) {
      case "port":
        this.port = value;
        this.#publish("driver.parameter.port", value);
        return;
      case "desc":
        this.desc = value;
        return;
      case "sdorder":
        return; // upsdrvctl's business
      case "user":
        this.confUser = value;
        return;
      case "group":
        this.confGroup = value;
        return;
      case "synchronous":
        this.synchronous = parseSynchronous(value);
        return;
      case "debug_min":
        this.#setDebugMin(value);
        return;
      case "sddelay":
        this.warnings.push("Obsolete value sddelay found in ups.conf");
        return;
      case "reconnect_max_tries":
      case "reconnect_report_freq":
        this.#setReconnect(key, value);
        return;
    }
    const lower = key.toLowerCase();
    if (lower.startsWith("default.") && key.length > 8) {
      this.presets.push({ kind: "default", name: key.slice(8), value });
      return;
    }
    if (lower.startsWith("override.") && key.length > 9) {
      this.presets.push({ kind: "override", name: key.slice(9), value });
      return;
    }
    if (this.#vars.has(lower)) {
      this.vars.set(lower, value);
      this.#publish(`driver.parameter.${key}`, value);
      return;
    }
    throw notValid("variable name", key);
  }
}

/** `yes`, `no`, `auto`; anything else means `no` (NUT). */
export function parseSynchronous(value: string): Synchronous {
  const v = value.toLowerCase();
  return v === "yes" || v === "auto" ? v : "no";
}
