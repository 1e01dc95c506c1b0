/**
 * JSON string escaping as NUT 2.8.5's strjson does it for `upsc -j`:
 * `"` `\` and \b \f \n \r \t by name, other control characters as \u00xx,
 * everything else as is.
 *
 * @module
 */

const NAMED: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};

// deno-lint-ignore no-control-regex
const SPECIAL = /["\\\x00-\x1f]/g;

/** Escape a string's contents for a JSON string literal (no surrounding quotes). */
export function jsonEscape(s: string): string {
  return s.replace(
    SPECIAL,
    (c) => NAMED[c] ?? "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** A JSON string literal. */
export function jsonString(s: string): string {
  return `"${jsonEscape(s)}"`;
}
