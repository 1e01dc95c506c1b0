/**
 * Turning reply fields into published values the way NUT's Q* drivers do:
 * a field is numeric when it holds only digits, spaces, dots (and a
 * leading minus); blanks read as 0 (real units leave rating fields empty:
 * `#   .   .  12.00   . `); values are printed with a C format (`%.1f`,
 * `%.0f`, `%d`, `%s`). Pure.
 *
 * @module
 */

/** True when C's strtod would read the whole field as a number NUT accepts. */
export function isNumericField(text: string): boolean {
  return /^ *-?[0-9 .]*$/.test(text);
}

/** strtod of a numeric field: leading spaces skipped, blanks and lone dots read as 0. */
export function fieldNumber(text: string): number {
  const m = /^\s*(-?(?:\d+\.?\d*|\.\d+))/.exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * `value` with `decimals` digits, rounding exact ties to even as glibc's
 * printf does (JS toFixed rounds them up: 2.5 → "3", printf "%.0f" → "2").
 */
export function fixed(value: number, decimals: number): string {
  const scaled = value * 10 ** decimals;
  if (Number.isFinite(scaled) && Math.abs(scaled) < 2 ** 52 && scaled % 1 !== 0) {
    const frac = Math.abs(scaled % 1);
    if (frac === 0.5) {
      const down = Math.trunc(scaled);
      const even = down % 2 === 0 ? down : down + Math.sign(scaled);
      return (even / 10 ** decimals).toFixed(decimals);
    }
  }
  const text = value.toFixed(decimals);
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/**
 * A small printf for one argument: `%s`, `%d`, `%0Nd`, `%.Nf`, `%N.Mf`,
 * with literal text around it. Numbers given to `%s` print as JS does.
 */
export function cformat(fmt: string, value: number | string): string {
  return fmt.replace(/%(0?)(\d*)(?:\.(\d+))?([sdf%])/, (_m, zero, width, prec, conv) => {
    let s: string;
    switch (conv) {
      case "%":
        return "%";
      case "s":
        s = String(value);
        break;
      case "d":
        s = String(Math.trunc(typeof value === "number" ? value : fieldNumber(value)));
        break;
      default:
        s = fixed(typeof value === "number" ? value : fieldNumber(value), prec ? Number(prec) : 6);
    }
    const w = width ? Number(width) : 0;
    if (s.length < w) {
      s = zero && conv !== "s"
        ? (s.startsWith("-") ? "-" + s.slice(1).padStart(w - 1, "0") : s.padStart(w, "0"))
        : s.padStart(w, " ");
    }
    return s;
  });
}

/** True when the format prints a number (so the field must be numeric). */
export function isNumericFormat(fmt: string): boolean {
  return /%0?\d*(?:\.\d+)?[df]/.test(fmt);
}
