/**
 * Access control from upsd.users (spec net-protocol.md §12): every check
 * needs a known user whose password matches exactly; then an action word or
 * an instant command.
 *
 * @module
 */

import type { UserEntry } from "../conf/upsd_users.ts";

export type UserDb = ReadonlyMap<string, UserEntry>;

/** The user entry when name and password match; undefined otherwise. */
export function authenticate(
  users: UserDb,
  name: string | undefined,
  password: string | undefined,
): UserEntry | undefined {
  if (name === undefined || password === undefined) return undefined;
  const u = users.get(name);
  if (!u || u.password === undefined || u.password !== password) return undefined;
  return u;
}

/** Has one of the action words (case-insensitive). */
export function hasAction(
  users: UserDb,
  name: string | undefined,
  password: string | undefined,
  ...actions: string[]
): boolean {
  const u = authenticate(users, name, password);
  return !!u && actions.some((a) => u.actions.has(a.toUpperCase()));
}

/** May run this instant command (listed, or ALL). */
export function mayInstcmd(
  users: UserDb,
  name: string | undefined,
  password: string | undefined,
  cmd: string,
): boolean {
  const u = authenticate(users, name, password);
  return !!u && (u.instcmds.has("all") || u.instcmds.has(cmd.toLowerCase()));
}
