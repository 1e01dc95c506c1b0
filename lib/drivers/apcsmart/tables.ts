/**
 * The APC Smart protocol as data (hw-serial.md §3): variables (command
 * character → NUT variable, conversion, polled or not), instant commands,
 * status register bits, alert characters, transfer reasons, and the
 * command sets of old firmware that cannot list its own.
 *
 * @module
 */

/** How a reply becomes a published value. */
export type ApcConv =
  /** as sent */
  | "none"
  /** hours → seconds; non-numeric (ON/OFF) → 0 */
  | "hours"
  /** minutes → seconds */
  | "minutes"
  /** `0042:` minutes with a colon → seconds */
  | "runtime"
  /** transfer reason letter → text */
  | "reason"
  /** shared `T`: ambient.0.temperature for `NN.NN`, device.uptime (hours → s) for `NNN.N` */
  | "temperatureOrUptime";

export interface ApcVar {
  /** Command character (may be a control character). */
  cmd: string;
  name: string;
  conv: ApcConv;
  /** Read on every poll (others once an hour). */
  poll?: boolean;
  /** Settable free text of 8 characters (RW STRING). */
  text?: boolean;
}

const v = (
  cmd: string,
  name: string,
  conv: ApcConv = "none",
  extra: Partial<ApcVar> = {},
): ApcVar => ({
  cmd,
  name,
  conv,
  ...extra,
});
const POLL = { poll: true };

export const APC_VARS: readonly ApcVar[] = [
  v("\x01", "ups.model"),
  v("C", "ups.temperature", "none", POLL),
  v("P", "ups.load", "none", POLL),
  v("E", "ups.test.interval", "hours"),
  v("X", "ups.test.result", "none", POLL),
  v("r", "ups.delay.start"),
  v("p", "ups.delay.shutdown"),
  v("c", "ups.id", "none", { text: true }),
  v("\x0c", "ups.display.language"),
  v("i", "ups.contacts", "none", POLL),
  v("L", "input.voltage", "none", POLL),
  v("F", "input.frequency", "none", POLL),
  v("s", "input.sensitivity"),
  v("9", "input.quality", "none", POLL),
  v("l", "input.transfer.low"),
  v("u", "input.transfer.high"),
  v("G", "input.transfer.reason", "reason", POLL),
  v("M", "input.voltage.maximum", "none", POLL),
  v("N", "input.voltage.minimum", "none", POLL),
  v("/", "output.current", "none", POLL),
  v("O", "output.voltage", "none", POLL),
  v("o", "output.voltage.nominal"),
  v("h", "ambient.humidity", "none", POLL),
  v("t", "ambient.temperature", "none", POLL),
  v("T", "ambient.0.temperature", "temperatureOrUptime", POLL),
  v("x", "battery.date", "none", { text: true }),
  v("f", "battery.charge", "none", POLL),
  v("e", "battery.charge.restart"),
  v("B", "battery.voltage", "none", POLL),
  v("g", "battery.voltage.nominal"),
  v("j", "battery.runtime", "runtime", POLL),
  v("q", "battery.runtime.low", "minutes"),
  v(">", "battery.packs"),
  v("<", "battery.packs.bad"),
  v("k", "battery.alarm.threshold"),
  v("n", "ups.serial"),
  v("m", "ups.mfr.date"),
  v("v", "ups.firmware.aux"),
];

/** How an instant command goes on the wire. */
export interface ApcCommand {
  cmd: string;
  /** Command character. */
  char: string;
  /** Sent twice, 1.3 s apart (the unit ignores a single one). */
  twice?: boolean;
  /** Executed only when a client asks twice, 3 to 15 s apart. */
  nasty?: boolean;
}

export const APC_COMMANDS: readonly ApcCommand[] = [
  { cmd: "load.off", char: "Z", twice: true, nasty: true },
  { cmd: "load.on", char: "\x0e", twice: true },
  { cmd: "shutdown.stayoff", char: "K", twice: true, nasty: true },
  { cmd: "shutdown.return", char: "S", nasty: true },
  { cmd: "shutdown.return", char: "@", nasty: true },
  { cmd: "test.battery.start", char: "W" },
  { cmd: "test.battery.stop", char: "W" },
  { cmd: "calibrate.start", char: "D" },
  { cmd: "calibrate.stop", char: "D" },
  { cmd: "test.panel.start", char: "A" },
  { cmd: "test.failure.start", char: "U" },
  { cmd: "bypass.start", char: "^" },
  { cmd: "bypass.stop", char: "^" },
];

/** Status register bits, in the order the tokens are published. */
export const STATUS_BITS: ReadonlyArray<readonly [number, string]> = [
  [0x01, "CAL"],
  [0x02, "TRIM"],
  [0x04, "BOOST"],
  [0x08, "OL"],
  [0x10, "OB"],
  [0x20, "OVER"],
  [0x40, "LB"],
  [0x80, "RB"],
];

/** Alert characters: the status tokens each sets and clears; `|` means "settings changed". */
export const ALERTS: Readonly<
  Record<string, { set?: string; clear?: string[]; reread?: boolean }>
> = {
  "!": { set: "OB", clear: ["OL"] },
  "$": { set: "OL", clear: ["OB"] },
  "%": { set: "LB" },
  "+": { clear: ["LB"] },
  "#": { set: "RB" },
  "?": { set: "OVER" },
  "=": { clear: ["OVER"] },
  "|": { reread: true },
  "&": {},
};

export const TRANSFER_REASONS: Readonly<Record<string, string>> = {
  R: "unacceptable utility voltage rate of change",
  H: "high utility voltage",
  L: "low utility voltage",
  T: "line voltage notch or spike",
  O: "no transfers yet since turnon",
  S: "simulated power failure or UPS test",
};

/** Never sent while discovering what a unit supports (hw-serial.md §3.1). */
export const NEVER_PROBED = "\x1a\x7f~')-+8QRYayz";

/**
 * Command sets of units too old to answer `a`, by firmware (from `V`);
 * an entry for the first characters applies to the whole family.
 */
export const COMPAT_CMDSETS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^0/, "\x01ABCDEFGKLMNOPQRSUWXYZcefgjklmnopqrsuxz/<>9"],
  [/^5/, "\x01ABCDEFGKLMNOPQRSUWXYZcefgjklmnopqrsuxz/<>9"],
  [/^[678]/, "ABCDEFGKLMNOPQRSUWXYZcefgjklmnopqrsuxz"],
  [/./, "ABCDEFGKLMNOPQRSUWXYZcefgjklmnopqrsu"],
];

/** `advorder` digits and `sdtype` numbers → shutdown methods. */
export type ShutdownMethod = "soft" | "hibernate" | "delayedOff" | "instantOff" | "csHack";
export const ADVORDER_METHODS: readonly ShutdownMethod[] = [
  "soft",
  "hibernate",
  "delayedOff",
  "instantOff",
  "csHack",
];
