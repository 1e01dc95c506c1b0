import { assertEquals } from "../helpers/assert.ts";
import { FLAG_IMMUTABLE, FLAG_RW, flagWords, parseFlags, StateTree } from "../../lib/state/tree.ts";

Deno.test("case-insensitive lookup keeps the first spelling; sorted listing", () => {
  const t = new StateTree();
  t.set("ups.ro", "r");
  t.set("Ups.MixedCase", "mc");
  t.set("ups.id", "i");
  assertEquals(t.set("UPS.ID", "i"), false);
  assertEquals(t.set("UPS.ID", "j"), true);
  assertEquals(t.vars().map((v) => v.name), ["ups.id", "Ups.MixedCase", "ups.ro"]);
  assertEquals(t.get("ups.id"), "j");
});

Deno.test("flags replace but keep the immutable bit; enums, ranges, commands", () => {
  const t = new StateTree();
  t.set("x.y", "1");
  t.getVar("x.y")!.flags = FLAG_IMMUTABLE;
  t.setFlags("x.y", parseFlags(["rw", "STRING", "bogus"]));
  assertEquals(flagWords(t.getVar("x.y")!.flags), ["RW", "STRING"]);
  assertEquals((t.getVar("x.y")!.flags & FLAG_IMMUTABLE) !== 0, true);
  assertEquals(t.setFlags("x.y", FLAG_RW), true);
  t.addEnum("x.y", "a");
  t.addEnum("x.y", "a");
  t.addEnum("x.y", "b");
  t.delEnum("x.y", "A");
  assertEquals(t.getVar("x.y")!.enums, ["b"]);
  assertEquals(t.addRange("x.y", 5, 1), false);
  t.addRange("x.y", 1, 5);
  assertEquals(t.getVar("x.y")!.ranges, [{ min: 1, max: 5 }]);
  t.addCmd("load.off");
  t.addCmd("Beeper.Toggle");
  t.addCmd("LOAD.OFF");
  assertEquals(t.cmds(), ["Beeper.Toggle", "load.off"]);
  t.delete("x.y");
  assertEquals(t.size, 0);
});
