/**
 * cmdvartab: descriptions of variables and instant commands served by
 * `GET DESC` / `GET CMDDESC` — lines `VARDESC <name> "<text>"` and
 * `CMDDESC <name> "<text>"` (spec net-protocol.md §6). Lookup is
 * case-insensitive; the first line for a name wins.
 *
 * @module
 */

import { tokenizeText } from "./tokenizer.ts";
import { ConfigError } from "./errors.ts";

export class Cmdvartab {
  readonly vars = new Map<string, string>();
  readonly cmds = new Map<string, string>();

  /** Description of a variable; a leading `upstream.` is ignored as NUT ≥2.8.4 does. */
  varDesc(name: string): string | undefined {
    return lookup(this.vars, name);
  }

  cmdDesc(name: string): string | undefined {
    return lookup(this.cmds, name);
  }
}

function lookup(map: Map<string, string>, name: string): string | undefined {
  const l = name.toLowerCase();
  return map.get(l) ?? (l.startsWith("upstream.") ? map.get(l.slice(9)) : undefined);
}

export function parseCmdvartab(
  text: string | Uint8Array,
  file: string,
): { table: Cmdvartab; errors: ConfigError[] } {
  const { lines, errors: syntax } = tokenizeText(text);
  const errors = syntax.map((e) => new ConfigError(file, e.lineNo, e.message));
  const table = new Cmdvartab();
  for (const { words, lineNo } of lines) {
    const kw = words[0].toUpperCase();
    const map = kw === "VARDESC" ? table.vars : kw === "CMDDESC" ? table.cmds : undefined;
    if (!map) {
      errors.push(new ConfigError(file, lineNo, `unknown keyword ${words[0]}`));
      continue;
    }
    if (words.length < 3) {
      errors.push(new ConfigError(file, lineNo, `${kw} needs a name and a description`));
      continue;
    }
    const key = words[1].toLowerCase();
    if (!map.has(key)) map.set(key, words[2]);
  }
  return { table, errors };
}
