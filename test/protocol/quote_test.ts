import { assertEquals } from "../helpers/assert.ts";
import { encode, quote } from "../../lib/protocol/quote.ts";
import { errorText } from "../../lib/protocol/errors.ts";
import { splitLine } from "../../lib/conf/tokenizer.ts";

Deno.test("encode escapes backslash, quote and hash only", () => {
  assertEquals(encode('Test "quoted" #UPS \\ x'), 'Test \\"quoted\\" \\#UPS \\\\ x');
  assertEquals(quote("a b"), '"a b"');
});

Deno.test("quote round-trips through the tokenizer", () => {
  for (const v of ['a"b\\', "#x#", "plain", "", "sp  aces"]) {
    assertEquals(splitLine(`VAR u v ${quote(v)}`)?.[3], v);
  }
});

Deno.test("client error texts; unknown tokens are 'Unknown error'", () => {
  assertEquals(errorText("DATA-STALE"), "Data stale");
  assertEquals(errorText("INVALID-ARGUMENT"), "Unknown error");
});
