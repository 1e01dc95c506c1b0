/**
 * dummy-ups repeater mode (spec daemons.md §5.4): mirror the variables of a
 * UPS served by another upsd (`port = ups@host[:port]`), polling `LIST VAR`.
 *
 * Deliberate fix of NUT 2.8.0, which kept serving the last values forever:
 * when the upstream is unreachable or answers with an error, the data is
 * marked stale (DATASTALE), and the connection is re-opened with exponential
 * backoff (next poll, then `minBackoffMs`, doubling up to `maxBackoffMs`); the first good answer
 * makes the data fresh again (DATAOK). Variables the upstream no longer lists
 * are removed (2.8.0 kept them).
 *
 * The connection comes through an injected `connect` function so the logic is
 * testable without a server; the driver passes lib/client's NutClient.
 *
 * @module
 */

/** The part of the client library the repeater uses. */
export interface UpstreamClient {
  listVar(ups: string): Promise<Array<{ name: string; value: string }>>;
  close(): void;
}

export type UpstreamConnect = (host: string, port: number) => Promise<UpstreamClient>;

/** What the repeater does with what it learns. */
export interface RepeaterSink {
  /** Set a mirrored variable (through the driver's SET handler). */
  set(name: string, value: string): void;
  /** Remove a variable the upstream stopped listing. */
  remove(name: string): void;
  dataOk(): void;
  dataStale(): void;
  log(level: number, msg: string): void;
}

export interface RepeaterOptions {
  /** Retry delay after the first failure (usually the poll interval). */
  minBackoffMs: number;
  /** Longest retry delay. */
  maxBackoffMs: number;
}

/** Failure text as NUT prints it (`Connection failure: …`, `Unknown UPS`, …). */
export function failureText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Repeater {
  #client: UpstreamClient | undefined;
  #mirrored = new Set<string>();
  #failures = 0;
  #nextAttempt = -Infinity;
  #lastError = "";

  constructor(
    readonly ups: string,
    readonly host: string,
    readonly port: number,
    readonly connect: UpstreamConnect,
    readonly sink: RepeaterSink,
    readonly opts: RepeaterOptions,
  ) {}

  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** Consecutive failed refreshes. */
  get failures(): number {
    return this.#failures;
  }

  /** Start-up: connect and mirror once; throws (NUT 2.8.0 refuses to start without its upstream). */
  async start(): Promise<void> {
    this.#client = await this.connect(this.host, this.port);
    try {
      this.#apply(await this.#client.listVar(this.ups));
    } catch (e) {
      this.#drop();
      throw e;
    }
    this.sink.dataOk();
  }

  /** One poll at time `now` (ms clock). Returns true when the data was refreshed. */
  async poll(now: number): Promise<boolean> {
    if (now < this.#nextAttempt) return false;
    try {
      if (!this.#client) {
        this.sink.log(2, `repeater: connecting to ${this.host}:${this.port}`);
        this.#client = await this.connect(this.host, this.port);
      }
      const vars = await this.#client.listVar(this.ups);
      this.#apply(vars);
    } catch (e) {
      this.#fail(e, now);
      return false;
    }
    if (this.#failures > 0) {
      this.sink.log(0, `repeater: ${this.ups}@${this.host}:${this.port} answers again`);
    }
    this.#failures = 0;
    this.#nextAttempt = -Infinity;
    this.#lastError = "";
    this.sink.dataOk();
    return true;
  }

  #apply(vars: Array<{ name: string; value: string }>): void {
    const seen = new Set<string>();
    for (const { name, value } of vars) {
      if (name.toLowerCase().startsWith("driver.")) continue; // keep our own driver.* collection
      seen.add(name.toLowerCase());
      this.sink.set(name, value);
    }
    for (const old of this.#mirrored) if (!seen.has(old)) this.sink.remove(old);
    this.#mirrored = seen;
  }

  #fail(e: unknown, now: number): void {
    const text = failureText(e);
    // A server-side ERR keeps the connection usable; anything else means reconnect.
    const isServerError = e instanceof Error && e.name === "NutError";
    if (!isServerError) this.#drop();
    this.#failures++;
    // first retry at the next poll, then minBackoffMs, doubling up to maxBackoffMs
    const delay = this.#failures <= 1 ? 0 : Math.min(
      this.opts.maxBackoffMs,
      this.opts.minBackoffMs * 2 ** Math.min(this.#failures - 2, 20),
    );
    this.#nextAttempt = isServerError ? -Infinity : now + delay;
    if (text !== this.#lastError) {
      this.sink.log(0, `repeater: ${this.ups}@${this.host}:${this.port}: ${text}`);
      this.#lastError = text;
    }
    this.sink.dataStale();
  }

  #drop(): void {
    try {
      this.#client?.close();
    } catch {
      // already closed
    }
    this.#client = undefined;
  }

  close(): void {
    this.#drop();
  }
}
