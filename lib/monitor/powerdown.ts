/**
 * POWERDOWNFLAG (spec upsmon.md §9): the file upsmon leaves behind when it
 * shuts the host down, so the late shutdown scripts know to cut the UPS
 * power (`upsmon -K`). Its first line starts with a magic word; a file
 * without it is not ours and is never deleted.
 *
 * @module
 */

export const POWERDOWN_MAGIC = "upsmon-shutdown-file";

export type FlagState = "set" | "unset" | "foreign";

/** Is the flag file present and ours? */
export function powerDownFlagState(path: string): FlagState {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch {
    return "unset";
  }
  return text.split("\n", 1)[0].startsWith(POWERDOWN_MAGIC) ? "set" : "foreign";
}

/** Write the flag as NUT does: the magic word, no newline, mode 0644. */
export function writePowerDownFlag(path: string): void {
  Deno.writeTextFileSync(path, POWERDOWN_MAGIC, { mode: 0o644 });
}

/**
 * At start-up: remove a flag left from the last shutdown. Returns false
 * when a foreign file sits there (then the feature is off for this run).
 */
export function clearStalePowerDownFlag(path: string): boolean {
  const st = powerDownFlagState(path);
  if (st === "foreign") return false;
  if (st === "set") {
    try {
      Deno.removeSync(path);
    } catch {
      // gone already or not ours to remove: writing it later will tell
    }
  }
  return true;
}
