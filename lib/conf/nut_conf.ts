/**
 * nut.conf: a shell-sourced file of `VAR=value` lines (spec server-config.md §5).
 * NUT daemons do not read it; init scripts and launchers do (MODE, *_OPTIONS,
 * ALLOW_NO_DEVICE …). This parser accepts the subset a POSIX shell would
 * source without running anything: `NAME=value`, optional `export `, values
 * bare or in single or double quotes, `#` comments. No expansion happens.
 *
 * @module
 */

import { ConfigError, readConfigFile } from "./errors.ts";

export interface NutConfResult {
  vars: Map<string, string>;
  errors: ConfigError[];
}

export const NUT_MODES = ["none", "standalone", "netserver", "netclient"] as const;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Parse a shell value starting at `s`; returns the value and the unparsed rest. */
function shellValue(s: string): { value: string; rest: string } | string {
  let value = "";
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === " " || c === "\t") break;
    if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) return "unterminated single quote";
      value += s.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === "\\" && j + 1 < s.length && '"\\$`'.includes(s[j + 1])) j++;
        if (s[j] === "$" || s[j] === "`") return "variable or command expansion is not supported";
        value += s[j];
      }
      if (j >= s.length) return "unterminated double quote";
      i = j + 1;
    } else if (c === "\\" && i + 1 < s.length) {
      value += s[i + 1];
      i += 2;
    } else if (c === "$" || c === "`" || c === ";" || c === "|" || c === "&") {
      return `unsupported shell syntax '${c}'`;
    } else {
      value += c;
      i++;
    }
  }
  return { value, rest: s.slice(i) };
}

export function parseNutConf(text: string, file: string): NutConfResult {
  const vars = new Map<string, string>();
  const errors: ConfigError[] = [];
  const lines = text.split("\n");
  lines.forEach((raw, idx) => {
    const lineNo = idx + 1;
    let line = raw.replace(/\r$/, "").trim();
    if (line === "" || line.startsWith("#")) return;
    if (line.startsWith("export ")) line = line.slice(7).trimStart();
    const eq = line.indexOf("=");
    if (eq <= 0) {
      errors.push(new ConfigError(file, lineNo, `expected NAME=value, got: ${line}`));
      return;
    }
    const name = line.slice(0, eq);
    if (!NAME.test(name)) {
      errors.push(
        new ConfigError(
          file,
          lineNo,
          `invalid variable name '${name}' (no spaces around '=' in shell syntax)`,
        ),
      );
      return;
    }
    const parsed = shellValue(line.slice(eq + 1));
    if (typeof parsed === "string") {
      errors.push(new ConfigError(file, lineNo, `${name}: ${parsed}`));
      return;
    }
    const rest = parsed.rest.trim();
    if (rest !== "" && !rest.startsWith("#")) {
      errors.push(
        new ConfigError(file, lineNo, `${name}: unexpected text after the value: ${rest}`),
      );
      return;
    }
    if (name === "MODE" && !(NUT_MODES as readonly string[]).includes(parsed.value)) {
      errors.push(
        new ConfigError(
          file,
          lineNo,
          `MODE must be one of ${NUT_MODES.join(", ")} (got '${parsed.value}')`,
        ),
      );
      return;
    }
    vars.set(name, parsed.value);
  });
  return { vars, errors };
}

export async function readNutConf(path: string): Promise<NutConfResult> {
  return parseNutConf(new TextDecoder().decode(await readConfigFile(path)), path);
}
