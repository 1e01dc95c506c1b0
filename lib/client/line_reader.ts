/**
 * Buffered line reader: one read() may hold many protocol lines, and a line
 * may span several reads. Lines are returned as bytes without their LF.
 *
 * @module
 */

import type { Transport } from "./transport.ts";

const LF = 0x0a;
/** A reply line longer than this is hostile; NUT lines are at most 512 bytes. */
export const MAX_LINE = 65536;

export type ReadResult = Uint8Array | "eof" | "timeout" | "toolong";

export class LineReader {
  #buf = new Uint8Array(4096);
  #start = 0;
  #end = 0;
  /** Bytes scanned already for LF (avoids rescanning on partial lines). */
  #scanned = 0;

  constructor(private t: Transport) {}

  /**
   * Next line (without LF), or why none came (`timeoutMs` Infinity: wait
   * as long as it takes). Throws what the transport throws.
   */
  async readLine(timeoutMs: number): Promise<ReadResult> {
    for (;;) {
      const i = this.#buf.subarray(this.#start + this.#scanned, this.#end).indexOf(LF);
      if (i >= 0) {
        const lineEnd = this.#start + this.#scanned + i;
        const line = this.#buf.slice(this.#start, lineEnd);
        this.#start = lineEnd + 1;
        this.#scanned = 0;
        return line;
      }
      this.#scanned = this.#end - this.#start;
      if (this.#scanned > MAX_LINE) return "toolong";
      const r = await this.#fill(timeoutMs);
      if (r !== "ok") return r;
    }
  }

  async #fill(timeoutMs: number): Promise<"ok" | "eof" | "timeout"> {
    if (this.#start > 0) {
      // compact
      this.#buf.copyWithin(0, this.#start, this.#end);
      this.#end -= this.#start;
      this.#start = 0;
    }
    if (this.#end === this.#buf.length) {
      const bigger = new Uint8Array(this.#buf.length * 2);
      bigger.set(this.#buf);
      this.#buf = bigger;
    }
    const reading = this.t.read(this.#buf.subarray(this.#end));
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const n = timeoutMs === Infinity ? await reading : await Promise.race([
        reading,
        new Promise<"timeout">((resolve) => {
          timer = setTimeout(() => resolve("timeout"), timeoutMs);
        }),
      ]);
      if (n === "timeout") {
        reading.catch(() => {}); // settles when the caller closes the transport
        return "timeout";
      }
      if (n === null) return "eof";
      this.#end += n;
      return "ok";
    } finally {
      clearTimeout(timer);
    }
  }
}
