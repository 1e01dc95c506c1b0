/**
 * ups.conf: global settings, then `[name]` sections of `key = value` settings
 * and one-word flags (spec server-config.md §2).
 *
 * @module
 */

import { type ConfLine, tokenizeText } from "./tokenizer.ts";
import { ConfigError, readConfigFile } from "./errors.ts";

export interface ConfEntry {
  key: string;
  /** undefined for a flag line */
  value?: string;
  lineNo: number;
}

export interface UpsConfBlock {
  /** Settings in file order; later duplicates win when read through get(). */
  entries: ConfEntry[];
}

export interface UpsSection extends UpsConfBlock {
  name: string;
  lineNo: number;
}

export interface UpsConf {
  file: string;
  global: UpsConfBlock;
  sections: UpsSection[];
  /** Syntax problems (the offending lines were skipped). */
  errors: ConfigError[];
}

/** Last value of a setting (exact key match unless `caseless`). */
export function setting(block: UpsConfBlock, key: string, caseless = false): string | undefined {
  const k = caseless ? key.toLowerCase() : key;
  let v: string | undefined;
  for (const e of block.entries) {
    if (e.value !== undefined && (caseless ? e.key.toLowerCase() : e.key) === k) v = e.value;
  }
  return v;
}

/** True if a one-word flag line is present. */
export function hasFlag(block: UpsConfBlock, key: string): boolean {
  return block.entries.some((e) => e.value === undefined && e.key === key);
}

function headerName(line: ConfLine): string | undefined {
  const w = line.words;
  if (w.length === 1 && w[0].length >= 2 && w[0].startsWith("[") && w[0].endsWith("]")) {
    return w[0].slice(1, -1);
  }
  return undefined;
}

export function parseUpsConf(text: string | Uint8Array, file: string): UpsConf {
  const { lines, errors } = tokenizeText(text);
  const conf: UpsConf = {
    file,
    global: { entries: [] },
    sections: [],
    errors: errors.map((e) => new ConfigError(file, e.lineNo, e.message)),
  };
  const byName = new Map<string, UpsSection>();
  let current: UpsConfBlock = conf.global;
  for (const line of lines) {
    const name = headerName(line);
    if (name !== undefined) {
      let sec = byName.get(name);
      if (!sec) {
        sec = { name, lineNo: line.lineNo, entries: [] };
        byName.set(name, sec);
        conf.sections.push(sec);
      }
      current = sec;
      continue;
    }
    const w = line.words;
    if (w.length === 1) {
      current.entries.push({ key: w[0], lineNo: line.lineNo });
    } else if (w.length >= 3 && w[1] === "=") {
      current.entries.push({ key: w[0], value: w[2], lineNo: line.lineNo });
    } else {
      conf.errors.push(
        new ConfigError(
          file,
          line.lineNo,
          `ignoring line that is neither a setting nor a flag: ${w.join(" ")}`,
        ),
      );
    }
  }
  return conf;
}

export async function readUpsConf(path: string): Promise<UpsConf> {
  return parseUpsConf(await readConfigFile(path), path);
}
