/**
 * A simulated APC Smart-UPS speaking the APC Smart protocol (hw-serial.md
 * §3): single-character requests without terminator, replies ending in
 * CR LF, `NA` for what it does not know, smart mode entered with `Y`,
 * capabilities (`a`, ^Z), enumerated settings changed with `-`, strings set
 * with `-` and eight characters, and asynchronous alert characters when the
 * mains go or come back or the battery runs low. Pure apart from the clock.
 *
 * @module
 */

/** Request bytes (Latin-1) → what the unit sends back, possibly nothing. */
export interface StreamDevice {
  /** Feed received bytes; returns the bytes to send back (possibly ""). */
  receive(bytes: string): string;
  /** Bytes the unit sends on its own (alerts) since the last call. */
  unsolicited?(): string;
}

/** A setting the unit stores: its current value and, if enumerated, the choices. */
interface Setting {
  value: string;
  choices?: string[];
  /** Free text of exactly 8 characters (`c` ups.id, `x` battery date). */
  text?: boolean;
}

export interface ApcDeviceOptions {
  /** Answer to `V` (old firmware id) and `b` (new style), `NA` when absent. */
  firmwareOld?: string;
  firmware?: string;
  /** ^A model name. */
  model?: string;
  /** Command characters listed by `a` (default: a Smart-UPS's). */
  commands?: string;
  /** ^Z capabilities: command, locale, choices (default: a Smart-UPS's). */
  caps?: Array<[string, string, string[]]>;
  /** Replies by command character, replacing the model's (current values of settings too). */
  values?: Record<string, string>;
}

/** Capabilities (^Z) of the model unit: command, locale, choices (width from the values). */
const CAPS: Array<[string, string, string[]]> = [
  ["u", "4", ["253", "264", "271", "280"]],
  ["l", "4", ["208", "204", "200", "196"]],
  ["e", "4", ["00", "15", "50", "90"]],
  ["o", "4", ["230", "240", "220", "225"]],
  ["s", "4", ["H", "M", "L", "L"]],
  ["q", "4", ["02", "05", "07", "10"]],
  ["p", "4", ["020", "180", "300", "600"]],
  ["k", "4", ["0", "T", "L", "N"]],
  ["r", "4", ["000", "060", "180", "300"]],
  ["E", "4", ["336", "168", "ON ", "OFF"]],
];

const DEFAULT_COMMANDS = "\x01\x0E\x1A')+-89@ABDEFGKLMNOPQRSUVWXYZabcdefgjklmnopqrsuxyz~";
const ALERT_SET = "!$%+?=#|";

export class ApcDevice implements StreamDevice {
  /** Requests in order (multi-byte ones as one entry, e.g. `@000`, `-UPS_IDEN`). */
  readonly received: string[] = [];
  mains = true;
  lowBattery = false;
  replaceBattery = false;
  overload = false;
  calibrating = false;
  trim = false;
  boost = false;
  smart = false;
  /** Output switched off by a shutdown command. */
  off = false;
  readonly values: Record<string, string> = {
    "\x01": "Smart-UPS 1500",
    n: "AS0123456789",
    m: "03/14/19",
    B: "27.36",
    f: "100.0",
    j: "0042:",
    L: "231.8",
    F: "50.00",
    O: "231.8",
    P: "021.3",
    C: "036.0",
    G: "O",
    M: "233.1",
    N: "229.4",
    X: "NO",
    "9": "FF",
    g: "024",
    "/": "01.20",
    ">": "000",
    "<": "000",
    V: "NA",
    b: "601.3.I",
  };
  readonly settings: Record<string, Setting> = {
    c: { value: "UPS_IDEN", text: true },
    x: { value: "03/14/19", text: true },
  };
  #pending = "";
  #last = "";
  #outbox = "";
  readonly commands: string;
  readonly caps: Array<[string, string, string[]]>;

  constructor(readonly opts: ApcDeviceOptions = {}) {
    if (opts.firmwareOld) this.values.V = opts.firmwareOld;
    if (opts.firmware) this.values.b = opts.firmware;
    if (opts.model) this.values["\x01"] = opts.model;
    this.commands = opts.commands ?? DEFAULT_COMMANDS;
    this.caps = opts.caps ?? CAPS;
    for (const [cmd, , choices] of this.caps) {
      this.settings[cmd] = { value: choices[0], choices: [...new Set(choices)] };
    }
    if (!opts.caps) {
      this.settings.s.value = "H";
      this.settings.p.value = "020";
    }
    for (const [cmd, value] of Object.entries(opts.values ?? {})) {
      if (this.settings[cmd]) this.settings[cmd].value = value;
      else this.values[cmd] = value;
    }
  }

  /** The ^Z answer. */
  capabilities(): string {
    return "#" +
      this.caps.map(([cmd, loc, ch]) => `${cmd}${loc}${ch.length}${ch[0].length}${ch.join("")}`)
        .join("");
  }

  /** The status register (`Q`): two hex digits. */
  statusRegister(): number {
    let q = 0;
    if (this.calibrating) q |= 0x01;
    if (this.trim) q |= 0x02;
    if (this.boost) q |= 0x04;
    if (this.mains) q |= 0x08;
    else q |= 0x10;
    if (this.overload) q |= 0x20;
    if (this.lowBattery) q |= 0x40;
    if (this.replaceBattery) q |= 0x80;
    if (this.off) q = 0;
    return q;
  }

  /** Change the mains / battery state; queues the matching alert characters. */
  set(
    changes: {
      mains?: boolean;
      lowBattery?: boolean;
      overload?: boolean;
      replaceBattery?: boolean;
    },
  ) {
    if (changes.mains !== undefined && changes.mains !== this.mains) {
      this.mains = changes.mains;
      this.#outbox += this.mains ? "$" : "!";
      this.values.L = this.mains ? "231.8" : "000.0";
    }
    if (changes.lowBattery !== undefined && changes.lowBattery !== this.lowBattery) {
      this.lowBattery = changes.lowBattery;
      this.#outbox += this.lowBattery ? "%" : "+";
    }
    if (changes.overload !== undefined && changes.overload !== this.overload) {
      this.overload = changes.overload;
      this.#outbox += this.overload ? "?" : "=";
    }
    if (changes.replaceBattery !== undefined) {
      this.replaceBattery = changes.replaceBattery;
      if (changes.replaceBattery) this.#outbox += "#";
    }
  }

  unsolicited(): string {
    const out = this.#outbox;
    this.#outbox = "";
    return out;
  }

  receive(bytes: string): string {
    let out = "";
    for (const ch of bytes) out += this.#byte(ch);
    return out;
  }

  #reply(text: string): string {
    return text + "\r\n";
  }

  #byte(ch: string): string {
    // multi-byte requests in progress: @nnn, -xxxxxxxx
    if (this.#pending) {
      this.#pending += ch;
      const p = this.#pending;
      if (p[0] === "@" && p.length === 4) {
        this.#pending = "";
        this.received.push(p);
        return this.#hibernate(p);
      }
      if (p[0] === "-" && p.length === 9) {
        this.#pending = "";
        this.received.push(p);
        const s = this.settings[this.#last];
        if (!s?.text) return this.#reply("NO");
        s.value = p.slice(1);
        return this.#reply("OK") + "|";
      }
      return "";
    }
    if (ch === "@") {
      this.#pending = "@";
      return "";
    }
    if (ch === "-" && this.settings[this.#last]?.text) {
      this.#pending = "-";
      return "";
    }
    this.received.push(ch);
    if (ch === "\x1b") return "";
    if (ch === "Y") {
      this.smart = true;
      return this.#reply("SM");
    }
    if (!this.smart) return "";
    if (!this.commands.includes(ch) && !"Ya\x1b-".includes(ch)) return this.#reply("NA");
    const last = this.#last;
    this.#last = ch;
    switch (ch) {
      case "Q":
        return this.#reply(this.statusRegister().toString(16).toUpperCase().padStart(2, "0"));
      case "a":
        return this.#reply(`3.${ALERT_SET}.${this.commands}`);
      case "\x1a":
        return this.#reply(this.capabilities());
      case "-": {
        const s = this.settings[last];
        if (!s?.choices) return this.#reply("NO");
        const i = s.choices.indexOf(s.value);
        s.value = s.choices[(i + 1) % s.choices.length];
        this.#last = last;
        return this.#reply("OK") + "|";
      }
      case "W":
        this.calibrating = false;
        this.values.X = "OK";
        return this.#reply("OK");
      case "A":
        return this.#reply("OK");
      case "U":
        // simulated power failure: the unit runs on battery until the mains "return"
        this.set({ mains: false });
        return this.#reply("OK");
      case "D":
        this.calibrating = !this.calibrating;
        return this.#reply("OK");
      case "S":
        if (this.mains) return this.#reply("NA");
        this.off = true;
        return this.#reply("OK");
      case "K":
      case "Z":
        // power-off commands act on the second of two within 1.5 s (not modelled: the first does)
        this.off = true;
        return this.#reply(ch === "K" ? "OK" : "*");
      case "\x0e":
        this.off = false;
        return this.#reply("OK");
      case "^":
        return this.#reply("NA");
    }
    if (ch in this.settings) return this.#reply(this.settings[ch].value);
    if (ch in this.values) return this.#reply(this.values[ch]);
    return this.#reply("NA");
  }

  #hibernate(cmd: string): string {
    if (!/^@\d{3}$/.test(cmd)) return this.#reply("NA");
    this.off = true;
    return this.#reply("OK");
  }
}
