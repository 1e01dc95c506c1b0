/**
 * The plain-line fast path gives exactly the tokenizer's lines for every
 * chunk it takes, and leaves everything unusual to the tokenizer.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { MAX_WORD_LEN, MAX_WORDS, Tokenizer } from "../../lib/conf/tokenizer.ts";
import { splitPlainLines } from "../../lib/server/plain_lines.ts";

const enc = new TextEncoder();

function fast(chunk: string | Uint8Array): string[][] | undefined {
  const lines: string[][] = [];
  const bytes = typeof chunk === "string" ? enc.encode(chunk) : chunk;
  const ok = splitPlainLines(bytes, { line: (w) => lines.push(w), error: () => {} });
  if (!ok) {
    assertEquals(lines, [], "nothing is given when the chunk is refused");
    return undefined;
  }
  return lines;
}

function tokenizer(bytes: Uint8Array): string[][] {
  const lines: string[][] = [];
  new Tokenizer().feed(bytes, { line: (w) => lines.push(w), error: () => {} });
  return lines;
}

Deno.test("plain lines: usual requests, pipelined, blanks and CRLF", () => {
  assertEquals(fast("GET VAR ups1 ups.status\n"), [["GET", "VAR", "ups1", "ups.status"]]);
  assertEquals(fast("VER\nLIST VAR ups1\n"), [["VER"], ["LIST", "VAR", "ups1"]]);
  assertEquals(fast("  GET\tVAR  x y \r\n\n"), [["GET", "VAR", "x", "y"], []]);
});

Deno.test("plain lines: the tokenizer keeps quotes, escapes, comments, =, odd bytes, limits, partial lines", () => {
  for (
    const chunk of [
      'SET VAR ups x "a b"\n',
      "USERNAME a\\ b\n",
      "VER # comment\n",
      "a=b\n",
      "GET VAR ups\x01x\n",
      "GET VAR ups\x7fx\n",
      "GET VAR ups1",
      "GET\nVAR",
      "",
      `${"x".repeat(MAX_WORD_LEN + 1)}\n`,
      `${"w ".repeat(MAX_WORDS + 1)}\n`,
    ]
  ) {
    assertEquals(fast(chunk), undefined, JSON.stringify(chunk));
  }
  assertEquals(fast(new Uint8Array([0x47, 0xc3, 0xa9, 0x0a])), undefined); // UTF-8 é
  assertEquals(fast(`${"x".repeat(MAX_WORD_LEN)}\n`), [["x".repeat(MAX_WORD_LEN)]]);
  assertEquals(fast(`${"w ".repeat(MAX_WORDS)}\n`)?.[0].length, MAX_WORDS);
});

Deno.test("plain lines: same words as the tokenizer on random chunks", () => {
  // seeded xorshift so a failure can be replayed
  let seed = 0x2545f491;
  const rnd = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const alphabet = 'abcXYZ.09-_  \t\r\n\n\n"#=\\\x00\x7f\xff';
  let taken = 0;
  for (let i = 0; i < 20000; i++) {
    const len = 1 + rnd(40);
    const bytes = new Uint8Array(len);
    for (let j = 0; j < len; j++) bytes[j] = alphabet.charCodeAt(rnd(alphabet.length)) & 0xff;
    if (rnd(2) === 0) bytes[len - 1] = 0x0a;
    const got = fast(bytes);
    if (got === undefined) continue;
    taken++;
    assertEquals(got, tokenizer(bytes), JSON.stringify(new TextDecoder().decode(bytes)));
  }
  assert(taken > 1000, `only ${taken} random chunks took the fast path`);
});

Deno.test("plain lines: only the first n bytes count", () => {
  const bytes = enc.encode('VER\nGARBAGE "');
  assertEquals(fast(bytes.subarray(0, 4)), [["VER"]]);
  const lines: string[][] = [];
  assert(splitPlainLines(bytes, { line: (w) => lines.push(w), error: () => {} }, 4));
  assertEquals(lines, [["VER"]]);
});
