/**
 * upsd.users: one `[username]` section per user with `password`, `actions`,
 * `instcmds` and `upsmon <role>` lines (spec server-config.md §4). Pure:
 * text in, users plus located problems out.
 *
 * Differences from NUT, on purpose:
 * - A duplicate `[name]` section is ignored *with its lines* (NUT applies the
 *   lines that follow it to whichever user came before — usually a different
 *   one). The first section of a name wins either way.
 * - `errors` collects what NUT only warns about (unknown settings, unknown
 *   upsmon roles, syntax errors) so that a reload can refuse a broken file;
 *   `warnings` holds duplicates and obsolete `allowfrom`.
 *
 * @module
 */

import { tokenizeText } from "./tokenizer.ts";
import { ConfigError, readConfigFile } from "./errors.ts";

export interface UserEntry {
  /** Case-sensitive user name. */
  readonly name: string;
  /** undefined = the user can never authenticate. */
  password?: string;
  /** Upper-case action words (SET, FSD, LOGIN, MASTER, PRIMARY, …). */
  readonly actions: Set<string>;
  /** Lower-case instant command names, or "all". */
  readonly instcmds: Set<string>;
  readonly lineNo: number;
}

export interface UpsdUsersResult {
  users: Map<string, UserEntry>;
  errors: ConfigError[];
  warnings: ConfigError[];
}

/** Actions granted by `upsmon <role>`. */
const ROLES: Record<string, string[]> = {
  primary: ["LOGIN", "MASTER", "FSD"],
  master: ["LOGIN", "MASTER", "FSD"],
  secondary: ["LOGIN"],
  slave: ["LOGIN"],
};

function headerName(words: string[]): string | undefined {
  const w = words[0];
  if (words.length === 1 && w.length >= 2 && w.startsWith("[") && w.endsWith("]")) {
    return w.slice(1, -1);
  }
  return undefined;
}

export function parseUpsdUsers(text: string | Uint8Array, file: string): UpsdUsersResult {
  const { lines, errors: syntax } = tokenizeText(text);
  const errors = syntax.map((e) => new ConfigError(file, e.lineNo, e.message));
  const warnings: ConfigError[] = [];
  const users = new Map<string, UserEntry>();
  /** null before the first section and inside an ignored duplicate section */
  let cur: UserEntry | null = null;

  for (const { words, lineNo } of lines) {
    const err = (d: string) => errors.push(new ConfigError(file, lineNo, d));
    const name = headerName(words);
    if (name !== undefined) {
      if (users.has(name)) {
        warnings.push(new ConfigError(file, lineNo, `Ignoring duplicate user ${name}`));
        cur = null;
      } else {
        cur = { name, actions: new Set(), instcmds: new Set(), lineNo };
        users.set(name, cur);
      }
      continue;
    }
    if (cur === null) continue; // before any section (incl. old "user" lines), or a duplicate's body

    const key = words[0].toLowerCase();
    let values: string[];
    if (key === "upsmon" && words.length === 2) {
      values = [words[1]];
    } else if (words.length >= 3 && words[1] === "=") {
      values = words.slice(2);
    } else if (key === "allowfrom") {
      values = [];
    } else {
      err(`Unrecognized user setting ${words.join(" ")}`);
      continue;
    }

    switch (key) {
      case "password":
        if (cur.password !== undefined) {
          warnings.push(
            new ConfigError(file, lineNo, `Ignoring duplicate password for ${cur.name}`),
          );
        } else {
          cur.password = values[0];
        }
        break;
      case "actions":
        for (const v of values) cur.actions.add(v.toUpperCase());
        break;
      case "instcmds":
        for (const v of values) cur.instcmds.add(v.toLowerCase());
        break;
      case "upsmon": {
        const role = ROLES[values[0].toLowerCase()];
        if (!role) err(`Unknown upsmon type ${values[0]}`);
        else for (const a of role) cur.actions.add(a);
        break;
      }
      case "allowfrom":
        warnings.push(new ConfigError(file, lineNo, "allowfrom in upsd.users is no longer used"));
        break;
      default:
        err(`Unrecognized user setting ${words[0]}`);
    }
  }
  return { users, errors, warnings };
}

export async function readUpsdUsers(path: string): Promise<UpsdUsersResult> {
  return parseUpsdUsers(await readConfigFile(path), path);
}
