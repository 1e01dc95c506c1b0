/**
 * The named conversions protocol rows refer to (`conv` in items.ts): status
 * bits, unit types, identity layouts, Voltronic flags and warnings, and the
 * allowed ranges of settable values. Each takes the raw field and what it
 * may need around it and returns what to publish. Pure.
 *
 * @module
 */

import { cformat, fieldNumber, isNumericField } from "./format.ts";
import type { QxItem } from "./items.ts";

/** What a field turned into. */
export interface ConvResult {
  /** Value for the row's variable. */
  value?: string;
  /** ups.status tokens this field contributes (may be empty: "bit clear"). */
  status?: string[];
  /** ups.alarm texts this field contributes. */
  alarms?: string[];
  /** An informational line (device settings of `nonut` rows). */
  log?: string;
  /** Nothing to publish (not significant); the reason, for debug logs. */
  skip?: string;
  /** Bad data; the reason, for a warning. */
  invalid?: string;
}

export interface ConvContext {
  /** The whole reply, without its CR (heuristics read other columns). */
  reply: string;
  /** Currently published value of a variable. */
  get(name: string): string | undefined;
  /** True when the driver flag is set (`ignoresab`). */
  flag(name: string): boolean;
  /** The last usable reply (without CR) to another query, if any. */
  lastReply(query: string): string | undefined;
  /** Voltronic protocol number (from QPI), once known. */
  protocol: number | undefined;
  setProtocol(n: number): void;
}

type Conv = (field: string, item: QxItem, ctx: ConvContext) => ConvResult;

const on = (field: string) => field.trim() === "1";

function cols(reply: string, spec: string): string {
  const [a, b] = spec.split("-").map(Number);
  return reply.slice(a, b + 1);
}

/** Output/input voltage ratio from two column ranges of the same reply (`"1-5,13-17"`). */
function ratio(ctx: ConvContext, arg = ""): number | undefined {
  const [inSpec, outSpec] = arg.split(",");
  const vin = cols(ctx.reply, inSpec);
  const vout = cols(ctx.reply, outSpec);
  if (!isNumericField(vin) || !isNumericField(vout)) return undefined;
  const i = fieldNumber(vin);
  return i > 0 ? fieldNumber(vout) / i : undefined;
}

/** TRIM / BYPASS / BOOST from the output/input ratio (hw-serial.md §1.3), or none when bogus. */
export function boostBuckToken(r: number | undefined): string | undefined {
  if (r === undefined || r < 0.5) return undefined;
  if (r < 0.95) return "TRIM";
  if (r < 1.05) return "BYPASS";
  if (r < 1.5) return "BOOST";
  return undefined;
}

/** Voltronic protocol numbers whose units the `voltronic` protocol drives. */
export const VOLTRONIC_PROTOCOLS = [0, 1, 2, 3, 8, 9, 10, 13, 14, 31, 99];

/** Warning bits of Voltronic `QWS` (1-based) → text; bit 9 is overload (also OVER). */
export const VOLTRONIC_WARNINGS: Readonly<Record<number, string>> = {
  1: "Battery disconnected",
  2: "Neutral not connected",
  3: "Site fault",
  4: "Phase sequence incorrect",
  5: "Phase sequence incorrect in bypass",
  6: "Input frequency unstable in bypass",
  7: "Battery overcharged",
  8: "Low battery",
  9: "Overload alarm",
  10: "Fan alarm",
  11: "EPO enabled",
  12: "Unable to turn on UPS",
  13: "Over temperature alarm",
  14: "Charger alarm",
  15: "Remote auto shutdown",
  16: "L1 input fuse not working",
  17: "L2 input fuse not working",
  18: "L3 input fuse not working",
  19: "Positive PFC abnormal in L1",
  20: "Negative PFC abnormal in L1",
  21: "Positive PFC abnormal in L2",
  22: "Negative PFC abnormal in L2",
  23: "Positive PFC abnormal in L3",
  24: "Negative PFC abnormal in L3",
  25: "Abnormal in CAN-bus communication",
  26: "Abnormal in synchronous signal circuit",
  27: "Abnormal in synchronous pulse signal circuit",
  28: "Abnormal in host signal circuit",
  29: "Male connector of parallel cable not connected well",
  30: "Female connector of parallel cable not connected well",
  31: "Parallel cable not connected well",
  32: "Battery connection not consistent in parallel systems",
  33: "AC connection not consistent in parallel systems",
  34: "Bypass connection not consistent in parallel systems",
  35: "UPS model types not consistent in parallel systems",
  36: "Capacity of UPSs not consistent in parallel systems",
  37: "Auto restart setting not consistent in parallel systems",
  38: "Battery cell over charge",
  39: "Battery protection setting not consistent in parallel systems",
  40: "Battery detection setting not consistent in parallel systems",
  41: "Bypass not allowed setting not consistent in parallel systems",
  42: "Converter setting not consistent in parallel systems",
  43: "High loss point for frequency in bypass mode not consistent in parallel systems",
  44: "Low loss point for frequency in bypass mode not consistent in parallel systems",
  45: "High loss point for voltage in bypass mode not consistent in parallel systems",
  46: "Low loss point for voltage in bypass mode not consistent in parallel systems",
  47: "High loss point for frequency in AC mode not consistent in parallel systems",
  48: "Low loss point for frequency in AC mode not consistent in parallel systems",
  49: "High loss point for voltage in AC mode not consistent in parallel systems",
  50: "Low loss point for voltage in AC mode not consistent in parallel systems",
  51: "Locked in bypass mode after 3 consecutive overloads within 30 min",
  52: "Three-phase AC input current unbalance",
  53: "Three-phase input current unbalance in battery mode",
  54: "Inverter inter-current unbalance",
  55: "Programmable outlets cut off pre-alarm",
  56: "Battery replace",
  57: "Abnormal input phase angle",
  58: "Cover of maintain switch is open",
  62: "EEPROM operation error",
};

/** Which classic/IC layout an `I` reply uses (hw-serial.md §1.2). */
export function identityLayout(reply: string): "classic" | "ic" {
  const maker = reply.slice(1, 8);
  const serial = reply.slice(8, 16);
  const runtime = reply.slice(22, 27);
  // a maker's name has letters: a classic reply full of digits (a real
  // Talegent unit answers "#222222222222222 2222222222 ...") stays classic
  return /[A-Za-z]/.test(maker) && /^[0-9A-Za-z]{8}$/.test(serial) && /^\d{5}$/.test(runtime) &&
      reply[16] === " "
    ? "ic"
    : "classic";
}

const IDENTITY_COLUMNS: Record<"classic" | "ic", Record<string, [number, number] | undefined>> = {
  classic: { mfr: [1, 15], model: [17, 26], firmware: [28, 37] },
  ic: { mfr: [1, 7], serial: [8, 15], model: [17, 21], firmware: [28, 999] },
};

function qflagState(field: string, letter: string): boolean | undefined {
  const e = field.indexOf("E");
  const d = field.indexOf("D");
  const at = field.indexOf(letter);
  if (at < 0) return undefined;
  if (e >= 0 && at > e && (d < e || at < d)) return true;
  if (d >= 0 && at > d && (e < d || at < e)) return false;
  return undefined;
}

export const CONVERSIONS: Readonly<Record<string, Conv>> = {
  /** b7 / QGS 65: mains failed → OB, else OL. */
  utility: (f) => ({ status: [on(f) ? "OB" : "OL"] }),
  /** A status token when the bit is set (`arg`). */
  bit: (f, item) => ({ status: on(f) ? [item.arg ?? ""] : [] }),
  /** An alarm text when the bit is set. */
  alarm: (f, item) => ({ alarms: on(f) ? [item.arg ?? ""] : [] }),
  /** Shutdown active: FSD (and an alarm), unless the `ignoresab` flag says the bit lies. */
  shutdown: (f, _item, ctx) =>
    on(f) && !ctx.flag("ignoresab")
      ? { status: ["FSD"], alarms: ["Shutdown imminent!"] }
      : { status: [] },
  /** Bypass/boost/buck bit: which one from the voltage ratio (arg: input and output columns). */
  boostbuck: (f, item, ctx) => {
    if (!on(f)) return { status: [] };
    const t = boostBuckToken(ratio(ctx, item.arg));
    return { status: t ? [t] : [] };
  },
  /** Voltronic: as boostbuck, but protocols P00/P08 at ratio ~1 report AVR instead of bypass. */
  voltronicBypass: (f, item, ctx) => {
    if (!on(f)) return { status: [] };
    const t = boostBuckToken(ratio(ctx, item.arg));
    if (t === "BYPASS" && (ctx.protocol === 0 || ctx.protocol === 8)) {
      return { status: [], alarms: ["UPS is in AVR Mode."] };
    }
    return { status: t ? [t] : [] };
  },
  /** Q1 b3: 1 = standby (offline / line-interactive) unit. */
  q1Type: (f) => ({ value: on(f) ? "offline / line interactive" : "online" }),
  beeper: (f) => ({ value: on(f) ? "enabled" : "disabled" }),
  /** Voltronic QGS beeper bit, unless QFLAG reports the alarm-control flag (`a`): that one wins. */
  voltronicBeeper: (f, _item, ctx) => {
    const flags = ctx.lastReply("QFLAG");
    if (flags !== undefined && qflagState(flags.slice(1), "a") !== undefined) {
      return { skip: "beeper state comes from QFLAG" };
    }
    return { value: on(f) ? "enabled" : "disabled" };
  },
  voltronicType: (f) => {
    const types: Record<string, string> = {
      "00": "offline",
      "01": "line-interactive",
      "10": "online",
    };
    const t = types[f];
    return t ? { value: t } : { invalid: `unknown UPS type bits '${f}'` };
  },
  /** Voltronic QPI `PIxx` → `Pxx`; only the protocol numbers the driver knows. */
  voltronicProtocol: (f, _item, ctx) => {
    const m = /^PI(\d\d)$/.exec(f);
    if (!m || !VOLTRONIC_PROTOCOLS.includes(Number(m[1]))) {
      return { invalid: `not a known Voltronic protocol '${f}'` };
    }
    ctx.setProtocol(Number(m[1]));
    return { value: `P${m[1]}` };
  },
  /** Mecer: QPI must answer the P98 protocol. */
  mecerProtocol: (f) =>
    f === "PI98" ? { value: "Voltronic Power P98" } : { invalid: `not a P98 unit '${f}'` },
  /** Voltronic-QS `M`: protocol letter V or H. */
  voltronicQsProtocol: (f) =>
    f === "V" || f === "H" ? { value: `PM-${f}` } : { invalid: `unknown protocol '${f}'` },
  /** `#`-padded text (Voltronic QMD / QMF). */
  hashTrim: (f) => {
    const v = f.replace(/^[#\s]+|\s+$/g, "");
    return v ? { value: v } : { skip: "empty" };
  },
  /** `#`-padded number, then the row's format. */
  hashNumber: (f, item) => {
    const v = f.replace(/^[#\s]+/, "");
    return isNumericField(v) && v !== ""
      ? { value: cformat(item.fmt ?? "%s", fieldNumber(v)) }
      : { invalid: `non numerical value '${f}'` };
  },
  /** Number × arg, then the row's format (minutes → seconds, percent → factor). */
  scale: (f, item) =>
    isNumericField(f)
      ? { value: cformat(item.fmt ?? "%s", fieldNumber(f) * Number(item.arg ?? 1)) }
      : { invalid: `non numerical value '${f}'` },
  /** Serial number; all zeros means none. */
  serial: (f, item) => {
    const v = f.trim();
    if (v === "" || /^0+$/.test(v)) {
      const why = `UPS reported a non-significant serial [${v}]`;
      return { skip: why, log: `${item.info}: ${why}` };
    }
    return { value: v };
  },
  /** Megatec `I`: one identity field (arg) in whichever layout the reply uses. */
  identity: (f, item, ctx) => {
    const span = IDENTITY_COLUMNS[identityLayout(ctx.reply)][item.arg ?? ""];
    if (!span) return { skip: "not in this layout" };
    const v = ctx.reply.slice(span[0], span[1] + 1).trim();
    void f;
    return v ? { value: v } : { skip: "non significant value" };
  },
  /** Voltronic QFLAG: arg `<letter>:<yes|enabled>` → yes/no or enabled/disabled. */
  qflag: (f, item) => {
    const [letter, style] = (item.arg ?? "").split(":");
    const state = qflagState(f, letter);
    if (state === undefined) return { skip: `flag '${letter}' not reported` };
    const value = style === "yes" ? (state ? "yes" : "no") : state ? "enabled" : "disabled";
    return item.flags?.includes("nonut") ? { log: `${item.info}: ${value}` } : { value };
  },
  /** Voltronic QMOD: the unit's mode (OL/OB come from the status bits, not from here). */
  qmod: (f) => {
    switch (f) {
      case "P":
        return { status: [], alarms: ["UPS is going ON."] };
      case "S":
        return { status: ["OFF"] };
      case "Y":
        return { status: ["BYPASS"] };
      case "T":
        return { status: ["CAL"] };
      case "F":
        return { status: [], alarms: ["UPS Fault!"] };
      case "D":
        return { status: ["FSD"], alarms: ["UPS is shutting down."] };
      case "L":
      case "B":
      case "E":
      case "C":
        return { status: [] };
      default:
        return { invalid: `unknown mode '${f}'` };
    }
  },
  /** Voltronic QWS warning bits → alarms (bit 9 also OVER). */
  qws: (f) => {
    if (!/^[01]+$/.test(f)) return { invalid: `not a bit string '${f}'` };
    const alarms: string[] = [];
    const status: string[] = [];
    for (let i = 0; i < f.length; i++) {
      if (f[i] !== "1") continue;
      const bit = i + 1;
      if (bit === 9) status.push("OVER");
      alarms.push(VOLTRONIC_WARNINGS[bit] ?? `Unknown warning (bit ${bit})`);
    }
    return { status, alarms };
  },
};

/** A row value as a number for nonut logging (`max_bypass_volt: 264`). */
export function logLine(item: QxItem, field: string): ConvResult {
  if (item.fmt && /[df]/.test(item.fmt)) {
    if (!isNumericField(field)) return { invalid: `non numerical value '${field}'` };
    return { log: `${item.info}: ${cformat(item.fmt, fieldNumber(field))}` };
  }
  return { log: `${item.info}: ${field.trim()}` };
}

/**
 * Allowed ranges of settable Voltronic values, from the unit's nominal
 * voltage or frequency. `minmax`: also publish `<var>.min` / `<var>.max`.
 */
export const RANGE_RULES: Readonly<
  Record<
    string,
    (
      get: (n: string) => string | undefined,
    ) => { range: [number, number]; minmax?: boolean } | undefined
  >
> = {
  "transfer.high": (get) => voltRange(get, [7, 24], [3, 12], true),
  "transfer.low": (get) => voltRange(get, [-24, -7], [-12, -3], true),
  "bypass.high": (get) => voltRange(get, [0, 34], [0, 20], false),
  "bypass.low": (get) => voltRange(get, [-60, -10], [-35, -5], false),
  "frequency.high": (get) => freqRange(get, [3, 10]),
  "frequency.low": (get) => freqRange(get, [-10, -3]),
  "bypassfreq.high": (get) => freqRange(get, [1, 10]),
  "bypassfreq.low": (get) => freqRange(get, [-10, -1]),
  "battery.packs": () => ({ range: [1, 99] }),
  "battery.number": () => ({ range: [1, 9] }),
};

/** Range around the nominal voltage: offsets for 200-240 V units, and for 100-127 V ones. */
function voltRange(
  get: (n: string) => string | undefined,
  offsetsHighLine: [number, number],
  offsetsLowLine: [number, number],
  minmax: boolean,
): { range: [number, number]; minmax: boolean } | undefined {
  const nominal = Number(get("input.voltage.nominal") ?? get("output.voltage.nominal"));
  if (!(nominal > 0)) return undefined;
  const [a, b] = nominal < 160 ? offsetsLowLine : offsetsHighLine;
  return { range: [Math.round(nominal + a), Math.round(nominal + b)], minmax };
}

function freqRange(
  get: (n: string) => string | undefined,
  span: [number, number],
): { range: [number, number] } | undefined {
  const nominal = Number(get("output.frequency.nominal") ?? get("input.frequency.nominal"));
  if (!(nominal > 0)) return undefined;
  const base = nominal >= 55 ? 60 : 50;
  return { range: [base + span[0], base + span[1]] };
}
