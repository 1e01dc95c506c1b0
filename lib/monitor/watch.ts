/**
 * Faster reaction than polling, compatible with every upsd: a second,
 * anonymous connection per upsd on which upsmon asks to be told when a UPS
 * changes. Protocol (a nut-deno extension; any other upsd refuses it and
 * upsmon just polls as NUT does):
 *
 * ```
 * C: WATCH <ups>          one line per UPS monitored on that upsd
 * S: OK                   registered (any reply starting with "OK")
 * S: ERR UNKNOWN-COMMAND  this upsd has no WATCH: give up on this server
 * S: ERR <other>          this UPS cannot be watched (others may be)
 * ...
 * S: CHANGED <ups>        unsolicited, whenever what upsmon reads of a watched
 *                         UPS changes: status, FSD, ups.alarm, buzzwords, or
 *                         availability (driver connected / stale)
 * C: NETVER               keep-alive (upsd drops idle clients after 60 s); any
 * S: 1.3                  line that is not CHANGED is its reply
 * ```
 *
 * `<ups>` in CHANGED is matched case-insensitively against the watched
 * names. A CHANGED line may arrive between WATCH replies. The watcher has
 * no timer of its own: the monitor calls keepAlive() from its poll loop, so
 * that an idle upsmon wakes once for both (see docs/architecture.md, "upsmon
 * idle cost"). Three keep-alives in a row without an answer end the
 * session. A lost connection is reported as a change of every watched UPS
 * (the monitor polls, and learns whether upsd is gone); the watcher then
 * reconnects with a growing delay (1 s doubling to 60 s) and, once watching
 * again, reports every UPS as changed (changes may have been missed).
 *
 * @module
 */

import { type ConnectOptions, NutClient } from "../client/mod.ts";
import { splitLine } from "../conf/tokenizer.ts";
import { encodeArg } from "../client/words.ts";
import type { LogLevel } from "./actions.ts";

export interface WatchOptions {
  connect?: ConnectOptions;
  log: (level: LogLevel, message: string, debug?: number) => void;
  /** Least time between two keep-alives (ms). */
  keepAliveMs?: number;
  /** First reconnect delay and cap (ms). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Open a connection (tests may substitute). */
  open?: (host: string, port: number, opts: ConnectOptions) => Promise<NutClient>;
}

/** Default least time between keep-alives: two per upsd idle timeout (60 s). */
export const KEEPALIVE_MS = 25_000;

export type WatchState = "connecting" | "watching" | "unsupported" | "waiting" | "stopped";

export class UpsdWatcher {
  #state: WatchState = "connecting";
  #client: NutClient | undefined;
  #stopped = false;
  #wake: (() => void) | undefined;
  #done: Promise<void> | undefined;
  #watched: string[] = [];
  #sessions = 0;
  #reachedWatching = false;
  #unanswered = 0;
  #lastKeepAlive = 0;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly upsNames: readonly string[],
    private onChanged: (ups: string) => void,
    private opts: WatchOptions,
  ) {}

  get state(): WatchState {
    return this.#state;
  }

  /** UPS names the server accepted in the current session. */
  get watched(): readonly string[] {
    return this.#watched;
  }

  /** Is `ups` (any spelling) being watched right now? */
  watching(ups: string): boolean {
    if (this.#state !== "watching") return false;
    const u = ups.toLowerCase();
    return this.#watched.some((w) => w.toLowerCase() === u);
  }

  /**
   * Send a NETVER if the last one is at least keepAliveMs old; a session
   * with three unanswered in a row is closed (the server is hung or gone).
   */
  keepAlive(now = Date.now()): void {
    const c = this.#client;
    if (this.#state !== "watching" || !c) return;
    if (now - this.#lastKeepAlive < (this.opts.keepAliveMs ?? KEEPALIVE_MS)) return;
    if (this.#unanswered >= 3) {
      this.#debug("keep-alive not answered, reconnecting");
      c.close();
      return;
    }
    this.#lastKeepAlive = now;
    this.#unanswered++;
    c.sendLine("NETVER").catch(() => c.close());
  }

  start(): void {
    this.#done ??= this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#state = "stopped";
    const c = this.#client;
    this.#client = undefined;
    if (c) await c.logout();
    this.#wake?.();
    await this.#done;
  }

  #debug(msg: string): void {
    this.opts.log("debug", `WATCH ${this.host}:${this.port}: ${msg}`, 2);
  }

  async #run(): Promise<void> {
    let delay = this.opts.backoffMs ?? 1000;
    const max = this.opts.maxBackoffMs ?? 60_000;
    while (!this.#stopped) {
      this.#state = "connecting";
      const result = await this.#session().catch((e) => {
        this.#debug(`connection lost: ${e instanceof Error ? e.message : String(e)}`);
        return "retry" as const;
      });
      const lost = this.#watched;
      this.#watched = [];
      this.#client?.close();
      this.#client = undefined;
      if (this.#stopped) break;
      // the monitor polls them now: it learns at once whether upsd is gone
      for (const u of lost) this.onChanged(u);
      if (result === "unsupported") {
        this.#state = "unsupported";
        return;
      }
      if (result === "ran" || this.#reachedWatching) delay = this.opts.backoffMs ?? 1000;
      this.#reachedWatching = false;
      this.#state = "waiting";
      await this.#sleep(delay);
      delay = Math.min(delay * 2, max);
    }
    this.#state = "stopped";
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#wake = done;
    });
  }

  /** One connection's life: "unsupported", "ran" (was watching), or throws/"retry". */
  async #session(): Promise<"unsupported" | "ran" | "retry"> {
    const open = this.opts.open ?? ((h, p, o) => NutClient.connect(h, p, o));
    const c = await open(this.host, this.port, this.opts.connect ?? {});
    this.#client = c;
    if (this.#stopped) return "retry";
    const pending: string[] = [];
    const changed = (line: string): boolean => {
      if (!/^CHANGED[ \t]/.test(line)) return false;
      const name = splitLine(line)?.[1];
      const hit = name === undefined
        ? undefined
        : this.#watched.find((u) => u.toLowerCase() === name.toLowerCase()) ??
          pending.find((u) => u.toLowerCase() === name.toLowerCase());
      if (hit) this.onChanged(hit);
      else this.#debug(`ignoring ${line}`);
      return true;
    };
    for (const ups of this.upsNames) {
      await c.sendLine(`WATCH ${encodeArg(ups)}`);
      pending.push(ups);
      let reply: string;
      do reply = await c.readLine(); while (changed(reply));
      pending.pop();
      if (reply.startsWith("OK")) {
        this.#watched.push(ups);
      } else if (reply.startsWith("ERR UNKNOWN-COMMAND")) {
        this.#debug("this upsd does not support WATCH, polling only");
        this.opts.log("debug", `upsd at ${this.host}:${this.port} has no WATCH: polling only`, 1);
        await c.logout();
        return "unsupported";
      } else {
        this.#debug(`WATCH ${ups} refused: ${reply}`);
      }
    }
    if (this.#watched.length === 0) return "retry";
    this.#state = "watching";
    this.#reachedWatching = true;
    this.#sessions++;
    this.opts.log(
      "debug",
      `Watching ${this.#watched.join(", ")} on ${this.host}:${this.port} for changes`,
      1,
    );
    if (this.#sessions > 1) { for (const u of this.#watched) this.onChanged(u); }

    this.#unanswered = 0;
    this.#lastKeepAlive = Date.now();
    try {
      // no read timeout: keepAlive() closes a silent session
      for (;;) if (!changed(await c.readLine(Infinity))) this.#unanswered = 0;
    } finally {
      this.#state = "waiting";
    }
  }
}
