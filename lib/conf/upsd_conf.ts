/**
 * upsd.conf: one `KEYWORD value…` directive per line (spec server-config.md §3).
 * Parsing is pure: text in, settings plus located problems out. Keywords are
 * case-sensitive upper-case except `DEBUG_MIN`, as in NUT.
 *
 * `errors` are lines NUT would reject ("invalid directive", non-numeric
 * values, syntax errors): upsd skips them at start-up and refuses a reload
 * that has any. `warnings` are accepted lines worth telling about (obsolete
 * ACCEPT/REJECT/ACL).
 *
 * @module
 */

import { tokenizeText } from "./tokenizer.ts";
import { ConfigError, readConfigFile } from "./errors.ts";
import { NUT_PORT } from "./paths.ts";

/** One `LISTEN <addr> [<port>]` line. */
export interface ListenSpec {
  addr: string;
  port: number;
  lineNo: number;
}

export interface UpsdConf {
  /** In file order; empty = the defaults (::1 and 127.0.0.1). */
  listen: ListenSpec[];
  /** Seconds of driver silence before its data is stale (default 15). */
  maxAge: number;
  /** Seconds a tracking result is kept (default 3600). */
  trackingDelay: number;
  /** Connection limit; undefined = built-in default. */
  maxConn?: number;
  statePath?: string;
  dataPath?: string;
  allowNoDevice?: boolean;
  allowNotAllListeners?: boolean;
  debugMin?: number;
  /** TLS settings are parsed and kept, but this upsd has no TLS yet. */
  certFile?: string;
  certPath?: string;
  certIdent?: { name: string; password: string };
  certRequest?: number;
  disableWeakSsl?: boolean;
}

export interface UpsdConfResult {
  conf: UpsdConf;
  errors: ConfigError[];
  warnings: ConfigError[];
}

export const DEFAULT_MAXAGE = 15;
export const DEFAULT_TRACKINGDELAY = 3600;

/** C atoi(): optional blanks and sign, then leading digits; 0 when none. */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  const n = parseInt(m[1], 10);
  // C int overflow is undefined; clamp to 32-bit like a typical libc
  return Math.max(-2147483648, Math.min(2147483647, n));
}

/**
 * NUT's boolean words: a number (non-zero = true) or true/on/yes,
 * false/off/no, case-insensitive. undefined when it is neither.
 */
export function parseBool(v: string): boolean | undefined {
  if (/^[0-9]/.test(v)) return atoi(v) !== 0;
  const l = v.toLowerCase();
  if (l === "true" || l === "on" || l === "yes") return true;
  if (l === "false" || l === "off" || l === "no") return false;
  return undefined;
}

/**
 * Environment overrides (ALLOW_NO_DEVICE…): the value's start is compared
 * case-insensitively with TRUE/YES/ON/1 and FALSE/NO/OFF/0, as NUT does.
 */
export function parseEnvBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  const u = v.toUpperCase();
  if (["TRUE", "YES", "ON", "1"].some((w) => u.startsWith(w))) return true;
  if (["FALSE", "NO", "OFF", "0"].some((w) => u.startsWith(w))) return false;
  return undefined;
}

const OBSOLETE = new Set(["ACCEPT", "REJECT", "ACL"]);

export function parseUpsdConf(text: string | Uint8Array, file: string): UpsdConfResult {
  const { lines, errors: syntax } = tokenizeText(text);
  const errors = syntax.map((e) => new ConfigError(file, e.lineNo, e.message));
  const warnings: ConfigError[] = [];
  const conf: UpsdConf = {
    listen: [],
    maxAge: DEFAULT_MAXAGE,
    trackingDelay: DEFAULT_TRACKINGDELAY,
  };

  for (const { words, lineNo } of lines) {
    const err = (detail: string) => errors.push(new ConfigError(file, lineNo, detail));
    const invalid = () => err(`invalid directive ${words.join(" ")}`);
    const kw = words[0];
    const arg = words[1];

    // numeric directives: first character must be a digit (then atoi)
    const numeric = (name: string, set: (n: number) => void) => {
      if (arg === undefined) return invalid();
      if (!/^[0-9]/.test(arg)) return err(`${name} has non numeric value (${arg})!`);
      set(atoi(arg));
    };
    const bool = (name: string, set: (b: boolean) => void) => {
      if (arg === undefined) return invalid();
      const b = parseBool(arg);
      if (b === undefined) return err(`${name} has an invalid boolean value (${arg})`);
      set(b);
    };

    if (kw.toUpperCase() === "DEBUG_MIN") {
      if (arg === undefined) invalid();
      else if (!/^[0-9]+$/.test(arg)) err(`DEBUG_MIN has invalid value (${arg})`);
      else conf.debugMin = atoi(arg);
      continue;
    }
    switch (kw) {
      case "LISTEN": {
        if (arg === undefined) {
          invalid();
          break;
        }
        let port = NUT_PORT;
        if (words.length > 2) {
          const p = words[2];
          if (!/^[0-9]+$/.test(p) || +p < 1 || +p > 65535) {
            err(`invalid port (${p}) for LISTEN ${arg}`);
            break;
          }
          port = +p;
        }
        conf.listen.push({ addr: arg, port, lineNo });
        break;
      }
      case "MAXAGE":
        numeric("MAXAGE", (n) => conf.maxAge = n);
        break;
      case "TRACKINGDELAY":
        numeric("TRACKINGDELAY", (n) => conf.trackingDelay = n);
        break;
      case "MAXCONN":
        numeric("MAXCONN", (n) => conf.maxConn = n);
        break;
      case "STATEPATH":
        if (arg === undefined) invalid();
        else conf.statePath = arg;
        break;
      case "DATAPATH":
        if (arg === undefined) invalid();
        else conf.dataPath = arg;
        break;
      case "ALLOW_NO_DEVICE":
        bool("ALLOW_NO_DEVICE", (b) => conf.allowNoDevice = b);
        break;
      case "ALLOW_NOT_ALL_LISTENERS":
        bool("ALLOW_NOT_ALL_LISTENERS", (b) => conf.allowNotAllListeners = b);
        break;
      case "CERTFILE":
        if (arg === undefined) invalid();
        else conf.certFile = arg;
        break;
      case "CERTPATH":
        if (arg === undefined) invalid();
        else conf.certPath = arg;
        break;
      case "CERTIDENT":
        if (words.length < 3) invalid();
        else conf.certIdent = { name: words[1], password: words[2] };
        break;
      case "CERTREQUEST": {
        if (arg === undefined) {
          invalid();
          break;
        }
        const named: Record<string, number> = { NO: 0, REQUEST: 1, REQUIRE: 2 };
        const v = /^[0-2]$/.test(arg) ? +arg : named[arg.toUpperCase()];
        if (v === undefined) err(`CERTREQUEST has invalid value (${arg})`);
        else conf.certRequest = v;
        break;
      }
      case "DISABLE_WEAK_SSL":
        bool("DISABLE_WEAK_SSL", (b) => conf.disableWeakSsl = b);
        break;
      default:
        if (OBSOLETE.has(kw)) {
          warnings.push(
            new ConfigError(
              file,
              lineNo,
              `${kw} in upsd.conf is no longer supported - switch to LISTEN`,
            ),
          );
        } else {
          invalid();
        }
    }
  }
  return { conf, errors, warnings };
}

export async function readUpsdConf(path: string): Promise<UpsdConfResult> {
  return parseUpsdConf(await readConfigFile(path), path);
}
