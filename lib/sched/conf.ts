/**
 * upssched.conf as a list of entries in file order. upssched acts on AT
 * lines the moment it reads them (a CMDSCRIPT line further down only affects
 * later ATs), so the parser keeps the order and the caller walks it; errors
 * are entries too, located as `file:line`.
 *
 * @module
 */

import { ConfigError } from "../conf/errors.ts";
import { tokenizeText } from "../conf/tokenizer.ts";

/** `AT <notifytype> <upsname|*> <command> <arg1> [<arg2>]` */
export interface AtRule {
  notifyType: string;
  upsName: string;
  command: string;
  /** One or two arguments; words after the second are ignored as NUT does. */
  args: string[];
}

export type ConfEntry =
  | { kind: "CMDSCRIPT"; lineNo: number; argv: string[] }
  | { kind: "PIPEFN"; lineNo: number; path: string }
  | { kind: "LOCKFN"; lineNo: number; path: string }
  | { kind: "DEBUG_MIN"; lineNo: number; level: number }
  | { kind: "AT"; lineNo: number; rule: AtRule }
  /** An unusable line: `parse` for tokenizer errors, else an invalid directive. */
  | { kind: "error"; lineNo: number; error: ConfigError; parse: boolean };

/** What a listing (`upssched -l`) or the launcher needs: the last value of each global. */
export interface SchedGlobals {
  cmdscript?: string[];
  pipefn?: string;
  lockfn?: string;
}

function invalid(file: string, lineNo: number, words: string[]): ConfEntry {
  return {
    kind: "error",
    lineNo,
    parse: false,
    error: new ConfigError(file, lineNo, `invalid directive ${words.join(" ")}`),
  };
}

/** Strict decimal integer (DEBUG_MIN); undefined when the word is not one. */
function parseInteger(word: string): number | undefined {
  return /^[+-]?\d+$/.test(word) ? parseInt(word, 10) : undefined;
}

/** One tokenized line to an entry. Keywords are case-sensitive except DEBUG_MIN. */
export function entryFor(file: string, lineNo: number, words: string[]): ConfEntry {
  const [key, ...args] = words;
  switch (key) {
    case "CMDSCRIPT":
      if (args.length < 1 || args[0] === "") break;
      return { kind: "CMDSCRIPT", lineNo, argv: args };
    case "PIPEFN":
    case "LOCKFN":
      if (args.length < 1 || args[0] === "") break;
      return { kind: key, lineNo, path: args[0] };
    case "AT":
      if (args.length < 4) break;
      return {
        kind: "AT",
        lineNo,
        rule: {
          notifyType: args[0],
          upsName: args[1],
          command: args[2],
          args: args.slice(3, 5),
        },
      };
  }
  if (key.toUpperCase() === "DEBUG_MIN" && args.length >= 1) {
    const level = parseInteger(args[0]);
    if (level !== undefined && level >= 0) return { kind: "DEBUG_MIN", lineNo, level };
  }
  return invalid(file, lineNo, words);
}

/** Parse a whole file; `file` names it in errors. Entries come in line order. */
export function parseUpsschedConf(text: string | Uint8Array, file: string): ConfEntry[] {
  const { lines, errors } = tokenizeText(text);
  const entries: ConfEntry[] = [
    ...lines.map((l) => entryFor(file, l.lineNo, l.words)),
    ...errors.map((e): ConfEntry => ({
      kind: "error",
      lineNo: e.lineNo,
      parse: true,
      error: new ConfigError(file, e.lineNo, e.message),
    })),
  ];
  // stable: a parse error and a line never share a number, order by line
  return entries.sort((a, b) => a.lineNo - b.lineNo);
}

/** The text upssched logs for an error entry. */
export function errorText(entry: Extract<ConfEntry, { kind: "error" }>): string {
  return entry.parse ? `Parse error: ${entry.error.message}` : entry.error.message;
}

/** Global directives only (AT lines ignored), last one wins: what `-l` reads. */
export function globalsOf(entries: readonly ConfEntry[]): SchedGlobals {
  const g: SchedGlobals = {};
  for (const e of entries) {
    if (e.kind === "CMDSCRIPT") g.cmdscript = e.argv;
    else if (e.kind === "PIPEFN") g.pipefn = e.path;
    else if (e.kind === "LOCKFN") g.lockfn = e.path;
  }
  return g;
}
