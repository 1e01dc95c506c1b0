/**
 * Fast path for the usual request chunk: whole lines of plain words
 * (printable ASCII without `"` `#` `=` `\`, separated by blanks, each line
 * ended by LF), split without the general tokenizer, which builds every word
 * byte by byte. Anything else — quotes, escapes, comments, `=`, other bytes,
 * a word over MAX_WORD_LEN, more than MAX_WORDS words, a partial line — is
 * left to the tokenizer; for the chunks taken here both give the same words.
 *
 * @module
 */

import { MAX_WORD_LEN, MAX_WORDS, type TokenSink } from "../conf/tokenizer.ts";

const OTHER = 0;
const WORD = 1;
const BLANK = 2;
const LF = 3;

/** Byte classes. */
const CLASS = new Uint8Array(256);
for (let b = 0x21; b < 0x7f; b++) CLASS[b] = WORD;
for (const c of '"#=\\') CLASS[c.charCodeAt(0)] = OTHER;
for (const b of [0x20, 0x09, 0x0b, 0x0c, 0x0d]) CLASS[b] = BLANK;
CLASS[0x0a] = LF;

const decoder = new TextDecoder(); // the bytes taken are ASCII

/**
 * Give every line of `bytes` (up to `n`) to `sink.line`; false, with nothing
 * given, when the chunk needs the tokenizer. Call only while the tokenizer
 * holds no partial line.
 */
export function splitPlainLines(bytes: Uint8Array, sink: TokenSink, n = bytes.length): boolean {
  if (n === 0 || bytes[n - 1] !== 0x0a) return false;
  let len = 0;
  let words = 0;
  for (let i = 0; i < n; i++) {
    const c = CLASS[bytes[i]];
    if (c === WORD) {
      if (len === 0 && ++words > MAX_WORDS) return false;
      if (++len > MAX_WORD_LEN) return false;
    } else if (c === OTHER) {
      return false;
    } else {
      len = 0;
      if (c === LF) words = 0;
    }
  }
  const text = decoder.decode(n === bytes.length ? bytes : bytes.subarray(0, n));
  let line: string[] = [];
  let start = -1;
  for (let i = 0; i < n; i++) {
    const c = CLASS[bytes[i]];
    if (c === WORD) {
      if (start < 0) start = i;
      continue;
    }
    if (start >= 0) {
      line.push(text.slice(start, i));
      start = -1;
    }
    if (c === LF) {
      sink.line(line, 0);
      if (i + 1 < n) line = [];
    }
  }
  return true;
}
