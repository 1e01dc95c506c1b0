import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { all, count, getopt, GetoptError, last } from "../../lib/cli/getopt.ts";

Deno.test("clustered flags and repeat counts", () => {
  const r = getopt(["-DDD", "-F", "-a", "ups"], "+a:DFB");
  assertEquals(count(r, "D"), 3);
  assertEquals(last(r, "a"), "ups");
  assertEquals(r.rest, []);
});

Deno.test("attached arguments, -- and + stop at the first operand", () => {
  const r = getopt(["-uroot", "-x", "a=1", "-xb=2", "word", "-D"], "+u:x:D");
  assertEquals(last(r, "u"), "root");
  assertEquals(all(r, "x"), ["a=1", "b=2"]);
  assertEquals(r.rest, ["word", "-D"]);
  assertEquals(getopt(["a", "-D"], "D").rest, ["a"]);
  assertEquals(getopt(["--", "-D"], "D").rest, ["-D"]);
});

Deno.test("unknown option and missing argument", () => {
  assertThrows(
    () => getopt(["-z"], "D"),
    (e: unknown) => e instanceof GetoptError && e.kind === "unknown",
  );
  assertThrows(
    () => getopt(["-a"], "a:"),
    (e: unknown) => e instanceof GetoptError && e.kind === "missing",
  );
});
