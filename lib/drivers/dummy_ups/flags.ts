/**
 * dummy-ups' variable table, as data: the flags (and string length) a
 * variable gets when dummy-ups sets it. Every variable is writable (RW);
 * numeric ones are plain RW; string ones are RW STRING with a maximum length.
 * Names not in the table get RW STRING 32.
 *
 * Established by feeding Debian's 2.8.0 dummy-ups every standard variable name
 * (cmdvartab, nut-names, the DDL dumps) and reading the flags it published.
 *
 * @module
 */

import { FLAG_RW, FLAG_STRING } from "../../state/tree.ts";

export interface VarFlags {
  flags: number;
  /** Maximum string length (SETAUX); 0 for numeric variables. */
  aux: number;
}

/** Variables dummy-ups treats as numbers (RW only). */
export const NUMERIC_VARS: readonly string[] = [
  "ambient.humidity",
  "ambient.humidity.alarm",
  "ambient.humidity.high",
  "ambient.humidity.low",
  "ambient.temperature",
  "ambient.temperature.alarm",
  "ambient.temperature.high",
  "ambient.temperature.low",
  "battery.charge",
  "battery.charge.low",
  "battery.charge.restart",
  "battery.current",
  "battery.runtime",
  "battery.runtime.low",
  "battery.temperature",
  "battery.voltage",
  "battery.voltage.nominal",
  "input.frequency",
  "input.transfer.boost.high",
  "input.transfer.boost.low",
  "input.transfer.high",
  "input.transfer.low",
  "input.transfer.trim.high",
  "input.transfer.trim.low",
  "input.voltage",
  "input.voltage.maximum",
  "input.voltage.minimum",
  "input.voltage.nominal",
  "output.current",
  "output.frequency",
  "output.voltage",
  "ups.delay.reboot",
  "ups.delay.shutdown",
  "ups.delay.start",
  "ups.load",
  "ups.temperature",
  "ups.test.interval",
];

/** String variables whose maximum length is not the default 32. */
export const STRING_LENGTHS: Readonly<Record<string, number>> = {
  "ups.date": 16,
  "ups.firmware": 16,
  "ups.firmware.aux": 16,
  "ups.id": 16,
  "ups.mfr.date": 16,
  "ups.test.result": 16,
  "ups.time": 16,
  "input.quality": 6,
  "input.sensitivity": 1,
  "input.transfer.reason": 1,
};

/** Length of string variables not listed above (ups.mfr, ups.model, ups.status, unknown names...). */
export const DEFAULT_STRING_LENGTH = 32;

const numeric = new Set(NUMERIC_VARS);

/** Flags and length for a variable (name compared case-insensitively). */
export function varFlags(name: string): VarFlags {
  const k = name.toLowerCase();
  if (numeric.has(k)) return { flags: FLAG_RW, aux: 0 };
  return { flags: FLAG_RW | FLAG_STRING, aux: STRING_LENGTHS[k] ?? DEFAULT_STRING_LENGTH };
}
