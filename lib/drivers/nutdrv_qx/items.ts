/**
 * The shape of a Q* protocol as data: a protocol is a list of rows, each
 * row says where one NUT variable (or status bit, or driver setting) lives
 * in the reply to one query, how to check and convert it, and how often to
 * read it; commands and settable variables are rows too. The engine
 * (engine.ts) runs any protocol described this way; conversions are named
 * and live in convert.ts.
 *
 * Column numbers are 0-based offsets into the reply including its leading
 * `(` or `#`, both ends inclusive (as hw-serial.md writes them).
 *
 * @module
 */

/** How often a row is read. */
export type ItemFlag =
  /** once, at start-up (ratings, identity) */
  | "static"
  /** on every poll (status bits); the rest only on full updates (`pollfreq`) */
  | "quick"
  /** `%s` field: strip surrounding spaces; nothing left = not published */
  | "trim"
  /** not a NUT variable but a device setting: logged as `name: value` */
  | "nonut";

/** One value read from a reply. */
export interface QxItem {
  /** NUT variable (`input.voltage`), `ups.status` / `ups.alarm` for status rows, or a setting name (`nonut`). */
  info: string;
  /** Query sent, without its CR. */
  query: string;
  /** First character the reply must start with (`(` or `#`), "" for none. */
  lead: string;
  /** Shortest valid reply, CR included. */
  minLength: number;
  /** First and last column of the field (inclusive). */
  from: number;
  to: number;
  /** C format of the published value (`%.1f`, `%.0f`, `%s`); none for status rows. */
  fmt?: string;
  flags?: readonly ItemFlag[];
  /** Named conversion of the field (convert.ts); plain formatting when absent. */
  conv?: string;
  /** Argument for the conversion (a status token, a QFLAG letter, a scale...). */
  arg?: string;
  /** Settable through the device: how (see QxSetter). */
  set?: QxSetter;
}

/** How a device-side variable is written (`SET`). */
export interface QxSetter {
  /** Wire template; `{value}` is replaced by the formatted value. None: range known, not settable here. */
  wire?: string;
  /** Format of `{value}` (`%03d`, `%.1f`, `%02d`). */
  fmt: string;
  /** Enumerated values (`yes`/`no`) → what `{value}` becomes for each. */
  enums?: Readonly<Record<string, string>>;
  /** Allowed range, fixed or from a named rule (convert.ts RANGE_RULES). */
  range?: readonly [number, number] | string;
}

/** An instant command. */
export interface QxCommand {
  cmd: string;
  /**
   * Wire template. Placeholders: `{off}` shutdown delay as `.n`/`nn`,
   * `{on}` restart delay in minutes as 4 digits, `{test}` the command's
   * parameter as a test duration (see delays.ts), `{beeper}` ON/OFF toggle.
   */
  wire: string;
  /** Accepted parameter range in seconds for `{test}` (default: no parameter). */
  testRange?: readonly [number, number];
  /** How `{test}` is written: minutes `nn` (Megatec) or `.n`/`nn` like a shutdown delay. */
  testFormat?: "minutes" | "delay" | "blazer-minutes";
}

/** A variable kept by the driver itself (delays), settable within a range. */
export interface QxDriverVar {
  info: string;
  /** Driver setting giving the start value (`ondelay`), and its default. */
  option: string;
  default: number;
  range: readonly [number, number];
  /** Rounding on set: whole minutes, or 6 s steps below one minute then minutes. */
  rounding: "minutes" | "shutdown";
}

/** Which rows must give a valid value for a protocol to claim the device. */
export interface QxClaim {
  /** Rows (by info) that must read fine, in order. */
  items: readonly string[];
  /** Extra rows needed unless the `novendor` flag is set. */
  vendorItems?: readonly string[];
}

export interface QxProtocol {
  /** As `protocol =` takes it (`megatec`, `voltronic`). */
  name: string;
  /** As published in driver.version.data (`Megatec 0.06`). */
  version: string;
  claim: QxClaim;
  items: readonly QxItem[];
  commands: readonly QxCommand[];
  vars: readonly QxDriverVar[];
  /** Reply meaning "command accepted" (`(ACK`); without it, no reply = accepted. */
  ack?: string;
  /** Estimate battery.charge from the voltage (protocols whose units do not report it). */
  batteryEstimate: boolean;
  /** Whether the protocol honours `norating` / `novendor` (skips F / I rows). */
  ratingQuery?: string;
  vendorQuery?: string;
}
