/**
 * The timer daemon: one per PIPEFN, started on demand by the upssched CLI
 * (through bin/upssched's hidden `--timer-daemon` mode, since Deno cannot
 * fork). It serves the line protocol of protocol.ts on the PIPEFN unix
 * socket, keeps the timers in a TimerTable, runs CMDSCRIPT <name> when one
 * expires, and exits once it has had no timers for a while.
 *
 * Unlike NUT's select() loop that wakes every second, it sleeps on exactly
 * one setTimeout: the nearest expiry, or the idle-exit deadline.
 *
 * @module
 */

import { getopt, GetoptError } from "../cli/getopt.ts";
import { Logger } from "../daemon/log.ts";
import { notifyReady } from "../daemon/ready.ts";
import { Tokenizer, type TokenSink } from "../conf/tokenizer.ts";
import { runCmdscript } from "./exec.ts";
import {
  formatListRow,
  LIST_BEGIN,
  LIST_END,
  MESSAGE_SEPARATOR,
  parseOffset,
  parseRequest,
  REPLY_OK,
  REPLY_UNKNOWN,
  type Request,
} from "./protocol.ts";
import { TimerTable, type TimerView } from "./timers.ts";

/** NUT's EMPTY_WAIT: about 15 s without timers before the daemon leaves. */
export const DEFAULT_EMPTY_WAIT_S = 15;
/** Connections served at once; more are closed at once (hostile peers). */
export const MAX_CONNECTIONS = 64;
/** setTimeout's longest delay; a later expiry is re-armed when this one ends. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface DaemonOptions {
  pipefn: string;
  lockfn: string;
  /** CMDSCRIPT's words: path and fixed arguments. */
  cmdscript: string[];
  /** Idle time (no timers, nothing running) before exiting. */
  emptyWaitMs: number;
  log: Logger;
  clock?: () => number;
}

const encoder = new TextEncoder();

export class TimerDaemon {
  readonly table: TimerTable;
  #opts: DaemonOptions;
  #log: Logger;
  #clock: () => number;
  #listener?: Deno.Listener;
  #inode: number | null = null;
  #conns = new Set<Deno.Conn>();
  #wake?: ReturnType<typeof setTimeout>;
  #running = 0; // CMDSCRIPTs running or queued, and requests in progress
  #queue: TimerView[] = [];
  #draining = false;
  #closed = false;
  /** Resolves with the exit status when the daemon stops. */
  readonly done: Promise<number>;
  #finish!: (code: number) => void;

  constructor(opts: DaemonOptions) {
    this.#opts = opts;
    this.#log = opts.log;
    this.#clock = opts.clock ?? Date.now;
    this.table = new TimerTable(this.#clock);
    this.done = new Promise((resolve) => this.#finish = resolve);
  }

  /**
   * Bind PIPEFN and start serving. "running" if another daemon already
   * answers on PIPEFN (this one then does nothing).
   */
  async start(): Promise<"started" | "running"> {
    const { pipefn, lockfn } = this.#opts;
    if (await answers(pipefn)) {
      this.#log.debug(1, `Timer daemon already running on ${pipefn}`);
      removeQuietly(lockfn);
      return "running";
    }
    removeQuietly(pipefn); // a dead daemon's socket
    this.#listener = Deno.listen({ transport: "unix", path: pipefn });
    Deno.chmodSync(pipefn, 0o660);
    this.#inode = Deno.lstatSync(pipefn).ino;
    removeQuietly(lockfn); // the CLI that started us holds it until now
    this.#log.debug(1, "Timer daemon started");
    this.#reschedule();
    this.#acceptLoop(this.#listener);
    return "started";
  }

  /** Stop serving, remove our socket (not a successor's), resolve `done`. */
  stop(code = 0): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#wake);
    for (const c of this.#conns) closeQuietly(c);
    this.#conns.clear();
    const pipefn = this.#opts.pipefn;
    let ours = false;
    try {
      ours = this.#inode !== null && Deno.lstatSync(pipefn).ino === this.#inode;
    } catch {
      // removed by someone: nothing to protect
    }
    // Deno unlinks a unix listener's path when it is closed, whoever owns the
    // path by then: if a newer daemon has rebound it, leave our listener to
    // the process exit (which unlinks nothing).
    if (ours || this.#inode === null) {
      try {
        this.#listener?.close();
      } catch {
        // already closed
      }
      if (ours) removeQuietly(pipefn);
    } else {
      this.#log.debug(1, `${pipefn} belongs to another daemon now, leaving it`);
    }
    this.#finish(code);
  }

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    try {
      for await (const conn of listener) {
        if (this.#conns.size >= MAX_CONNECTIONS) {
          this.#log.warn(`Too many connections on ${this.#opts.pipefn}, dropping one`);
          closeQuietly(conn);
          continue;
        }
        this.#conns.add(conn);
        this.#log.debug(3, "new connection on socket");
        this.#serve(conn).finally(() => {
          this.#conns.delete(conn);
          closeQuietly(conn);
        });
      }
    } catch (e) {
      if (!this.#closed) {
        this.#log.error(`accept on ${this.#opts.pipefn} failed: ${e}`);
        this.stop(1);
      }
    }
  }

  async #serve(conn: Deno.Conn): Promise<void> {
    const lines: string[][] = [];
    const tok = new Tokenizer();
    const sink: TokenSink = {
      line: (words) => {
        if (words.length > 0) lines.push(words);
      },
      error: (msg) => this.#log.info(`Parse error on sock: ${msg}`),
    };
    const buf = new Uint8Array(4096);
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(buf);
      } catch {
        return;
      }
      if (n === null || this.#closed) return;
      tok.feed(buf.subarray(0, n), sink);
      while (lines.length > 0) {
        const reply = await this.#handle(lines.shift()!);
        try {
          await writeAll(conn, reply);
        } catch {
          return; // peer left before the answer
        }
      }
    }
  }

  /** Act on one request line; returns the reply text. */
  async #handle(words: string[]): Promise<string> {
    const req = parseRequest(words);
    if (!req) {
      this.#log.info("Unknown command on socket: ");
      words.forEach((w, i) => this.#log.info(`arg ${i}: ${w}`));
      return `${REPLY_UNKNOWN}\n`;
    }
    this.#running++;
    clearTimeout(this.#wake); // no idle exit while we work
    try {
      return await this.#apply(req);
    } finally {
      this.#running--;
      this.#reschedule();
    }
  }

  async #apply(req: Request): Promise<string> {
    const origin = { notifyType: req.notifyType, upsName: req.upsName, message: req.message };
    switch (req.verb) {
      case "START":
      case "START-SHARED": {
        const secs = parseOffset(req.arg);
        if (secs < 0) {
          this.#log.info("bogus offset for timer, ignoring");
          break;
        }
        if (req.verb === "START") {
          this.table.start(req.name, secs, origin);
          this.#log.debug(1, `New timer: ${req.name} (${secs} seconds)`);
        } else {
          const r = this.table.startShared(req.name, secs, origin);
          this.#log.debug(
            1,
            r?.created
              ? `New timer: ${req.name} (${secs} seconds)`
              : `Shared timer: ${req.name} (event ${req.notifyType} from ${req.upsName})`,
          );
        }
        break;
      }
      case "CANCEL":
      case "CANCEL-MATCHED": {
        const gone = req.verb === "CANCEL"
          ? this.table.cancel(req.name)
          : this.table.cancelMatched(req.name, origin);
        if (gone.length > 0) {
          this.#log.debug(1, `Cancelling timer: ${req.name}`);
        } else if (req.arg !== "") {
          this.#log.debug(1, `Cancel ${req.name}, event: ${req.arg}`);
          // as NUT: the requester waits for the command before its OK
          await runCmdscript(this.#opts.cmdscript, req.arg, {
            UPSNAME: req.upsName,
            NOTIFYTYPE: req.notifyType,
            NOTIFYMSG: req.message,
          }, this.#log);
        }
        break;
      }
      case "LIST-TIMERS": {
        const now = this.#clock();
        const rows = this.table.list().map((t) => formatListRow(t, now) + "\n").join("");
        return `${LIST_BEGIN}\n${rows}${LIST_END}\n${REPLY_OK}\n`;
      }
    }
    return `${REPLY_OK}\n`;
  }

  /** Arm the one timer: nearest expiry, else the idle-exit deadline. */
  #reschedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#wake);
    const next = this.table.nextExpiry();
    if (next !== undefined) {
      const delay = Math.min(Math.max(0, next - this.#clock()), MAX_DELAY_MS);
      this.#wake = setTimeout(() => this.#expire(), delay);
    } else if (this.#running === 0) {
      this.#wake = setTimeout(() => this.#idle(), this.#opts.emptyWaitMs);
    }
  }

  #expire(): void {
    const due = this.table.takeDue();
    for (const t of due) this.#log.debug(1, `Event: ${t.name} `);
    this.#queue.push(...due);
    this.#running += due.length;
    this.#drain();
    this.#reschedule();
  }

  /** Run expired timers' commands one after another, in expiry order. */
  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    while (this.#queue.length > 0) {
      const t = this.#queue.shift()!;
      await runCmdscript(this.#opts.cmdscript, t.name, {
        UPSNAME: t.upsNames.join(","),
        NOTIFYTYPE: t.notifyTypes.join(","),
        NOTIFYMSG: t.messages.join(MESSAGE_SEPARATOR),
      }, this.#log);
      this.#running--;
    }
    this.#draining = false;
    this.#reschedule();
  }

  #idle(): void {
    if (this.table.size > 0 || this.#running > 0) return this.#reschedule();
    this.#log.debug(1, "Timer queue empty, exiting");
    this.stop(0);
  }
}

async function writeAll(conn: Deno.Conn, text: string): Promise<void> {
  const data = encoder.encode(text);
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

function closeQuietly(c: Deno.Conn): void {
  try {
    c.close();
  } catch {
    // closed already
  }
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // not there
  }
}

/** True when something accepts connections on the unix socket `path`. */
async function answers(path: string): Promise<boolean> {
  try {
    const c = await Deno.connect({ transport: "unix", path });
    c.close();
    return true;
  } catch {
    return false;
  }
}

/** Usage of the hidden mode (for the message when bin/upssched is misused). */
const DAEMON_USAGE =
  "usage: upssched --timer-daemon [-D...] [-e seconds] <PIPEFN> <LOCKFN> <CMDSCRIPT> [args...]";

/**
 * Entry of the hidden `--timer-daemon` mode: `[-D...] [-e empty-wait-seconds]
 * PIPEFN LOCKFN CMDSCRIPT [fixed args...]`. Returns the exit status.
 */
export async function daemonMain(args: string[]): Promise<number> {
  const log = new Logger("upssched");
  let parsed;
  try {
    parsed = getopt(args, "+De:");
  } catch (e) {
    log.error(e instanceof GetoptError ? `${e.message}\n${DAEMON_USAGE}` : String(e));
    return 1;
  }
  let emptyWait = DEFAULT_EMPTY_WAIT_S;
  for (const [c, v] of parsed.opts) {
    if (c === "D") log.level++;
    else if (c === "e") {
      const n = Number(v);
      if (!(n >= 0)) {
        log.error(`invalid idle time: ${v}`);
        return 1;
      }
      emptyWait = n;
    }
  }
  const [pipefn, lockfn, ...cmdscript] = parsed.rest;
  if (!pipefn || !lockfn || cmdscript.length === 0) {
    log.error(DAEMON_USAGE);
    return 1;
  }
  const d = new TimerDaemon({ pipefn, lockfn, cmdscript, emptyWaitMs: emptyWait * 1000, log });
  try {
    if (await d.start() === "running") return 0;
  } catch (e) {
    log.error(`bind ${pipefn} failed: ${e instanceof Error ? e.message : e}`);
    return 1;
  }
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    Deno.addSignalListener(sig, () => d.stop(0));
  }
  notifyReady();
  return await d.done;
}
