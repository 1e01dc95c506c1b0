/**
 * upsmon's command line (spec upsmon.md §1), getopt string
 * `+DFBhic:P:f:pu:VK46W:`. Pure: arguments in, what to do out.
 *
 * @module
 */

import { count, getopt, GetoptError } from "../cli/getopt.ts";
import { NUT_VERSION } from "../conf/paths.ts";

export const UPSMON_GETOPT = "+DFBhic:P:f:pu:VK46W:";

export const BANNER = `Network UPS Tools upsmon ${NUT_VERSION}`;

/** Help text; `flagFile` is shown on the -K line (as NUT master does). */
export function helpText(flagFile?: string): string {
  return `UPS monitor and shutdown controller (nut-deno).

usage: upsmon [OPTIONS]

  -c <cmd>	signal the running upsmon, then exit:
		 - fsd: shut down now, as if every UPS had failed (use with care)
		 - reload: read upsmon.conf again
		 - stop: stop monitoring and exit
		 (a prefix of the word is enough: -c f, -c rel)
  -P <pid>	signal this process instead of the one in the PID file
  -D		more debug output (each -D adds a level; stays in the foreground)
  -F		stay in the foreground
  -B		go to the background even when debugging
  -h		show this help
  -K		check the power-down flag (${flagFile ?? "***NOT CONFIGURED***"}):
		exit 0 if it is set, 1 if not
  -p		one process for everything (no privilege separation)
  -u <user>	run the monitor and notifications as <user> (not with -p)
  -f <file>	use this configuration file instead of upsmon.conf
  -W <secs>	connect timeout (default: NUT_DEFAULT_CONNECT_TIMEOUT or 10)
  -4		IPv4 only
  -6		IPv6 only
  -V		show the version
`;
}

export type SignalCommand = "fsd" | "stop" | "reload";

export interface UpsmonRunOptions {
  debug: number;
  /** -F, or -D without -B. */
  foreground: boolean;
  /** -p */
  mono: boolean;
  user?: string;
  family?: 4 | 6;
  connectTimeoutMs?: number;
  configFile?: string;
}

export type UpsmonAction =
  | { kind: "help"; error?: string }
  | { kind: "version" }
  | { kind: "signal"; command: SignalCommand; pid?: number; configFile?: string }
  | { kind: "checkFlag"; configFile?: string }
  | { kind: "run"; run: UpsmonRunOptions };

/** The -c word: a non-empty prefix of fsd, stop or reload (checked in that order). */
export function signalCommand(word: string): SignalCommand | undefined {
  if (word === "") return undefined;
  for (const c of ["fsd", "stop", "reload"] as const) if (c.startsWith(word)) return c;
  return undefined;
}

export function parseUpsmonArgs(args: readonly string[]): UpsmonAction {
  let r;
  try {
    r = getopt(args, UPSMON_GETOPT);
  } catch (e) {
    if (e instanceof GetoptError) return { kind: "help", error: `upsmon: ${e.message}` };
    throw e;
  }
  let command: SignalCommand | undefined;
  let pid: number | undefined;
  let checkFlag = false;
  const run: UpsmonRunOptions = { debug: count(r, "D"), foreground: false, mono: false };
  let background = false;
  let foregroundFlag = false;
  for (const [c, arg] of r.opts) {
    switch (c) {
      case "h":
        return { kind: "help" };
      case "V":
        return { kind: "version" };
      case "c": {
        command = signalCommand(arg!);
        if (!command) return { kind: "help", error: `upsmon: unknown command '${arg}' for -c` };
        break;
      }
      case "P": {
        if (!/^\d+$/.test(arg!) || Number(arg) < 1) {
          return { kind: "help", error: `upsmon: invalid PID '${arg}'` };
        }
        pid = Number(arg);
        break;
      }
      case "f":
        run.configFile = arg;
        break;
      case "p":
        run.mono = true;
        break;
      case "u":
        run.user = arg;
        break;
      case "K":
        checkFlag = true;
        break;
      case "4":
        run.family = 4;
        break;
      case "6":
        run.family = 6;
        break;
      case "F":
        foregroundFlag = true;
        break;
      case "B":
        background = true;
        break;
      case "W": {
        const n = Number(arg);
        if (!Number.isFinite(n) || n <= 0) {
          return { kind: "help", error: `upsmon: invalid timeout '${arg}' for -W` };
        }
        run.connectTimeoutMs = n * 1000;
        break;
      }
    }
  }
  if (command) return { kind: "signal", command, pid, configFile: run.configFile };
  if (checkFlag) return { kind: "checkFlag", configFile: run.configFile };
  run.foreground = foregroundFlag || (run.debug > 0 && !background);
  return { kind: "run", run };
}
