/**
 * The monitor: the part of upsmon that talks to upsd (spec upsmon.md §5.2).
 * It polls every MONITOR entry, feeds the results to the state machine,
 * carries out the machine's actions, and reacts to signals (reload, FSD,
 * exit) and to WATCH change reports. It never runs a program itself: that
 * goes through the PrivChannel.
 *
 * @module
 */

import {
  insufficientPowerText,
  type MonitorEntry,
  parseUpsmonConf,
  totalPowerValue,
  type UpsmonConfig,
} from "../conf/upsmon_conf.ts";
import { ConfigFileError, readConfigFile } from "../conf/errors.ts";
import type { ConnectOptions } from "../client/mod.ts";
import { removePidFile, writeLockedPidFile } from "../daemon/pidfile.ts";
import type { Action, LogLevel } from "./actions.ts";
import type { PrivChannel } from "./channel.ts";
import { MonitorMachine } from "./machine.ts";
import { notifyText } from "./notify.ts";
import { UpsSession } from "./session.ts";
import { UpsdWatcher } from "./watch.ts";

/** Where log lines go (level-aware). */
export interface MonitorLog {
  log(level: LogLevel, message: string, debug?: number): void;
  /** Current debug level (-D count, NUT_DEBUG_LEVEL, DEBUG_MIN). */
  setDebugLevel(n: number): void;
}

export interface MonitorOptions {
  configPath: string;
  config: UpsmonConfig;
  channel: PrivChannel;
  log: MonitorLog;
  /** Debug level from the command line / NUT_DEBUG_LEVEL (DEBUG_MIN may raise it). */
  cliDebug: number;
  pidFile?: string;
  connect?: ConnectOptions;
  /** Use the WATCH extension (default true). */
  watch?: boolean;
  /** Poll period (s) when quiet (default WATCHED_POLLFREQ; tests shorten it). */
  watchedPollFreq?: number;
  now?: () => number;
  /** Install signal handlers (default true; tests drive the methods instead). */
  signals?: boolean;
}

const NOPARENT_REPEAT_MS = 120_000;

/**
 * Regular poll period (s) while every UPS is watched (upsd pushes each
 * change) and calm: the poll then only keeps the login alive and checks
 * that upsd still answers, so it need not wake an idle upsmon every
 * POLLFREQ. Below upsd's 60 s idle timeout. See docs/architecture.md.
 */
export const WATCHED_POLLFREQ = 50;

/** A sleep that a signal or a change report can cut short. */
class Waker {
  #cut: (() => void) | undefined;
  #pending = false;

  wake(): void {
    this.#pending = true;
    this.#cut?.();
  }

  async sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.#cut = done;
    });
    this.#cut = undefined;
    this.#pending = false;
  }
}

export class Monitor {
  #o: MonitorOptions;
  #config: UpsmonConfig;
  #machine: MonitorMachine;
  #sessions = new Map<string, UpsSession>();
  #watchers = new Map<string, UpsdWatcher>();
  #waker = new Waker();
  #now: () => number;
  #exitSignal: number | undefined;
  #fsdRequested = false;
  #reloadRequested = false;
  #pollNow = new Set<string>();
  #lastNoParent: number | undefined;
  #pidLock: Deno.FsFile | undefined;
  #watchedPollFreq: number;

  constructor(opts: MonitorOptions) {
    this.#o = opts;
    this.#config = opts.config;
    this.#now = opts.now ?? Date.now;
    this.#watchedPollFreq = opts.watchedPollFreq ?? WATCHED_POLLFREQ;
    this.#machine = new MonitorMachine(opts.config, this.#now());
    this.#applyDebug();
    for (const e of this.#config.monitors) this.#sessions.set(e.system, this.#newSession(e));
  }

  get machine(): MonitorMachine {
    return this.#machine;
  }

  get config(): UpsmonConfig {
    return this.#config;
  }

  #log(level: LogLevel, message: string, debug?: number): void {
    this.#o.log.log(level, message, debug);
  }

  #applyDebug(): void {
    this.#o.log.setDebugLevel(Math.max(this.#o.cliDebug, this.#config.debugMin ?? 0));
  }

  #newSession(e: MonitorEntry): UpsSession {
    return new UpsSession(e, { connect: this.#o.connect, log: (l, m, d) => this.#log(l, m, d) });
  }

  // ---------------------------------------------------------------- requests from outside

  /** SIGUSR1 / `upsmon -c fsd`. */
  requestFsd(signo = 10): void {
    this.#log("info", `Signal ${signo}: User requested FSD`);
    this.#fsdRequested = true;
    this.#waker.wake();
  }

  /** SIGHUP / `upsmon -c reload`. */
  requestReload(signo = 1): void {
    this.#log("info", `Signal ${signo}: User requested RELOAD`);
    this.#reloadRequested = true;
    this.#waker.wake();
  }

  /** SIGTERM / SIGINT / SIGQUIT / `upsmon -c stop`. */
  requestExit(signo = 15): void {
    this.#log("info", `Signal ${signo}: User requested EXIT`);
    this.#exitSignal = signo;
    this.#waker.wake();
  }

  /** A WATCH report: poll the UPS at once. */
  changed(host: string, port: number, ups: string): void {
    for (const e of this.#config.monitors) {
      if (e.host === host && e.port === port && e.ups.toLowerCase() === ups.toLowerCase()) {
        this.#log("debug", `upsd reports a change of UPS [${e.system}], polling it now`, 2);
        this.#pollNow.add(e.system);
        this.#sessions.get(e.system)?.changed();
      }
    }
    this.#waker.wake();
  }

  // ---------------------------------------------------------------- life cycle

  /** Run until told to exit or the shutdown is done; resolves with the exit code. */
  async run(): Promise<number> {
    const removeSignals = this.#o.signals === false ? () => {} : this.#installSignals();
    try {
      this.#writePid();
      this.#o.channel.ready();
      this.#startWatchers();
      return await this.#loop();
    } finally {
      removeSignals();
      await this.#stopAll();
    }
  }

  #installSignals(): () => void {
    const handlers: Array<[Deno.Signal, () => void]> = [
      ["SIGHUP", () => this.requestReload(1)],
      ["SIGUSR1", () => this.requestFsd(10)],
      ["SIGTERM", () => this.requestExit(15)],
      ["SIGINT", () => this.requestExit(2)],
      ["SIGQUIT", () => this.requestExit(3)],
    ];
    for (const [s, h] of handlers) Deno.addSignalListener(s, h);
    return () => {
      for (const [s, h] of handlers) Deno.removeSignalListener(s, h);
    };
  }

  #writePid(): void {
    const f = this.#o.pidFile;
    if (!f) return;
    try {
      this.#pidLock = writeLockedPidFile(f);
    } catch (e) {
      this.#log("warning", `Can't write PID file ${f}: ${(e as Error).message}`);
    }
  }

  async #stopAll(): Promise<void> {
    await Promise.all([...this.#watchers.values()].map((w) => w.stop()));
    this.#watchers.clear();
    await Promise.all([...this.#sessions.values()].map((s) => s.close()));
    await this.#o.channel.flush();
    if (this.#pidLock && this.#o.pidFile) {
      removePidFile(this.#o.pidFile);
      this.#pidLock.close();
      this.#pidLock = undefined;
    }
  }

  #startWatchers(): void {
    if (this.#o.watch === false) return;
    const byServer = new Map<string, { host: string; port: number; ups: string[] }>();
    for (const e of this.#config.monitors) {
      const key = `${e.host}\n${e.port}`;
      const s = byServer.get(key) ?? { host: e.host, port: e.port, ups: [] };
      if (!s.ups.some((u) => u.toLowerCase() === e.ups.toLowerCase())) s.ups.push(e.ups);
      byServer.set(key, s);
    }
    for (const [key, s] of byServer) {
      const old = this.#watchers.get(key);
      if (old && sameList(old.upsNames, s.ups)) continue;
      void old?.stop();
      const w = new UpsdWatcher(
        s.host,
        s.port,
        s.ups,
        (ups) => this.changed(s.host, s.port, ups),
        { connect: this.#o.connect, log: (l, m, d) => this.#log(l, m, d) },
      );
      this.#watchers.set(key, w);
      w.start();
    }
    for (const [key, w] of this.#watchers) {
      if (!byServer.has(key)) {
        void w.stop();
        this.#watchers.delete(key);
      }
    }
  }

  /** Every MONITOR entry is watched right now. */
  #allWatched(): boolean {
    if (this.#watchers.size === 0) return false;
    return this.#config.monitors.every((e) =>
      this.#watchers.get(`${e.host}\n${e.port}`)?.watching(e.ups) ?? false
    );
  }

  /** Polls may be spaced out: every UPS is watched and nothing is amiss. */
  #quiet(): boolean {
    return this.#machine.calm && this.#allWatched();
  }

  /** Seconds between regular polls: POLLFREQ/POLLFREQALERT, or WATCHED_POLLFREQ when quiet. */
  #pollSeconds(quiet = this.#quiet()): number {
    const s = this.#machine.pollInterval;
    return quiet ? Math.max(s, this.#watchedPollFreq) : s;
  }

  async #loop(): Promise<number> {
    let lastFull = -Infinity;
    for (;;) {
      if (this.#exitSignal !== undefined) {
        if (this.#machine.phase.name === "linger") {
          await this.#execute(this.#machine.stopLingering());
          this.#log("info", `Signal ${this.#exitSignal}: exiting`);
          return 0;
        }
        if (this.#machine.exitAllowed) {
          this.#log("info", `Signal ${this.#exitSignal}: exiting`);
          return 0;
        }
        this.#exitSignal = undefined; // a shutdown is under way: it is not interrupted
      }
      if (this.#fsdRequested) {
        this.#fsdRequested = false;
        const code = await this.#execute(this.#machine.userFsd(this.#now()));
        if (code !== undefined) return code;
      }
      if (this.#reloadRequested) {
        this.#reloadRequested = false;
        await this.reload();
      }
      let code: number | undefined;
      if (!this.#machine.shuttingDown) {
        const quiet = this.#quiet();
        const period = this.#pollSeconds(quiet) * 1000;
        const full = this.#now() >= lastFull + period;
        const targets = full ? this.#config.monitors.map((e) => e.system) : [...this.#pollNow];
        this.#pollNow.clear();
        // A quiet regular poll may wait for its reply until the next one is
        // due: the (cleared) timeout then expires with the next wake-up
        // instead of waking an idle upsmon on its own.
        const replyMs = full && quiet ? period : undefined;
        if (full) lastFull = this.#now();
        // keep-alives first: their replies come back with the polls' (one wake-up)
        for (const w of this.#watchers.values()) w.keepAlive();
        if (targets.length > 0) code = await this.#pollAndRecalc(targets, replyMs);
      } else {
        code = await this.#execute(this.#machine.tick(this.#now()));
      }
      if (code !== undefined) return code;
      this.#checkParent();
      const wake = Math.min(
        this.#machine.shuttingDown ? Infinity : lastFull + this.#pollSeconds() * 1000,
        this.#machine.nextWakeup() ?? Infinity,
        // the watchers' keep-alives ride on this loop (KEEPALIVE_MS < this)
        this.#watchers.size > 0 ? this.#now() + this.#watchedPollFreq * 1000 : Infinity,
      );
      await this.#waker.sleep(wake === Infinity ? 60_000 : wake - this.#now());
    }
  }

  /** Poll these UPSes (in parallel), feed the results in config order, then recalc. */
  async #pollAndRecalc(systems: string[], replyMs?: number): Promise<number | undefined> {
    const order = this.#config.monitors.map((e) => e.system).filter((s) => systems.includes(s));
    const results = await Promise.all(order.map((s) => this.#sessions.get(s)!.poll(replyMs)));
    const actions: Action[] = [];
    order.forEach((system, i) => {
      const r = results[i];
      const now = this.#now();
      actions.push(
        ...("ok" in r
          ? this.#machine.pollOk(system, r.ok, now)
          : this.#machine.pollFailed(system, r.fail, now)),
      );
    });
    actions.push(...this.#machine.recalc(this.#now()));
    return await this.#execute(actions);
  }

  /** Carry out actions in order; results of requests feed the machine again. */
  async #execute(actions: Action[]): Promise<number | undefined> {
    const queue = [...actions];
    const ch = this.#o.channel;
    while (queue.length > 0) {
      const a = queue.shift()!;
      switch (a.kind) {
        case "log":
          this.#log(a.level, a.message, a.debug);
          break;
        case "notify":
          if (a.delivery.syslog) this.#log("notice", a.message);
          if (a.delivery.wall || a.delivery.exec) {
            ch.notify(a.type, a.ups, a.message, a.delivery.wall, a.delivery.exec);
          }
          break;
        case "wall":
          ch.wall(a.message);
          break;
        case "decision":
          this.#log("notice", a.text);
          break;
        case "setFsd": {
          const s = this.#sessions.get(a.system);
          const err = s ? await s.setFsd() : "not monitored";
          queue.push(...this.#machine.fsdResult(a.system, err, this.#now()));
          break;
        }
        case "queryLogins": {
          const primaries = [...this.#sessions.values()].filter((s) => s.entry.role === "primary");
          const counts = await Promise.all(primaries.map((s) => s.numLogins()));
          const max = counts.reduce<number>((m, n) => Math.max(m, n ?? 0), 0);
          this.#log("debug", `Host sync: highest login count ${max}`, 2);
          queue.push(...this.#machine.logins(max, this.#now()));
          break;
        }
        case "keepAlive":
          await Promise.all([...this.#sessions.values()].map((s) => s.numLogins()));
          break;
        case "shutdown":
          if (!ch.alive()) this.#log("alert", "Parent died - shutdown impossible");
          await ch.shutdown();
          break;
        case "exit":
          return a.code;
      }
    }
    return undefined;
  }

  #checkParent(): void {
    if (this.#o.channel.alive()) return;
    const now = this.#now();
    if (this.#lastNoParent !== undefined && now - this.#lastNoParent < NOPARENT_REPEAT_MS) return;
    this.#lastNoParent = now;
    this.#log("alert", "Parent died - shutdown impossible");
    // only the log can carry it: wall and NOTIFYCMD went with the parent
    this.#log("notice", notifyText(this.#config, "NOPARENT", ""));
  }

  // ---------------------------------------------------------------- reload

  /**
   * Read upsmon.conf again. A file that cannot be read, has errors, or
   * cannot reach MINSUPPLIES leaves the running configuration in place.
   */
  async reload(): Promise<boolean> {
    const path = this.#o.configPath;
    this.#log("info", "Reloading configuration");
    let bytes: Uint8Array;
    try {
      bytes = await readConfigFile(path);
    } catch (e) {
      const why = e instanceof ConfigFileError ? e.message : String(e);
      this.#log("error", `Reload failed: ${why.replace(/^Can't open/, "can't open")}`);
      return false;
    }
    const r = parseUpsmonConf(bytes, path);
    const problems: string[] = r.errors.map((e) => e.message);
    if (r.fatal) problems.push(r.fatal);
    if (r.config.monitors.length === 0) problems.push("no MONITOR line");
    if (insufficientPowerText(r.config)) {
      problems.push(
        `total power value (${
          totalPowerValue(r.config)
        }) less than MINSUPPLIES (${r.config.minSupplies})`,
      );
    }
    if (problems.length > 0) {
      for (const p of problems) this.#log("error", p);
      this.#log(
        "error",
        `Reload failed: ${path} has ${problems.length} problem(s); keeping the running configuration`,
      );
      return false;
    }
    const next = r.config;
    const old = this.#config;
    for (const n of r.notes) this.#log(n.kind === "info" ? "info" : "warning", n.message);
    // these belong to the privileged part, which read them at start-up
    if (next.shutdownCmd !== old.shutdownCmd) {
      this.#log("warning", "Warning: SHUTDOWNCMD redefined in split-process mode!");
      this.#log("warning", "You must restart upsmon for this change to work");
      next.shutdownCmd = old.shutdownCmd;
    }
    if (next.powerDownFlag !== old.powerDownFlag) {
      this.#log("warning", "Warning: POWERDOWNFLAG redefined in split-process mode!");
      this.#log("warning", "You must restart upsmon for this change to work");
      next.powerDownFlag = old.powerDownFlag;
    }
    next.runAsUser = old.runAsUser;
    for (const a of this.#machine.reconfigure(next, this.#now())) {
      if (a.kind === "log") this.#log(a.level, a.message, a.debug);
    }
    // connections: reopen those whose address, credentials or role changed
    const keep = new Map<string, UpsSession>();
    for (const e of next.monitors) {
      const s = this.#sessions.get(e.system);
      const o = s?.entry;
      if (
        s && o && o.host === e.host && o.port === e.port && o.ups === e.ups &&
        o.username === e.username && o.password === e.password && o.role === e.role
      ) {
        keep.set(e.system, s);
      } else {
        if (s) {
          this.#log("info", `UPS [${e.system}]: retrying connection`);
          await s.close();
        }
        keep.set(e.system, this.#newSession(e));
      }
    }
    for (const [system, s] of this.#sessions) if (!keep.has(system)) await s.close();
    this.#sessions = keep;
    this.#config = next;
    this.#applyDebug();
    this.#startWatchers();
    this.#o.channel.reloaded(next.notifyCmd);
    return true;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
