/**
 * One MONITOR entry's connection to upsd (spec upsmon.md §5.3): connect,
 * USERNAME/PASSWORD, LOGIN (one per connection, which is what upsd counts
 * in NUMLOGINS), PRIMARY with the MASTER fallback, then `GET VAR` polls.
 * Connection problems are turned into PollFailure values for the state
 * machine; a dropped connection is reopened at the next poll.
 *
 * @module
 */

import type { MonitorEntry } from "../conf/upsmon_conf.ts";
import { type ConnectOptions, NutClient, NutClientError, NutError } from "../client/mod.ts";
import type { LogLevel } from "./actions.ts";
import type { PollData, PollFailure } from "./machine.ts";

export type PollOutcome = { ok: PollData } | { fail: PollFailure };

export interface SessionOptions {
  connect?: ConnectOptions;
  log: (level: LogLevel, message: string, debug?: number) => void;
  /** Open a connection (tests may substitute). */
  open?: (host: string, port: number, opts: ConnectOptions) => Promise<NutClient>;
}

/** Polls after which a UPS without ups.mode.buzzwords is asked again. */
const BUZZWORDS_RECHECK_POLLS = 12;

export class UpsSession {
  #client: NutClient | undefined;
  /** Polls since ups.mode.buzzwords was found missing (most UPSes never have it). */
  #noBuzzwordsFor: number | undefined;
  #busy: Promise<unknown> = Promise.resolve();

  constructor(readonly entry: MonitorEntry, private opts: SessionOptions) {}

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** One request at a time on the connection (polls and shutdown queries may overlap). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#busy.then(fn, fn);
    this.#busy = p.catch(() => {});
    return p;
  }

  async #ensure(): Promise<PollFailure | undefined> {
    if (this.#client?.connected) return undefined;
    this.#client = undefined;
    const e = this.entry;
    const log = this.opts.log;
    log("debug", `Trying to connect to UPS [${e.system}]`, 1);
    let c: NutClient;
    try {
      const open = this.opts.open ?? ((h, p, o) => NutClient.connect(h, p, o));
      c = await open(e.host, e.port, this.opts.connect ?? {});
    } catch (err) {
      return { stage: "connect", message: message(err) };
    }
    try {
      await c.username(e.username);
      await c.password(e.password);
    } catch (err) {
      c.close();
      return { stage: "auth", message: `Authentication on [${e.system}] failed: ${message(err)}` };
    }
    try {
      await c.login(e.ups);
    } catch (err) {
      c.close();
      const got = err instanceof NutError ? err.line : message(err);
      return { stage: "auth", message: `Login on UPS [${e.system}] failed - got [${got}]` };
    }
    if (e.role === "primary") {
      try {
        await c.primary(e.ups);
      } catch (err) {
        log("alert", `Primary managerial privileges unavailable on UPS [${e.system}]`);
        log("alert", `Reason: ${message(err)}`);
        if (!c.connected) return { stage: "connect", message: message(err) };
      }
    }
    log("debug", `Logged into UPS ${e.system}`, 1);
    this.#client = c;
    this.#noBuzzwordsFor = undefined;
    return undefined;
  }

  /**
   * Connect if needed and read the status (plus buzzwords, and ups.alarm on
   * ALARM). `replyTimeoutMs` overrides the read timeout for this poll.
   */
  poll(replyTimeoutMs?: number): Promise<PollOutcome> {
    return this.#serial(async () => {
      const failed = await this.#ensure();
      if (failed) return { fail: failed };
      const c = this.#client!;
      const normal = c.readTimeoutMs;
      if (replyTimeoutMs !== undefined) c.readTimeoutMs = replyTimeoutMs;
      try {
        return await this.#read(c);
      } finally {
        c.readTimeoutMs = normal;
      }
    });
  }

  async #read(c: NutClient): Promise<PollOutcome> {
    const ups = this.entry.ups;
    let status: string;
    try {
      status = await c.getVar(ups, "ups.status");
    } catch (err) {
      if (!c.connected) this.#client = undefined;
      return {
        fail: {
          stage: "poll",
          message: message(err),
          token: err instanceof NutError ? err.token : undefined,
        },
      };
    }
    const data: PollData = { status };
    // most UPSes have none: asking only now and then keeps the poll to one request
    const n = this.#noBuzzwordsFor;
    if (n === undefined || n >= BUZZWORDS_RECHECK_POLLS) {
      data.buzzwords = await this.#optional(c, "ups.mode.buzzwords");
      this.#noBuzzwordsFor = data.buzzwords === undefined ? 0 : undefined;
    } else {
      this.#noBuzzwordsFor = n + 1;
    }
    if (/(^|\s)ALARM(\s|$)/i.test(status)) data.alarm = await this.#optional(c, "ups.alarm");
    return { ok: data };
  }

  async #optional(c: NutClient, name: string): Promise<string | undefined> {
    try {
      return await c.getVar(this.entry.ups, name);
    } catch {
      if (!c.connected) this.#client = undefined;
      return undefined;
    }
  }

  /** upsd reported a change: the next poll asks for buzzwords again. */
  changed(): void {
    if (this.#noBuzzwordsFor !== undefined) this.#noBuzzwordsFor = BUZZWORDS_RECHECK_POLLS;
  }

  /** `FSD <ups>`: undefined when upsd said OK, else the reason. */
  setFsd(): Promise<string | undefined> {
    return this.#serial(async () => {
      const failed = await this.#ensure();
      if (failed) return failed.message;
      try {
        await this.#client!.fsd(this.entry.ups);
        return undefined;
      } catch (err) {
        if (!this.#client?.connected) this.#client = undefined;
        return message(err);
      }
    });
  }

  /** `GET NUMLOGINS <ups>` on the existing connection; undefined on any failure. */
  numLogins(): Promise<number | undefined> {
    return this.#serial(async () => {
      const c = this.#client;
      if (!c?.connected) return undefined;
      try {
        const n = await c.getNumLogins(this.entry.ups);
        return Number.isFinite(n) ? n : undefined;
      } catch {
        if (!c.connected) this.#client = undefined;
        return undefined;
      }
    });
  }

  /** LOGOUT and close (or just close). */
  async close(logout = true): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (!c) return;
    if (logout) await c.logout();
    else c.close();
  }
}

function message(e: unknown): string {
  if (e instanceof NutError || e instanceof NutClientError) return e.message;
  return e instanceof Error ? e.message : String(e);
}
