/**
 * The Q* protocols this driver speaks, as tables (items.ts): Megatec and
 * its relatives (Q1, Mustek, Mecer), Voltronic online units (QGS family)
 * and small Voltronic line-interactive units (Voltronic-QS). Autodetection
 * tries them in PROTOCOLS order (the order of NUT's nutdrv_qx for these).
 *
 * A row = NUT variable, query, reply lead and minimum length, columns,
 * format, flags, conversion. Rows shared by several protocols (the Q1 status
 * line, ratings, identity, delays, Megatec commands) are declared once below
 * and listed in each protocol.
 *
 * @module
 */

import type { QxCommand, QxDriverVar, QxItem, QxProtocol } from "./items.ts";

type RowExtra = Partial<Omit<QxItem, "info" | "from" | "to" | "fmt">>;

/** Rows of one query: `(info, from, to, fmt, extra)`. */
function rowsOf(query: string, lead: string, minLength: number) {
  return (info: string, from: number, to: number, fmt?: string, extra: RowExtra = {}): QxItem => ({
    info,
    query,
    lead,
    minLength,
    from,
    to,
    fmt,
    ...extra,
  });
}

/**
 * The Megatec status line (`Q1`, or `QS` on Mustek and Voltronic-QS units):
 * `(MMM.M NNN.N PPP.P QQQ RR.R SS.S TT.T b7b6b5b4b3b2b1b0`.
 * Voltronic-QS units report the output frequency where others put the input's.
 */
function statusLine(query: string, frequency: "input" | "output"): QxItem[] {
  const r = rowsOf(query, "(", 47);
  const quick = { flags: ["quick"] as const };
  return [
    r("input.voltage", 1, 5, "%.1f", quick),
    r("input.voltage.fault", 7, 11, "%.1f", quick),
    r("output.voltage", 13, 17, "%.1f", quick),
    r("ups.load", 19, 21, "%.0f", quick),
    r(`${frequency}.frequency`, 23, 26, "%.1f", quick),
    r("battery.voltage", 28, 31, "%.2f", { ...quick, conv: "battvolt" }),
    r("ups.temperature", 33, 36, "%.1f", quick),
    r("ups.status", 38, 38, undefined, { ...quick, conv: "utility" }),
    r("ups.status", 39, 39, undefined, { ...quick, conv: "bit", arg: "LB" }),
    r("ups.status", 40, 40, undefined, { ...quick, conv: "boostbuck", arg: "1-5,13-17" }),
    r("ups.alarm", 41, 41, undefined, { ...quick, conv: "alarm", arg: "UPS selftest failed!" }),
    r("ups.type", 42, 42, "%s", { ...quick, conv: "q1Type" }),
    r("ups.status", 43, 43, undefined, { ...quick, conv: "bit", arg: "CAL" }),
    r("ups.status", 44, 44, undefined, { ...quick, conv: "shutdown" }),
    r("ups.beeper.status", 45, 45, "%s", { ...quick, conv: "beeper" }),
  ];
}

const fRow = rowsOf("F", "#", 22);
const STATIC = { flags: ["static"] as const };

/** `F`: `#MMM.M QQQ SS.SS RR.R` ratings. */
const MEGATEC_RATINGS: QxItem[] = [
  fRow("input.voltage.nominal", 1, 5, "%.0f", STATIC),
  fRow("input.current.nominal", 7, 9, "%.1f", STATIC),
  fRow("battery.voltage.nominal", 11, 15, "%.1f", STATIC),
  fRow("input.frequency.nominal", 17, 20, "%.0f", STATIC),
];

/** `I`: maker, model, firmware (classic layout, or the newer "IC" one with a serial). */
const iRow = rowsOf("I", "#", 39);
const MEGATEC_IDENTITY: QxItem[] = [
  iRow("device.mfr", 1, 15, "%s", { flags: ["static", "trim"], conv: "identity", arg: "mfr" }),
  iRow("device.model", 17, 26, "%s", { flags: ["static", "trim"], conv: "identity", arg: "model" }),
  iRow("device.serial", 8, 15, "%s", {
    flags: ["static", "trim"],
    conv: "identity",
    arg: "serial",
  }),
  iRow("ups.firmware", 28, 37, "%s", {
    flags: ["static", "trim"],
    conv: "identity",
    arg: "firmware",
  }),
];

/** Megatec command set (hw-serial.md §1.4). */
const MEGATEC_COMMANDS: QxCommand[] = [
  { cmd: "beeper.toggle", wire: "Q" },
  { cmd: "load.off", wire: "S00R0000" },
  { cmd: "load.on", wire: "C" },
  { cmd: "shutdown.return", wire: "S{off}{onR}" },
  { cmd: "shutdown.stayoff", wire: "S{off}R0000" },
  { cmd: "shutdown.stop", wire: "C" },
  { cmd: "test.battery.start", wire: "T{test}", testRange: [60, 5940], testFormat: "minutes" },
  { cmd: "test.battery.start.deep", wire: "TL" },
  { cmd: "test.battery.start.quick", wire: "T" },
  { cmd: "test.battery.stop", wire: "CT" },
];

function delays(shutdownMax: number, startMin = 0): QxDriverVar[] {
  return [
    {
      info: "ups.delay.start",
      option: "ondelay",
      default: 180,
      range: [startMin, 599940],
      rounding: "minutes",
    },
    {
      info: "ups.delay.shutdown",
      option: "offdelay",
      default: 30,
      range: [12, shutdownMax],
      rounding: "shutdown",
    },
  ];
}

export const MEGATEC: QxProtocol = {
  name: "megatec",
  version: "Megatec 0.06",
  claim: { items: ["input.voltage"], vendorItems: ["ups.firmware"] },
  items: [...statusLine("Q1", "input"), ...MEGATEC_RATINGS, ...MEGATEC_IDENTITY],
  commands: MEGATEC_COMMANDS,
  vars: delays(600),
  batteryEstimate: true,
  ratingQuery: "F",
  vendorQuery: "I",
};

export const Q1: QxProtocol = {
  name: "q1",
  version: "Q1 0.07",
  claim: { items: ["input.voltage"] },
  items: statusLine("Q1", "input"),
  commands: MEGATEC_COMMANDS,
  vars: delays(600),
  batteryEstimate: true,
};

export const MUSTEK: QxProtocol = {
  name: "mustek",
  version: "Mustek 0.07",
  claim: { items: ["input.voltage"] },
  items: [...statusLine("QS", "input"), ...MEGATEC_RATINGS, ...MEGATEC_IDENTITY],
  commands: MEGATEC_COMMANDS,
  vars: delays(600),
  batteryEstimate: true,
  ratingQuery: "F",
  vendorQuery: "I",
};

/** Voltronic P98 units: Megatec queries, plus QPI, and `(ACK` / `(NAK` answers. */
export const MECER: QxProtocol = {
  name: "mecer",
  version: "Mecer 0.07",
  claim: { items: ["ups.firmware.aux", "input.voltage"] },
  items: [
    rowsOf("QPI", "(", 6)("ups.firmware.aux", 1, 4, "%s", {
      flags: ["static"],
      conv: "mecerProtocol",
    }),
    ...statusLine("Q1", "input"),
    ...MEGATEC_RATINGS,
    ...MEGATEC_IDENTITY,
  ],
  commands: MEGATEC_COMMANDS.map((c) =>
    c.cmd === "test.battery.start"
      ? { ...c, testRange: [12, 5940] as const, testFormat: "delay" as const }
      : c
  ),
  vars: delays(600),
  ack: "(ACK",
  batteryEstimate: true,
  ratingQuery: "F",
  vendorQuery: "I",
};

const qsF = rowsOf("F", "#", 22);

/** Small Voltronic line-interactive units (`M` answers V or H). */
export const VOLTRONIC_QS: QxProtocol = {
  name: "voltronic-qs",
  version: "Voltronic-QS 0.07",
  claim: { items: ["ups.firmware.aux", "input.voltage"] },
  items: [
    rowsOf("M", "", 2)("ups.firmware.aux", 0, 0, "%s", {
      flags: ["static"],
      conv: "voltronicQsProtocol",
    }),
    ...statusLine("QS", "output"),
    qsF("output.voltage.nominal", 1, 5, "%.0f", STATIC),
    qsF("output.current.nominal", 7, 9, "%.1f", STATIC),
    qsF("battery.voltage.nominal", 11, 15, "%.1f", STATIC),
    qsF("output.frequency.nominal", 17, 20, "%.0f", STATIC),
  ],
  commands: [
    { cmd: "beeper.toggle", wire: "Q" },
    { cmd: "load.off", wire: "S00R0000" },
    { cmd: "load.on", wire: "C" },
    { cmd: "shutdown.return", wire: "S{off}{onR}" },
    { cmd: "shutdown.stayoff", wire: "S{off}R0000" },
    { cmd: "shutdown.stop", wire: "C" },
    { cmd: "test.battery.start.quick", wire: "T" },
  ],
  vars: delays(540, 60),
  batteryEstimate: true,
};

const qgs = rowsOf("QGS", "(", 76);
const qmd = rowsOf("QMD", "(", 48);
const qri = rowsOf("QRI", "(", 22);
const qbv = rowsOf("QBV", "(", 21);
const qflag = rowsOf("QFLAG", "(", 2);
const Q = { flags: ["quick"] as const };

/** A QFLAG letter as a yes/no NUT variable, settable with `PE<L>` / `PD<L>`. */
function flagVar(info: string, letter: string): QxItem {
  return qflag(info, 1, 40, "%s", {
    conv: "qflag",
    arg: `${letter}:yes`,
    set: { wire: `P{value}${letter.toUpperCase()}`, fmt: "%s", enums: { no: "D", yes: "E" } },
  });
}

/** A QFLAG letter as a device setting (`bypass_alarm: enabled`), settable through its option. */
function flagSetting(name: string, letter: string): QxItem {
  return qflag(name, 1, 40, "%s", {
    flags: ["nonut"],
    conv: "qflag",
    arg: `${letter}:enabled`,
    set: {
      wire: `P{value}${letter.toUpperCase()}`,
      fmt: "%s",
      enums: { disabled: "D", enabled: "E" },
    },
  });
}

/** Voltronic online (and some line-interactive) units: QGS, QPI and friends. */
export const VOLTRONIC: QxProtocol = {
  name: "voltronic",
  version: "Voltronic 0.06",
  claim: { items: ["input.voltage", "ups.firmware.aux"] },
  items: [
    qgs("input.voltage", 1, 5, "%.1f", Q),
    rowsOf("QPI", "(", 6)("ups.firmware.aux", 1, 4, "%s", {
      flags: ["static"],
      conv: "voltronicProtocol",
    }),
    qri("output.voltage.nominal", 1, 5, "%.1f", STATIC),
    qri("output.current.nominal", 7, 9, "%.0f", STATIC),
    qri("battery.voltage.nominal", 11, 15, "%.1f", STATIC),
    qri("output.frequency.nominal", 17, 20, "%.1f", STATIC),
    qmd("device.model", 1, 15, "%s", { flags: ["static"], conv: "hashTrim" }),
    qmd("ups.power.nominal", 17, 23, "%.0f", { flags: ["static"], conv: "hashNumber" }),
    qmd("output.powerfactor", 25, 26, "%.1f", { flags: ["static"], conv: "scale", arg: "0.01" }),
    qmd("input.phases", 28, 28, "%.0f", STATIC),
    qmd("output.phases", 30, 30, "%.0f", STATIC),
    qmd("input.voltage.nominal", 32, 34, "%.1f", STATIC),
    rowsOf("F", "#", 22)("input.current.nominal", 7, 9, "%.1f", STATIC),
    rowsOf("F", "#", 22)("input.frequency.nominal", 17, 20, "%.1f", STATIC),
    rowsOf("QMF", "(", 17)("device.mfr", 1, 15, "%s", { flags: ["static"], conv: "hashTrim" }),
    rowsOf("QVFW", "(", 16)("ups.firmware", 7, 14, "%s", { flags: ["static", "trim"] }),
    rowsOf("QID", "(", 16)("device.serial", 1, 14, "%s", { flags: ["static"], conv: "serial" }),
    qgs("input.frequency", 7, 10, "%.1f", Q),
    qgs("output.voltage", 12, 16, "%.1f", Q),
    qgs("output.frequency", 18, 21, "%.1f", Q),
    qgs("output.current", 23, 27, "%.1f", Q),
    qgs("ups.load", 29, 31, "%.0f", Q),
    qgs("battery.voltage", 45, 49, "%.2f", { ...Q, conv: "battvolt" }),
    qgs("ups.temperature", 57, 61, "%.1f", Q),
    qgs("ups.type", 63, 64, "%s", { ...Q, conv: "voltronicType" }),
    qgs("ups.status", 65, 65, undefined, { ...Q, conv: "utility" }),
    qgs("ups.status", 66, 66, undefined, { ...Q, conv: "bit", arg: "LB" }),
    qgs("ups.status", 67, 67, undefined, { ...Q, conv: "voltronicBypass", arg: "1-5,12-16" }),
    qgs("ups.alarm", 68, 68, undefined, { ...Q, conv: "alarm", arg: "UPS Fault!" }),
    qgs("ups.status", 70, 70, undefined, { ...Q, conv: "bit", arg: "CAL" }),
    qgs("ups.status", 71, 71, undefined, { ...Q, conv: "shutdown" }),
    qgs("ups.beeper.status", 72, 72, "%s", { ...Q, conv: "voltronicBeeper" }),
    rowsOf("QMOD", "(", 3)("ups.status", 1, 1, undefined, { conv: "qmod" }),
    rowsOf("QWS", "(", 66)("ups.alarm", 1, 64, undefined, { conv: "qws" }),
    qbv("battery_number", 7, 8, "%d", {
      flags: ["nonut"],
      set: { fmt: "%d", range: "battery.number" },
    }),
    qbv("battery.packs", 10, 11, "%.0f", {
      set: { wire: "BATGN{value}", fmt: "%02d", range: "battery.packs" },
    }),
    qbv("battery.charge", 13, 15, "%.0f"),
    qbv("battery.runtime", 17, 19, "%.0f", { conv: "scale", arg: "60" }),
    rowsOf("QLDL", "(", 9)("output.power.minimum.percent", 1, 3, "%.0f"),
    rowsOf("QLDL", "(", 9)("output.power.maximum.percent", 5, 7, "%.0f"),
    qflag("ups.beeper.status", 1, 40, "%s", { conv: "qflag", arg: "a:enabled" }),
    flagVar("ups.start.auto", "r"),
    flagVar("battery.protection", "s"),
    flagVar("battery.energysave", "g"),
    flagVar("ups.start.battery", "c"),
    flagVar("outlet.0.switchable", "j"),
    flagSetting("bypass_alarm", "p"),
    flagSetting("battery_alarm", "b"),
    flagSetting("bypass_when_off", "o"),
    flagSetting("alarm_control", "a"),
    flagSetting("converter_mode", "v"),
    flagSetting("eco_mode", "e"),
    flagSetting("battery_open_status_check", "d"),
    flagSetting("bypass_forbidding", "f"),
    flagSetting("site_fault_detection", "l"),
    flagSetting("advanced_eco_mode", "n"),
    flagSetting("constant_phase_angle", "q"),
    flagSetting("limited_runtime_on_battery", "w"),
    rowsOf("QHE", "(", 9)("input.transfer.high", 1, 3, "%.0f", {
      set: { wire: "HEH{value}", fmt: "%03d", range: "transfer.high" },
    }),
    rowsOf("QHE", "(", 9)("input.transfer.low", 5, 7, "%.0f", {
      set: { wire: "HEL{value}", fmt: "%03d", range: "transfer.low" },
    }),
    rowsOf("QFRE", "(", 11)("input.frequency.high", 1, 4, "%.1f", {
      set: { wire: "FREH{value}", fmt: "%.1f", range: "frequency.high" },
    }),
    rowsOf("QFRE", "(", 11)("input.frequency.low", 6, 9, "%.1f", {
      set: { wire: "FREL{value}", fmt: "%.1f", range: "frequency.low" },
    }),
    rowsOf("QBYV", "(", 9)("max_bypass_volt", 1, 3, "%.0f", {
      flags: ["nonut"],
      set: { fmt: "%03d", range: "bypass.high" },
    }),
    rowsOf("QBYV", "(", 9)("min_bypass_volt", 5, 7, "%.0f", {
      flags: ["nonut"],
      set: { fmt: "%03d", range: "bypass.low" },
    }),
    rowsOf("QBYF", "(", 11)("max_bypass_freq", 1, 4, "%.1f", {
      flags: ["nonut"],
      set: { fmt: "%04.1f", range: "bypassfreq.high" },
    }),
    rowsOf("QBYF", "(", 11)("min_bypass_freq", 6, 9, "%.1f", {
      flags: ["nonut"],
      set: { fmt: "%04.1f", range: "bypassfreq.low" },
    }),
  ],
  commands: [
    { cmd: "load.off", wire: "SOFF" },
    { cmd: "load.on", wire: "SON" },
    { cmd: "shutdown.return", wire: "S{off}{onR}" },
    { cmd: "shutdown.stayoff", wire: "S{off}R0000" },
    { cmd: "shutdown.stop", wire: "CS" },
    { cmd: "test.battery.start", wire: "T{test}", testRange: [12, 5940], testFormat: "delay" },
    { cmd: "test.battery.start.deep", wire: "TL" },
    { cmd: "test.battery.start.quick", wire: "T" },
    { cmd: "test.battery.stop", wire: "CT" },
    { cmd: "beeper.toggle", wire: "BZ{beeper}" },
    { cmd: "beeper.enable", wire: "PEA" },
    { cmd: "beeper.disable", wire: "PDA" },
    { cmd: "bypass.start", wire: "PEE" },
    { cmd: "bypass.stop", wire: "PDE" },
  ],
  vars: delays(5940),
  ack: "(ACK",
  batteryEstimate: false,
};

/** Autodetection order (NUT's, for the protocols implemented here). */
export const PROTOCOLS: readonly QxProtocol[] = [
  VOLTRONIC,
  VOLTRONIC_QS,
  MUSTEK,
  MECER,
  MEGATEC,
  Q1,
];

/** A protocol by its `protocol =` name (case-insensitive). */
export function protocolByName(name: string): QxProtocol | undefined {
  return PROTOCOLS.find((p) => p.name === name.toLowerCase());
}
