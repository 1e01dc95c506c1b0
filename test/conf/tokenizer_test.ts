import { assertEquals } from "../helpers/assert.ts";
import { splitLine, Tokenizer, tokenizeText } from "../../lib/conf/tokenizer.ts";

function lines(input: string): Array<string[] | string> {
  const out: Array<string[] | string> = [];
  const t = new Tokenizer();
  t.feed(input, {
    line: (w) => out.push(w),
    error: (m) => out.push(`ERR ${m}`),
  });
  return out;
}

Deno.test("words split on spaces and tabs; CRLF works", () => {
  assertEquals(lines("GET VAR\tups  ups.status\r\n"), [["GET", "VAR", "ups", "ups.status"]]);
});

Deno.test("quoted words keep spaces; closing quote ends the word", () => {
  assertEquals(splitLine('SET VAR u v "a b  c"'), ["SET", "VAR", "u", "v", "a b  c"]);
  assertEquals(splitLine('"fa"ke'), ["fa", "ke"]);
  assertEquals(splitLine('ab"c'), ['ab"c']);
});

Deno.test("backslash takes the next byte literally, no C escapes", () => {
  assertEquals(splitLine('"a\\"b\\\\"'), ['a"b\\']);
  assertEquals(splitLine("fa\\ ke"), ["fa ke"]);
  assertEquals(splitLine('"\\t\\n"'), ["tn"]);
  assertEquals(splitLine("\\#x"), ["#x"]);
});

Deno.test("comments outside quotes, error inside quotes skips the line", () => {
  assertEquals(splitLine("GET VAR u v # comment"), ["GET", "VAR", "u", "v"]);
  assertEquals(splitLine("desc = x#comment"), ["desc", "=", "x"]);
  assertEquals(lines('SET "a#b" x\nVER\n'), [
    "ERR Unbalanced word due to unescaped # in quotes",
    ["VER"],
  ]);
});

Deno.test("= is always a word of its own outside quotes", () => {
  assertEquals(splitLine("a=b"), ["a", "=", "b"]);
  assertEquals(splitLine('"a=b"'), ["a=b"]);
  assertEquals(splitLine("a\\=b"), ["a=b"]);
});

Deno.test("control and non-ASCII bytes are dropped inside words", () => {
  const t = new Tokenizer();
  const out: string[][] = [];
  t.feed(new Uint8Array([0x61, 0x01, 0xe9, 0x62, 0x0a]), {
    line: (w) => out.push(w),
    error: () => {},
  });
  assertEquals(out, [["ab"]]);
});

Deno.test("empty and comment-only lines give zero words", () => {
  assertEquals(lines("\n# c\n"), [[], []]);
});

Deno.test("line continuation and unterminated quotes span lines", () => {
  assertEquals(lines("a \\\nb\n"), [["a", "b"]]);
  assertEquals(lines('a "b\nc"\n'), [["a", "bc"]]);
});

Deno.test("limits: 32 words, 512 characters per word", () => {
  const many = Array.from({ length: 40 }, (_, i) => `w${i}`).join(" ");
  assertEquals(splitLine(many)?.length, 32);
  assertEquals(splitLine("x".repeat(2000))?.[0].length, 512);
});

Deno.test("lines may span chunks and chunks may hold many lines", () => {
  const t = new Tokenizer();
  const out: string[][] = [];
  const sink = { line: (w: string[]) => out.push(w), error: () => {} };
  t.feed("GET V", sink);
  t.feed('AR u "x y"\nVER\nNET', sink);
  t.feed("VER\n", sink);
  assertEquals(out, [["GET", "VAR", "u", "x y"], ["VER"], ["NETVER"]]);
});

Deno.test("tokenizeText reports line numbers and a last line without LF", () => {
  const r = tokenizeText('a = 1\n\n# x\nb = "2#"\nc\\\n = 3\nlast');
  assertEquals(r.lines, [
    { lineNo: 1, words: ["a", "=", "1"] },
    { lineNo: 5, words: ["c", "=", "3"] },
    { lineNo: 7, words: ["last"] },
  ]);
  assertEquals(r.errors, [{ lineNo: 4, message: "Unbalanced word due to unescaped # in quotes" }]);
});

Deno.test("tokenizeText reports an unterminated quote at end of file", () => {
  const r = tokenizeText('a = "open');
  assertEquals(r.lines, []);
  assertEquals(r.errors.length, 1);
});
