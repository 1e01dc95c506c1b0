/**
 * Supervision of a running driver as a pure state machine: what the core
 * does next (poll, reconnect, exit) and when, from the outcome of each poll
 * or reconnection attempt. Time comes in as arguments (milliseconds), so
 * tests drive it with a fake clock.
 *
 * ```
 *            poll ok                   poll fails (DeviceError)
 * starting ─────────▶ running ───────────────────────────────▶ reconnecting
 *    │                 ▲  │ poll fails (other error)             │   ▲
 *    │                 │  ▼                                      │   │ attempt fails:
 *    │                 │ stale ── poll fails (DeviceError) ─────▶│   │ backoff
 *    │                 │  │ poll ok                              │   │
 *    │                 └──┴──────── poll ok after reconnect ◀────┴───┘
 *    └─ poll fails (DeviceError) ──▶ reconnecting      too many attempts ─▶ exiting
 * ```
 *
 * Rules:
 * - data is marked stale at the first failed poll (never hidden: the core
 *   sends DATASTALE at once); only the driver's next good poll makes it
 *   fresh again (it calls dataOk());
 * - after a DeviceError the first reconnection is tried at once, then after
 *   1, 2, 4 … poll intervals, capped at `maxBackoffMs` (default the larger
 *   of 30 s and one poll interval);
 * - a reconnection that "works" but is followed by a failing poll counts as
 *   a failed attempt (the counter is only reset by a good poll), so a device
 *   that opens but never answers is not hammered;
 * - NUT master's `reconnect_max_tries` (-1 = forever, 0 = exit at once on
 *   loss, N = exit with status 1 after N failed attempts) and
 *   `reconnect_report_freq` (log "still reconnecting" every N attempts);
 * - `driver.reconnect_count` / `driver.reconnect_max_tries` are published
 *   while reconnecting (as NUT master does) and removed on recovery;
 * - a poll that has not returned after `hangAfterMs()` (three intervals,
 *   at least 15 s) makes the data stale: the socket keeps answering PING
 *   meanwhile, so upsd alone would never notice a hung device.
 *
 * @module
 */

import { DeviceError } from "./types.ts";

export type SupervisorPhase = "starting" | "running" | "stale" | "reconnecting" | "exiting";

export interface SupervisorConfig {
  /** UPS name, for messages. */
  upsName: string;
  /** Time between polls. */
  pollIntervalMs: number;
  /** -1: retry forever; 0: exit at once when the device is lost; N: exit after N failed attempts. */
  reconnectMaxTries: number;
  /** Log "still reconnecting" every N failed attempts (≤ 0: only the first message). */
  reconnectReportFreq: number;
  /** Longest pause between reconnection attempts (default max(30 s, poll interval)). */
  maxBackoffMs?: number;
}

/** What the core should do next. */
export type SupervisorAction =
  | { kind: "poll"; at: number }
  | { kind: "reconnect"; at: number }
  | { kind: "exit"; code: number };

/** Side effects the core carries out, in order. */
export type SupervisorEffect =
  | { kind: "stale" }
  | { kind: "log"; level: "error" | "warn" | "info" | "debug"; text: string }
  | { kind: "publish"; name: string; value: string }
  | { kind: "unpublish"; name: string };

/** Default cap of the reconnection backoff. */
export const MAX_BACKOFF_MS = 30_000;
/** A poll running longer than this (or three intervals) is declared hung. */
export const MIN_HANG_MS = 15_000;

export const RECONNECT_COUNT = "driver.reconnect_count";
export const RECONNECT_MAX_TRIES = "driver.reconnect_max_tries";

function text(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Supervisor {
  #cfg: SupervisorConfig;
  #phase: SupervisorPhase = "starting";
  /** Failed reconnection attempts in the current outage. */
  #failures = 0;
  /** A reconnection succeeded; the next poll decides. */
  #verifying = false;
  #nextAt: number;
  #exitCode = 0;
  #lastPollError = "";
  #published = false;

  /** `now`: when the driver finished its start-up (the first poll is due one interval later). */
  constructor(cfg: SupervisorConfig, now: number) {
    this.#cfg = { ...cfg };
    this.#nextAt = now;
  }

  get phase(): SupervisorPhase {
    return this.#phase;
  }

  /** Failed reconnection attempts since the device was lost (0 when not reconnecting). */
  get failures(): number {
    return this.#failures;
  }

  get config(): Readonly<SupervisorConfig> {
    return this.#cfg;
  }

  /** New settings (reload); timing takes effect from the next decision. */
  configure(cfg: Partial<SupervisorConfig>): void {
    this.#cfg = { ...this.#cfg, ...cfg };
  }

  /** The next step and its due time. */
  next(): SupervisorAction {
    if (this.#phase === "exiting") return { kind: "exit", code: this.#exitCode };
    if (this.#phase === "reconnecting" && !this.#verifying) {
      return { kind: "reconnect", at: this.#nextAt };
    }
    return { kind: "poll", at: this.#nextAt };
  }

  /** A poll that began at `startedAt` returned normally at `now`. */
  pollSucceeded(startedAt: number, now: number): SupervisorEffect[] {
    const out: SupervisorEffect[] = [];
    if (this.#phase === "reconnecting") {
      out.push({
        kind: "log",
        level: "warn",
        text: `Communications with UPS [${this.#cfg.upsName}] re-established`,
      });
      out.push({
        kind: "log",
        level: "debug",
        text: `reconnected to the device after ${this.#failures + 1} attempt(s)`,
      });
      if (this.#published) {
        out.push({ kind: "unpublish", name: RECONNECT_COUNT });
        out.push({ kind: "unpublish", name: RECONNECT_MAX_TRIES });
        this.#published = false;
      }
    } else if (this.#phase === "stale" && this.#lastPollError) {
      out.push({
        kind: "log",
        level: "info",
        text: `UPS [${this.#cfg.upsName}]: poll works again`,
      });
    }
    this.#phase = "running";
    this.#failures = 0;
    this.#verifying = false;
    this.#lastPollError = "";
    this.#nextAt = Math.max(now, startedAt + this.#cfg.pollIntervalMs);
    return out;
  }

  /** A poll that began at `startedAt` threw `error` at `now`. */
  pollFailed(startedAt: number, now: number, error: unknown): SupervisorEffect[] {
    if (this.#phase === "reconnecting" && this.#verifying) {
      // reopened, but the device still does not answer: a failed attempt
      this.#verifying = false;
      return this.#attemptFailed(now, error);
    }
    if (error instanceof DeviceError) return this.#lost(now, error);
    const out: SupervisorEffect[] = [{ kind: "stale" }];
    const msg = text(error);
    out.push(
      msg === this.#lastPollError
        ? { kind: "log", level: "debug", text: `updateinfo failed again: ${msg}` }
        : { kind: "log", level: "error", text: `updateinfo failed: ${msg}` },
    );
    this.#lastPollError = msg;
    this.#phase = "stale";
    this.#nextAt = Math.max(now, startedAt + this.#cfg.pollIntervalMs);
    return out;
  }

  /** reconnect() returned normally: poll at once to see whether the device answers. */
  reconnectSucceeded(now: number): SupervisorEffect[] {
    if (this.#phase !== "reconnecting") return [];
    this.#verifying = true;
    this.#nextAt = now;
    return [{ kind: "log", level: "debug", text: "device reopened, polling it" }];
  }

  /** reconnect() threw. */
  reconnectFailed(now: number, error: unknown): SupervisorEffect[] {
    if (this.#phase !== "reconnecting") return [];
    return this.#attemptFailed(now, error);
  }

  #lost(now: number, error: DeviceError): SupervisorEffect[] {
    const ups = this.#cfg.upsName;
    const max = this.#cfg.reconnectMaxTries;
    const out: SupervisorEffect[] = [
      { kind: "stale" },
      { kind: "log", level: "error", text: `UPS [${ups}]: ${error.message}` },
    ];
    this.#lastPollError = "";
    this.#failures = 0;
    this.#verifying = false;
    if (max === 0) {
      out.push({
        kind: "log",
        level: "warn",
        text: `Driver lost connection to the device [${ups}] and will exit immediately`,
      });
      this.#phase = "exiting";
      this.#exitCode = 1;
      return out;
    }
    out.push({
      kind: "log",
      level: "warn",
      text: max < 0
        ? `Driver reconnecting to the device [${ups}], will try indefinitely`
        : `Driver reconnecting to the device [${ups}], will try for max ${max} attempts, then will exit`,
    });
    this.#phase = "reconnecting";
    this.#nextAt = now;
    return out;
  }

  #attemptFailed(now: number, error: unknown): SupervisorEffect[] {
    const ups = this.#cfg.upsName;
    const max = this.#cfg.reconnectMaxTries;
    this.#failures++;
    const n = this.#failures;
    const out: SupervisorEffect[] = [
      { kind: "log", level: "debug", text: `reconnection attempt ${n} failed: ${text(error)}` },
      { kind: "publish", name: RECONNECT_COUNT, value: String(n) },
      { kind: "publish", name: RECONNECT_MAX_TRIES, value: String(max) },
    ];
    this.#published = true;
    if (max > 0 && n >= max) {
      out.push({
        kind: "log",
        level: "warn",
        text:
          `Driver lost connection to the device [${ups}] and tried to reconnect for ${n} times, now will exit as configured`,
      });
      this.#phase = "exiting";
      this.#exitCode = 1;
      return out;
    }
    const freq = this.#cfg.reconnectReportFreq;
    if (freq > 0 && n % freq === 0) {
      out.push({
        kind: "log",
        level: "warn",
        text: `Driver still reconnecting to the device [${ups}] for ${n} attempts`,
      });
    }
    this.#nextAt = now + this.backoffMs(n);
    return out;
  }

  /** How long a poll may run before the data is declared stale. */
  hangAfterMs(): number {
    return Math.max(MIN_HANG_MS, 3 * this.#cfg.pollIntervalMs);
  }

  /** The poll that began at `startedAt` is still running at `now`. */
  pollHanging(startedAt: number, now: number): SupervisorEffect[] {
    const secs = Math.round((now - startedAt) / 1000);
    return [
      { kind: "stale" },
      {
        kind: "log",
        level: "error",
        text: `UPS [${this.#cfg.upsName}]: poll has not returned for ${secs} s, data marked stale`,
      },
    ];
  }

  /** Pause after the n-th failed attempt: one poll interval doubled each time, capped. */
  backoffMs(n: number): number {
    const base = Math.max(1, this.#cfg.pollIntervalMs);
    const cap = this.#cfg.maxBackoffMs ?? Math.max(MAX_BACKOFF_MS, base);
    return Math.min(cap, base * 2 ** Math.min(Math.max(0, n - 1), 30));
  }
}
