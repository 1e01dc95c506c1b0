/**
 * Contact-closure UPS types (hw-serial.md §4.2) as data: which output lines
 * power the cable, which input line says "on line", "low battery" (and for
 * some types "replace battery" / "bypass"), and how the host asks for a
 * shutdown. A signal is a modem input line and the state that makes the
 * condition true (`on`: while asserted).
 *
 * @module
 */

export type InputLine = "CTS" | "DCD" | "RNG" | "DSR";

/** A condition read from one input line. */
export interface Signal {
  line: InputLine;
  /** True: the condition holds while the line is asserted; false: while it is not. */
  on: boolean;
}

/** Output lines to assert (the rest are cleared), or a BREAK on TxD. */
export interface Outputs {
  dtr: boolean;
  rts: boolean;
  /** Send a BREAK (about 5 s) instead of setting lines (`ST`). */
  brk?: boolean;
}

/** Shutdown: the output pattern to set (all clear for "none"), or unknown (not possible). */
export type Shutdown = Outputs | "unknown";

export interface UpsType {
  mfr: string;
  model: string;
  /** Cable and variant notes, shown with the type list. */
  desc?: string;
  cablePower: Outputs;
  ol: Signal;
  lb: Signal;
  rb?: Signal;
  bypass?: Signal;
  shutdown: Shutdown;
}

const on = (line: InputLine): Signal => ({ line, on: true });
const off = (line: InputLine): Signal => ({ line, on: false });
const DTR: Outputs = { dtr: true, rts: false };
const RTS: Outputs = { dtr: false, rts: true };
const BOTH: Outputs = { dtr: true, rts: true };
const NONE: Outputs = { dtr: false, rts: false };
const BREAK: Outputs = { dtr: false, rts: false, brk: true };

/** Index = upstype number. */
export const UPS_TYPES: readonly UpsType[] = [
  {
    mfr: "UPSONIC",
    model: "LAN Saver 600",
    cablePower: BOTH,
    ol: off("CTS"),
    lb: on("DCD"),
    shutdown: RTS,
  },
  {
    mfr: "APC",
    model: "Back-UPS",
    desc: "940-0095A/C cable",
    cablePower: DTR,
    ol: off("RNG"),
    lb: on("DCD"),
    shutdown: RTS,
  },
  {
    mfr: "APC",
    model: "Back-UPS",
    desc: "940-0020B/C cable",
    cablePower: RTS,
    ol: off("CTS"),
    lb: on("DCD"),
    shutdown: BOTH,
  },
  {
    mfr: "PowerTech",
    model: "Comp1000",
    desc: "DTR as cable power",
    cablePower: DTR,
    ol: off("CTS"),
    lb: on("DCD"),
    shutdown: BOTH,
  },
  {
    mfr: "Generic",
    model: "RUPS model",
    cablePower: RTS,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: NONE,
  },
  {
    mfr: "Tripp Lite",
    model: "UPS with Lan2.2 interface",
    desc: "black 73-0844 cable",
    cablePower: DTR,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: BOTH,
  },
  {
    mfr: "Best",
    model: "Patriot",
    desc: "INT51 cable",
    cablePower: DTR,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: RTS,
  },
  {
    mfr: "CyberPower",
    model: "Power99",
    cablePower: RTS,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: DTR,
  },
  {
    mfr: "Nitram",
    model: "Elite 500",
    cablePower: DTR,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: "unknown",
  },
  {
    mfr: "APC",
    model: "Back-UPS",
    desc: "940-0023A cable",
    cablePower: NONE,
    ol: off("DCD"),
    lb: on("CTS"),
    shutdown: RTS,
  },
  {
    mfr: "Victron",
    model: "Lite",
    desc: "crack cable",
    cablePower: RTS,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: DTR,
  },
  {
    mfr: "Powerware",
    model: "3115",
    cablePower: DTR,
    ol: off("CTS"),
    lb: off("DCD"),
    shutdown: BREAK,
  },
  {
    mfr: "APC",
    model: "Back-UPS Office",
    desc: "940-0119A cable",
    cablePower: RTS,
    ol: off("CTS"),
    lb: on("DCD"),
    shutdown: DTR,
  },
  {
    mfr: "Repoteck",
    model: "RPT-800A, RPT-162A",
    cablePower: BOTH,
    ol: on("DCD"),
    lb: off("CTS"),
    shutdown: BREAK,
  },
  {
    mfr: "Online",
    model: "P-series",
    cablePower: DTR,
    ol: on("DCD"),
    lb: off("CTS"),
    shutdown: RTS,
  },
  {
    mfr: "Powerware",
    model: "5119",
    cablePower: DTR,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: BREAK,
  },
  {
    mfr: "Nitram",
    model: "Elite 2002",
    cablePower: BOTH,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: "unknown",
  },
  {
    mfr: "PowerKinetics",
    model: "9001",
    cablePower: DTR,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: "unknown",
  },
  {
    mfr: "TrippLite",
    model: "UPS",
    desc: "Martin's cabling",
    cablePower: DTR,
    ol: on("CTS"),
    lb: on("DCD"),
    shutdown: "unknown",
  },
  {
    mfr: "Fideltronik",
    model: "Ares Series",
    cablePower: DTR,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: RTS,
  },
  {
    mfr: "Powerware",
    model: "5119 RM",
    cablePower: DTR,
    ol: off("CTS"),
    lb: on("DCD"),
    shutdown: BREAK,
  },
  {
    mfr: "Generic",
    model: "RUPS 2000",
    desc: "Megatec M2501 cable",
    cablePower: RTS,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: BOTH,
  },
  {
    mfr: "Gamatronic",
    model: "UPSs with alarm interface",
    cablePower: RTS,
    ol: on("CTS"),
    lb: off("DCD"),
    shutdown: DTR,
  },
  {
    mfr: "Generic",
    model: "FTTx battery backup",
    desc: "4-wire telemetry interface",
    cablePower: RTS,
    ol: on("CTS"),
    lb: off("DCD"),
    rb: off("RNG"),
    bypass: off("DSR"),
    shutdown: NONE,
  },
];

/** `7: CyberPower Power99`-style line for the type list. */
export function typeLine(n: number): string {
  const t = UPS_TYPES[n];
  return `${n}: ${t.mfr} ${t.model}${t.desc ? ` (${t.desc})` : ""}`;
}
