/**
 * A simulated Q-family UPS (Megatec/Q1, Mustek, Mecer, Voltronic "QGS"
 * online units, Voltronic-QS line-interactive units): answers requests as the
 * real firmware does, keeps its state (mains, battery, test, shutdown, beeper)
 * and records every request it got. Pure apart from the clock it is given.
 *
 * Replies come from a built-in model unit per family, or from a transcript
 * of a real unit (transcripts.ts): the transcript's status reply seeds the
 * status line, which then follows the state (so a replayed unit can still
 * lose mains); other replies are replayed in turn.
 *
 * @module
 */

export type QxFamily = "megatec" | "q1" | "mustek" | "mecer" | "voltronic" | "voltronic-qs";

export const QX_FAMILIES: readonly QxFamily[] = [
  "megatec",
  "q1",
  "mustek",
  "mecer",
  "voltronic",
  "voltronic-qs",
];

/** What the firmware does with a request it does not know. */
export type UnknownReply = "echo" | "nak" | "silent";

/** Settable state; numbers keep the width and decimals of the reply field they live in. */
export interface QxChanges {
  /** Utility present (false: on battery). */
  mains?: boolean;
  lowBattery?: boolean;
  /** Bypass/boost/buck bit. */
  boostBuck?: boolean;
  /** UPS failed / fault bit. */
  failed?: boolean;
  testing?: boolean;
  shutdownActive?: boolean;
  beeper?: boolean;
  inputVoltage?: number;
  faultVoltage?: number;
  outputVoltage?: number;
  load?: number;
  frequency?: number;
  batteryVoltage?: number;
  temperature?: number;
  /** Voltronic only: battery capacity % and minutes left (QBV). */
  batteryCharge?: number;
  batteryMinutes?: number;
}

interface Layout {
  /** Status query of the family. */
  status: string;
  /** Token index per numeric field (undefined: the family has no such field). */
  fields: Partial<Record<keyof QxChanges, number>>;
  /** Token holding the status bits, and the bit positions in it. */
  bitsToken: number;
  bits: Partial<
    Record<
      "mainsFail" | "lowBattery" | "boostBuck" | "failed" | "testing" | "shutdownActive" | "beeper",
      number
    >
  >;
}

const Q1_LAYOUT: Layout = {
  status: "Q1",
  fields: {
    inputVoltage: 0,
    faultVoltage: 1,
    outputVoltage: 2,
    load: 3,
    frequency: 4,
    batteryVoltage: 5,
    temperature: 6,
  },
  bitsToken: 7,
  bits: {
    mainsFail: 0,
    lowBattery: 1,
    boostBuck: 2,
    failed: 3,
    testing: 5,
    shutdownActive: 6,
    beeper: 7,
  },
};

const QGS_LAYOUT: Layout = {
  status: "QGS",
  fields: {
    inputVoltage: 0,
    frequency: 1,
    outputVoltage: 2,
    load: 5,
    batteryVoltage: 8,
    temperature: 10,
  },
  bitsToken: 11,
  bits: {
    mainsFail: 2,
    lowBattery: 3,
    boostBuck: 4,
    failed: 5,
    testing: 7,
    shutdownActive: 8,
    beeper: 9,
  },
};

/** An `I` reply: `#`, maker (15), model (10), firmware (10), space separated. */
export function identity(mfr: string, model: string, firmware: string): string {
  return `#${mfr.padEnd(15).slice(0, 15)} ${model.padEnd(10).slice(0, 10)} ${
    firmware.padEnd(10).slice(0, 10)
  }`;
}

/** A model unit per family: replies by request (CR added when sent). */
const MODEL_REPLIES: Record<QxFamily, Record<string, string>> = {
  megatec: {
    Q1: "(229.8 229.8 229.8 012 50.0 27.3 31.0 00001001",
    F: "#230.0 004 24.00 50.0",
    I: identity("NUTDENO", "SIM-1000VA", "V1.2"),
  },
  q1: {
    Q1: "(231.0 231.0 230.0 018 49.9 13.7 28.0 00001000",
  },
  mustek: {
    QS: "(226.5 226.5 226.5 021 50.0 27.2 29.5 00001001",
    F: "#230.0 005 24.00 50.0",
    I: identity("MUSTEK-SIM", "PM-1000", "V2.05"),
  },
  mecer: {
    QPI: "(PI98",
    Q1: "(227.4 227.4 227.1 009 50.0 41.0 29.5 00000001",
    F: "#230.0 004 36.00 50.0",
    I: identity("MECER-SIM", "ME-1000", "V3.00"),
  },
  voltronic: {
    QGS: "(230.4 50.0 230.1 50.0 001.6 022 380.2 379.8 054.5 ---.- 027.7 100000000001",
    QPI: "(PI01",
    QMD: "(#######SIM-2KVA ###2000 80 1/1 230 230 04 12.0",
    QID: "(83122012102345",
    QVFW: "(VERFW:01072.07",
    QRI: "(230.0 008 048.0 50.0",
    QBV: "(054.5 04 01 098 032",
    QFLAG: "(EpbrashcDovegfjlnzm",
    QHE: "(242 218",
    QBYV: "(264 170",
    QBYF: "(53.0 47.0",
    QFRE: "(53.0 47.0",
    QMOD: "(L",
    QWS: "(" + "0".repeat(64),
    QFS: "(OK",
    F: "#230.0 008 048.0 50.0",
  },
  "voltronic-qs": {
    M: "V",
    QS: "(231.2 231.2 231.2 014 50.0 13.6 --.- 00001001",
    F: "#230.0 003 12.00 50.0",
    QI: "(099 02920 50.1 000.0 169 279 0 0000010000102000",
  },
};

/** Commands each family obeys (no reply, or "(ACK" for Voltronic/Mecer). */
const ACTION =
  /^(Q|T|TL|T\d\d|T\.\d|CT|C|CS|SOFF|SON|S\.\d(R\d{4})?|S\d\d(R\d{4})?|BZON|BZOFF|P[ED][A-Za-z]|BATGN\d\d|HE[HL]\d{3}|FRE[HL]\d\d\.\d)$/;

/** Commands only Voltronic firmware knows. */
const VOLTRONIC_ONLY = /^(CS|SOFF|SON|BZON|BZOFF|P[ED][A-Za-z]|BATGN.*|HE[HL].*|FRE[HL].*)$/;

export interface QxDeviceOptions {
  family: QxFamily;
  /** Replies of a real unit (e.g. from a transcript), used before the model's. */
  replies?: ReadonlyMap<string, ReadonlyArray<string | null>>;
  unknown?: UnknownReply;
  /** Clock (ms) for timed states (battery test); default Date.now. */
  now?: () => number;
}

export class QxDevice {
  readonly family: QxFamily;
  /** Every request, without its CR, in order. */
  readonly received: string[] = [];
  readonly unknown: UnknownReply;
  #layout: Layout;
  #tokens: string[];
  #prefix: string;
  #replies = new Map<string, Array<string | null>>();
  #turn = new Map<string, number>();
  #now: () => number;
  #testUntil = 0;
  #flags: string;

  constructor(opts: QxDeviceOptions) {
    this.family = opts.family;
    this.unknown = opts.unknown ??
      (opts.family === "voltronic" || opts.family === "mecer" ? "nak" : "echo");
    this.#now = opts.now ?? Date.now;
    this.#layout = opts.family === "voltronic" ? QGS_LAYOUT : {
      ...Q1_LAYOUT,
      status: opts.family === "mustek" || opts.family === "voltronic-qs" ? "QS" : "Q1",
    };
    for (const [req, reply] of Object.entries(MODEL_REPLIES[opts.family])) {
      this.#replies.set(req, [reply + "\r"]);
    }
    for (const [req, list] of opts.replies ?? []) this.#replies.set(req, [...list]);
    const seed = this.#replies.get(this.#layout.status)?.find((r) => r !== null) ??
      MODEL_REPLIES[opts.family][this.#layout.status] + "\r";
    const line = seed.replace(/\r$/, "");
    this.#prefix = line[0];
    this.#tokens = line.slice(1).split(" ");
    this.#flags = (this.#replies.get("QFLAG")?.[0] ?? "").replace(/^\(|\r$/g, "");
  }

  /** The status query of this family (`Q1`, `QS`, `QGS`). */
  get statusQuery(): string {
    return this.#layout.status;
  }

  /** The current status line, with CR. */
  statusLine(): string {
    const tokens = [...this.#tokens];
    if (this.#testUntil && this.#now() >= this.#testUntil) {
      this.#testUntil = 0;
      this.#setBit("testing", false);
    }
    return this.#prefix + tokens.join(" ") + "\r";
  }

  /** Current value of one status bit. */
  bit(name: keyof Layout["bits"]): boolean {
    const pos = this.#layout.bits[name];
    if (pos === undefined) return false;
    return this.#tokens[this.#layout.bitsToken][pos] === "1";
  }

  #setBit(name: keyof Layout["bits"], on: boolean): void {
    const pos = this.#layout.bits[name];
    if (pos === undefined) return;
    const t = this.#layout.bitsToken;
    const bits = this.#tokens[t].split("");
    bits[pos] = on ? "1" : "0";
    this.#tokens[t] = bits.join("");
  }

  #setField(index: number, value: number): void {
    const old = this.#tokens[index];
    const dot = old.indexOf(".");
    const decimals = dot < 0 ? 0 : old.length - dot - 1;
    let text = Math.abs(value).toFixed(decimals).padStart(old.length, "0");
    if (value < 0) text = "-" + text.slice(1);
    this.#tokens[index] = text.slice(-old.length);
  }

  /** Change the unit's state (what its sensors and flags say). */
  set(changes: QxChanges): void {
    const bitNames = {
      lowBattery: "lowBattery",
      boostBuck: "boostBuck",
      failed: "failed",
      testing: "testing",
      shutdownActive: "shutdownActive",
      beeper: "beeper",
    } as const;
    for (const [key, value] of Object.entries(changes) as Array<[keyof QxChanges, unknown]>) {
      if (value === undefined) continue;
      if (key === "mains") {
        this.#setBit("mainsFail", !value);
      } else if (key in bitNames) {
        this.#setBit(bitNames[key as keyof typeof bitNames], value as boolean);
      } else if (key === "batteryCharge" || key === "batteryMinutes") {
        this.#setQbv(key, value as number);
      } else {
        const index = this.#layout.fields[key];
        if (index !== undefined) this.#setField(index, value as number);
        if (key === "batteryVoltage" && this.family === "voltronic") {
          this.#setQbv(key, value as number);
        }
      }
    }
  }

  #setQbv(key: "batteryCharge" | "batteryMinutes" | "batteryVoltage", value: number): void {
    const qbv = this.#replies.get("QBV")?.[0];
    if (!qbv) return;
    const t = qbv.replace(/^\(|\r$/g, "").split(" ");
    const i = key === "batteryVoltage" ? 0 : key === "batteryCharge" ? 3 : 4;
    const old = t[i];
    const dot = old.indexOf(".");
    t[i] = value.toFixed(dot < 0 ? 0 : old.length - dot - 1).padStart(old.length, "0");
    this.#replies.set("QBV", ["(" + t.join(" ") + "\r"]);
  }

  /** Replace one space-separated field of a stored `(...` reply. */
  #setReplyField(query: string, index: number, value: string): void {
    const reply = this.#replies.get(query)?.[0];
    if (!reply) return;
    const t = reply.replace(/^\(|\r$/g, "").split(" ");
    t[index] = value;
    this.#replies.set(query, ["(" + t.join(" ") + "\r"]);
  }

  /** Voltronic QFLAG letter state. */
  flag(letter: string): boolean | undefined {
    const e = this.#flags.indexOf("E");
    const d = this.#flags.indexOf("D");
    const at = this.#flags.indexOf(letter);
    if (at < 0) return undefined;
    return e >= 0 && at > e && (d < 0 || at < d || d < e);
  }

  #setFlag(letter: string, on: boolean): void {
    const rest = this.#flags.replace(/[ED]/g, "").replace(letter, "");
    const enabled = [...rest].filter((c) => this.flag(c));
    const disabled = [...rest].filter((c) => !this.flag(c));
    (on ? enabled : disabled).push(letter);
    this.#flags = "E" + enabled.join("") + "D" + disabled.join("");
    this.#replies.set("QFLAG", ["(" + this.#flags + "\r"]);
  }

  #ack(ok: boolean): string | null {
    if (this.family === "voltronic" || this.family === "mecer") return ok ? "(ACK\r" : "(NAK\r";
    return null;
  }

  /** Answer one request (without its CR): the reply with CR, or null for silence. */
  handle(request: string): string | null {
    this.received.push(request);
    if (request === this.#layout.status) return this.statusLine();
    const replay = this.#replies.get(request);
    if (replay && replay.length > 0 && !ACTION.test(request)) {
      const i = this.#turn.get(request) ?? 0;
      this.#turn.set(request, i + 1);
      return replay[i % replay.length];
    }
    if (ACTION.test(request)) return this.#act(request);
    switch (this.unknown) {
      case "echo":
        return request + "\r";
      case "nak":
        return "(NAK\r";
      default:
        return null;
    }
  }

  #act(cmd: string): string | null {
    if (VOLTRONIC_ONLY.test(cmd) && this.family !== "voltronic") {
      return this.unknown === "echo" ? cmd + "\r" : this.#ack(false);
    }
    if (cmd === "Q") {
      this.#setBit("beeper", !this.bit("beeper"));
    } else if (cmd === "T" || cmd === "TL" || /^T\d\d$|^T\.\d$/.test(cmd)) {
      this.#setBit("testing", true);
      const secs = cmd === "T"
        ? 10
        : cmd === "TL"
        ? 3600
        : cmd.startsWith("T.")
        ? Number(cmd.slice(2)) * 6
        : Number(cmd.slice(1)) * 60;
      this.#testUntil = this.#now() + secs * 1000;
    } else if (cmd === "CT") {
      this.#testUntil = 0;
      this.#setBit("testing", false);
    } else if (cmd === "SOFF" || cmd === "SON") {
      this.#replies.set("QMOD", [cmd === "SOFF" ? "(S\r" : "(L\r"]);
    } else if (cmd.startsWith("S")) {
      this.#setBit("shutdownActive", true);
    } else if (cmd === "C" || cmd === "CS") {
      this.#setBit("shutdownActive", false);
    } else if (cmd === "BZON" || cmd === "BZOFF") {
      this.#setBit("beeper", cmd === "BZON");
    } else if (/^P[ED][A-Za-z]$/.test(cmd)) {
      const letter = cmd[2].toLowerCase();
      if (this.family !== "voltronic" || this.flag(letter) === undefined) return this.#ack(false);
      this.#setFlag(letter, cmd[1] === "E");
      if (letter === "a") this.#setBit("beeper", cmd[1] === "E");
    } else if (cmd.startsWith("BATGN")) {
      this.#setReplyField("QBV", 2, cmd.slice(5));
    } else if (cmd.startsWith("HE")) {
      this.#setReplyField("QHE", cmd[2] === "H" ? 0 : 1, cmd.slice(3));
    } else if (cmd.startsWith("FRE")) {
      this.#setReplyField("QFRE", cmd[3] === "H" ? 0 : 1, cmd.slice(4));
    }
    return this.#ack(true);
  }
}
