/**
 * Value encoding of NUT's protocols: a backslash before `\`, `"` and `#`
 * (what the tokenizer undoes). Used for values, descriptions and anything a
 * peer re-tokenizes.
 *
 * @module
 */

const SPECIAL = /[\\"#]/g;

/** Escape `\`, `"` and `#` with a backslash. */
export function encode(value: string): string {
  return value.replace(SPECIAL, (c) => "\\" + c);
}

/** Escape and wrap in double quotes. */
export function quote(value: string): string {
  return '"' + encode(value) + '"';
}
