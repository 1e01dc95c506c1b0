/**
 * upsmon.conf (spec upsmon.md §3): the directives of NUT 2.8.5, parsed
 * without side effects. Every problem is reported in file order as a note;
 * bad lines are skipped (NUT's warn-and-continue), and the few problems NUT
 * treats as fatal (old-style MONITOR lines) are flagged so the caller can
 * refuse to start or refuse a reload.
 *
 * Keywords are case-sensitive (DEBUG_MIN excepted), as in NUT. Numbers must
 * be whole decimal numbers: NUT's atoi() reads "abc" as 0, which would for
 * instance turn `POLLFREQ abc` into a busy loop; we report such a line.
 *
 * @module
 */

import { AddressError, parseUpsAddress } from "../client/address.ts";
import { ConfigError } from "./errors.ts";
import { tokenizeText } from "./tokenizer.ts";

export type MonitorRole = "primary" | "secondary";

/** One `MONITOR system powervalue username password role` line. */
export interface MonitorEntry {
  /** The system string as written (`ups@host:port`): upsmon's name for the UPS. */
  system: string;
  ups: string;
  host: string;
  port: number;
  powerValue: number;
  username: string;
  password: string;
  role: MonitorRole;
  lineNo: number;
}

export const NOTIFY_FLAGS = ["SYSLOG", "WALL", "EXEC", "IGNORE"] as const;
export type NotifyFlag = typeof NOTIFY_FLAGS[number];

/**
 * Notification types this upsmon knows (NUT 2.8.5 plus the post-2.8.5
 * SUSPEND_TIMEJUMP_UNEXPECTED name, so configs written for newer NUT load).
 */
export const NOTIFY_TYPES = [
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
  "SHUTDOWN_HOSTSYNC",
  "SUSPEND_TIMEJUMP_UNEXPECTED",
  "OTHER",
  "NOTOTHER",
  "SUSPEND_STARTING",
  "SUSPEND_FINISHED",
] as const;
export type NotifyType = typeof NOTIFY_TYPES[number];

export function isNotifyType(s: string): s is NotifyType {
  return (NOTIFY_TYPES as readonly string[]).includes(s);
}

/** `CERTHOST host[:port] certname verify forcessl` */
export interface CertHost {
  host: string;
  certName: string;
  verify: boolean;
  forceSsl: boolean;
}

export interface UpsmonConfig {
  monitors: MonitorEntry[];
  minSupplies: number;
  /** The command line handed to `sh -c` (multi-word form joined as NUT master does). */
  shutdownCmd?: string;
  /** The command line handed to `sh -c`, the message appended as the last argument. */
  notifyCmd?: string;
  /** NOTIFYMSG overrides by type. */
  notifyMsg: Partial<Record<NotifyType, string>>;
  /** NOTIFYFLAG overrides by type (a line replaces all flags of its type). */
  notifyFlag: Partial<Record<NotifyType, NotifyFlag[]>>;
  pollFreq: number;
  pollFreqAlert: number;
  deadTime: number;
  hostSync: number;
  finalDelay: number;
  rbWarnTime: number;
  noCommWarnTime: number;
  powerDownFlag?: string;
  runAsUser?: string;
  /** Seconds OFF must last before the UPS stops counting; 0 at once; <0 never. */
  offDuration: number;
  /** Seconds OVER plus lost comms before critical; <0 never. */
  overDuration: number;
  /** Seconds OB+LB must last before it counts (0 = at once). */
  oblbDuration: number;
  /** After SHUTDOWNCMD: 0 exit now, N>0 linger N s, <0 never exit. */
  shutdownExit: number;
  alarmCritical: boolean;
  debugMin?: number;
  /** -1 log every failed poll, 0 only changes, N>0 every N loops. */
  pollFailLogThrottleMax: number;
  certPath?: string;
  certFile?: string;
  certIdent?: { name: string; password: string };
  certHosts: CertHost[];
  certVerify: boolean;
  forceSsl: boolean;
}

export function defaultUpsmonConfig(): UpsmonConfig {
  return {
    monitors: [],
    minSupplies: 1,
    notifyMsg: {},
    notifyFlag: {},
    pollFreq: 5,
    pollFreqAlert: 5,
    deadTime: 15,
    hostSync: 15,
    finalDelay: 5,
    rbWarnTime: 43200,
    noCommWarnTime: 300,
    offDuration: 30,
    overDuration: -1,
    oblbDuration: 0,
    shutdownExit: 0,
    alarmCritical: true,
    pollFailLogThrottleMax: -1,
    certHosts: [],
    certVerify: false,
    forceSsl: false,
  };
}

/** A message produced while parsing, in file order. */
export interface ConfNote {
  kind: "error" | "warning" | "info";
  message: string;
  lineNo?: number;
}

export interface UpsmonConfResult {
  config: UpsmonConfig;
  /** Everything worth logging, in order (errors are `file:line: ...`). */
  notes: ConfNote[];
  /** The lines that were skipped (tokenizer errors and invalid directives). */
  errors: ConfigError[];
  /** Set when NUT would refuse the whole file (old-style MONITOR lines). */
  fatal?: string;
}

const INT = /^[+-]?\d+$/;

function int(word: string): number | undefined {
  return INT.test(word) ? parseInt(word, 10) : undefined;
}

/** NUT master's joining of a multi-word command: `tok1 'tok2' 'tok3'`. */
export function joinCommand(words: readonly string[]): string {
  const [first, ...rest] = words;
  return [first, ...rest.map((w) => `'${w.replaceAll("'", `'\\''`)}'`)].join(" ");
}

/** Parse upsmon.conf text (`file` names it in messages). */
export function parseUpsmonConf(text: string | Uint8Array, file: string): UpsmonConfResult {
  const config = defaultUpsmonConfig();
  const notes: ConfNote[] = [];
  const errors: ConfigError[] = [];
  let fatal: string | undefined;
  const { lines, errors: syntax } = tokenizeText(text);

  // tokenizer errors and directive lines interleaved in line order
  const events: Array<{ lineNo: number; words?: string[]; syntax?: string }> = [
    ...lines.map((l) => ({ lineNo: l.lineNo, words: l.words })),
    ...syntax.map((e) => ({ lineNo: e.lineNo, syntax: e.message })),
  ].sort((a, b) => a.lineNo - b.lineNo);

  const error = (lineNo: number, detail: string) => {
    const e = new ConfigError(file, lineNo, detail);
    errors.push(e);
    notes.push({ kind: "error", message: e.message, lineNo });
  };
  const warn = (lineNo: number, message: string) =>
    notes.push({ kind: "warning", message, lineNo });
  const info = (lineNo: number, message: string) => notes.push({ kind: "info", message, lineNo });

  for (const ev of events) {
    const lineNo = ev.lineNo;
    if (ev.syntax !== undefined) {
      error(lineNo, `Parse error: ${ev.syntax}`);
      continue;
    }
    const words = ev.words!;
    const [key, ...args] = words;
    const invalid = () => error(lineNo, `invalid directive ${words.join(" ")}`);

    /** A whole number for KEY; reports and returns undefined otherwise. */
    const num = (min?: number, what = key): number | undefined => {
      const n = int(args[0]);
      if (n === undefined) {
        error(lineNo, `${what}: '${args[0]}' is not a whole number`);
        return undefined;
      }
      if (min !== undefined && n < min) {
        warn(lineNo, `Ignoring invalid ${what} value`);
        return undefined;
      }
      return n;
    };
    const bool01 = (): boolean | undefined => {
      if (args[0] === "0" || args[0] === "1") return args[0] === "1";
      error(lineNo, `${key}: '${args[0]}' is not 0 or 1`);
      return undefined;
    };

    if (args.length === 0 && key !== "MONITOR") {
      invalid();
      continue;
    }
    switch (key) {
      case "MONITOR": {
        if (args.length === 4) {
          fatal ??= "Unable to use old-style MONITOR line without a username";
          error(lineNo, "Unable to use old-style MONITOR line without a username");
          notes.push({
            kind: "error",
            message: "Convert it and add a username to upsd.users - see the documentation",
            lineNo,
          });
          break;
        }
        if (args.length < 5) {
          invalid();
          break;
        }
        const [system, pvText, username, password, roleText] = args;
        let addr;
        try {
          addr = parseUpsAddress(system);
        } catch (e) {
          if (!(e instanceof AddressError)) throw e;
          error(lineNo, `Error: unable to split UPS name [${system}]: ${e.message}`);
          break;
        }
        const pv = int(pvText);
        if (pv === undefined || pv < 0) {
          error(lineNo, `UPS [${system}]: ignoring invalid power value [${pvText}]`);
          break;
        }
        if (config.monitors.some((m) => m.system === system)) {
          warn(lineNo, `Warning: ignoring duplicate UPS [${system}]`);
          break;
        }
        const lower = roleText.toLowerCase();
        const role: MonitorRole = lower === "primary" || lower === "master"
          ? "primary"
          : "secondary";
        config.monitors.push({
          system,
          ups: addr.ups,
          host: addr.host,
          port: addr.port,
          powerValue: pv,
          username,
          password,
          role,
          lineNo,
        });
        info(
          lineNo,
          pv === 0
            ? `UPS: ${system} (monitoring only)`
            : `UPS: ${system} (${role}) (power value ${pv})`,
        );
        break;
      }
      case "MINSUPPLIES": {
        const n = num(0);
        if (n !== undefined) config.minSupplies = n;
        break;
      }
      case "SHUTDOWNCMD":
        config.shutdownCmd = joinCommand(args);
        break;
      case "NOTIFYCMD":
        config.notifyCmd = joinCommand(args);
        break;
      case "NOTIFYMSG": {
        if (args.length < 2) {
          invalid();
          break;
        }
        const type = args[0].toUpperCase();
        if (!isNotifyType(type)) {
          error(lineNo, `'${args[0]}' is not a valid notify event name`);
          break;
        }
        config.notifyMsg[type] = args[1];
        break;
      }
      case "NOTIFYFLAG": {
        if (args.length < 2) {
          invalid();
          break;
        }
        const type = args[0].toUpperCase();
        if (!isNotifyType(type)) {
          warn(lineNo, `Warning: invalid notify type [${args[0]}]`);
          break;
        }
        const flags: NotifyFlag[] = [];
        for (const f of args[1].split("+")) {
          if ((NOTIFY_FLAGS as readonly string[]).includes(f)) {
            if (!flags.includes(f as NotifyFlag)) flags.push(f as NotifyFlag);
          } else {
            error(lineNo, `Invalid notify flag: [${f}]`);
          }
        }
        config.notifyFlag[type] = flags;
        break;
      }
      case "POLLFREQ":
      case "POLLFREQALERT": {
        // 0 would poll in a busy loop (NUT allows it); refuse it like a negative value
        const n = num(1);
        if (n !== undefined) config[key === "POLLFREQ" ? "pollFreq" : "pollFreqAlert"] = n;
        break;
      }
      case "DEADTIME":
      case "HOSTSYNC":
      case "FINALDELAY":
      case "RBWARNTIME":
      case "NOCOMMWARNTIME": {
        const n = num(0);
        if (n === undefined) break;
        const field = ({
          DEADTIME: "deadTime",
          HOSTSYNC: "hostSync",
          FINALDELAY: "finalDelay",
          RBWARNTIME: "rbWarnTime",
          NOCOMMWARNTIME: "noCommWarnTime",
        } as const)[key];
        config[field] = n;
        break;
      }
      case "POWERDOWNFLAG":
        config.powerDownFlag = args[0];
        break;
      case "RUN_AS_USER":
        config.runAsUser = args[0];
        break;
      case "OFFDURATION": {
        const n = num();
        if (n !== undefined) config.offDuration = n;
        break;
      }
      case "OVERDURATION": {
        const n = num();
        if (n !== undefined) config.overDuration = n;
        break;
      }
      case "OBLBDURATION": {
        const n = num();
        if (n !== undefined) config.oblbDuration = n < 1 ? 0 : n;
        break;
      }
      case "SHUTDOWNEXIT": {
        const v = args[0].toLowerCase();
        if (["yes", "on", "true"].includes(v)) config.shutdownExit = 0;
        else if (["no", "off", "false"].includes(v)) config.shutdownExit = -1;
        else if (int(v) !== undefined) config.shutdownExit = int(v)!;
        else {
          warn(lineNo, "SHUTDOWNEXIT value not recognized, defaulting to 'yes'");
          config.shutdownExit = 0;
        }
        break;
      }
      case "ALARMCRITICAL": {
        const b = bool01();
        if (b !== undefined) config.alarmCritical = b;
        break;
      }
      case "POLLFAIL_LOG_THROTTLE_MAX": {
        const n = num(-1);
        if (n !== undefined && n < 2147483647) config.pollFailLogThrottleMax = n;
        break;
      }
      case "CERTPATH":
        config.certPath = args[0];
        break;
      case "CERTFILE":
        config.certFile = args[0];
        break;
      case "CERTIDENT":
        if (args.length < 2) {
          invalid();
          break;
        }
        config.certIdent = { name: args[0], password: args[1] };
        break;
      case "CERTHOST":
        if (args.length < 4 || !/^[01]$/.test(args[2]) || !/^[01]$/.test(args[3])) {
          invalid();
          break;
        }
        config.certHosts.push({
          host: args[0],
          certName: args[1],
          verify: args[2] === "1",
          forceSsl: args[3] === "1",
        });
        break;
      case "CERTVERIFY": {
        const b = bool01();
        if (b !== undefined) config.certVerify = b;
        break;
      }
      case "FORCESSL": {
        const b = bool01();
        if (b !== undefined) config.forceSsl = b;
        break;
      }
      default:
        if (key.toUpperCase() === "DEBUG_MIN") {
          const n = num(0, "DEBUG_MIN");
          if (n !== undefined) config.debugMin = n;
          break;
        }
        invalid();
    }
  }
  return { config, notes, errors, fatal };
}

/** The sum of all power values. */
export function totalPowerValue(config: UpsmonConfig): number {
  return config.monitors.reduce((s, m) => s + m.powerValue, 0);
}

/**
 * NUT's start-up refusal when the configured supplies cannot reach
 * MINSUPPLIES (printed on stdout), or undefined when the sum is enough.
 */
export function insufficientPowerText(config: UpsmonConfig): string | undefined {
  const total = totalPowerValue(config);
  if (total >= config.minSupplies) return undefined;
  return [
    "",
    "Fatal error: insufficient power configured!",
    "",
    `Sum of power values........: ${total}`,
    `Minimum value (MINSUPPLIES): ${config.minSupplies}`,
    "",
    "Edit your upsmon.conf and change the values.",
    "",
  ].join("\n");
}

/** True when any TLS directive is set (parsed, not enforced yet). */
export function usesTlsSettings(config: UpsmonConfig): boolean {
  return config.certPath !== undefined || config.certFile !== undefined ||
    config.certIdent !== undefined || config.certHosts.length > 0 || config.certVerify ||
    config.forceSsl;
}
