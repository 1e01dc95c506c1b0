/**
 * Runs any Q* protocol table (protocols.ts) against a unit: autodetection
 * (each protocol's claim rows), the start-up read of every row, polls
 * (quick: the status query only; full: every non-static row, each
 * `pollfreq`), battery estimates, instant commands and settable variables.
 *
 * Replies are hostile input: a missing, short, mis-led or non-numeric
 * reply is logged with the query and the bytes, never published, and a
 * poll whose status reply is unusable counts as failed (the driver decides
 * when the data goes stale).
 *
 * @module
 */

import type { DriverContext } from "../../driver/types.ts";
import { FLAG_RW } from "../../state/tree.ts";
import {
  chargeFromVoltage,
  detectPacks,
  guessVoltageLimits,
  parseRuntimeCal,
  RuntimeModel,
} from "./battery.ts";
import { type ConvContext, CONVERSIONS, type ConvResult, logLine, RANGE_RULES } from "./convert.ts";
import {
  offDelayText,
  onDelayText,
  roundMinutes,
  roundShutdownDelay,
  testMinutesText,
} from "./delays.ts";
import { cformat, fieldNumber, fixed, isNumericField, isNumericFormat } from "./format.ts";
import type { QxCommand, QxDriverVar, QxItem, QxProtocol, QxSetter } from "./items.ts";
import { type QxLink, shown } from "./link.ts";

/** How ups.status tokens are ordered (hw-serial.md §1.3). */
export const STATUS_ORDER = [
  "OL",
  "OB",
  "DISCHRG",
  "CHRG",
  "LB",
  "OVER",
  "RB",
  "TRIM",
  "BOOST",
  "BYPASS",
  "OFF",
  "CAL",
  "FSD",
];

/** Tracking results of SET / INSTCMD (NUT's STAT_* codes). */
export const HANDLED = 0;
export const UNKNOWN = 1;
export const INVALID = 2;
export const FAILED = 3;

/** Times each claim query is tried before the next protocol is tried. */
export const CLAIM_TRIES = 3;

/** Why a reply is unusable, or undefined when it is fine. */
export function replyProblem(item: QxItem, reply: string | null, ack?: string): string | undefined {
  if (reply === null) return "no reply";
  const body = reply.replace(/\r$/, "");
  if (ack && body === "(NAK") return "query rejected by the UPS";
  if (!reply.endsWith("\r")) return `incomplete reply ${shown(reply)} (no CR)`;
  if (reply.length < item.minLength) {
    const got = `${reply.length} bytes, at least ${item.minLength} expected`;
    return `short reply ${shown(reply)} (${got})`;
  }
  if (item.lead && body[0] !== item.lead) {
    return `invalid reply ${shown(reply)} (should start with '${item.lead}')`;
  }
  return undefined;
}

export interface EngineOptions {
  /** Seconds between full updates (`pollfreq`). */
  pollFreq?: number;
  /** Clock (ms). */
  now?: () => number;
  /**
   * How the engine publishes for the legacy blazer drivers: identity as
   * ups.mfr/ups.model, battery voltage always multiplied by the pack count,
   * delays not settable.
   */
  legacy?: boolean;
}

interface PassOutcome {
  /** Queries that gave no usable reply, and why. */
  failed: Map<string, string>;
  /** Queries answered in this pass. */
  answered: Set<string>;
}

export class QxEngine {
  voltronicProtocol: number | undefined;
  readonly pollFreq: number;
  #now: () => number;
  #statusByQuery = new Map<string, string[]>();
  #alarmsByQuery = new Map<string, string[]>();
  #logged = new Map<string, string>();
  #lastFull = Number.NEGATIVE_INFINITY;
  #forceFull = false;
  #packs = 1;
  #runtime: RuntimeModel | undefined;
  #estimate = false;
  #delays = new Map<string, number>();
  /** Last usable reply (without CR) per query. */
  #lastReplies = new Map<string, string>();

  constructor(
    readonly ctx: DriverContext,
    public link: QxLink,
    readonly protocol: QxProtocol,
    readonly opts: EngineOptions = {},
  ) {
    this.pollFreq = opts.pollFreq ?? 30;
    this.#now = opts.now ?? Date.now;
  }

  /** The status query: the first one with quick rows. */
  get statusQuery(): string {
    return this.protocol.items.find((i) => i.flags?.includes("quick"))!.query;
  }

  #skipped(item: QxItem): boolean {
    const p = this.protocol;
    if (p.ratingQuery === item.query && this.ctx.testvar("norating")) return true;
    if (p.vendorQuery === item.query && this.ctx.testvar("novendor")) return true;
    return false;
  }

  // ---------------------------------------------------------------- detection

  /**
   * Does this unit speak `protocol`? Each claim row must read fine (tried
   * CLAIM_TRIES times). Returns undefined on success, else why not.
   */
  static async claim(
    ctx: DriverContext,
    link: QxLink,
    protocol: QxProtocol,
  ): Promise<{ engine?: QxEngine; why: string }> {
    const engine = new QxEngine(ctx, link, protocol);
    const names = [...protocol.claim.items];
    if (!ctx.testvar("novendor")) names.push(...(protocol.claim.vendorItems ?? []));
    for (const name of names) {
      const item = protocol.items.find((i) => i.info === name)!;
      let why = "";
      for (let t = 0; t < CLAIM_TRIES; t++) {
        const reply = await link.exchange(item.query);
        const r = engine.#evaluate(item, reply);
        if (r.value !== undefined) {
          why = "";
          if (item.info === "input.voltage" || item.conv?.endsWith("Protocol")) {
            ctx.state.setInfo(item.info, r.value);
          }
          break;
        }
        why = `${item.query}: ${r.invalid ?? r.skip ?? "no value"}`;
      }
      if (why) return { why };
    }
    return { engine, why: "" };
  }

  // ---------------------------------------------------------------- reading rows

  #convContext(reply: string): ConvContext {
    return {
      reply,
      get: (n) => this.ctx.state.getInfo(n),
      flag: (n) => this.ctx.testvar(n),
      lastReply: (q) => this.#lastReplies.get(q),
      protocol: this.voltronicProtocol,
      setProtocol: (n) => this.voltronicProtocol = n,
    };
  }

  /** What one row makes of a reply. */
  #evaluate(item: QxItem, reply: string | null): ConvResult {
    const problem = replyProblem(item, reply, this.protocol.ack);
    if (problem) return { invalid: problem };
    const body = reply!.replace(/\r$/, "");
    const field = body.slice(item.from, item.to + 1);
    if (item.conv === "battvolt") return this.#batteryVoltage(item, field);
    if (item.conv) {
      const conv = CONVERSIONS[item.conv];
      if (!conv) return { invalid: `no conversion named ${item.conv}` };
      return conv(field, item, this.#convContext(body));
    }
    if (item.flags?.includes("nonut")) return logLine(item, field);
    const fmt = item.fmt ?? "%s";
    if (isNumericFormat(fmt)) {
      if (!isNumericField(field)) return { invalid: `non numerical value ${shown(field)}` };
      return { value: cformat(fmt, fieldNumber(field)) };
    }
    const text = item.flags?.includes("trim") ? field.trim() : field;
    return text === "" ? { skip: "non significant value" } : { value: cformat(fmt, text) };
  }

  #batteryVoltage(item: QxItem, field: string): ConvResult {
    if (!isNumericField(field)) return { invalid: `non numerical value ${shown(field)}` };
    const multiply = this.opts.legacy || this.ctx.testvar("battery_voltage_reports_one_pack");
    const v = fieldNumber(field) * (multiply ? this.#packs : 1);
    return { value: cformat(item.fmt ?? "%.2f", v) };
  }

  /** Log a row's problem once per distinct text (so a poll loop does not flood the log). */
  #note(key: string, text: string, level: "warn" | "debug" | "info"): void {
    if (this.#logged.get(key) === text) return;
    this.#logged.set(key, text);
    if (level === "debug") this.ctx.log.debug(2, text);
    else this.ctx.log[level](text);
  }

  /** Read the rows selected by `want`, each query once; publish what they give. */
  async #pass(want: (item: QxItem) => boolean, startup: boolean): Promise<PassOutcome> {
    const replies = new Map<string, string | null>();
    const outcome: PassOutcome = { failed: new Map(), answered: new Set() };
    const fresh = new Set<string>();
    for (const item of this.protocol.items) {
      if (!want(item) || this.#skipped(item)) continue;
      if (!replies.has(item.query)) {
        // a unit that does not answer its status query gets no more queries
        // in this pass: a silent unit costs one timeout per poll, not one per query
        const silent = replies.has(this.statusQuery) && replies.get(this.statusQuery) === null;
        replies.set(item.query, silent ? null : await this.link.exchange(item.query));
      }
      const reply = replies.get(item.query)!;
      const r = this.#evaluate(item, reply);
      const problem = replyProblem(item, reply, this.protocol.ack);
      if (problem) {
        outcome.failed.set(item.query, problem);
        continue;
      }
      outcome.answered.add(item.query);
      this.#lastReplies.set(item.query, reply!.replace(/\r$/, ""));
      if (!fresh.has(item.query)) {
        fresh.add(item.query);
        this.#statusByQuery.set(item.query, []);
        this.#alarmsByQuery.set(item.query, []);
      }
      this.#apply(item, r, startup);
    }
    for (const [query, why] of outcome.failed) {
      const level = this.protocol.ack && why === "query rejected by the UPS" ? "debug" : "warn";
      // optional queries a unit does not know are normal; only the status query matters
      this.#note(
        `query:${query}`,
        `${query}: ${why}`,
        query === this.statusQuery ? level : "debug",
      );
    }
    for (const query of outcome.answered) this.#logged.delete(`query:${query}`);
    return outcome;
  }

  #apply(item: QxItem, r: ConvResult, startup: boolean): void {
    const state = this.ctx.state;
    if (r.status) this.#statusByQuery.get(item.query)!.push(...r.status);
    if (r.alarms) this.#alarmsByQuery.get(item.query)!.push(...r.alarms);
    if (r.invalid) {
      this.#note(
        `item:${item.info}:${item.from}`,
        `${item.query} ${item.info}: ${r.invalid}`,
        "warn",
      );
      return;
    }
    this.#logged.delete(`item:${item.info}:${item.from}`);
    if (r.skip) {
      if (this.opts.legacy && item.conv === "identity" && item.arg !== "serial") {
        state.setInfo(legacyName(item.info), ""); // blazer publishes empty identity fields
      }
      // a skipped value is normal (blank field); some deserve a line (all-zero serial)
      if (r.log !== undefined) this.#note(`skip:${item.info}`, r.log, startup ? "info" : "debug");
      else this.#note(`skip:${item.info}`, `${item.info}: ${r.skip}`, "debug");
      return;
    }
    if (r.log !== undefined) {
      this.#note(`log:${item.info}`, r.log, "info");
      this.#settableRange(item);
      return;
    }
    if (r.value === undefined || item.info === "ups.status" || item.info === "ups.alarm") return;
    const name = this.opts.legacy ? legacyName(item.info) : item.info;
    state.setInfo(name, r.value);
    if (item.set && startup) this.#makeSettable(item);
  }

  /** A device variable the client may SET: RW, and its enums or range. */
  #makeSettable(item: QxItem): void {
    const set = item.set!;
    if (!set.wire) return;
    const state = this.ctx.state;
    state.setFlags(item.info, FLAG_RW);
    if (set.enums) {
      for (const v of Object.keys(set.enums)) state.addEnum(item.info, v);
      return;
    }
    const range = this.#range(set.range);
    if (range) {
      state.addRange(item.info, range.range[0], range.range[1]);
      if (range.minmax) {
        state.setInfo(`${item.info}.min`, String(range.range[0]));
        state.setInfo(`${item.info}.max`, String(range.range[1]));
      }
    }
  }

  #settableRange(item: QxItem): void {
    const range = this.#range(item.set?.range);
    if (!range) return;
    const dec = item.fmt?.includes(".1f") ? 1 : 0;
    this.#note(
      `range:${item.info}`,
      `${item.info}, settable range: ${fixed(range.range[0], dec)}..${fixed(range.range[1], dec)}`,
      "info",
    );
  }

  #range(rule: QxSetter["range"]) {
    if (rule === undefined) return undefined;
    if (typeof rule !== "string") return { range: [rule[0], rule[1]] as [number, number] };
    return RANGE_RULES[rule]?.((n) => this.ctx.state.getInfo(n));
  }

  #commitStatus(): void {
    const tokens = new Set<string>();
    for (const list of this.#statusByQuery.values()) for (const t of list) tokens.add(t);
    const ordered = [
      ...STATUS_ORDER.filter((t) => tokens.has(t)),
      ...[...tokens].filter((t) => !STATUS_ORDER.includes(t)),
    ];
    // OL and OB from different sources: the status bits (quick query) decide
    if (ordered.includes("OL") && ordered.includes("OB")) {
      const quick = this.#statusByQuery.get(this.statusQuery) ?? [];
      ordered.splice(ordered.indexOf(quick.includes("OB") ? "OL" : "OB"), 1);
    }
    const { status } = this.ctx;
    status.init();
    status.alarmInit();
    for (const list of this.#alarmsByQuery.values()) {
      for (const a of list) if (!status.alarms.includes(a)) status.alarmSet(a);
    }
    for (const t of ordered) status.set(t);
    this.ctx.commitAlarm();
    this.ctx.commitStatus();
  }

  // ---------------------------------------------------------------- start-up

  /** Read everything once, publish commands, settable delays and battery estimates. */
  async init(): Promise<void> {
    const { state, log } = this.ctx;
    if (!this.opts.legacy) state.setInfo("driver.version.data", this.protocol.version);
    this.loadDelays();
    const out = await this.#pass(() => true, true);
    if (out.answered.has(this.statusQuery)) this.#commitStatus();
    await this.#applySettingOptions();
    for (const c of this.protocol.commands) state.addCmd(c.cmd);
    if (!this.opts.legacy) {
      for (const v of this.protocol.vars) {
        state.setInfo(v.info, String(this.#delays.get(v.info)));
        state.setFlags(v.info, FLAG_RW);
        state.addRange(v.info, v.range[0], v.range[1]);
      }
    }
    this.#initBattery();
    if (!this.opts.legacy) state.setInfo("driver.parameter.pollfreq", String(this.pollFreq));
    this.#lastFull = this.#now();
    log.debug(1, `protocol ${this.protocol.version}: start-up read done`);
  }

  /** ondelay / offdelay (checked against the protocol's ranges); throws RangeError. */
  loadDelays(): void {
    for (const v of this.protocol.vars) {
      const text = this.ctx.getval(v.option);
      let value = v.default;
      if (text !== undefined) {
        const minutes = this.opts.legacy && v.option === "ondelay";
        const n = Number(text);
        if (!/^\s*\d+\s*$/.test(text)) {
          throw new RangeError(`${v.option}: not a whole number: '${text}'`);
        }
        value = minutes ? n * 60 : n;
        if (!this.opts.legacy && (value < v.range[0] || value > v.range[1])) {
          throw new RangeError(
            `${v.option} out of range: ${value} (accepted: ${v.range[0]}..${v.range[1]} seconds)`,
          );
        }
      }
      this.#delays.set(v.info, value);
      if (this.opts.legacy) this.ctx.state.setInfo(v.info, String(value));
    }
  }

  /** Voltronic device settings given as driver options (`eco_mode = enabled`). */
  async #applySettingOptions(): Promise<void> {
    for (const item of this.protocol.items) {
      if (!item.flags?.includes("nonut")) continue;
      const wanted = this.ctx.getval(item.info);
      if (wanted === undefined) continue;
      const set = item.set;
      if (!set?.wire || !set.enums) {
        this.ctx.log.warn(`${item.info}: setting it is not supported by this driver (ignored)`);
        continue;
      }
      const code = set.enums[wanted.toLowerCase()];
      if (code === undefined) {
        this.ctx.log.warn(
          `${item.info}: invalid value '${wanted}' (use ${Object.keys(set.enums).join(" or ")})`,
        );
        continue;
      }
      const current = this.#logged.get(`log:${item.info}`)?.split(": ")[1];
      if (current === wanted.toLowerCase()) continue;
      const reply = await this.link.exchange(set.wire.replace("{value}", code));
      if (this.#accepted(reply)) this.ctx.log.info(`${item.info}: set to ${wanted.toLowerCase()}`);
      else this.ctx.log.warn(`${item.info}: the UPS refused '${wanted}' (${shown(reply ?? "")})`);
    }
  }

  #initBattery(): void {
    const { state, log } = this.ctx;
    if (!this.protocol.batteryEstimate || state.getInfo("battery.charge") !== undefined) return;
    const num = (n: string) => {
      const v = state.getInfo(n);
      return v === undefined ? undefined : Number(v);
    };
    const nominal = num("battery.voltage.nominal");
    const voltage = num("battery.voltage");
    const packsOverride = num("battery.packs");
    if (packsOverride !== undefined && packsOverride > 0) {
      this.#packs = packsOverride;
    } else if (nominal !== undefined && voltage !== undefined) {
      const packs = detectPacks(voltage, nominal);
      if (packs === undefined) {
        log.info(`Can't autodetect number of battery packs [${nominal}/${voltage}]`);
      } else this.#packs = packs;
    } else {
      log.info(`Can't autodetect number of battery packs [${nominal ?? -1}/${voltage ?? -1}]`);
    }
    if (num("battery.voltage.low") === undefined || num("battery.voltage.high") === undefined) {
      if (nominal === undefined || !(nominal > 0)) {
        log.info("No battery voltage limits: battery.charge will not be estimated");
      } else {
        const g = guessVoltageLimits(nominal);
        log.info(
          this.opts.legacy
            ? "No values provided for battery high/low voltages in ups.conf"
            : "No values for battery high/low voltages",
        );
        state.setInfo("battery.voltage.low", fixed(g.low, 2));
        state.setInfo("battery.voltage.high", fixed(g.high, 2));
        log.info(`Using 'guesstimation' (low: ${g.low.toFixed(6)}, high: ${g.high.toFixed(6)})!`);
      }
    }
    this.#estimate = num("battery.voltage.low") !== undefined &&
      num("battery.voltage.high") !== undefined;
    const cal = this.ctx.getval("runtimecal");
    if (cal === undefined) {
      log.info("Battery runtime will not be calculated (runtimecal not set)");
    } else {
      const chargetime = Number(this.ctx.getval("chargetime") ?? 43200);
      const idleload = Number(this.ctx.getval("idleload") ?? 10);
      this.#runtime = new RuntimeModel(parseRuntimeCal(cal), chargetime, idleload);
    }
    if (this.#estimate && !this.opts.legacy) this.#updateBattery();
  }

  #updateBattery(): void {
    if (!this.#estimate) return;
    const state = this.ctx.state;
    const v = Number(state.getInfo("battery.voltage"));
    const low = Number(state.getInfo("battery.voltage.low"));
    const high = Number(state.getInfo("battery.voltage.high"));
    if (!Number.isFinite(v)) return;
    let charge = chargeFromVoltage(v, low, high);
    if (this.#runtime) {
      const online = !(this.#statusByQuery.get(this.statusQuery) ?? []).includes("OB");
      const load = Number(state.getInfo("ups.load") ?? 0);
      const r = this.#runtime.update(this.#now(), online, Number.isFinite(load) ? load : 0, charge);
      charge = r.charge;
      state.setInfo("battery.runtime", fixed(r.runtime, 0));
    }
    state.setInfo("battery.charge", fixed(charge, 0));
  }

  // ---------------------------------------------------------------- polling

  /**
   * One poll: quick (status query) or, every `pollfreq` s and after
   * commands, full. Resolves to undefined when the status reply was usable,
   * else to why not (nothing is published then).
   */
  async poll(): Promise<string | undefined> {
    const now = this.#now();
    const full = this.#forceFull || now - this.#lastFull >= this.pollFreq * 1000;
    const quickQueries = new Set(
      this.protocol.items.filter((i) => i.flags?.includes("quick")).map((i) => i.query),
    );
    const want = full
      ? (i: QxItem) => !i.flags?.includes("static")
      : (i: QxItem) => quickQueries.has(i.query) && !i.flags?.includes("static");
    let out = await this.#pass(want, false);
    let why = out.failed.get(this.statusQuery);
    if (why) {
      // one more try: a single glitch on the line should not count
      out = await this.#pass((i) => i.query === this.statusQuery, false);
      why = out.failed.get(this.statusQuery);
      if (why) return `${this.statusQuery}: ${why}`;
    }
    if (full) {
      this.#lastFull = now;
      this.#forceFull = false;
    }
    this.#commitStatus();
    this.#updateBattery();
    return undefined;
  }

  // ---------------------------------------------------------------- commands

  #accepted(reply: string | null): boolean {
    if (reply === null) return true;
    const body = reply.replace(/\r$/, "");
    return this.protocol.ack !== undefined && body === this.protocol.ack;
  }

  /** The bytes a command puts on the wire, or a tracking code when it cannot be sent. */
  wireFor(cmd: QxCommand, param: string | undefined): string | number {
    const delay = (info: string) => this.#delays.get(info) ?? 0;
    let test = "";
    if (cmd.wire.includes("{test}")) {
      const legacyMinutes = cmd.testFormat === "blazer-minutes";
      let n = param === undefined || param === "" ? (legacyMinutes ? 10 : 600) : Number(param);
      if (!Number.isInteger(n)) return INVALID;
      if (legacyMinutes) {
        if (n < 1 || n > 99) return INVALID;
        test = String(n).padStart(2, "0");
      } else {
        const [lo, hi] = cmd.testRange ?? [60, 5940];
        if (n < lo || n > hi) return INVALID;
        if (cmd.testFormat === "delay") test = offDelayText(n);
        else {
          n = roundMinutes(n);
          test = testMinutesText(n);
        }
      }
    }
    const on = delay("ups.delay.start");
    const beeperOn = this.ctx.state.getInfo("ups.beeper.status") === "enabled";
    return cmd.wire
      .replace("{off}", offDelayText(delay("ups.delay.shutdown")))
      .replace("{onR}", on > 0 ? "R" + onDelayText(on) : "")
      .replace("{on}", onDelayText(on))
      .replace("{test}", test)
      .replace("{beeper}", beeperOn ? "OFF" : "ON");
  }

  /** An instant command: tracking code (HANDLED, UNKNOWN, INVALID, FAILED). */
  async instcmd(name: string, param: string | undefined): Promise<number> {
    const cmd = this.protocol.commands.find((c) => c.cmd === name.toLowerCase());
    if (!cmd) {
      this.ctx.log.warn(`instcmd: unknown command [${name}]`);
      return UNKNOWN;
    }
    const wire = this.wireFor(cmd, param);
    if (typeof wire === "number") {
      this.ctx.log.warn(`instcmd: invalid parameter [${param}] for [${name}]`);
      return wire;
    }
    const reply = await this.link.exchange(wire);
    if (!this.#accepted(reply)) {
      this.ctx.log.warn(
        `instcmd: command [${name}] failed: the UPS answered ${shown(reply ?? "")}`,
      );
      return FAILED;
    }
    this.ctx.log.info(`instcmd: command [${name}] handled`);
    this.#forceFull = true;
    return HANDLED;
  }

  /** SET of a delay or a device setting: tracking code. */
  async setvar(name: string, value: string): Promise<number> {
    const key = name.toLowerCase();
    const dv = this.protocol.vars.find((v) => v.info === key);
    if (dv && !this.opts.legacy) return this.#setDelay(dv, value);
    const item = this.protocol.items.find((i) =>
      i.info === key && i.set?.wire && !i.flags?.includes("nonut")
    );
    if (!item) return UNKNOWN;
    const set = item.set!;
    let arg: string;
    if (set.enums) {
      const code = set.enums[value];
      if (code === undefined) return INVALID;
      arg = code;
    } else {
      if (!/^-?\d+(\.\d+)?$/.test(value)) return INVALID;
      const n = Number(value);
      const range = this.#range(set.range);
      if (range && (n < range.range[0] || n > range.range[1])) return INVALID;
      arg = cformat(set.fmt, n);
    }
    const reply = await this.link.exchange(set.wire!.replace("{value}", arg));
    if (!this.#accepted(reply)) {
      this.ctx.log.warn(`setvar: ${name} = ${value} refused by the UPS (${shown(reply ?? "")})`);
      return FAILED;
    }
    this.ctx.state.setInfo(
      item.info,
      item.fmt && !set.enums ? cformat(item.fmt, Number(value)) : value,
    );
    this.#forceFull = true;
    return HANDLED;
  }

  #setDelay(v: QxDriverVar, value: string): number {
    if (!/^\s*\d+\s*$/.test(value)) return INVALID;
    const n = Number(value);
    if (n < v.range[0] || n > v.range[1]) return INVALID;
    const rounded = v.rounding === "minutes" ? roundMinutes(n) : roundShutdownDelay(n);
    this.#delays.set(v.info, rounded);
    this.ctx.state.setInfo(v.info, String(rounded));
    return HANDLED;
  }

  /** Current delay (seconds) of a driver-side variable. */
  delay(info: string): number {
    return this.#delays.get(info) ?? 0;
  }
}

/** blazer names: identity goes to ups.* (the core mirrors it to device.*). */
function legacyName(info: string): string {
  switch (info) {
    case "device.mfr":
      return "ups.mfr";
    case "device.model":
      return "ups.model";
    case "device.serial":
      return "ups.serial";
    default:
      return info;
  }
}
