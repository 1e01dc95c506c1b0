/**
 * The driver's end of the driver socket: a Unix stream socket at
 * `<statepath>/<driver>-<ups>` serving any number of peers (upsd, tools) with
 * NUT's driver-socket protocol (spec driver-socket.md).
 *
 * - Every line goes through the shared tokenizer, one instance per peer, so
 *   the tokenizer's word limits bound what a peer can make us hold.
 * - Requests of one peer are handled in order; peers never wait for each other.
 * - Writes are queued per peer; a peer that stops reading is dropped once its
 *   queue exceeds `maxPendingBytes` instead of growing memory without bound.
 * - A DUMPALL reply is built as one string and queued as one write.
 * - EOF closes the peer (NUT 2.8.0 noticed it only on a later failed write).
 *
 * @module
 */

import { Tokenizer, type TokenSink } from "../conf/tokenizer.ts";
import { GOODBYE, pidLine, PONG, trackingLine } from "./messages.ts";
import { parseRequest, type PeerRequest, unknownCommandLog } from "./requests.ts";

/** What the server asks of the driver it serves. */
export interface SockHandler {
  /** Full DUMPALL reply (see messages.ts dumpAll). */
  dumpAll(): string;
  /** DUMPSTATUS reply. */
  dumpStatus(): string;
  /** DUMPVALUE reply. */
  dumpValue(name: string): string;
  /** Handle SET; resolves to a tracking code (0 handled, 1 unknown, 2 invalid, 3 failed...). */
  set(name: string, value: string): number | Promise<number>;
  /** Handle INSTCMD; resolves to a tracking code. */
  instcmd(cmd: string, param: string | undefined): number | Promise<number>;
}

/** The logging the server needs (lib/daemon/log.ts Logger fits). */
export interface SockLog {
  debug(level: number, msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export interface SockServerOptions {
  log: SockLog;
  /** Bytes queued for one peer before it is dropped as not reading (default 4 MiB). */
  maxPendingBytes?: number;
  /** File mode of the socket (default 0o660, as NUT). */
  mode?: number;
  /** Group to give the socket (so upsd running as that group can connect); errors ignored. */
  gid?: number;
}

/** Longest path a sockaddr_un can hold (108 bytes on Linux, including the NUL). */
export const MAX_SOCKET_PATH = 107;

const encoder = new TextEncoder();
const READ_CHUNK = 4096;

class Peer {
  readonly tokenizer = new Tokenizer();
  broadcasts = true;
  closed = false;
  #queue: string[] = [];
  #pending = 0;
  #writing = false;
  #flushed: Array<() => void> = [];

  constructor(
    readonly id: number,
    readonly conn: Deno.UnixConn,
    readonly server: SockServer,
  ) {}

  /** Queue text (complete lines with LF) for this peer. */
  send(text: string): void {
    if (this.closed) return;
    this.#queue.push(text);
    this.#pending += text.length;
    if (this.#pending > this.server.maxPendingBytes) {
      this.server.log.warn(
        `Dropping socket peer #${this.id}: it does not read (${this.#pending} bytes pending)`,
      );
      this.close();
      return;
    }
    if (!this.#writing) this.#writeLoop();
  }

  /** Resolves once everything queued so far is written (or the peer is gone). */
  flushed(): Promise<void> {
    if (!this.#writing || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.#flushed.push(resolve));
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#queue.length > 0 && !this.closed) {
        const text = this.#queue.join("");
        this.#queue = [];
        const bytes = encoder.encode(text);
        let off = 0;
        while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
        this.#pending -= text.length;
      }
    } catch (e) {
      if (!this.closed) {
        this.server.log.debug(2, `write to socket peer #${this.id} failed: ${e}`);
        this.close();
      }
    } finally {
      this.#writing = false;
      const waiting = this.#flushed;
      this.#flushed = [];
      for (const r of waiting) r();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#queue = [];
    try {
      this.conn.close();
    } catch {
      // already closed
    }
    this.server.forget(this);
    const waiting = this.#flushed;
    this.#flushed = [];
    for (const r of waiting) r();
  }
}

export class SockServer {
  readonly log: SockLog;
  readonly maxPendingBytes: number;
  #listener: Deno.UnixListener | undefined;
  #peers = new Set<Peer>();
  #nextId = 1;
  #acceptLoop: Promise<void> | undefined;
  #peerLoops = new Set<Promise<void>>();

  constructor(
    readonly path: string,
    readonly handler: SockHandler,
    readonly opts: SockServerOptions,
  ) {
    this.log = opts.log;
    this.maxPendingBytes = opts.maxPendingBytes ?? 4 * 1024 * 1024;
  }

  /** Number of connected peers. */
  get peerCount(): number {
    return this.#peers.size;
  }

  /**
   * Remove a stale socket file, listen, set the mode (and group). Throws an
   * Error with NUT's wording when the socket cannot be created.
   */
  listen(): void {
    if (encoder.encode(this.path).length > MAX_SOCKET_PATH) {
      throw new Error(
        `Can't create a unix domain socket: pathname '${this.path}' is too long for a socket path`,
      );
    }
    try {
      Deno.removeSync(this.path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new Error(`unlink ${this.path} failed: ${errText(e)}`);
      }
    }
    try {
      this.#listener = Deno.listen({ transport: "unix", path: this.path });
    } catch (e) {
      throw new Error(
        `Fatal error: unable to create listener socket\nbind ${this.path} failed: ${errText(e)}`,
      );
    }
    try {
      Deno.chmodSync(this.path, this.opts.mode ?? 0o660);
    } catch (e) {
      this.log.warn(`chmod ${this.path} failed: ${errText(e)}`);
    }
    if (this.opts.gid !== undefined) {
      try {
        Deno.chownSync(this.path, null, this.opts.gid);
      } catch (e) {
        this.log.debug(
          1,
          `Could not give socket ${this.path} to group ${this.opts.gid}: ${errText(e)}`,
        );
      }
    }
    // NUT ≥ 2.8.1 logs this at start-up; 2.8.0 only in debug output
    this.log.debug(1, `Listening on socket ${this.path}`);
    this.#acceptLoop = this.#accept(this.#listener);
  }

  async #accept(listener: Deno.UnixListener): Promise<void> {
    for (;;) {
      let conn: Deno.UnixConn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (this.#listener === undefined) return; // closed by us
        this.log.warn(`accept on ${this.path} failed: ${errText(e)}`);
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      const peer = new Peer(this.#nextId++, conn, this);
      this.#peers.add(peer);
      this.log.debug(2, `socket peer #${peer.id} connected`);
      const loop = this.#serve(peer);
      this.#peerLoops.add(loop);
      loop.finally(() => this.#peerLoops.delete(loop));
    }
  }

  /** Called by a peer when it closes. */
  forget(peer: Peer): void {
    if (this.#peers.delete(peer)) this.log.debug(2, `socket peer #${peer.id} disconnected`);
  }

  /** Send a line (without LF) to every peer that accepts broadcasts. */
  broadcast(line: string): void {
    const text = line + "\n";
    for (const p of [...this.#peers]) if (p.broadcasts) p.send(text);
  }

  async #serve(peer: Peer): Promise<void> {
    const buf = new Uint8Array(READ_CHUNK);
    const lines: string[][] = [];
    const sink: TokenSink = {
      line: (words) => {
        if (words.length > 0) lines.push(words);
      },
      error: (msg) => this.log.warn(`Parse error on sock: ${msg}`),
    };
    try {
      while (!peer.closed) {
        let n: number | null;
        try {
          n = await peer.conn.read(buf);
        } catch {
          break; // closed under us or reset
        }
        if (n === null) break; // EOF
        peer.tokenizer.feed(buf.subarray(0, n), sink);
        // handle what this chunk completed before reading more: a flooding
        // peer is throttled by its own requests
        while (lines.length > 0 && !peer.closed) {
          const req = parseRequest(lines.shift()!);
          if (req) await this.#handle(peer, req);
        }
      }
    } finally {
      peer.close();
    }
  }

  async #handle(peer: Peer, req: PeerRequest): Promise<void> {
    switch (req.kind) {
      case "dumpall":
        peer.send(this.handler.dumpAll());
        return;
      case "dumpstatus":
        peer.send(this.handler.dumpStatus());
        return;
      case "dumpvalue":
        peer.send(this.handler.dumpValue(req.name));
        return;
      case "ping":
        peer.send(PONG + "\n");
        return;
      case "getpid":
        peer.send(pidLine(Deno.pid) + "\n");
        return;
      case "logout":
        peer.send(GOODBYE + "\n");
        await peer.flushed();
        peer.close();
        return;
      case "nobroadcast":
        peer.broadcasts = false;
        return;
      case "broadcast":
        peer.broadcasts = req.enable;
        return;
      case "set": {
        const code = await this.#call(() => this.handler.set(req.name, req.value), "SET");
        if (req.tracking !== undefined) peer.send(trackingLine(req.tracking, code) + "\n");
        return;
      }
      case "instcmd": {
        const code = await this.#call(() => this.handler.instcmd(req.cmd, req.param), "INSTCMD");
        if (req.tracking !== undefined) peer.send(trackingLine(req.tracking, code) + "\n");
        return;
      }
      case "unknown":
        if (req.note) this.log.warn(req.note);
        for (const l of unknownCommandLog(req.words)) this.log.warn(l);
        return;
    }
  }

  /** Run a driver handler; a crash in it fails this request only (code 3, "failed"). */
  async #call(fn: () => number | Promise<number>, what: string): Promise<number> {
    try {
      return await fn();
    } catch (e) {
      this.log.warn(`${what} handler failed: ${e instanceof Error ? e.message : e}`);
      return 3;
    }
  }

  /** Stop listening, flush and drop every peer, remove the socket file. */
  async close(): Promise<void> {
    const l = this.#listener;
    this.#listener = undefined;
    if (l) {
      try {
        l.close();
      } catch {
        // already closed
      }
    }
    // let queued replies (a TRACKING for driver.exit...) go out, briefly
    const peers = [...this.#peers];
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(peers.map((p) => p.flushed())),
      new Promise((r) => timer = setTimeout(r, 1000)),
    ]);
    clearTimeout(timer);
    for (const p of peers) p.close();
    await this.#acceptLoop;
    await Promise.allSettled([...this.#peerLoops]);
    try {
      Deno.removeSync(this.path);
    } catch {
      // already gone
    }
  }
}

function errText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/ \(os error \d+\)$/, "");
}
