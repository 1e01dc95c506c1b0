/**
 * upsdrvctl's command line (spec daemons.md §4.1): NUT 2.8.0's options
 * `+htu:r:DdV` plus master's `-F`/`-FF`/`-B`, `-c <command>`, `-l`, and the
 * `list` and `status` commands. Pure: arguments in, what to do out.
 *
 * Kept from 2.8.0 on purpose: `-h`, an unknown option and a missing command
 * all print the help and exit 0. From master: words left after the UPS name
 * are an error (2.8.0 ignored them silently).
 *
 * @module
 */

import { getopt, GetoptError } from "../cli/getopt.ts";
import { NUT_VERSION } from "../conf/paths.ts";

export const UPSDRVCTL_GETOPT = "+htu:r:DdFBVc:l";

export const BANNER = `Network UPS Tools - UPS driver controller ${NUT_VERSION}`;

export type Command = "start" | "stop" | "shutdown" | "list" | "status" | "signal";

/** Commands of `-c`: a signal through the PID file, or a request over the socket. */
export const SIGNAL_COMMANDS = [
  "reload",
  "reload-or-error",
  "reload-or-exit",
  "exit",
  "dump",
  "data-dump",
] as const;
export type SignalCommand = typeof SIGNAL_COMMANDS[number];

export interface CtlOptions {
  command: Command;
  /** `-c` argument when command is "signal". */
  signal?: SignalCommand;
  /** One UPS, or all when undefined. */
  ups?: string;
  testMode: boolean;
  /** upsdrvctl's own debug level (-D count, at least 2 in test mode). */
  debug: number;
  /** `-d`: pass the debug level to the drivers as `-D…`. */
  passDebug: boolean;
  /** `-u <user>` for the drivers. */
  user?: string;
  /** `-r <dir>` for the drivers. */
  chroot?: string;
  /** undefined: default; 0: `-B`; 1: `-F`; 2: `-FF` (passed to the drivers). */
  foreground?: 0 | 1 | 2;
}

export type CtlAction =
  | { kind: "help"; error?: string }
  | { kind: "version" }
  /** A usage error; `testMode`/`debug` say how NUT prints it (after the test-mode line, timestamped). */
  | { kind: "fatal"; message: string; testMode?: boolean; debug?: number; passDebug?: boolean }
  | { kind: "run"; opts: CtlOptions };

export function helpText(prog: string): string {
  return `Starts and stops UPS drivers via ups.conf.

usage: ${prog} [OPTIONS] (start | stop | shutdown) [<ups>]
usage: ${prog} [OPTIONS] (list | status | -l) [<ups>]
usage: ${prog} [OPTIONS] -c <command> [<ups>]

  -h			display this help
  -r <path>		drivers will chroot to <path>
  -t			testing mode - prints actions without doing them
  -u <user>		drivers started will switch from root to <user>
  -D            	raise debugging level
  -d            	pass debugging level from upsdrvctl to driver
  -F			drivers stay in the foreground, upsdrvctl stays their parent
  -FF			same, and the drivers still write their PID files
  -B			drivers go to the background even when debugging
  -l			same as the list command
  -c <command>		ask running drivers to: reload, reload-or-error,
			reload-or-exit, exit, or dump their data (data-dump)
  start			start all UPS drivers in ups.conf
  start	<ups>		only start driver for UPS <ups>
  stop			stop all UPS drivers in ups.conf
  stop <ups>		only stop driver for UPS <ups>
  shutdown		shutdown all UPS drivers in ups.conf
  shutdown <ups>	only shutdown UPS <ups>
  list [<ups>]		list the UPS sections of ups.conf
  status [<ups>]	show whether the drivers run and answer
`;
}

export function parseCtlArgs(
  args: readonly string[],
  env: { NUT_DEBUG_LEVEL?: string } = {},
): CtlAction {
  let r;
  try {
    r = getopt(args, UPSDRVCTL_GETOPT);
  } catch (e) {
    if (e instanceof GetoptError) return { kind: "help", error: e.message };
    throw e;
  }
  const opts: CtlOptions = { command: "start", testMode: false, debug: 0, passDebug: false };
  let command: Command | undefined;
  for (const [o, v] of r.opts) {
    switch (o) {
      case "h":
        return { kind: "help" };
      case "V":
        return { kind: "version" };
      case "t":
        opts.testMode = true;
        break;
      case "u":
        opts.user = v;
        break;
      case "r":
        opts.chroot = v;
        break;
      case "D":
        opts.debug++;
        break;
      case "d":
        opts.passDebug = true;
        break;
      case "F":
        opts.foreground = opts.foreground !== undefined && opts.foreground > 0 ? 2 : 1;
        break;
      case "B":
        opts.foreground = 0;
        break;
      case "l":
        command = "list";
        break;
      case "c": {
        if (opts.signal !== undefined) {
          return {
            kind: "fatal",
            message: "Error: only one command per run can be sent with option -c. Try -h for help.",
          };
        }
        const sig = SIGNAL_COMMANDS.find((c) => c === v);
        if (!sig) {
          return {
            kind: "fatal",
            message: "Error: unknown argument to option -c. Try -h for help.",
          };
        }
        opts.signal = sig;
        command = "signal";
        break;
      }
    }
  }
  if (opts.debug === 0 && env.NUT_DEBUG_LEVEL && /^\d+$/.test(env.NUT_DEBUG_LEVEL)) {
    opts.debug = parseInt(env.NUT_DEBUG_LEVEL, 10);
  }
  const rest = [...r.rest];
  if (command === undefined && rest.length === 0) return { kind: "help" };
  if (opts.testMode) opts.debug = Math.max(opts.debug, 2);
  const fatal = (message: string): CtlAction => ({
    kind: "fatal",
    message,
    testMode: opts.testMode,
    debug: opts.debug,
    passDebug: opts.passDebug,
  });
  if (command === undefined) {
    const word = rest.shift()!;
    if (!["start", "stop", "shutdown", "list", "status"].includes(word)) {
      return fatal(`Error: unrecognized command [${word}]`);
    }
    command = word as Command;
  }
  opts.command = command;
  if (rest.length > 1) {
    return fatal(
      "Error: extra arguments left on command line\n(common options should be before a command and UPS name)",
    );
  }
  opts.ups = rest[0];
  return { kind: "run", opts };
}
