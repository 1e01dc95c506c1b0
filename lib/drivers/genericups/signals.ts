/**
 * genericups settings and status, pure: the `upstype` row with the
 * `OL`/`LB`/`RB`/`BYPASS`/`CP`/`SD` overrides applied, and ups.status from
 * the modem input lines (hw-serial.md §4.1: LB, OL or OB, RB, BYPASS).
 *
 * @module
 */

import type { ModemLines } from "../../transport/serial.ts";
import {
  type InputLine,
  type Outputs,
  type Shutdown,
  type Signal,
  UPS_TYPES,
  type UpsType,
} from "./upstypes.ts";

/** A bad setting; the message is NUT-like and names the setting. */
export class SignalError extends Error {}

const INPUTS: Record<string, InputLine> = { CTS: "CTS", DCD: "DCD", RNG: "RNG", DSR: "DSR" };

/** `CTS`, `-DCD`, ...: an input line, `-` = condition true while not asserted. */
export function parseSignal(name: string, text: string): Signal {
  const t = text.trim().toUpperCase();
  const neg = t.startsWith("-");
  const line = INPUTS[neg ? t.slice(1) : t];
  if (!line) {
    throw new SignalError(
      `Invalid ${name} value [${text}]: use CTS, DCD, RNG or DSR, optionally with a leading '-'`,
    );
  }
  return { line, on: !neg };
}

/**
 * `DTR`, `RTS`, `DTR+RTS`, `ST` (break; SD only), `none`. Input lines are
 * refused: they cannot be driven.
 */
export function parseOutputs(name: string, text: string): Outputs {
  const t = text.trim().toUpperCase();
  if (t === "NONE" || t === "0") return { dtr: false, rts: false };
  for (const input of Object.keys(INPUTS)) {
    if (t.includes(input)) {
      throw new SignalError(`Invalid ${name} value [${text}]: ${input} is an input line`);
    }
  }
  const out: Outputs = { dtr: t.includes("DTR"), rts: t.includes("RTS") };
  if (t.includes("ST")) {
    if (name !== "SD") throw new SignalError(`Invalid ${name} value [${text}]: ST is for SD only`);
    out.brk = true;
  }
  if (!out.dtr && !out.rts && !out.brk) {
    throw new SignalError(
      `Invalid ${name} value [${text}]: use DTR, RTS, DTR+RTS${
        name === "SD" ? ", ST" : ""
      } or none`,
    );
  }
  return out;
}

/** The effective configuration of one UPS. */
export interface Config extends UpsType {
  upstype: number;
}

/** `upstype` plus overrides; `get` reads a setting. */
export function configure(get: (name: string) => string | undefined): Config {
  const text = get("upstype");
  if (text === undefined) throw new SignalError("No upstype set - see help text / man page!");
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || n >= UPS_TYPES.length) {
    throw new SignalError(`UPS type ${text.trim()} is invalid (0..${UPS_TYPES.length - 1})`);
  }
  const cfg: Config = { ...UPS_TYPES[n], upstype: n };
  const mfr = get("mfr");
  const model = get("model");
  if (mfr !== undefined) cfg.mfr = mfr;
  if (model !== undefined) cfg.model = model;
  for (const key of ["OL", "LB", "RB", "BYPASS"] as const) {
    const v = get(key);
    if (v === undefined) continue;
    const sig = parseSignal(key, v);
    if (key === "OL") cfg.ol = sig;
    else if (key === "LB") cfg.lb = sig;
    else if (key === "RB") cfg.rb = sig;
    else cfg.bypass = sig;
  }
  const cp = get("CP");
  if (cp !== undefined) cfg.cablePower = parseOutputs("CP", cp);
  const sd = get("SD");
  if (sd !== undefined) cfg.shutdown = parseOutputs("SD", sd) as Shutdown;
  return cfg;
}

function holds(sig: Signal, lines: ModemLines): boolean {
  const state = sig.line === "CTS"
    ? lines.cts
    : sig.line === "DCD"
    ? lines.dcd
    : sig.line === "RNG"
    ? lines.ri
    : lines.dsr;
  return state === sig.on;
}

/** ups.status tokens for the current input lines. */
export function statusTokens(cfg: Config, lines: ModemLines): string[] {
  const out: string[] = [];
  if (holds(cfg.lb, lines)) out.push("LB");
  out.push(holds(cfg.ol, lines) ? "OL" : "OB");
  if (cfg.rb && holds(cfg.rb, lines)) out.push("RB");
  if (cfg.bypass && holds(cfg.bypass, lines)) out.push("BYPASS");
  return out;
}
