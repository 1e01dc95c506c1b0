/**
 * Delays and durations on the Megatec wire (hw-serial.md §1.4): the
 * shutdown delay `<n>` is `.2`..`.9` tenths of a minute below one minute,
 * else two-digit minutes; the restart delay `<mmmm>` is four-digit minutes;
 * a timed battery test is two-digit minutes (or, for Voltronic, written like
 * the shutdown delay). Values set by clients are rounded the same way. Pure.
 *
 * @module
 */

/** `<n>` of `S<n>`: `"." + floor(s/6)` below 60 s, else `%02d` minutes. */
export function offDelayText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return "." + Math.floor(s / 6);
  return String(Math.floor(s / 60)).padStart(2, "0");
}

/** `<mmmm>` of `R<mmmm>`: whole minutes, 4 digits. */
export function onDelayText(seconds: number): string {
  return String(Math.max(0, Math.floor(seconds / 60))).padStart(4, "0");
}

/** `S<n>R<mmmm>` (or `S<n>` when the restart delay is 0: restart on mains return). */
export function shutdownReturnWire(offdelay: number, ondelay: number): string {
  return ondelay <= 0
    ? `S${offDelayText(offdelay)}`
    : `S${offDelayText(offdelay)}R${onDelayText(ondelay)}`;
}

/** What a settable shutdown delay becomes: 6 s steps below a minute, else whole minutes. */
export function roundShutdownDelay(seconds: number): number {
  const s = Math.floor(seconds);
  return s < 60 ? s - (s % 6) : s - (s % 60);
}

/** Whole minutes (restart delay, test durations). */
export function roundMinutes(seconds: number): number {
  const s = Math.floor(seconds);
  return s - (s % 60);
}

/** `T<nn>`'s `<nn>` for a test of `seconds`: two-digit minutes. */
export function testMinutesText(seconds: number): string {
  return String(Math.floor(seconds / 60)).padStart(2, "0");
}
