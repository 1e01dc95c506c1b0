/**
 * An in-memory SerialPort for tests: what the driver writes is recorded and
 * handed to a responder, which answers with `feed()`; modem input lines
 * (CTS, DCD, DSR, RI) are set by the test, output lines (DTR, RTS) recorded.
 * `vanish()` makes every later call fail as an unplugged port does.
 *
 * ```ts
 * const port = new FakeSerialPort("/dev/fake", (req, p) => {
 *   if (req === "Q1\r") p.feed("(230.0 ...\r");
 * });
 * ```
 *
 * @module
 */

import {
  BufferedPort,
  type ModemLines,
  SerialError,
  type SerialPort,
  toBytes,
  toText,
} from "./serial.ts";

/** Called with each write (Latin-1 text) and the port, to answer with `feed`. */
export type Responder = (written: string, port: FakeSerialPort) => void;

export class FakeSerialPort extends BufferedPort implements SerialPort {
  /** Every write, in order. */
  readonly writes: string[] = [];
  /** Current line states; inputs are the test's to change. */
  lines: ModemLines = { dtr: false, rts: false, cts: false, dcd: false, dsr: false, ri: false };
  /** false: behave like a pty (no modem lines). */
  hasModemLines = true;
  /** Output-line changes, in order (for cable-power / shutdown patterns). */
  readonly lineLog: Array<{ dtr: boolean; rts: boolean }> = [];
  breaks = 0;
  #closed = false;
  #gone = false;
  #waiters = new Set<() => void>();

  constructor(readonly path = "/dev/fake0", public responder?: Responder) {
    super();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Bytes "from the device", available to the next read. */
  feed(data: string | Uint8Array): void {
    this.buf += typeof data === "string" ? data : toText(data);
    for (const w of [...this.#waiters]) w();
  }

  /** The device disappears: pending and later calls throw SerialError. */
  vanish(): void {
    this.#gone = true;
    for (const w of [...this.#waiters]) w();
  }

  #check(): void {
    if (this.#closed) throw new SerialError(this.path, "port closed", "EBADF");
    if (this.#gone) throw new SerialError(this.path, "read: Input/output error", "EIO");
  }

  protected fill(timeoutMs: number): Promise<boolean> {
    this.#check();
    const before = this.buf.length;
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        try {
          this.#check();
          resolve(this.buf.length > before);
        } catch (e) {
          reject(e);
        }
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.#waiters.add(done);
    });
  }

  write(data: string | Uint8Array): Promise<void> {
    this.#check();
    const text = typeof data === "string" ? toText(toBytes(data)) : toText(data);
    this.writes.push(text);
    this.responder?.(text, this);
    return Promise.resolve();
  }

  flushInput(): void {
    this.buf = "";
  }

  setModemLines(lines: { dtr?: boolean; rts?: boolean }): boolean {
    this.#check();
    if (!this.hasModemLines) return false;
    if (lines.dtr !== undefined) this.lines.dtr = lines.dtr;
    if (lines.rts !== undefined) this.lines.rts = lines.rts;
    this.lineLog.push({ dtr: this.lines.dtr, rts: this.lines.rts });
    return true;
  }

  setOutputLines(lines: { dtr: boolean; rts: boolean }): boolean {
    return this.setModemLines(lines);
  }

  modemLines(): ModemLines | undefined {
    this.#check();
    return this.hasModemLines ? { ...this.lines } : undefined;
  }

  sendBreak(): Promise<void> {
    this.#check();
    this.breaks++;
    return Promise.resolve();
  }

  close(): void {
    this.#closed = true;
    for (const w of [...this.#waiters]) w();
  }
}
