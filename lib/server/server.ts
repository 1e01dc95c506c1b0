/**
 * The running upsd: configured UPSes and their driver links, users,
 * descriptions, the tracking table, client connections, listeners, the
 * once-a-second housekeeping pass and reload. Implements the
 * ServerContext the dispatcher works against.
 *
 * @module
 */

import type { Cmdvartab } from "../conf/cmdvartab.ts";
import type { UpsdConf } from "../conf/upsd_conf.ts";
import type { UserEntry } from "../conf/upsd_users.ts";
import { DriverClient } from "../sock/client.ts";
import type { UserDb } from "./access.ts";
import { readConfigSet } from "./config.ts";
import {
  ClientConnection,
  type ConnectionHost,
  IDLE_TIMEOUT_MS,
  peerAddress,
} from "./connection.ts";
import type { ServerContext } from "./dispatch.ts";
import { bindTarget, type Family, type ListenTarget, listenTargets } from "./listeners.ts";
import type { Session } from "./session.ts";
import { resultText, TrackingTable } from "./tracking.ts";
import { type DriverLink, socketName, type UpsDef, UpsEntry } from "./ups.ts";

/** MAXCONN when upsd.conf has none (NUT uses the process's fd limit, which Deno cannot read). */
export const DEFAULT_MAXCONN = 1024;
/** Housekeeping period: reconnects, PINGs, staleness, idle clients, tracking purge. */
export const TICK_MS = 1000;
const REFUSE_LOG_MS = 60_000;
const ACCEPT_RETRY_MS = 100;

export interface ServerLog {
  info(msg: string): void;
  error(msg: string): void;
  debug(level: number, msg: string): void;
  level: number;
}

/** Hooks a driver link reports to. */
export interface LinkHooks {
  onChange(): void;
  onTracking(id: string, code: number): void;
}

export interface UpsdInit {
  log: ServerLog;
  confDir: string;
  conf: UpsdConf;
  users: Map<string, UserEntry>;
  descriptions: Cmdvartab;
  /** ALLOW_NO_DEVICE from the environment (overrides upsd.conf). */
  allowNoDeviceEnv?: boolean;
  /** -D level given on the command line (DEBUG_MIN may raise it). */
  cliDebug?: number;
  makeLink?: (def: UpsDef, hooks: LinkHooks, maxAge: () => number) => DriverLink;
  now?: () => number;
}

export class Upsd implements ServerContext {
  readonly tracking = new TrackingTable();
  readonly log: ServerLog;
  readonly #init: UpsdInit;
  readonly #now: () => number;
  #conf: UpsdConf;
  #users: Map<string, UserEntry>;
  #desc: Cmdvartab;
  #ups = new Map<string, UpsEntry>();
  #order: UpsEntry[] = [];
  #conns = new Set<ClientConnection>();
  #listeners: Deno.Listener[] = [];
  #acceptLoops: Promise<void>[] = [];
  /** stop() waits here for the last connection to finish. */
  #allClosed?: () => void;
  #timer?: ReturnType<typeof setInterval>;
  #connectedDrivers = 0;
  #lastRefuseLog = -Infinity;
  readonly #connHost: ConnectionHost = { ctx: this, closed: (c) => this.#closed(c) };

  constructor(init: UpsdInit) {
    this.#init = init;
    this.log = init.log;
    this.#now = init.now ?? Date.now;
    this.#conf = init.conf;
    this.#users = init.users;
    this.#desc = init.descriptions;
    this.#applyDebugMin();
  }

  // ---- ServerContext ----

  now(): number {
    return this.#now();
  }

  findUps(name: string): UpsEntry | undefined {
    return this.#ups.get(name.toLowerCase());
  }

  upsList(): readonly UpsEntry[] {
    return this.#order;
  }

  users(): UserDb {
    return this.#users;
  }

  descriptions(): Cmdvartab {
    return this.#desc;
  }

  *sessions(): Iterable<Session> {
    const all = [...this.#conns];
    for (let i = all.length - 1; i >= 0; i--) yield all[i].session;
  }

  // ---- configuration ----

  setUsers(users: Map<string, UserEntry>): void {
    this.#users = users;
  }

  setDescriptions(table: Cmdvartab): void {
    this.#desc = table;
  }

  get conf(): UpsdConf {
    return this.#conf;
  }

  get maxConn(): number {
    return this.#conf.maxConn ?? DEFAULT_MAXCONN;
  }

  get allowNoDevice(): boolean {
    return this.#init.allowNoDeviceEnv ?? this.#conf.allowNoDevice ?? false;
  }

  get clientCount(): number {
    return this.#conns.size;
  }

  #applyDebugMin(): void {
    const cli = this.#init.cliDebug ?? this.log.level;
    this.log.level = Math.max(cli, this.#conf.debugMin ?? 0);
  }

  #makeLink(def: UpsDef): DriverLink {
    const hooks: LinkHooks = {
      onChange: () => this.findUps(def.name)?.invalidate(),
      onTracking: (id, code) => {
        if (this.tracking.resolve(id, code)) {
          this.log.info(`tracking ID: ${id}\tresult: ${resultText(code)}`);
        }
      },
    };
    const maxAge = () => this.#conf.maxAge;
    if (this.#init.makeLink) return this.#init.makeLink(def, hooks, maxAge);
    return new DriverClient({
      ups: def.name,
      socketName: socketName(def),
      socketPath: socketName(def),
      maxAge,
      log: this.log,
      onChange: hooks.onChange,
      onTracking: hooks.onTracking,
      now: this.#now,
    });
  }

  /**
   * Make the UPS table match `defs`. At start-up entries keep file order;
   * on reload new UPSes are put first (as NUT does), removed ones are closed
   * together with the connections that did LOGIN to them, and a changed
   * socket name (driver or name spelling) reconnects.
   * Returns the entries that need a first connect.
   */
  setUpsDefs(defs: readonly UpsDef[], initial: boolean): UpsEntry[] {
    const wanted = new Map(defs.map((d) => [d.name.toLowerCase(), d]));
    for (const e of [...this.#order]) {
      if (wanted.has(e.name.toLowerCase())) continue;
      this.log.info(`Deleting UPS [${e.name}]`);
      e.link.close();
      for (const c of this.#conns) if (c.session.loginUps === e) c.close();
      this.#ups.delete(e.name.toLowerCase());
      this.#order = this.#order.filter((x) => x !== e);
    }
    const fresh: UpsEntry[] = [];
    for (const def of defs) {
      const key = def.name.toLowerCase();
      const e = this.#ups.get(key);
      if (e) {
        if (socketName(e.def) !== socketName(def)) {
          this.log.info(`Redefined UPS [${def.name}]`);
          e.link.close();
          e.def = def;
          e.link = this.#makeLink(def);
          fresh.push(e);
        } else {
          e.def = def;
        }
        e.invalidate();
        continue;
      }
      const entry = new UpsEntry(def, this.#makeLink(def));
      this.#ups.set(key, entry);
      if (initial) this.#order.push(entry);
      else this.#order.unshift(entry);
      fresh.push(entry);
    }
    return fresh;
  }

  /** Connect the given entries' drivers (start-up waits for these first attempts). */
  async connectAll(entries: readonly UpsEntry[]): Promise<void> {
    await Promise.all(entries.map((e) => e.link.connect()));
    this.#countDrivers();
  }

  // ---- listeners and clients ----

  /**
   * Bind every listen target; logs `listening on` / `not listening on`.
   * Returns an error message when start-up must stop.
   */
  async listen(family: Family, allowNotAll: boolean): Promise<string | undefined> {
    const targets = listenTargets(this.#conf.listen, family);
    let failedRemote = false;
    for (const t of targets) {
      try {
        const listener = await bindTarget(t, family);
        this.#listeners.push(listener);
        this.#acceptLoops.push(this.#acceptLoop(listener, t));
        this.log.info(`listening on ${t.addr} port ${t.port}`);
      } catch (e) {
        this.log.info(`not listening on ${t.addr} port ${t.port}`);
        this.log.debug(1, `bind ${t.addr} port ${t.port}: ${(e as Error).message}`);
        if (!t.local) failedRemote = true;
      }
    }
    if (this.#listeners.length === 0) return "no listening interface available";
    if (failedRemote && !allowNotAll) {
      return "Fatal error: some listening interfaces were not available";
    }
    return undefined;
  }

  async #acceptLoop(listener: Deno.Listener, t: ListenTarget): Promise<void> {
    for (;;) {
      let conn: Deno.Conn;
      try {
        conn = await listener.accept();
      } catch (e) {
        if (!this.#listeners.includes(listener)) return; // closed by stop()
        this.log.error(`listener ${t.addr} port ${t.port}: ${(e as Error).message}`);
        // e.g. out of descriptors: let some clients go before trying again
        await new Promise((res) => setTimeout(res, ACCEPT_RETRY_MS));
        continue;
      }
      this.#accept(conn);
    }
  }

  /** Accept a client unless MAXCONN is reached (then the newest connection is closed at once). */
  #accept(conn: Deno.Conn): void {
    const limit = Math.max(0, this.maxConn - this.#connectedDrivers);
    if (this.#conns.size >= limit) {
      const now = this.#now();
      if (now - this.#lastRefuseLog >= REFUSE_LOG_MS) {
        this.#lastRefuseLog = now;
        this.log.info(
          `Refusing connection from ${peerAddress(conn)}: MAXCONN (${this.maxConn}) reached`,
        );
      }
      conn.close();
      return;
    }
    const client = new ClientConnection(conn, this.#connHost);
    this.#conns.add(client);
    this.log.debug(2, `Connect from ${client.addr}`);
  }

  #closed(c: ClientConnection): void {
    if (!this.#conns.delete(c)) return;
    const s = c.session;
    if (s.loginUps) {
      const ups = s.loginUps;
      s.loginUps = undefined;
      if (ups.numLogins > 0) ups.numLogins--;
      if (this.findUps(ups.name) === ups) {
        this.log.info(`User ${s.who} logged out from UPS [${ups.name}]`);
      }
    }
    this.log.debug(2, `Disconnect from ${c.addr}`);
    if (this.#conns.size === 0) this.#allClosed?.();
  }

  // ---- housekeeping ----

  #countDrivers(): void {
    let n = 0;
    for (const e of this.#order) if (e.link.connected) n++;
    this.#connectedDrivers = n;
  }

  /** One housekeeping pass. */
  tick(now = this.#now()): void {
    this.tracking.purge(now, this.#conf.trackingDelay);
    for (const e of this.#order) e.link.tick(now);
    this.#countDrivers();
    for (const c of this.#conns) {
      if (now - c.lastActive > IDLE_TIMEOUT_MS) {
        this.log.debug(2, `Disconnecting inactive client ${c.addr}`);
        c.close();
      }
    }
  }

  start(): void {
    this.#timer ??= setInterval(() => this.tick(), TICK_MS);
  }

  /**
   * Reload upsd.conf, ups.conf and upsd.users. All three must be readable
   * and free of errors, and at least one UPS must remain (unless
   * ALLOW_NO_DEVICE); otherwise every problem is logged and the running
   * configuration stays. LISTEN changes need a restart.
   */
  async reload(): Promise<boolean> {
    const r = await readConfigSet(this.#init.confDir);
    for (const w of r.warnings) this.log.info(w);
    const cfg = r.config;
    const errors = [...r.errors];
    if (cfg && cfg.defs.length === 0 && !(this.#init.allowNoDeviceEnv ?? cfg.upsd.allowNoDevice)) {
      errors.push("no UPS definitions in ups.conf (and ALLOW_NO_DEVICE is not set)");
    }
    if (!cfg || errors.length > 0) {
      for (const e of errors) this.log.error(e);
      this.log.error("Reload failed: keeping the running configuration");
      return false;
    }
    const old = this.#conf;
    if (cfg.upsd.statePath !== old.statePath) {
      this.log.info("STATEPATH changed in upsd.conf: it takes effect at the next start of upsd");
    }
    if (JSON.stringify(cfg.upsd.listen) !== JSON.stringify(old.listen)) {
      this.log.debug(1, "LISTEN changes take effect at the next start of upsd");
    }
    this.#conf = { ...cfg.upsd, listen: old.listen, statePath: old.statePath };
    this.#applyDebugMin();
    const fresh = this.setUpsDefs(cfg.defs, false);
    for (const e of fresh) void e.link.connect();
    this.#users = cfg.users;
    return true;
  }

  /** Close everything (clean exit). */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    for (const e of this.#order) e.link.close();
    const listeners = this.#listeners;
    this.#listeners = [];
    for (const l of listeners) l.close();
    await Promise.all(this.#acceptLoops);
    this.#acceptLoops = [];
    if (this.#conns.size === 0) return;
    const allClosed = new Promise<void>((res) => this.#allClosed = res);
    for (const c of this.#conns) c.close();
    await allClosed;
  }
}
