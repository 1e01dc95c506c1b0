/**
 * dummy-ups definition files (.dev / .seq), parsed with the shared
 * tokenizer into directives (spec daemons.md §5.2):
 *
 * ```
 * <var>[:] <word> [<word>…]    set a variable (words re-joined with one space)
 * TIMER <seconds>              pause here, resume after <seconds>
 * ALARM <text…>                add an alarm text (NUT ≥ 2.8.4); ALARM alone clears alarms
 * driver.*                     ignored (the core publishes those)
 * ```
 *
 * Where NUT 2.8.0 is buggy we follow the documented intent instead:
 * - `ups.serial:nospace` (no space after the colon) sets `nospace` (2.8.0
 *   lost the value and reused the previous line's);
 * - `name:` with no value sets an empty value (2.8.0 reused the previous
 *   line's value); DDL dumps contain such lines where a device published an
 *   empty string, so this keeps the dump faithful;
 * - `TIMER`, `ALARM` and `ups.status` are matched as whole words (2.8.0
 *   compared prefixes, so `ups.status.x` fed the status);
 * - a TIMER without a valid number is reported and ignored.
 *
 * @module
 */

import { tokenizeText } from "../../conf/tokenizer.ts";

export type Directive =
  | { kind: "set"; name: string; value: string; lineNo: number }
  | { kind: "timer"; seconds: number; lineNo: number }
  | { kind: "alarm"; text: string; lineNo: number };

export interface DevFile {
  directives: Directive[];
  /** Problems, as `file:line: message` (the lines were skipped). */
  errors: string[];
}

export function parseDevFile(text: string | Uint8Array, file: string): DevFile {
  const { lines, errors } = tokenizeText(text);
  const out: DevFile = {
    directives: [],
    errors: errors.map((e) => `${file}:${e.lineNo}: ${e.message}`),
  };
  for (const { words, lineNo } of lines) {
    const first = words[0];
    if (first === "TIMER") {
      const n = words.length > 1 ? Number(words[1]) : NaN;
      if (!Number.isFinite(n) || n < 0) {
        out.errors.push(`${file}:${lineNo}: TIMER needs a number of seconds`);
        continue;
      }
      out.directives.push({ kind: "timer", seconds: n, lineNo });
      continue;
    }
    if (first === "ALARM") {
      out.directives.push({ kind: "alarm", text: words.slice(1).join(" "), lineNo });
      continue;
    }
    const colon = first.indexOf(":");
    const name = colon < 0 ? first : first.slice(0, colon);
    const attached = colon < 0 ? "" : first.slice(colon + 1);
    if (name === "") {
      out.errors.push(`${file}:${lineNo}: missing variable name`);
      continue;
    }
    if (name.toLowerCase().startsWith("driver.")) continue;
    const valueWords = attached === "" ? words.slice(1) : [attached, ...words.slice(1)];
    out.directives.push({ kind: "set", name, value: valueWords.join(" "), lineNo });
  }
  return out;
}
