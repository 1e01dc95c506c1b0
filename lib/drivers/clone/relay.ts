/**
 * What clone and clone-outlet copy from the source driver (spec daemons.md
 * §6): SETINFO and DELINFO (never `driver.*`, and each clone filters more),
 * DATAOK and DATASTALE. Enums, ranges, flags, aux values and commands are
 * not copied; those lines, PONG and TRACKING only prove the source alive.
 *
 * Beyond NUT: after a reconnection, variables the source no longer has
 * (gone while we were disconnected) are removed once its dump is complete.
 *
 * @module
 */

import type { DState } from "../../driver/dstate.ts";

/** A clone's say on one SETINFO: copy it, or not (it may have used the value itself). */
export type SetInfoVerdict = "relay" | "skip";

export interface RelayHooks {
  setinfo(name: string, value: string): SetInfoVerdict;
  /** A DELINFO for a variable we may copy; default: copied unless driver.*. */
  delinfo?(name: string): SetInfoVerdict;
}

/** Source lines that are not copied but show the source is alive. */
const OTHER_MESSAGES = new Set([
  "ADDENUM",
  "DELENUM",
  "ADDRANGE",
  "DELRANGE",
  "SETAUX",
  "SETFLAGS",
  "ADDCMD",
  "DELCMD",
  "TRACKING",
  "PID",
]);

export function isDriverVar(name: string): boolean {
  return name.toLowerCase().startsWith("driver.");
}

export class Relay {
  /** Whether the dump after the last connect is complete. */
  dumpDone = false;
  /** Copied variables (lower case → spelling) and those seen since the last connect. */
  #copied = new Map<string, string>();
  #seen = new Set<string>();

  constructor(readonly state: DState, readonly hooks: RelayHooks) {}

  /** A new connection: its dump will tell which variables still exist. */
  connected(): void {
    this.dumpDone = false;
    this.#seen = new Set();
  }

  /** Handle one source line; true if it is a driver message. */
  line(words: string[]): boolean {
    const kw = words[0].toUpperCase();
    switch (kw) {
      case "PONG":
        return true;
      case "DUMPDONE":
        this.dumpDone = true;
        for (const [k, name] of this.#copied) {
          if (!this.#seen.has(k)) {
            this.state.delInfo(name);
            this.#copied.delete(k);
          }
        }
        return true;
      case "DATAOK":
        this.state.dataOk();
        return true;
      case "DATASTALE":
        this.state.dataStale();
        return true;
      case "DELINFO": {
        if (words.length < 2) return false;
        const name = words[1];
        const verdict = isDriverVar(name) ? "skip" : (this.hooks.delinfo?.(name) ?? "relay");
        if (verdict === "relay") {
          this.state.delInfo(name);
          this.#copied.delete(name.toLowerCase());
        }
        return true;
      }
      case "SETINFO": {
        if (words.length < 3) return false;
        const [, name, value] = words;
        if (isDriverVar(name)) return true; // the source's own settings are not ours
        if (this.hooks.setinfo(name, value) === "relay") {
          this.state.setInfo(name, value);
          this.#copied.set(name.toLowerCase(), name);
          this.#seen.add(name.toLowerCase());
        }
        return true;
      }
      default:
        return OTHER_MESSAGES.has(kw);
    }
  }
}
