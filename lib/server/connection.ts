/**
 * One client TCP connection: bytes → tokenizer → dispatcher → one write per
 * burst of requests. Memory per connection is bounded: a 512-byte read
 * buffer, at most one partial line in the tokenizer (32 words × 512 chars),
 * and a client whose unread replies exceed MAX_PENDING_OUTPUT is dropped.
 *
 * Sockets are Deno.Conn, not node:net: Node compatibility cost a few MiB
 * and ~15 % of the CPU per connection. Each op (read, write, close with a
 * read pending) costs far more than the request itself, so a request takes
 * one read and one write, and LOGOUT closes with no read pending.
 * STARTTLS (to come) can wrap the Deno.Conn in a node Duplex for node:tls's
 * TLSSocket, imported only when TLS is configured: proven by
 * test/server/tls_upgrade_test.ts.
 *
 * @module
 */

import { Tokenizer, type TokenSink } from "../conf/tokenizer.ts";
import { dispatch, type Reply, type ServerContext } from "./dispatch.ts";
import { splitPlainLines } from "./plain_lines.ts";
import { Session } from "./session.ts";

/** Unsent reply bytes beyond which a client that does not read is dropped. */
export const MAX_PENDING_OUTPUT = 1024 * 1024;
/** A client that completes no line for longer than this is disconnected. */
export const IDLE_TIMEOUT_MS = 60_000;
/** Requests are short lines; NUT reads them 512 bytes at a time too. */
const READ_SIZE = 512;
/** Replies up to this size are encoded into a per-connection buffer. */
const SCRATCH_SIZE = 256;

/** What a connection needs from the server. */
export interface ConnectionHost {
  readonly ctx: ServerContext;
  closed(conn: ClientConnection): void;
}

/** inet_ntop form: strip the IPv4-mapped prefix a dual-stack socket may report. */
export function peerAddress(conn: Deno.Conn): string {
  const a = (conn.remoteAddr as Deno.NetAddr).hostname ?? "unknown";
  return a.startsWith("::ffff:") && a.includes(".") ? a.slice(7) : a;
}

const encoder = new TextEncoder();

export class ClientConnection implements TokenSink {
  readonly session: Session;
  lastActive: number;
  readonly #conn: Deno.Conn;
  readonly #host: ConnectionHost;
  readonly #tok = new Tokenizer();
  /** Replies of the burst being read: text (ASCII: the tokenizer drops other bytes) ... */
  #out = "";
  /** ... after these bytes (cached LIST and GET VAR replies, and text before them). */
  readonly #parts: Uint8Array[] = [];
  #partsLen = 0;
  #feeding = false;
  /** Bytes not yet taken by the socket; the head is being written. */
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  /** Reused for short replies while nothing is queued. */
  readonly #scratch = new Uint8Array(SCRATCH_SIZE);
  /** LOGOUT waits here for the queue to drain. */
  #drained?: () => void;
  #dead = false;

  constructor(conn: Deno.Conn, host: ConnectionHost) {
    this.#conn = conn;
    this.#host = host;
    this.session = new Session(peerAddress(conn));
    this.session.push = (text) => this.#push(text);
    this.lastActive = host.ctx.now();
    try {
      (conn as Deno.TcpConn).setNoDelay(true);
    } catch {
      // already reset by the peer: the read below ends it
    }
    void this.#readLoop();
  }

  get addr(): string {
    return this.session.addr;
  }

  // ---- TokenSink ----

  line(words: string[]): void {
    if (this.#dead || this.session.closing) return;
    const ctx = this.#host.ctx;
    this.lastActive = ctx.now();
    const reply = dispatch(ctx, this.session, words); // may push (WATCH) to #out first
    this.#add(reply);
    if (this.#pending > MAX_PENDING_OUTPUT) this.#overflow();
  }

  error(msg: string): void {
    const ctx = this.#host.ctx;
    this.lastActive = ctx.now();
    ctx.log.debug(2, `Parse error on client ${this.session.addr}: ${msg}`);
  }

  // ---- reading ----

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(READ_SIZE);
    try {
      while (!this.#dead) {
        const n = await this.#conn.read(buf);
        if (n === null) break;
        this.#feeding = true;
        if (this.#tok.pending || !splitPlainLines(buf, this, n)) {
          this.#tok.feed(buf.subarray(0, n), this);
        }
        this.#feeding = false;
        this.#flush();
        if (this.session.closing) {
          // LOGOUT: close once the goodbye is out
          if (this.#queue.length > 0) await new Promise<void>((res) => this.#drained = res);
          break;
        }
      }
    } catch {
      // reset by the peer, or closed by us
    }
    this.close();
    this.#host.closed(this);
  }

  // ---- writing ----

  /** Bytes of replies not yet taken by the socket. */
  get #pending(): number {
    return this.#out.length + this.#partsLen + this.#queued;
  }

  #add(reply: Reply): void {
    if (typeof reply === "string") {
      this.#out += reply;
      return;
    }
    this.#textToParts();
    this.#parts.push(reply);
    this.#partsLen += reply.length;
  }

  #textToParts(): void {
    if (this.#out.length === 0) return;
    this.#parts.push(encoder.encode(this.#out));
    this.#partsLen += this.#out.length;
    this.#out = "";
  }

  /** Unsolicited text (WATCH); false once the connection is gone. */
  #push(text: string): boolean {
    if (this.#dead || this.session.closing) return false;
    this.#out += text; // after the replies of a burst being read, in order
    if (this.#pending > MAX_PENDING_OUTPUT) {
      this.#overflow();
      return false;
    }
    if (!this.#feeding) this.#flush();
    return true;
  }

  /** Send the burst's replies in one write. */
  #flush(): void {
    if (this.#dead) return;
    const text = this.#out;
    const parts = this.#parts;
    if (parts.length === 0) {
      if (text.length === 0) return;
      this.#out = "";
      if (this.#queue.length === 0 && text.length <= SCRATCH_SIZE) {
        const { written } = encoder.encodeInto(text, this.#scratch);
        this.#enqueue(this.#scratch.subarray(0, written));
      } else {
        this.#enqueue(encoder.encode(text));
      }
      return;
    }
    this.#textToParts();
    this.#enqueue(parts.length === 1 ? parts[0] : concat(parts, this.#partsLen));
    parts.length = 0;
    this.#partsLen = 0;
  }

  #enqueue(bytes: Uint8Array): void {
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#queue.length === 1) this.#writeHead();
  }

  #writeHead(): void {
    this.#conn.write(this.#queue[0]).then(this.#written, this.#writeFailed);
  }

  readonly #written = (n: number): void => {
    if (this.#dead) return;
    const q = this.#queue;
    this.#queued -= n;
    if (n < q[0].length) q[0] = q[0].subarray(n);
    else q.shift();
    if (q.length > 0) this.#writeHead();
    else this.#wakeDrained();
  };

  readonly #writeFailed = (): void => this.close();

  #wakeDrained(): void {
    const drained = this.#drained;
    this.#drained = undefined;
    drained?.();
  }

  #overflow(): void {
    this.#host.ctx.log.info(
      `Dropping client ${this.session.addr}: more than ${MAX_PENDING_OUTPUT} bytes of replies not read`,
    );
    this.#out = "";
    this.#parts.length = 0;
    this.#partsLen = 0;
    this.close();
  }

  /** Disconnect now (idle, overflow, UPS removed, shutdown). */
  close(): void {
    if (this.#dead) return;
    this.#dead = true;
    this.#queue.length = 0;
    this.#queued = 0;
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
    this.#wakeDrained();
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const all = new Uint8Array(total);
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}
