/**
 * Short dialogues with a running driver over its socket (NUT master's
 * "upsdrvquery", spec driver-socket.md §10): is it alive (PING), what is its
 * PID and status, and tracked instant commands such as `driver.exit` or
 * `driver.reload-or-error`. Used by a driver's `-c` option, by a starting
 * driver that finds an older instance, and by upsdrvctl.
 *
 * Every read has a deadline, so a hung driver cannot hang the caller.
 *
 * @module
 */

import { Tokenizer } from "../conf/tokenizer.ts";

const encoder = new TextEncoder();

/** Raised when the socket dialogue fails (no driver, timeout, closed). */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}

/** strerror-like text for a failed socket operation. */
export function socketErrorText(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.ConnectionRefused) return "Connection refused";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.NotCapable) return "Permission denied (not allowed by the sandbox)";
  return String((e as Error)?.message ?? e).replace(/ \(os error \d+\)$/, "");
}

export class DriverQuery {
  #tok = new Tokenizer();
  #lines: string[][] = [];
  #eof = false;
  #pending: Promise<number | null> | undefined;
  #buf = new Uint8Array(4096);

  private constructor(readonly path: string, readonly conn: Deno.UnixConn) {}

  /** Connect; throws QueryError with a strerror-like text. */
  static async open(path: string): Promise<DriverQuery> {
    try {
      return new DriverQuery(path, await Deno.connect({ transport: "unix", path }));
    } catch (e) {
      throw new QueryError(socketErrorText(e));
    }
  }

  /** Write a line (LF added). */
  async send(line: string): Promise<void> {
    const bytes = encoder.encode(line + "\n");
    let off = 0;
    try {
      while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
    } catch (e) {
      throw new QueryError(socketErrorText(e));
    }
  }

  /**
   * Read lines (as words) until `done` matches one; returns every line read,
   * the matching one last. Throws QueryError on EOF or timeout.
   */
  async until(done: (words: string[]) => boolean, timeoutMs: number): Promise<string[][]> {
    const deadline = Date.now() + timeoutMs;
    const seen: string[][] = [];
    for (;;) {
      while (this.#lines.length > 0) {
        const w = this.#lines.shift()!;
        seen.push(w);
        if (done(w)) return seen;
      }
      if (this.#eof) throw new QueryError("connection closed by the driver");
      const left = deadline - Date.now();
      if (left <= 0) throw new QueryError("timed out waiting for the driver");
      this.#pending ??= this.conn.read(this.#buf).catch(() => null);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const r = await Promise.race([
        this.#pending,
        new Promise<"t">((res) => timer = setTimeout(() => res("t"), left)),
      ]);
      clearTimeout(timer);
      if (r === "t") continue;
      this.#pending = undefined;
      if (r === null) {
        this.#eof = true;
        continue;
      }
      this.#tok.feed(this.#buf.subarray(0, r), {
        line: (words) => {
          if (words.length) this.#lines.push(words);
        },
        error: () => {},
      });
    }
  }

  /** True once the driver closed the connection (within `timeoutMs`). */
  async closed(timeoutMs: number): Promise<boolean> {
    try {
      await this.until(() => false, timeoutMs);
    } catch {
      // EOF or timeout
    }
    return this.#eof;
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

function trackingId(): string {
  return crypto.randomUUID().toUpperCase();
}

/**
 * Send `INSTCMD <cmd> TRACKING <id>` and return the driver's result code
 * (0 handled, 1 unknown, 2 invalid, 3 failed). Broadcasts are switched off
 * first so that a busy driver's updates do not delay the answer.
 */
export async function trackedInstcmd(
  path: string,
  cmd: string,
  timeoutMs = 15000,
): Promise<number> {
  const q = await DriverQuery.open(path);
  try {
    const id = trackingId();
    await q.send("NOBROADCAST");
    await q.send(`INSTCMD ${cmd} TRACKING ${id}`);
    const lines = await q.until(
      (w) => w[0]?.toUpperCase() === "TRACKING" && w[1]?.toUpperCase() === id,
      timeoutMs,
    );
    const code = parseInt(lines[lines.length - 1][2] ?? "", 10);
    return Number.isFinite(code) ? code : 1;
  } finally {
    q.close();
  }
}

/** True if a driver answers PING on `path` within `timeoutMs`. */
export async function pingDriver(path: string, timeoutMs = 3000): Promise<boolean> {
  let q: DriverQuery;
  try {
    q = await DriverQuery.open(path);
  } catch {
    return false;
  }
  try {
    await q.send("PING");
    await q.until((w) => w[0]?.toUpperCase() === "PONG", timeoutMs);
    return true;
  } catch {
    return false;
  } finally {
    q.close();
  }
}

export interface DriverProbe {
  /** Answered PING. */
  responsive: boolean;
  /** Its PID from GETPID (NUT ≥ 2.8.3 drivers and ours). */
  pid?: string;
  /** ups.status from DUMPSTATUS (same drivers). */
  status?: string;
}

/** PING, then GETPID and DUMPSTATUS (which NUT 2.8.0 drivers do not answer). */
export async function probeDriver(path: string, timeoutMs = 3000): Promise<DriverProbe> {
  let q: DriverQuery;
  try {
    q = await DriverQuery.open(path);
  } catch {
    return { responsive: false };
  }
  const out: DriverProbe = { responsive: false };
  try {
    await q.send("NOBROADCAST");
    await q.send("PING");
    await q.until((w) => w[0]?.toUpperCase() === "PONG", timeoutMs);
    out.responsive = true;
    await q.send("GETPID");
    const pid = await q.until((w) => w[0]?.toUpperCase() === "PID", timeoutMs);
    out.pid = pid[pid.length - 1][1];
    await q.send("DUMPSTATUS");
    const dump = await q.until((w) => w[0]?.toUpperCase() === "DUMPDONE", timeoutMs);
    const st = dump.find((w) => w[0]?.toUpperCase() === "SETINFO" && w[1] === "ups.status");
    if (st) out.status = st[2] ?? "";
  } catch {
    // what was learnt so far stands
  } finally {
    q.close();
  }
  return out;
}
