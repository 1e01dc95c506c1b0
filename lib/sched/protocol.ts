/**
 * The line protocol between the upssched CLI and its timer daemon on the
 * PIPEFN unix socket. Requests are one line of NUT-tokenized words; the
 * daemon answers `OK` (or `ERR UNKNOWN`); a listing comes as
 * `BEGIN LIST TIMERS`, one TAB-separated row per timer, `END LIST TIMERS`,
 * then `OK`.
 *
 * ```
 * START          "<name>" "<seconds>" "<NOTIFYTYPE>" "<UPSNAME>" "<NOTIFYMSG>"
 * START-SHARED   "<name>" "<seconds>" "<NOTIFYTYPE>" "<UPSNAME>" "<NOTIFYMSG>"
 * CANCEL         "<name>" "<cmd or empty>" "<NOTIFYTYPE>" "<UPSNAME>" "<NOTIFYMSG>"
 * CANCEL-MATCHED "<name>" "<cmd or empty>" "<NOTIFYTYPE>" "<UPSNAME>" "<NOTIFYMSG>"
 * LIST-TIMERS    "" "" "" "" ""
 * ```
 * Older clients send fewer words (NUT 2.8.0: `START name secs`,
 * `CANCEL name [cmd]`); missing fields read as "".
 *
 * @module
 */

import { quote } from "../protocol/quote.ts";
import type { TimerView } from "./timers.ts";

export type Verb = "START" | "START-SHARED" | "CANCEL" | "CANCEL-MATCHED" | "LIST-TIMERS";

export interface Request {
  verb: Verb;
  /** Timer name ("" for LIST-TIMERS). */
  name: string;
  /** START*: the delay in seconds as text; CANCEL*: the command to run if nothing was cancelled. */
  arg: string;
  notifyType: string;
  upsName: string;
  message: string;
}

export const REPLY_OK = "OK";
export const REPLY_UNKNOWN = "ERR UNKNOWN";
export const LIST_BEGIN = "BEGIN LIST TIMERS";
export const LIST_END = "END LIST TIMERS";

/** The wire form of a request, with its LF. */
export function encodeRequest(r: Request): string {
  const fields = [r.name, r.arg, r.notifyType, r.upsName, r.message].map(quote);
  return `${r.verb} ${fields.join(" ")}\n`;
}

/** Fewest words each verb needs (verb included). */
const MIN_WORDS: Record<Verb, number> = {
  "START": 3,
  "START-SHARED": 3,
  "CANCEL": 2,
  "CANCEL-MATCHED": 2,
  "LIST-TIMERS": 1,
};

/** A tokenized request line, or null when the verb is unknown or words are missing. */
export function parseRequest(words: readonly string[]): Request | null {
  const verb = words[0] as Verb;
  if (!Object.hasOwn(MIN_WORDS, verb) || words.length < MIN_WORDS[verb]) return null;
  const w = (i: number) => words[i] ?? "";
  return { verb, name: w(1), arg: w(2), notifyType: w(3), upsName: w(4), message: w(5) };
}

/**
 * C strtol(s, NULL, 10) as NUT reads a timer offset: leading blanks, an
 * optional sign, digits; anything else ends the number ("" or "x" give 0).
 */
export function parseOffset(text: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  if (!m) return 0;
  const n = Number(m[1]);
  return Number.isFinite(n) ? n : 0;
}

/** C printf("%g"): 6 significant digits, trailing zeros dropped. */
export function formatG(x: number): string {
  if (x === 0) return "0";
  if (!Number.isFinite(x)) return String(x);
  const exp = Math.floor(Math.log10(Math.abs(Number(x.toPrecision(6)))));
  if (exp < -4 || exp >= 6) {
    const [mant, e] = x.toExponential(5).split("e");
    const m = mant.includes(".") ? mant.replace(/0+$/, "").replace(/\.$/, "") : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? "-" : "+"}${String(Math.abs(n)).padStart(2, "0")}`;
  }
  const fixed = x.toFixed(Math.max(0, 5 - exp));
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/** An empty listing field is shown as two double quotes. */
function field(s: string): string {
  return s === "" ? '""' : s;
}

/** Separator between the messages recorded on one timer (NUT's choice: period + TAB). */
export const MESSAGE_SEPARATOR = ".\t";

/**
 * One `upssched -l` row: NAME, expiry (epoch seconds), seconds left (%g),
 * NOTIFYTYPEs, UPSNAMEs, NOTIFYMSGs, separated by TABs.
 */
export function formatListRow(t: TimerView, nowMs: number): string {
  const left = Math.round(t.expiresAt - nowMs) / 1000;
  return [
    field(t.name),
    String(Math.floor(t.expiresAt / 1000)),
    formatG(left),
    field(t.notifyTypes.join(",")),
    field(t.upsNames.join(",")),
    field(t.messages.join(MESSAGE_SEPARATOR)),
  ].join("\t");
}
