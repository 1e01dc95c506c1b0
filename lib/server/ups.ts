/**
 * One configured UPS as upsd sees it: its ups.conf entry, the link to its
 * driver, the FSD latch, the LOGIN count, and cached LIST replies.
 *
 * @module
 */

import type { StateTree } from "../state/tree.ts";
import type { Session } from "./session.ts";

/** The driver connection as the server uses it (DriverClient, or a fake in tests). */
export interface DriverLink {
  readonly tree: StateTree;
  readonly connected: boolean;
  /** Connected but stale (spec driver-socket.md §7). */
  isStale(now?: number): boolean;
  /** Queue a line for the driver; false if it could not be sent. */
  send(line: string): boolean;
  tick(now: number): void;
  connect(): Promise<void>;
  close(): void;
}

/** The ups.conf fields upsd uses. */
export interface UpsDef {
  name: string;
  driver: string;
  port: string;
  desc?: string;
}

const encoder = new TextEncoder();

/** Distinct spellings of a UPS name cached per list kind. */
const CACHE_SPELLINGS = 4;
/** GET VAR replies cached per UPS (variables × spellings). */
const MAX_CACHED_VARS = 1024;

export class UpsEntry {
  /** FSD latch: set by the FSD command, cleared only when upsd restarts or the UPS is removed. */
  fsd = false;
  /** Connections that did LOGIN to this UPS. */
  numLogins = 0;
  #cache = new Map<string, Uint8Array>();
  /** GET VAR replies by UPS spelling, then variable spelling. */
  #varCache = new Map<string, Map<string, Uint8Array>>();
  #varCached = 0;
  /** WATCH sessions (nut-deno extension) and the UPS name as each one spelled it. */
  readonly #watchers = new Map<Session, string>();
  #watchKey = "";

  constructor(public def: UpsDef, public link: DriverLink) {}

  get name(): string {
    return this.def.name;
  }

  /** `<driver>-<ups>`: the driver socket's file name. */
  get socketName(): string {
    return socketName(this.def);
  }

  /** Forget cached replies (driver data, FSD latch or description changed). */
  invalidate(): void {
    if (this.#cache.size > 0) this.#cache.clear();
    if (this.#varCached > 0) {
      this.#varCache.clear();
      this.#varCached = 0;
    }
    if (this.#watchers.size > 0) this.#notifyWatchers();
  }

  /** Tell `session` (`CHANGED <spelling>`) whenever what upsmon reads changes. */
  watch(session: Session, spelling: string): void {
    if (this.#watchers.size === 0) this.#watchKey = this.#statusKey();
    this.#watchers.set(session, spelling);
  }

  /** What upsmon reads: reachable, fresh, FSD latch, ups.status, ups.alarm, buzzwords. */
  #statusKey(): string {
    const l = this.link;
    const t = l.tree;
    return `${l.connected}|${l.connected && l.isStale()}|${this.fsd}|${t.get("ups.status")}|${
      t.get("ups.alarm")
    }|${t.get("ups.mode.buzzwords")}`;
  }

  #notifyWatchers(): void {
    const key = this.#statusKey();
    if (key === this.#watchKey) return;
    this.#watchKey = key;
    for (const [s, spelling] of this.#watchers) {
      if (!s.push(`CHANGED ${spelling}\n`)) this.#watchers.delete(s);
    }
  }

  /** A cached reply, encoded once, built by `build` for this key (e.g. "VAR fake"). */
  cached(key: string, build: () => string): Uint8Array {
    let v = this.#cache.get(key);
    if (v === undefined) {
      v = encoder.encode(build());
      if (this.#cache.size >= CACHE_SPELLINGS * 3) this.#cache.clear();
      this.#cache.set(key, v);
    }
    return v;
  }

  /** The cached GET VAR reply for these spellings of the UPS and variable names. */
  cachedVar(upsName: string, name: string): Uint8Array | undefined {
    return this.#varCache.get(upsName)?.get(name);
  }

  /** Cache (and return encoded) the GET VAR reply for these spellings. */
  cacheVar(upsName: string, name: string, reply: string): Uint8Array {
    const bytes = encoder.encode(reply);
    if (this.#varCached >= MAX_CACHED_VARS) {
      this.#varCache.clear();
      this.#varCached = 0;
    }
    let byName = this.#varCache.get(upsName);
    if (!byName) this.#varCache.set(upsName, byName = new Map());
    byName.set(name, bytes);
    this.#varCached++;
    return bytes;
  }
}

export function socketName(def: UpsDef): string {
  return `${def.driver}-${def.name}`;
}
