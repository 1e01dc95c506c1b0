/**
 * upsd's command line (spec daemons.md §2.1), NUT getopt string
 * `+h46p:qr:i:fu:Vc:P:DFB`. Pure: arguments in, what to do out.
 *
 * @module
 */

import { count, getopt, GetoptError } from "../cli/getopt.ts";
import { NUT_VERSION } from "../conf/paths.ts";

export const UPSD_GETOPT = "+h46p:qr:i:fu:Vc:P:DFB";

export const BANNER = `Network UPS Tools upsd ${NUT_VERSION}`;

export const HELP = `Network UPS Tools data server (nut-deno).

usage: upsd [OPTIONS]

  -c <command>	signal the running upsd, then exit:
		 - reload: read the configuration files again
		 - stop: shut it down
  -P <pid>	signal this process instead of the one in the PID file
  -D		more debug output (each -D adds a level; stays in the foreground)
  -F		stay in the foreground
  -FF		stay in the foreground and write the PID file anyway
  -B		go to the background even when debugging
  -h		show this help
  -r <dir>	chroot to <dir> (not supported by this upsd)
  -q		fewer log messages (may be repeated)
  -u <user>	run as <user> (honoured only when started as root)
  -V		show the version
  -4		listen on IPv4 addresses only
  -6		listen on IPv6 addresses only
`;

export type UpsdAction =
  | { kind: "help"; error?: string }
  | { kind: "version" }
  | { kind: "fatal"; message: string }
  | { kind: "signal"; command: "reload" | "stop"; pid?: number }
  | { kind: "run"; run: RunOptions };

export interface RunOptions {
  debug: number;
  quiet: number;
  /** Stay in the foreground (-F, or -D without -B). */
  foreground: boolean;
  /** Write the PID file (background, or -FF). */
  pidFile: boolean;
  family?: 4 | 6;
  user?: string;
  chroot?: string;
}

export const DEPRECATED_LISTEN =
  "Specifying a listening addresses with '-i <address>' and '-p <port>' is deprecated. " +
  "Use 'LISTEN <address> [<port>]' in 'upsd.conf' instead.";

export function parseUpsdArgs(args: readonly string[]): UpsdAction {
  let r;
  try {
    r = getopt(args, UPSD_GETOPT);
  } catch (e) {
    if (e instanceof GetoptError) return { kind: "help", error: `upsd: ${e.message}` };
    throw e;
  }
  let command: "reload" | "stop" | undefined;
  let pid: number | undefined;
  let family: 4 | 6 | undefined;
  let user: string | undefined;
  let chroot: string | undefined;
  // processed in order, like NUT's getopt loop: the first terminal option wins
  for (const [c, arg] of r.opts) {
    switch (c) {
      case "h":
      case "f":
        return { kind: "help" };
      case "V":
        return { kind: "version" };
      case "p":
      case "i":
        return { kind: "fatal", message: DEPRECATED_LISTEN };
      case "c": {
        const w = arg ?? "";
        if (w !== "" && "reload".startsWith(w)) command = "reload";
        else if (w !== "" && "stop".startsWith(w)) command = "stop";
        else return { kind: "help" };
        break;
      }
      case "P": {
        const n = Number(arg);
        if (!Number.isInteger(n) || n < 1) return { kind: "fatal", message: `Invalid PID: ${arg}` };
        pid = n;
        break;
      }
      case "4":
        family = 4;
        break;
      case "6":
        family = 6;
        break;
      case "u":
        user = arg;
        break;
      case "r":
        chroot = arg;
        break;
    }
  }
  if (r.rest.length > 0) return { kind: "help" };
  if (command) return { kind: "signal", command, pid };
  const debug = count(r, "D");
  const fg = count(r, "F");
  const bg = count(r, "B") > 0;
  const foreground = !bg && (fg > 0 || debug > 0);
  return {
    kind: "run",
    run: {
      debug,
      quiet: count(r, "q"),
      foreground,
      pidFile: !foreground || fg >= 2,
      family,
      user,
      chroot,
    },
  };
}
