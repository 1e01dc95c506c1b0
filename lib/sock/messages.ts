/**
 * Lines a driver sends on its socket (spec driver-socket.md §3, §4), as pure
 * functions: one per message word, plus the full DUMPALL reply built from a
 * state tree. Values are always escaped (NUT's live broadcasts are not; every
 * receiver unescapes, so escaping is fully compatible).
 *
 * upsd's socket client parses the same words; keep both in step.
 *
 * @module
 */

import { quote } from "../protocol/quote.ts";
import { flagWords, type StateTree, type VarNode } from "../state/tree.ts";

export const DATAOK = "DATAOK";
export const DATASTALE = "DATASTALE";
export const DUMPDONE = "DUMPDONE";
export const PONG = "PONG";
/** Reply to LOGOUT (NUT ≥ 2.8.3). */
export const GOODBYE = "OK Goodbye";

export function setInfoLine(name: string, value: string): string {
  return `SETINFO ${name} ${quote(value)}`;
}

export function delInfoLine(name: string): string {
  return `DELINFO ${name}`;
}

export function addEnumLine(name: string, value: string): string {
  return `ADDENUM ${name} ${quote(value)}`;
}

export function delEnumLine(name: string, value: string): string {
  return `DELENUM ${name} ${quote(value)}`;
}

export function addRangeLine(name: string, min: number, max: number): string {
  return `ADDRANGE ${name} ${min} ${max}`;
}

export function delRangeLine(name: string, min: number, max: number): string {
  return `DELRANGE ${name} ${min} ${max}`;
}

export function setAuxLine(name: string, aux: number): string {
  return `SETAUX ${name} ${aux}`;
}

/**
 * SETFLAGS with the wire flag words. An empty set is sent as `NONE`: a bare
 * `SETFLAGS <var>` has only two words and upsd would ignore it, leaving the
 * old flags in place.
 */
export function setFlagsLine(name: string, flags: number): string {
  const words = flagWords(flags);
  return `SETFLAGS ${name} ${words.length ? words.join(" ") : "NONE"}`;
}

export function addCmdLine(name: string): string {
  return `ADDCMD ${name}`;
}

export function delCmdLine(name: string): string {
  return `DELCMD ${name}`;
}

/** Result of a SET/INSTCMD that carried `TRACKING <id>` (codes: see TrackingCode). */
export function trackingLine(id: string, code: number): string {
  return `TRACKING ${id} ${code}`;
}

/** Reply to GETPID (NUT ≥ 2.8.3). */
export function pidLine(pid: number): string {
  return `PID ${pid}`;
}

/** Result codes of TRACKING lines (NUT's STAT_SET_* / STAT_INSTCMD_*). */
export const TrackingCode = {
  HANDLED: 0,
  UNKNOWN: 1,
  INVALID: 2,
  FAILED: 3,
  CONVERSION_FAILED: 4,
} as const;

/**
 * One variable as dumped: SETINFO, each ADDENUM (insertion order), each
 * ADDRANGE, SETAUX when aux ≠ 0, SETFLAGS when a wire flag is set.
 */
export function variableLines(node: VarNode): string[] {
  const lines = [setInfoLine(node.name, node.value)];
  for (const e of node.enums) lines.push(addEnumLine(node.name, e));
  for (const r of node.ranges) lines.push(addRangeLine(node.name, r.min, r.max));
  if (node.aux !== 0) lines.push(setAuxLine(node.name, node.aux));
  if (flagWords(node.flags).length > 0) lines.push(setFlagsLine(node.name, node.flags));
  return lines;
}

function framed(body: string[], stale: boolean): string {
  const lines = stale ? [DATASTALE, ...body] : [...body, DATAOK];
  lines.push(DUMPDONE);
  return lines.join("\n") + "\n";
}

/**
 * The complete DUMPALL reply as one string (written with one write):
 * [DATASTALE], variables in case-insensitive order, ADDCMD sorted, [DATAOK],
 * DUMPDONE.
 */
export function dumpAll(tree: StateTree, stale: boolean): string {
  const body: string[] = [];
  for (const node of tree.vars()) body.push(...variableLines(node));
  for (const cmd of tree.cmds()) body.push(addCmdLine(cmd));
  return framed(body, stale);
}

/** DUMPVALUE reply: one variable (if it exists) framed like a dump. */
export function dumpValue(tree: StateTree, name: string, stale: boolean): string {
  const node = tree.getVar(name);
  return framed(node ? variableLines(node) : [], stale);
}

/** DUMPSTATUS reply: the `ups.status` node framed like a dump. */
export function dumpStatus(tree: StateTree, stale: boolean): string {
  return dumpValue(tree, "ups.status", stale);
}
