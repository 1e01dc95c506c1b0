/**
 * A test peer on a driver socket (or any line-based Unix stream socket):
 * send text, read complete lines with a deadline, wait for a given line,
 * notice EOF.
 *
 * ```ts
 * const p = await SockPeer.open(`${dir.state}/dummy-ups-test`);
 * await p.send("DUMPALL\n");
 * const dump = await p.until((l) => l === "DUMPDONE");
 * p.close();
 * ```
 *
 * @module
 */

const encoder = new TextEncoder();

export class SockPeer {
  #buf = "";
  #td = new TextDecoder();
  #eof = false;
  #pending: Promise<number | null> | undefined;
  #chunk = new Uint8Array(65536);

  private constructor(readonly conn: Deno.UnixConn) {}

  static async open(path: string): Promise<SockPeer> {
    return new SockPeer(await Deno.connect({ transport: "unix", path }));
  }

  /** Write all of `text`. */
  async send(text: string): Promise<void> {
    const bytes = encoder.encode(text);
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  /** Read more data; false on EOF or when the deadline passes. */
  async #fill(deadline: number): Promise<boolean> {
    if (this.#eof) return false;
    // one read stays pending across timeouts so no data is lost
    this.#pending ??= this.conn.read(this.#chunk).catch(() => null);
    const wait = Math.max(1, deadline - Date.now());
    let timer: ReturnType<typeof setTimeout> | undefined;
    const r = await Promise.race([
      this.#pending,
      new Promise<"t">((res) => timer = setTimeout(() => res("t"), wait)),
    ]);
    clearTimeout(timer);
    if (r === "t") return false;
    this.#pending = undefined;
    if (r === null) {
      this.#eof = true;
      return false;
    }
    this.#buf += this.#td.decode(this.#chunk.subarray(0, r), { stream: true });
    return true;
  }

  #take(n: number): string[] {
    const parts = this.#buf.split("\n");
    const got = parts.slice(0, Math.min(n, parts.length - 1));
    this.#buf = parts.slice(got.length).join("\n");
    return got;
  }

  /** Up to `n` complete lines, waiting at most `timeoutMs`. */
  async lines(n: number, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.#buf.split("\n").length - 1 < n && Date.now() < deadline) {
      if (!(await this.#fill(deadline))) break;
    }
    return this.#take(n);
  }

  /** Lines up to and including the first one matching `done`; throws on timeout. */
  async until(done: (line: string) => boolean, timeoutMs = 5000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const out: string[] = [];
    for (;;) {
      const [line] = this.#take(1);
      if (line !== undefined) {
        out.push(line);
        if (done(line)) return out;
        continue;
      }
      if (Date.now() >= deadline || !(await this.#fill(deadline))) {
        throw new Error(`timed out waiting on socket; got:\n${out.join("\n")}`);
      }
    }
  }

  /** True once the other side closed (within `timeoutMs`). */
  async eof(timeoutMs = 3000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#eof && Date.now() < deadline) {
      if (!(await this.#fill(deadline))) break;
      this.#buf = "";
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

/** One request/reply exchange: send `text`, collect lines until `done` matches. */
export async function sockTalk(
  path: string,
  text: string,
  done: (line: string) => boolean,
  timeoutMs = 5000,
): Promise<string[]> {
  const p = await SockPeer.open(path);
  try {
    await p.send(text);
    return await p.until(done, timeoutMs);
  } finally {
    p.close();
  }
}
