/**
 * dummy-ups' SET handler (spec daemons.md §5.3), used for socket SETs,
 * definition-file lines and repeated upstream values alike:
 *
 * - `ups.status` goes through the status builder (tokens split, repeats
 *   dropped, ALARM in front while alarms are active);
 * - an empty value deletes the variable (socket SET only; a file line with
 *   no value sets an empty value, see devfile.ts);
 * - otherwise the value is set and the variable gets its flags from the table
 *   (flags.ts): RW, plus STRING and the length for string variables.
 *
 * @module
 */

import { type DState, isValidName } from "../../driver/dstate.ts";
import type { StatusBuilder } from "../../driver/status.ts";
import { FLAG_STRING } from "../../state/tree.ts";
import { varFlags } from "./flags.ts";

export interface SetTarget {
  state: DState;
  status: StatusBuilder;
  commitStatus(): void;
}

/**
 * Apply one value; `emptyDeletes` is true for socket SETs. Returns the
 * tracking code: 0 handled, 2 invalid (a name that cannot travel as one word).
 */
export function applyValue(
  t: SetTarget,
  name: string,
  value: string,
  emptyDeletes: boolean,
): number {
  if (!isValidName(name)) return 2;
  if (name.toLowerCase() === "ups.status") {
    t.status.init();
    t.status.set(value);
    t.commitStatus();
    return 0;
  }
  if (value === "" && emptyDeletes) {
    t.state.delInfo(name);
    return 0;
  }
  t.state.setInfo(name, value);
  const f = varFlags(name);
  t.state.setFlags(name, f.flags);
  if (f.flags & FLAG_STRING) t.state.setAux(name, f.aux);
  return 0;
}

/** Publish the status flags the way dummy-ups' initial `ups.status` has them. */
export function initStatusFlags(state: DState): void {
  const f = varFlags("ups.status");
  state.setFlags("ups.status", f.flags);
  state.setAux("ups.status", f.aux);
}
