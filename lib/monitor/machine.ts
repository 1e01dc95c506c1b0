/**
 * upsmon's decisions as a pure state machine (spec upsmon.md §5–§7).
 *
 * Inputs: poll results per UPS, clock ticks (`recalc`, `tick`), the user's
 * FSD request, replies to the machine's own requests (FSD, NUMLOGINS). Every
 * input carries `now` (milliseconds); the machine never reads a clock or
 * touches a socket. Outputs: a list of actions (actions.ts) per input.
 *
 * One instance watches all MONITOR entries of one upsmon. Status handling
 * follows NUT master, with its documented bugs fixed: CAL clears again
 * (2.8.0 kept it forever), the ECO buzzword test does what it was meant to,
 * and the poll interval is derived from the current alert conditions.
 *
 * @module
 */

import type { MonitorEntry, UpsmonConfig } from "../conf/upsmon_conf.ts";
import type { Action, LogLevel } from "./actions.ts";
import {
  type Decision,
  decisionKey,
  formatDecision,
  isNotable,
  secs,
  type UpsVerdict,
  type VerdictRule,
} from "./decision.ts";
import { deliveryFor, notifyText, type NotifyType } from "./notify.ts";

/** Status conditions upsmon tracks per UPS. */
export type Flag =
  | "OL"
  | "OB"
  | "LB"
  | "FSD"
  | "CAL"
  | "OFF"
  | "BYPASS"
  | "ECO"
  | "ALARM"
  | "OVER"
  | "TRIM"
  | "BOOST";

/** Order in which flags are shown in decision records. */
const FLAG_ORDER: readonly Flag[] = [
  "FSD",
  "OL",
  "OB",
  "LB",
  "CAL",
  "OFF",
  "BYPASS",
  "ECO",
  "ALARM",
  "OVER",
  "TRIM",
  "BOOST",
];

/** Everything upsmon remembers about one UPS. */
export interface UpsState {
  entry: MonitorEntry;
  flags: Set<Flag>;
  /** -1 never polled, 0 lost, 1 fine. */
  commState: -1 | 0 | 1;
  /** -1 nothing seen yet (suppresses the first ONLINE), 0 on battery, 1 on line. */
  lineState: -1 | 0 | 1;
  /** OFF has lasted long enough to stop counting the UPS as a supply. */
  offState: boolean;
  /** Last good poll; undefined = never. */
  lastPoll?: number;
  /** Last moment the UPS was not OB+LB (or was calibrating). */
  lastNonCrit: number;
  lastRbWarn?: number;
  lastNcWarn?: number;
  /** An FSD notification was sent for the current FSD episode. */
  fsdNotified: boolean;
  /** When OB was last entered (for the decision log). */
  obSince?: number;
  offSince?: number;
  oblbSince?: number;
  overSince?: number;
  /** LB was set because the UPS went silent while on battery (DEADTIME). */
  promoted: boolean;
  /** Unclassified status tokens of the last status, in order. */
  others: string[];
  alarmText?: string;
  /** Current poll-failure state for log throttling. */
  failCode?: string;
  failCount: number;
}

/** A successful poll. */
export interface PollData {
  /** `ups.status` as upsd sent it (with `FSD ` when latched). */
  status: string;
  /** `ups.mode.buzzwords`, when the UPS has it. */
  buzzwords?: string;
  /** `ups.alarm`, read when the status says ALARM. */
  alarm?: string;
}

/** A failed poll: at which stage and why. */
export interface PollFailure {
  /** `connect`: no connection; `auth`: USERNAME/PASSWORD/LOGIN refused; `poll`: GET VAR failed. */
  stage: "connect" | "auth" | "poll";
  /** Client library text (`Connection failure: ...`, `Driver not connected`...) or a ready log line for `auth`. */
  message: string;
  /** Protocol error token if upsd answered `ERR <token>`. */
  token?: string;
}

export type Phase =
  | { name: "monitoring" }
  | { name: "fsd"; pending: Set<string> }
  | { name: "hostsync"; start: number; nextQuery: number; querying: boolean; first: boolean }
  | { name: "finaldelay"; until: number }
  | { name: "linger"; until: number; nextKeepAlive: number }
  | { name: "done" };

const HOSTSYNC_QUERY_MS = 250;
const KEEPALIVE_MS = 1000;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Buzzwords that mean ECO mode (what NUT master meant to test). */
export function buzzwordsSayEco(buzzwords: string | undefined): boolean {
  if (!buzzwords) return false;
  return [":ECO", ":ESS", ":HE", ":SMART"].some((w) => buzzwords.toUpperCase().includes(w));
}

/** NOT-handlers run when a condition's token is absent from the status. */
const CLEARED: ReadonlyArray<[Flag, NotifyType]> = [
  ["CAL", "NOTCAL"],
  ["OFF", "NOTOFF"],
  ["BYPASS", "NOTBYPASS"],
  ["ALARM", "NOTALARM"],
  ["OVER", "NOTOVER"],
  ["TRIM", "NOTTRIM"],
  ["BOOST", "NOTBOOST"],
];

export class MonitorMachine {
  #config: UpsmonConfig;
  #states = new Map<string, UpsState>();
  #out: Action[] = [];
  #phase: Phase = { name: "monitoring" };
  #lastDecisionKey: string | undefined;
  #lastDecisionNotable = false;

  constructor(config: UpsmonConfig, now: number) {
    this.#config = config;
    for (const e of config.monitors) this.#states.set(e.system, newState(e, now));
  }

  get config(): UpsmonConfig {
    return this.#config;
  }

  get phase(): Phase {
    return this.#phase;
  }

  /** True once the forced-shutdown sequence has begun (it never turns back). */
  get shuttingDown(): boolean {
    return this.#phase.name !== "monitoring";
  }

  /** The UPSes in configuration order. */
  get states(): UpsState[] {
    return [...this.#states.values()];
  }

  state(system: string): UpsState | undefined {
    return this.#states.get(system);
  }

  /**
   * Nothing is amiss: monitoring, every UPS answered its last poll, and
   * none is in a state that needs POLLFREQALERT. Only then may polls be
   * spaced out while upsd pushes changes (WATCH).
   */
  get calm(): boolean {
    if (this.#phase.name !== "monitoring") return false;
    for (const u of this.#states.values()) if (u.commState !== 1) return false;
    return !this.#alert();
  }

  /** Seconds to wait before the next regular poll (POLLFREQ / POLLFREQALERT). */
  get pollInterval(): number {
    const c = this.#config;
    if (this.#oblb()) {
      return Math.min(c.pollFreqAlert, Math.max(1, gcd(c.pollFreqAlert, c.oblbDuration)));
    }
    return this.#alert() ? c.pollFreqAlert : c.pollFreq;
  }

  /** Some UPS is in a state polled at POLLFREQALERT. */
  #alert(): boolean {
    const overCounts = this.#config.overDuration >= 0;
    for (const u of this.#states.values()) {
      const f = u.flags;
      if (
        f.has("OB") || f.has("OFF") || f.has("BYPASS") || f.has("ALARM") ||
        (f.has("OVER") && overCounts) || u.oblbSince !== undefined
      ) return true;
    }
    return false;
  }

  #oblb(): boolean {
    for (const u of this.#states.values()) if (u.oblbSince !== undefined) return true;
    return false;
  }

  /** When the shutdown sequence needs the next tick (ms timestamp), if it does. */
  nextWakeup(): number | undefined {
    const p = this.#phase;
    switch (p.name) {
      case "hostsync":
        return p.querying ? undefined : p.nextQuery;
      case "finaldelay":
        return p.until;
      case "linger":
        return Math.min(p.nextKeepAlive, p.until);
      default:
        return undefined;
    }
  }

  /** Exit on SIGTERM now? Not while the shutdown sequence is under way (NUT neither). */
  get exitAllowed(): boolean {
    return this.#phase.name === "monitoring" || this.#phase.name === "linger";
  }

  // ---------------------------------------------------------------- output

  #drain(): Action[] {
    const out = this.#out;
    this.#out = [];
    return out;
  }

  #log(level: LogLevel, message: string, debug?: number): void {
    this.#out.push(
      debug === undefined ? { kind: "log", level, message } : {
        kind: "log",
        level,
        message,
        debug,
      },
    );
  }

  #notify(type: NotifyType, system: string, extra?: string): void {
    this.#out.push({
      kind: "notify",
      type,
      ups: system,
      message: notifyText(this.#config, type, system, extra),
      delivery: deliveryFor(this.#config, type),
    });
  }

  // ---------------------------------------------------------------- config

  /**
   * A reloaded configuration: UPSes that stay keep their state, new ones
   * start fresh, removed ones are forgotten. SHUTDOWNCMD and POWERDOWNFLAG
   * must be handled by the caller (they cannot change at run time).
   */
  reconfigure(config: UpsmonConfig, now: number): Action[] {
    const next = new Map<string, UpsState>();
    for (const e of config.monitors) {
      const old = this.#states.get(e.system);
      if (!old) {
        next.set(e.system, newState(e, now));
        continue;
      }
      const o = old.entry;
      if (o.powerValue !== e.powerValue) {
        this.#log("info", `UPS [${e.system}]: redefined power value to ${e.powerValue}`);
      }
      if (o.username !== e.username) this.#log("info", `UPS [${e.system}]: redefined username`);
      if (o.password !== e.password) this.#log("info", `UPS [${e.system}]: redefined password`);
      if (o.role !== e.role) {
        this.#log("info", `UPS [${e.system}]: redefined as a ${e.role}`);
      }
      old.entry = e;
      next.set(e.system, old);
    }
    for (const system of this.#states.keys()) {
      if (!next.has(system)) this.#log("info", `No longer monitoring UPS [${system}]`);
    }
    this.#states = next;
    this.#config = config;
    return this.#drain();
  }

  // ---------------------------------------------------------------- polls

  /** A status was read from upsd. */
  pollOk(system: string, data: PollData, now: number): Action[] {
    const u = this.#states.get(system);
    if (!u || this.shuttingDown) return this.#drain();
    if (data.status.trim() === "") {
      this.#log("debug", `Poll UPS [${system}]: empty status, treating the UPS as gone`, 1);
      this.#gone(u, now);
      return this.#drain();
    }
    if (u.failCode !== undefined && this.#config.pollFailLogThrottleMax >= 0) {
      this.#log("info", `Poll UPS [${system}] recovered from failure state "${u.failCode}"`);
    }
    u.failCode = undefined;
    u.failCount = 0;
    u.lastPoll = now;
    if (u.commState === 0) this.#notify("COMMOK", system);
    u.commState = 1;
    this.#parseStatus(u, data, now);
    return this.#drain();
  }

  /** Polling this UPS failed (no connection, refused login, or an error reply). */
  pollFailed(system: string, failure: PollFailure, now: number): Action[] {
    const u = this.#states.get(system);
    if (!u || this.shuttingDown) return this.#drain();
    this.#logFailure(u, failure);
    this.#gone(u, now);
    return this.#drain();
  }

  #logFailure(u: UpsState, f: PollFailure): void {
    const system = u.entry.system;
    if (f.stage === "connect") {
      this.#log("error", `UPS [${system}]: connect failed: ${f.message}`);
      return;
    }
    if (f.stage === "auth") {
      this.#log("error", f.message);
      return;
    }
    const text = f.token === "UNKNOWN-UPS"
      ? `Poll UPS [${system}] failed - [${u.entry.ups}] does not exist on server ${u.entry.host}`
      : f.token === "UNKNOWN-COMMAND"
      ? `UPS [${system}]: Too old to monitor`
      : `Poll UPS [${system}] failed - ${f.message}`;
    const max = this.#config.pollFailLogThrottleMax;
    const code = f.token ?? f.message;
    if (max < 0) {
      this.#log("error", text);
      return;
    }
    if (u.failCode !== code) {
      const repeat = max === 0 ? "not be repeated" : `only be repeated every ${max} polling loops`;
      this.#log(
        "error",
        `Poll UPS [${system}] failure state changed from "${u.failCode ?? "none"}" to "${code}"; ` +
          `the report below will ${repeat}`,
      );
      u.failCode = code;
      u.failCount = 0;
      this.#log("error", text);
      return;
    }
    u.failCount++;
    if (max > 0 && u.failCount % max === 0) this.#log("error", text);
  }

  /** NUT's ups_is_gone: COMMBAD once, then NOCOMM every NOCOMMWARNTIME. */
  #gone(u: UpsState, now: number): void {
    const system = u.entry.system;
    if (u.commState !== 0) {
      u.commState = 0;
      this.#notify("COMMBAD", system);
      return;
    }
    const period = this.#config.noCommWarnTime * 1000;
    if (
      (u.lastPoll === undefined || now - u.lastPoll >= period) &&
      (u.lastNcWarn === undefined || now - u.lastNcWarn > period)
    ) {
      this.#notify("NOCOMM", system);
      u.lastNcWarn = now;
    }
  }

  #parseStatus(u: UpsState, data: PollData, now: number): void {
    const system = u.entry.system;
    const c = this.#config;
    const f = u.flags;
    const words = data.status.split(/\s+/).filter((w) => w !== "");
    const upper = new Set(words.map((w) => w.toUpperCase()));
    const eco = buzzwordsSayEco(data.buzzwords);

    // conditions that went away
    if (!upper.has("LB")) {
      f.delete("LB");
      u.promoted = false;
    }
    if (!upper.has("FSD")) {
      f.delete("FSD");
      u.fsdNotified = false;
    }
    for (const [flag, type] of CLEARED) {
      if (upper.has(flag) || !f.has(flag)) continue;
      f.delete(flag);
      if (flag === "OFF") {
        u.offState = false;
        u.offSince = undefined;
      }
      if (flag === "OVER") u.overSince = undefined;
      if (flag === "ALARM") u.alarmText = undefined;
      this.#notify(type, system);
    }
    if (!upper.has("ECO") && !eco && f.has("ECO")) {
      f.delete("ECO");
      this.#notify("NOTECO", system);
    }
    if (eco && !f.has("ECO")) {
      f.add("ECO");
      this.#notify("ECO", system);
    }

    const others: string[] = [];
    for (const word of words) {
      const tok = word.toUpperCase();
      switch (tok) {
        case "OL":
          if (!f.has("OL")) {
            if (u.lineState !== -1) this.#notify("ONLINE", system);
            u.lineState = 1;
            f.add("OL");
            f.delete("OB");
            u.obSince = undefined;
          }
          break;
        case "OB":
          if (!f.has("OB")) {
            u.lineState = 0;
            this.#notify("ONBATT", system);
            f.add("OB");
            f.delete("OL");
            u.obSince = now;
          }
          break;
        case "LB":
          if (!f.has("LB")) {
            this.#notify("LOWBATT", system);
            f.add("LB");
          }
          break;
        case "RB":
          if (u.lastRbWarn === undefined || now - u.lastRbWarn > c.rbWarnTime * 1000) {
            this.#notify("REPLBATT", system);
            u.lastRbWarn = now;
          }
          break;
        case "CAL":
        case "BYPASS":
        case "TRIM":
        case "BOOST":
        case "ECO":
          if (!f.has(tok)) {
            f.add(tok);
            this.#notify(tok, system);
          }
          break;
        case "OFF":
          if (!f.has("OFF")) {
            f.add("OFF");
            u.offSince = now;
            this.#notify("OFF", system);
            if (c.offDuration === 0) u.offState = true;
          }
          break;
        case "ALARM": {
          const text = data.alarm ?? "n/a";
          if (!f.has("ALARM")) {
            f.add("ALARM");
            u.alarmText = text;
            this.#notify("ALARM", system, text);
          } else if (text !== u.alarmText) {
            u.alarmText = text;
            this.#notify("ALARM", system, text);
          }
          break;
        }
        case "OVER":
          if (!f.has("OVER")) {
            f.add("OVER");
            u.overSince = now;
            this.#notify("OVER", system);
          }
          break;
        case "FSD":
          if (!f.has("FSD")) {
            f.add("FSD");
            if (!u.fsdNotified) {
              u.fsdNotified = true;
              this.#notify("FSD", system);
            }
          }
          break;
        case "HB":
        case "CHRG":
        case "DISCHRG":
          break;
        default:
          if (!others.includes(word)) others.push(word);
      }
      if (!(f.has("OB") && f.has("LB") && !f.has("CAL"))) u.lastNonCrit = now;
    }

    const before = u.others.join(" ");
    const after = others.join(" ");
    if (before !== after) {
      if (others.length > 0) this.#notify("OTHER", system, after);
      else this.#notify("NOTOTHER", system);
    }
    u.others = others;
  }

  // ---------------------------------------------------------------- decisions

  /**
   * Judge every UPS and sum the healthy supplies (NUT's recalc, once per
   * loop). May begin the forced shutdown.
   */
  recalc(now: number): Action[] {
    if (this.shuttingDown) return this.#drain();
    const c = this.#config;
    for (const u of this.#states.values()) {
      if (
        u.lastPoll !== undefined && now - u.lastPoll > c.deadTime * 1000 &&
        u.flags.has("OB") && !u.flags.has("LB")
      ) {
        u.flags.add("LB");
        u.promoted = true;
        this.#log("warning", `Promoting dead UPS: ${u.entry.system}`);
      }
    }
    const verdicts = this.states.map((u) => this.#judge(u, now, true));
    const healthy = sum(verdicts);
    const shutdown = healthy < c.minSupplies;
    const decision: Decision = {
      shutdown,
      reason: shutdown
        ? `Too few UPS(es) are healthy (${healthy}<${c.minSupplies})`
        : `healthy power value ${healthy} >= MINSUPPLIES ${c.minSupplies}`,
      healthy,
      minSupplies: c.minSupplies,
      ups: verdicts,
    };
    if (shutdown) {
      this.#log(
        "warning",
        `Too few UPS(es) are healthy (${healthy}<${c.minSupplies}), initiating forced shutdown`,
      );
      this.#record(decision);
      this.#forceShutdown(now);
    } else {
      const notable = isNotable(decision);
      const key = decisionKey(decision);
      if ((notable || this.#lastDecisionNotable) && key !== this.#lastDecisionKey) {
        this.#record(decision);
      }
    }
    return this.#drain();
  }

  #record(d: Decision): void {
    this.#lastDecisionKey = decisionKey(d);
    this.#lastDecisionNotable = isNotable(d);
    this.#out.push({ kind: "decision", decision: d, text: formatDecision(d) });
  }

  /**
   * One UPS's verdict (spec §6, rules in order). With `apply`, the rule's
   * side effects happen (log lines, OFF/OB+LB timers); without, it only looks.
   */
  #judge(u: UpsState, now: number, apply: boolean): UpsVerdict {
    const c = this.#config;
    const f = u.flags;
    const system = u.entry.system;
    const lost = u.commState === 0;
    const log = (level: LogLevel, msg: string) => apply && this.#log(level, msg);
    const timers: string[] = [];
    if (u.lastPoll !== undefined && (lost || now - u.lastPoll > c.pollFreqAlert * 2000)) {
      timers.push(`last good poll ${secs(now - u.lastPoll)} ago (DEADTIME ${c.deadTime}s)`);
    }
    if (f.has("OB") && u.obSince !== undefined) {
      timers.push(`on battery for ${secs(now - u.obSince)}`);
    }
    if (u.promoted) timers.push("LB assumed: silent while on battery for longer than DEADTIME");
    const verdict = (critical: boolean, rule: VerdictRule, why: string): UpsVerdict => ({
      system,
      role: u.entry.role,
      powerValue: u.entry.powerValue,
      status: FLAG_ORDER.filter((x) => f.has(x)).join(" "),
      comm: u.commState === 1 ? "ok" : u.commState === 0 ? "lost" : "never",
      critical,
      rule,
      why,
      timers,
    });

    if (f.has("FSD")) return verdict(true, "fsd", "forced shutdown (FSD) is set on the UPS");
    if (lost && f.has("OVER") && c.overDuration >= 0 && u.overSince !== undefined) {
      if (now - u.overSince >= c.overDuration * 1000) {
        log(
          "warning",
          `UPS [${system}] is overloaded for longer than OVERDURATION (${c.overDuration} s) ` +
            `and cannot be reached, assuming it is dead`,
        );
        timers.push(`overloaded for ${secs(now - u.overSince)} (OVERDURATION ${c.overDuration}s)`);
        return verdict(true, "over-lost", "overloaded and cannot be reached");
      }
    }
    if (lost && f.has("ALARM") && c.alarmCritical) {
      log(
        "warning",
        `UPS [${system}] was last seen with an active alarm and cannot be reached, ` +
          `assuming it is critical (set ALARMCRITICAL 0 to disable)`,
      );
      return verdict(true, "alarm-lost", "last seen with an alarm and cannot be reached");
    }
    if (lost && f.has("CAL")) {
      return verdict(true, "cal-lost", "last seen calibrating and cannot be reached");
    }
    if (lost && f.has("BYPASS")) {
      return verdict(true, "bypass-lost", "last seen on bypass and cannot be reached");
    }
    if (lost && (u.offState || (f.has("OFF") && c.offDuration >= 0))) {
      return verdict(true, "off-lost", "last seen OFF and cannot be reached");
    }
    if (f.has("OFF") && c.offDuration >= 0 && u.offSince !== undefined) {
      timers.push(`OFF for ${secs(now - u.offSince)} (OFFDURATION ${c.offDuration}s)`);
      if (!u.offState && now - u.offSince > c.offDuration * 1000 && apply) {
        u.offState = true;
        this.#log(
          "warning",
          `UPS [${system}] is in state OFF for ${Math.floor((now - u.offSince) / 1000)} sec, ` +
            `assuming the line is not fed (if it is calibrating, etc. - check the UPS)`,
        );
      }
      if (u.offState) {
        log("warning", `UPS [${system}] is reported as (administratively) OFF`);
        return verdict(true, "off", "administratively OFF for longer than OFFDURATION");
      }
    }
    if (!(f.has("OB") && f.has("LB"))) {
      if (u.oblbSince !== undefined && apply) {
        this.#log(
          "info",
          `UPS [${system}] returned from OB+LB state now after spending ` +
            `${Math.floor((now - u.oblbSince) / 1000)} seconds in it`,
        );
        u.oblbSince = undefined;
      }
      if (lost) {
        if (apply && (f.has("TRIM") || f.has("BOOST") || f.has("ECO"))) {
          this.#log(
            "debug",
            `UPS [${system}] cannot be reached; it was last seen in TRIM/BOOST/ECO mode`,
            1,
          );
        }
        return verdict(
          false,
          "comm-lost",
          f.has("OB")
            ? "cannot be reached, last seen on battery (LB is assumed after DEADTIME)"
            : "cannot be reached, last seen on line power",
        );
      }
      if (f.has("OB")) return verdict(false, "on-battery", "on battery, battery not low");
      if (f.has("LB")) {
        return verdict(false, "low-battery-online", "low battery while on line power");
      }
      if (f.has("OFF")) return verdict(false, "off-waiting", "OFF, not for long enough yet");
      if (u.commState === -1) return verdict(false, "never-seen", "not polled yet");
      return verdict(false, "healthy", "fine");
    }
    timers.push(`OB+LB for ${secs(now - u.lastNonCrit)}`);
    if (f.has("CAL")) {
      log(
        "warning",
        `is_ups_critical: seems that UPS [${system}] is OB+LB now, but it is also calibrating - ` +
          `not declaring a critical state`,
      );
      return verdict(false, "oblb-calibrating", "on battery and low, but calibrating");
    }
    if (c.oblbDuration > 0) {
      if (u.oblbSince === undefined) {
        if (apply) u.oblbSince = now;
        timers.push(`OBLBDURATION ${c.oblbDuration}s`);
        return verdict(false, "oblb-waiting", "on battery and low, waiting for OBLBDURATION");
      }
      timers.push(`OB+LB counted for ${secs(now - u.oblbSince)} (OBLBDURATION ${c.oblbDuration}s)`);
      if (now - u.oblbSince < c.oblbDuration * 1000) {
        log(
          "warning",
          `UPS [${system}] is in state OB+LB for ${Math.floor((now - u.oblbSince) / 1000)} sec, ` +
            `waiting for OBLBDURATION (${c.oblbDuration} sec) before declaring it critical`,
        );
        return verdict(false, "oblb-waiting", "on battery and low, waiting for OBLBDURATION");
      }
    }
    if (u.entry.role === "primary") {
      return verdict(true, "oblb-primary", "on battery and low battery");
    }
    const waited = now - u.lastNonCrit;
    timers.push(`HOSTSYNC ${c.hostSync}s`);
    if (waited > c.hostSync * 1000) {
      log(
        "warning",
        `Giving up on the primary for UPS [${system}] after ${Math.floor(waited / 1000)} ` +
          `sec since last comms`,
      );
      return verdict(true, "oblb-secondary-gave-up", "on battery and low, primary did not set FSD");
    }
    return verdict(
      false,
      "oblb-secondary-waiting",
      "on battery and low, waiting for the primary to set FSD",
    );
  }

  // ---------------------------------------------------------------- shutdown

  /** SIGUSR1 / `upsmon -c fsd`: the forced shutdown, whatever the UPSes say. */
  userFsd(now: number): Action[] {
    if (this.shuttingDown) return this.#drain();
    this.#log("warning", "Got an FSD signal, initiating forced shutdown");
    const verdicts = this.states.map((u) => this.#judge(u, now, false));
    this.#record({
      shutdown: true,
      reason: "the user requested a forced shutdown (upsmon -c fsd / SIGUSR1)",
      healthy: sum(verdicts),
      minSupplies: this.#config.minSupplies,
      ups: verdicts,
    });
    this.#forceShutdown(now);
    return this.#drain();
  }

  #forceShutdown(now: number): void {
    this.#log("debug", "Shutting down any UPSes in PRIMARY mode...", 1);
    const primaries = this.states.filter((u) => u.entry.role === "primary");
    if (primaries.length === 0) {
      this.#doShutdown(now);
      return;
    }
    this.#phase = { name: "fsd", pending: new Set(primaries.map((u) => u.entry.system)) };
    for (const u of primaries) this.#out.push({ kind: "setFsd", system: u.entry.system });
  }

  /** upsd's answer to our `FSD <ups>`: undefined = OK, else the error text. */
  fsdResult(system: string, error: string | undefined, now: number): Action[] {
    const p = this.#phase;
    if (p.name !== "fsd" || !p.pending.delete(system)) return this.#drain();
    const u = this.#states.get(system);
    if (error !== undefined) {
      this.#log("error", `FSD set on UPS ${system} failed: ${error}`);
    } else if (u && !u.fsdNotified) {
      u.fsdNotified = true;
      this.#notify("FSD", system);
    }
    if (p.pending.size === 0) {
      this.#phase = { name: "hostsync", start: now, nextQuery: now, querying: true, first: true };
      this.#out.push({ kind: "queryLogins" });
    }
    return this.#drain();
  }

  /**
   * The highest `NUMLOGINS` among our primary UPSes (failures count as 0).
   * At most 1 means only we are left: go on with the shutdown.
   */
  logins(max: number, now: number): Action[] {
    const p = this.#phase;
    if (p.name !== "hostsync") return this.#drain();
    p.querying = false;
    if (max <= 1) {
      this.#doShutdown(now);
      return this.#drain();
    }
    if (now - p.start > this.#config.hostSync * 1000) {
      this.#log("info", "Host sync timer expired, forcing shutdown");
      this.#doShutdown(now);
      return this.#drain();
    }
    if (p.first) {
      p.first = false;
      this.#notify("SHUTDOWN_HOSTSYNC", "");
    }
    p.nextQuery = now + HOSTSYNC_QUERY_MS;
    return this.#drain();
  }

  #doShutdown(now: number): void {
    const text = "Executing automatic power-fail shutdown";
    this.#log("crit", text);
    this.#out.push({ kind: "wall", message: text });
    this.#notify("SHUTDOWN", "");
    this.#phase = { name: "finaldelay", until: now + this.#config.finalDelay * 1000 };
    if (this.#config.finalDelay <= 0) this.#runShutdown(now);
  }

  #runShutdown(now: number): void {
    this.#out.push({ kind: "shutdown" });
    const n = this.#config.shutdownExit;
    if (n === 0) {
      this.#exitAfterShutdown();
      return;
    }
    if (n > 0) {
      this.#log(
        "warning",
        `Configured to only exit upsmon SHUTDOWNEXIT=${n} sec after initiating shutdown`,
      );
    } else {
      this.#log("warning", "Configured to not exit upsmon after initiating shutdown");
    }
    this.#phase = {
      name: "linger",
      until: n > 0 ? now + n * 1000 : Infinity,
      nextKeepAlive: now + KEEPALIVE_MS,
    };
  }

  #exitAfterShutdown(): void {
    this.#log("warning", "Exiting upsmon program after initiating shutdown");
    this.#phase = { name: "done" };
    this.#out.push({ kind: "exit", code: 0 });
  }

  /** Clock tick for the shutdown sequence (see nextWakeup). */
  tick(now: number): Action[] {
    const p = this.#phase;
    switch (p.name) {
      case "hostsync":
        if (!p.querying && now >= p.nextQuery) {
          p.querying = true;
          this.#out.push({ kind: "queryLogins" });
        }
        break;
      case "finaldelay":
        if (now >= p.until) this.#runShutdown(now);
        break;
      case "linger":
        if (now >= p.until) {
          this.#exitAfterShutdown();
        } else if (now >= p.nextKeepAlive) {
          p.nextKeepAlive = now + KEEPALIVE_MS;
          this.#out.push({ kind: "keepAlive" });
        }
        break;
    }
    return this.#drain();
  }

  /** A signal asked us to leave while lingering after the shutdown. */
  stopLingering(): Action[] {
    if (this.#phase.name === "linger") this.#exitAfterShutdown();
    return this.#drain();
  }
}

function newState(entry: MonitorEntry, now: number): UpsState {
  return {
    entry,
    flags: new Set(),
    commState: -1,
    lineState: -1,
    offState: false,
    lastNonCrit: now,
    fsdNotified: false,
    promoted: false,
    others: [],
    failCount: 0,
  };
}

function sum(verdicts: UpsVerdict[]): number {
  return verdicts.reduce((s, v) => s + (v.critical ? 0 : v.powerValue), 0);
}
