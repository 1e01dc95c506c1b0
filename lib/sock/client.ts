/**
 * upsd's end of the driver socket (spec driver-socket.md §3–§8): connect to
 * `<statepath>/<driver>-<ups>`, ask for `DUMPALL`, mirror every driver line
 * into a StateTree, PING a quiet driver, judge staleness, reconnect when the
 * driver goes away (wiping its data at once).
 *
 * The pieces that decide things — applying a line, the liveness rules — are
 * pure and exported for tests; DriverClient only adds the socket I/O.
 *
 * @module
 */

import { Tokenizer, type TokenSink } from "../conf/tokenizer.ts";
import { parseFlags, StateTree } from "../state/tree.ts";
import { atoi } from "../conf/upsd_conf.ts";

/** Where upsd-side driver messages go. */
export interface DriverLog {
  info(msg: string): void;
  debug(level: number, msg: string): void;
}

/** Liveness bookkeeping for one driver connection (times in ms). */
export interface LinkState {
  tree: StateTree;
  /** DUMPDONE seen since the last (re)connect. */
  dumpDone: boolean;
  /** Last DATAOK (true) / DATASTALE (false); survives reconnects, starts false. */
  dataOk: boolean;
  /** Time of the last recognised driver message (or of the connect). */
  lastHeard: number;
  lastPing: number;
}

/** Outcome of applying one driver line. */
export interface Applied {
  /** A message upsd knows (refreshes lastHeard). */
  recognised: boolean;
  /** The tree changed (caches must be dropped). */
  changed: boolean;
  tracking?: { id: string; code: number };
}

const UNKNOWN: Applied = { recognised: false, changed: false };

/**
 * Apply one driver → upsd line to the mirror. Unknown or short lines are
 * ignored (not recognised), as upsd does. Quirks of NUT's mirror that lose
 * data are not copied: values that differ only in case are updated, ranges
 * are matched exactly, enum values are kept unescaped (so SET VAR can match
 * values containing `"`, `\` or `#`).
 */
export function applyDriverLine(
  st: LinkState,
  words: readonly string[],
  now: number,
  log?: DriverLog,
): Applied {
  if (words.length === 0) return UNKNOWN;
  const kw = words[0].toUpperCase();
  const n = words.length;
  const t = st.tree;
  const missing = (fn: string, v: string) =>
    log?.info(`${fn}: base variable (${v}) does not exist`);
  let changed = false;
  switch (kw) {
    case "SETINFO":
      if (n < 3) return UNKNOWN;
      changed = t.set(words[1], words[2]);
      break;
    case "DELINFO":
      if (n < 2) return UNKNOWN;
      changed = t.delete(words[1]);
      break;
    case "ADDENUM":
      if (n < 3) return UNKNOWN;
      if (!t.getVar(words[1])) missing("state_addenum", words[1]);
      else changed = t.addEnum(words[1], words[2]);
      break;
    case "DELENUM":
      if (n < 3) return UNKNOWN;
      changed = t.delEnum(words[1], words[2]);
      break;
    case "ADDRANGE": {
      if (n < 4) return UNKNOWN;
      const min = atoi(words[2]);
      const max = atoi(words[3]);
      if (!t.getVar(words[1])) missing("state_addrange", words[1]);
      else if (min > max) log?.info(`state_addrange: min is superior to max! (${min}, ${max})`);
      else changed = t.addRange(words[1], min, max);
      break;
    }
    case "DELRANGE":
      if (n < 4) return UNKNOWN;
      changed = t.delRange(words[1], atoi(words[2]), atoi(words[3]));
      break;
    case "SETAUX": {
      if (n < 3) return UNKNOWN;
      if (!t.getVar(words[1])) missing("state_setaux", words[1]);
      else changed = t.setAux(words[1], strtol(words[2]));
      break;
    }
    case "SETFLAGS":
      if (n < 3) return UNKNOWN;
      if (!t.getVar(words[1])) missing("state_setflags", words[1]);
      else changed = t.setFlags(words[1], parseFlags(words.slice(2)));
      break;
    case "ADDCMD":
      if (n < 2) return UNKNOWN;
      changed = t.addCmd(words[1]);
      break;
    case "DELCMD":
      if (n < 2) return UNKNOWN;
      changed = t.delCmd(words[1]);
      break;
    case "DUMPDONE":
      st.dumpDone = true;
      break;
    case "DATAOK":
      st.dataOk = true;
      break;
    case "DATASTALE":
      st.dataOk = false;
      break;
    case "PONG":
      break;
    case "TRACKING":
      if (n < 3) return UNKNOWN;
      st.lastHeard = now;
      return { recognised: true, changed: false, tracking: { id: words[1], code: atoi(words[2]) } };
    default:
      return UNKNOWN;
  }
  st.lastHeard = now;
  return { recognised: true, changed };
}

/** C strtol(s, NULL, 10) for aux values. */
function strtol(s: string): number {
  return atoi(s);
}

/** PING when the driver was quiet for more than MAXAGE/3 whole seconds (and no PING since). */
export function pingDue(st: LinkState, now: number, maxAge: number): boolean {
  const third = Math.floor(maxAge / 3);
  return Math.floor((now - st.lastHeard) / 1000) > third &&
    Math.floor((now - st.lastPing) / 1000) > third;
}

/**
 * Staleness of a connected driver (NUT ≥2.8.5 rule): silent for more than
 * MAXAGE+1 whole seconds, or its last word after the dump was DATASTALE.
 */
export function isStale(st: LinkState, now: number, maxAge: number): boolean {
  if (Math.floor((now - st.lastHeard) / 1000) > maxAge + 1) return true;
  return st.dumpDone && !st.dataOk;
}

/** strerror-like text for a failed connect (Deno adds " (os error N)"). */
export function connectErrorText(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.ConnectionRefused) return "Connection refused";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.NotCapable) return "Permission denied (not allowed by the sandbox)";
  return String((e as Error)?.message ?? e).replace(/ \(os error \d+\)$/, "");
}

export interface DriverClientOptions {
  /** UPS name for messages. */
  ups: string;
  /** `<driver>-<ups>`, the socket's file name (for messages). */
  socketName: string;
  /** Path to connect to (relative to the current directory, as upsd chdirs to the state path). */
  socketPath: string;
  /** Current MAXAGE in seconds (may change on reload). */
  maxAge: () => number;
  log: DriverLog;
  /** The tree or the connection state changed. */
  onChange?: () => void;
  /** The driver answered a tracked request. */
  onTracking?: (id: string, code: number) => void;
  now?: () => number;
  connect?: (path: string) => Promise<Deno.Conn>;
}

/** Unsent bytes to a driver beyond which it counts as hung and is dropped. */
export const MAX_DRIVER_PENDING = 64 * 1024;
/** Minimum pause between connect attempts. */
export const RECONNECT_MS = 1000;
/** Repeat "Can't connect" messages at most this often. */
export const CONNECT_LOG_MS = 300_000;

const encoder = new TextEncoder();

export class DriverClient {
  readonly tree = new StateTree();
  readonly #o: DriverClientOptions;
  readonly #st: LinkState;
  readonly #now: () => number;
  #conn: Deno.Conn | null = null;
  #connecting = false;
  #closed = false;
  #lastAttempt = -Infinity;
  #lastFailLog = -Infinity;
  #reportedStale = false;
  #queue: Uint8Array[] = [];
  #pending = 0;
  #pumping = false;

  constructor(opts: DriverClientOptions) {
    this.#o = opts;
    this.#now = opts.now ?? Date.now;
    const now = this.#now();
    this.#st = { tree: this.tree, dumpDone: false, dataOk: false, lastHeard: now, lastPing: now };
  }

  get connected(): boolean {
    return this.#conn !== null;
  }

  get dumpDone(): boolean {
    return this.#st.dumpDone;
  }

  /** Time (ms) of the last recognised driver message. */
  get lastHeard(): number {
    return this.#st.lastHeard;
  }

  get socketPath(): string {
    return this.#o.socketPath;
  }

  /** Connected but not usable (spec §7); false while not connected (that is DRIVER-NOT-CONNECTED). */
  isStale(now = this.#now()): boolean {
    return this.#conn !== null && isStale(this.#st, now, this.#o.maxAge());
  }

  /** Try to connect now (resolves once the attempt is over). */
  async connect(): Promise<void> {
    if (this.#conn || this.#connecting || this.#closed) return;
    this.#connecting = true;
    this.#lastAttempt = this.#now();
    let conn: Deno.Conn;
    try {
      conn = await (this.#o.connect ?? unixConnect)(this.#o.socketPath);
    } catch (e) {
      this.#connecting = false;
      const now = this.#now();
      if (now - this.#lastFailLog >= CONNECT_LOG_MS) {
        this.#lastFailLog = now;
        this.#o.log.info(
          `Can't connect to UPS [${this.#o.ups}] (${this.#o.socketName}): ${connectErrorText(e)}`,
        );
      }
      return;
    }
    this.#connecting = false;
    if (this.#closed) {
      conn.close();
      return;
    }
    this.#conn = conn;
    this.#lastFailLog = -Infinity;
    this.#o.log.info(`Connected to UPS [${this.#o.ups}]: ${this.#o.socketName}`);
    const now = this.#now();
    this.tree.clear();
    this.tree.set("ups.status", "WAIT");
    this.#st.dumpDone = false;
    this.#st.lastHeard = now;
    this.#st.lastPing = now;
    this.#reportedStale = false;
    this.#o.onChange?.();
    this.send("DUMPALL\n");
    this.#readLoop(conn);
  }

  /** Queue a line (with its LF) for the driver; false if it cannot be sent. */
  send(line: string): boolean {
    const conn = this.#conn;
    if (!conn) return false;
    const bytes = encoder.encode(line);
    if (this.#pending + bytes.length > MAX_DRIVER_PENDING) {
      this.#o.log.info(`UPS [${this.#o.ups}]: driver is not reading its socket, disconnecting`);
      this.#drop(conn);
      return false;
    }
    this.#queue.push(bytes);
    this.#pending += bytes.length;
    if (!this.#pumping) this.#pump(conn);
    return true;
  }

  /** Periodic duties (call about once a second): reconnect, PING, stale transitions. */
  tick(now = this.#now()): void {
    if (this.#closed) return;
    if (!this.#conn) {
      if (!this.#connecting && now - this.#lastAttempt >= RECONNECT_MS) void this.connect();
      return;
    }
    const maxAge = this.#o.maxAge();
    if (pingDue(this.#st, now, maxAge)) {
      this.#st.lastPing = now;
      this.send("PING\n");
      if (!this.#conn) return;
    }
    const stale = isStale(this.#st, now, maxAge);
    if (stale !== this.#reportedStale) {
      this.#reportedStale = stale;
      this.#o.onChange?.(); // availability changed: caches and WATCH sessions must know
      this.#o.log.info(
        stale
          ? `Data for UPS [${this.#o.ups}] is stale - check driver`
          : `UPS [${this.#o.ups}] data is no longer stale`,
      );
    }
  }

  /** Stop for good (UPS removed, upsd exiting). */
  close(): void {
    this.#closed = true;
    if (this.#conn) this.#drop(this.#conn);
  }

  #drop(conn: Deno.Conn): void {
    if (this.#conn !== conn) return;
    this.#conn = null;
    try {
      conn.close();
    } catch {
      // already closed
    }
    this.#queue = [];
    this.#pending = 0;
    this.tree.clear();
    this.#st.dumpDone = false;
    this.#o.log.debug(1, `Lost connection to UPS [${this.#o.ups}] (${this.#o.socketName})`);
    this.#o.onChange?.();
  }

  async #pump(conn: Deno.Conn): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#conn === conn && this.#queue.length > 0) {
        const buf = this.#queue.shift()!;
        let off = 0;
        while (off < buf.length) off += await conn.write(buf.subarray(off));
        this.#pending -= buf.length;
      }
    } catch {
      this.#drop(conn);
    } finally {
      this.#pumping = false;
    }
  }

  async #readLoop(conn: Deno.Conn): Promise<void> {
    const tok = new Tokenizer();
    const sink: TokenSink = {
      line: (words) => {
        if (this.#conn !== conn) return;
        const r = applyDriverLine(this.#st, words, this.#now(), this.#o.log);
        if (r.changed) this.#o.onChange?.();
        if (r.tracking) this.#o.onTracking?.(r.tracking.id, r.tracking.code);
      },
      error: (msg) => this.#o.log.debug(1, `Parse error on sock: ${msg}`),
    };
    const buf = new Uint8Array(4096);
    try {
      while (this.#conn === conn) {
        const n = await conn.read(buf);
        if (n === null) break;
        tok.feed(buf.subarray(0, n), sink);
      }
    } catch {
      // read error: treated like EOF
    }
    this.#drop(conn);
  }
}

function unixConnect(path: string): Promise<Deno.Conn> {
  return Deno.connect({ transport: "unix", path });
}
