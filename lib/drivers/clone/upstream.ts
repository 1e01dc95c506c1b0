/**
 * A clone driver's connection to the driver it copies: a peer on that
 * driver's socket `<statepath>/<port>` (spec daemons.md §6). It sends
 * DUMPALL on connect, hands every line to the clone's relay logic, PINGs a
 * source that has been silent for more than 5 s and calls it dead after
 * more than 15 s. Failed connects are logged at most once a minute.
 *
 * The liveness rule is pure (linkVerdict) and the socket can be injected,
 * so the logic is testable without a driver.
 *
 * @module
 */

import { Tokenizer } from "../../conf/tokenizer.ts";
import { socketErrorText } from "../../driver/query.ts";
import { DeviceError } from "../../driver/types.ts";

/** Silence (whole seconds) after which the source is PINGed. */
export const PING_AFTER_S = 5;
/** Silence (whole seconds) after which the source counts as dead. */
export const DEAD_AFTER_S = 15;
/** Shortest pause between two "Can't connect" messages. */
export const CONNECT_LOG_MS = 60_000;

export interface LinkTimes {
  /** Last recognised line (or the connect). */
  lastHeard: number;
  lastPing: number;
}

/** What to do about a connected source at `now` (ms). */
export function linkVerdict(t: LinkTimes, now: number): { ping: boolean; dead: boolean } {
  const silent = Math.floor((now - t.lastHeard) / 1000);
  const sincePing = Math.floor((now - t.lastPing) / 1000);
  return { ping: silent > PING_AFTER_S && sincePing > PING_AFTER_S, dead: silent > DEAD_AFTER_S };
}

export interface UpstreamHandler {
  /** One line from the source, as words; true if it is a driver message (keeps the link alive). */
  line(words: string[]): boolean;
  /** Connected and DUMPALL sent (a fresh dump follows). */
  connected(): void;
  /** The connection ended (EOF, error, declared dead, closed). */
  lost(why: string): void;
}

export interface UpstreamLog {
  info(msg: string): void;
  warn(msg: string): void;
  debug(level: number, msg: string): void;
}

export interface UpstreamOptions {
  log: UpstreamLog;
  now?: () => number;
  connect?: (path: string) => Promise<Deno.Conn>;
}

const encoder = new TextEncoder();

export class UpstreamLink {
  #conn: Deno.Conn | undefined;
  #times: LinkTimes = { lastHeard: 0, lastPing: 0 };
  #lastFailLog = -Infinity;
  #writes: Promise<void> = Promise.resolve();
  readonly #now: () => number;

  /** `name` is the socket name for messages (the `port` setting). */
  constructor(
    readonly path: string,
    readonly name: string,
    readonly handler: UpstreamHandler,
    readonly opts: UpstreamOptions,
  ) {
    this.#now = opts.now ?? Date.now;
  }

  get connected(): boolean {
    return this.#conn !== undefined;
  }

  /** Connect and ask for a dump; throws DeviceError (logged at most once a minute). */
  async connect(): Promise<void> {
    if (this.#conn) return;
    let conn: Deno.Conn;
    try {
      conn = await (this.opts.connect ?? ((p) => Deno.connect({ transport: "unix", path: p })))(
        this.path,
      );
    } catch (e) {
      const msg = `Can't connect to UPS [${this.name}]: ${socketErrorText(e)}`;
      const now = this.#now();
      if (now - this.#lastFailLog >= CONNECT_LOG_MS) {
        this.#lastFailLog = now;
        this.opts.log.warn(msg);
      }
      throw new DeviceError(msg);
    }
    this.#lastFailLog = -Infinity;
    this.#conn = conn;
    const now = this.#now();
    this.#times = { lastHeard: now, lastPing: now };
    this.opts.log.info(`Connected to UPS [${this.name}]`);
    this.handler.connected();
    this.send("DUMPALL");
    this.#read(conn);
  }

  /** Queue a line (LF added) for the source; false when not connected. */
  send(line: string): boolean {
    const conn = this.#conn;
    if (!conn) return false;
    const bytes = encoder.encode(line + "\n");
    this.#writes = this.#writes.then(async () => {
      let off = 0;
      while (off < bytes.length) off += await conn.write(bytes.subarray(off));
    }).catch((e) => {
      this.opts.log.warn(`Send to UPS [${this.name}] failed: ${socketErrorText(e)}`);
      this.#drop(conn, "write failed");
    });
    return true;
  }

  /**
   * Liveness duty (call once per poll): PING a quiet source; throws
   * DeviceError when not connected or when it has been silent too long.
   */
  check(): void {
    const conn = this.#conn;
    if (!conn) throw new DeviceError(`not connected to the driver socket ${this.name}`);
    const now = this.#now();
    const v = linkVerdict(this.#times, now);
    if (v.dead) {
      this.#drop(conn, "no answer");
      throw new DeviceError(
        `no answer from the driver socket ${this.name} for more than ${DEAD_AFTER_S} seconds`,
      );
    }
    if (v.ping) {
      this.#times.lastPing = now;
      this.opts.log.debug(3, `Send PING to UPS [${this.name}]`);
      this.send("PING");
    }
  }

  close(): void {
    if (this.#conn) this.#drop(this.#conn, "closed");
  }

  #drop(conn: Deno.Conn, why: string): void {
    if (this.#conn !== conn) return;
    this.#conn = undefined;
    try {
      conn.close();
    } catch {
      // already closed
    }
    this.handler.lost(why);
  }

  async #read(conn: Deno.Conn): Promise<void> {
    const tok = new Tokenizer();
    const buf = new Uint8Array(4096);
    let why = "connection closed by the driver";
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        if (this.#conn !== conn) return;
        tok.feed(buf.subarray(0, n), {
          line: (words) => {
            if (words.length && this.#conn === conn && this.handler.line(words)) {
              this.#times.lastHeard = this.#now();
            }
          },
          error: (msg) => this.opts.log.debug(1, `Parse error on sock: ${msg}`),
        });
      }
    } catch (e) {
      why = `Read from UPS [${this.name}] failed: ${socketErrorText(e)}`;
    }
    if (this.#conn === conn) {
      this.opts.log.warn(`Lost connection to UPS [${this.name}]: ${why}`);
      this.#drop(conn, why);
    }
  }
}
