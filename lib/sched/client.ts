/**
 * The CLI's side of the PIPEFN socket: deliver one request to the timer
 * daemon, starting the daemon first when none answers.
 *
 * NUT's algorithm, with one change for Deno: starting a daemon takes a
 * process start (tenths of a second), not a fork, so a busy LOCKFN is only
 * taken for stale once it is older than STALE_LOCK_MS instead of at once —
 * otherwise a second CLI would delete the first one's lock and start a
 * second daemon. And a daemon that fails to start (it reports why) is not
 * started again and again.
 *
 * @module
 */

import type { Logger } from "../daemon/log.ts";
import { encodeRequest, LIST_BEGIN, LIST_END, REPLY_OK, type Request } from "./protocol.ts";

/** NUT's MAX_TRIES. */
export const MAX_TRIES = 30;
/** Pause before trying again while another CLI holds the lock. */
export const RETRY_MS = 250;
/** A lock file older than this belongs to a CLI that died while starting a daemon. */
export const STALE_LOCK_MS = 5000;

export class SchedClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SchedClientError";
  }
}

export interface ClientOptions {
  pipefn: string;
  lockfn: string;
  log: Logger;
  /** Start a timer daemon and wait until it listens; false if that failed. */
  spawnDaemon(): Promise<boolean>;
  sleep?: (ms: number) => Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function tryConnect(path: string): Promise<Deno.UnixConn | null> {
  try {
    return await Deno.connect({ transport: "unix", path });
  } catch {
    return null;
  }
}

/** Reads LF-terminated lines from a connection. */
class LineReader {
  #buf = "";
  #eof = false;
  constructor(private conn: Deno.Conn) {}

  async next(): Promise<string | null> {
    for (;;) {
      const i = this.#buf.indexOf("\n");
      if (i >= 0) {
        const line = this.#buf.slice(0, i);
        this.#buf = this.#buf.slice(i + 1);
        return line;
      }
      if (this.#eof) return null;
      const chunk = new Uint8Array(4096);
      let n: number | null;
      try {
        n = await this.conn.read(chunk);
      } catch {
        n = null;
      }
      if (n === null) this.#eof = true;
      else this.#buf += decoder.decode(chunk.subarray(0, n), { stream: true });
    }
  }
}

async function writeAll(conn: Deno.Conn, text: string): Promise<void> {
  const data = encoder.encode(text);
  let off = 0;
  while (off < data.length) off += await conn.write(data.subarray(off));
}

type LockResult = "taken" | "busy" | { error: string };

/** open(LOCKFN, O_CREAT|O_EXCL); the file holds our PID for people looking. */
function takeLock(lockfn: string): LockResult {
  try {
    const f = Deno.openSync(lockfn, { createNew: true, write: true, mode: 0o600 });
    try {
      f.writeSync(encoder.encode(`${Deno.pid}\n`));
    } finally {
      f.close();
    }
    return "taken";
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return "busy";
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function lockAgeMs(lockfn: string): number {
  try {
    const mtime = Deno.statSync(lockfn).mtime;
    return mtime ? Date.now() - mtime.getTime() : 0;
  } catch {
    return 0;
  }
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // gone already
  }
}

/**
 * Deliver `req` and wait for the daemon's OK (a CANCEL with a command is
 * answered once that command has run). A CANCEL without a command when no
 * daemon runs is done at once: there is nothing to cancel. Throws
 * SchedClientError after MAX_TRIES failed attempts.
 */
export async function sendRequest(req: Request, opts: ClientOptions): Promise<void> {
  const { pipefn, lockfn, log } = opts;
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const line = encodeRequest(req);
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const conn = await tryConnect(pipefn);
    if (!conn) {
      const cancelling = req.verb === "CANCEL" || req.verb === "CANCEL-MATCHED";
      if (cancelling && req.arg === "") return;
      const lock = takeLock(lockfn);
      if (lock === "taken") {
        log.debug(2, `Starting the timer daemon on ${pipefn}`);
        if (await opts.spawnDaemon()) continue;
        // it said why (bind failed...): starting it 29 more times would not help
        removeQuietly(lockfn);
        break;
      }
      if (lock !== "busy") {
        log.error(`Can't create lock file ${lockfn}: ${lock.error}`);
        break;
      }
      if (lockAgeMs(lockfn) > STALE_LOCK_MS) {
        log.debug(1, `Removing stale lock file ${lockfn}`);
        removeQuietly(lockfn);
      }
      await sleep(RETRY_MS);
      continue;
    }
    try {
      try {
        await writeAll(conn, line);
      } catch {
        log.error("write failed, trying again");
        continue;
      }
      const reply = await new LineReader(conn).next();
      if (reply === null || reply.length < 2) {
        log.error("read confirmation failed, trying again");
        continue;
      }
      if (reply.startsWith(REPLY_OK)) return;
      log.error(`read confirmation got [${reply}]`);
    } finally {
      try {
        conn.close();
      } catch {
        // closed already
      }
    }
  }
  log.error("Failed to connect to parent and failed to create parent");
  throw new SchedClientError("Unable to connect to daemon and unable to start daemon");
}

/**
 * The daemon's listing rows (TAB-separated, see protocol.ts), or null when
 * no daemon answers on `pipefn`. Never starts a daemon.
 */
export async function listTimers(pipefn: string): Promise<string[] | null> {
  const conn = await tryConnect(pipefn);
  if (!conn) return null;
  try {
    await writeAll(
      conn,
      encodeRequest({
        verb: "LIST-TIMERS",
        name: "",
        arg: "",
        notifyType: "",
        upsName: "",
        message: "",
      }),
    );
    const r = new LineReader(conn);
    const first = await r.next();
    if (first !== LIST_BEGIN) throw new SchedClientError(`unexpected reply: ${first ?? "EOF"}`);
    const rows: string[] = [];
    for (;;) {
      const l = await r.next();
      if (l === null) throw new SchedClientError("connection closed during the listing");
      if (l === LIST_END) break;
      rows.push(l);
    }
    const ok = await r.next();
    if (ok === null || !ok.startsWith(REPLY_OK)) {
      throw new SchedClientError(`unexpected reply: ${ok ?? "EOF"}`);
    }
    return rows;
  } finally {
    try {
      conn.close();
    } catch {
      // closed already
    }
  }
}
