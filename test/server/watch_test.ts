/**
 * WATCH <ups>: the nut-deno extension that lets upsmon react at once. The
 * watcher gets `CHANGED <ups>` (its own spelling) when what upsmon reads
 * changes (status, availability, FSD, ups.alarm, ups.mode.buzzwords) — not
 * for other variables.
 */

import { assertEquals } from "../helpers/assert.ts";
import { splitLine } from "../../lib/conf/tokenizer.ts";
import { FakeContext, req } from "./fake_context.ts";

Deno.test("WATCH: OK, then CHANGED on status, availability and FSD changes only", () => {
  const ctx = new FakeContext();
  const s = ctx.session();
  const pushed: string[] = [];
  s.push = (t) => (pushed.push(t), true);
  assertEquals(req(ctx, s, "WATCH", splitLine), "ERR INVALID-ARGUMENT\n");
  assertEquals(req(ctx, s, "WATCH nosuch", splitLine), "ERR UNKNOWN-UPS\n");
  assertEquals(req(ctx, s, "WATCH FAKE", splitLine), "OK\n");
  const ups = ctx.findUps("fake")!;
  const link = ctx.links.fake;

  link.tree.set("output.voltage", "231.0"); // not a status change
  ups.invalidate();
  assertEquals(pushed, []);

  link.tree.set("ups.status", "OB DISCHRG");
  ups.invalidate();
  assertEquals(pushed, ["CHANGED FAKE\n"]);
  ups.invalidate(); // nothing new
  assertEquals(pushed.length, 1);

  link.stale = true;
  ups.invalidate();
  link.stale = false;
  ups.invalidate();
  link.connected = false;
  ups.invalidate();
  assertEquals(pushed.length, 4);

  link.connected = true;
  ups.fsd = true;
  ups.invalidate();
  assertEquals(pushed.length, 5);

  // upsmon also reads these two (quiet upsmon polls are spaced out)
  link.tree.set("ups.alarm", "Overheat");
  ups.invalidate();
  link.tree.set("ups.mode.buzzwords", "vendor:eco");
  ups.invalidate();
  assertEquals(pushed.length, 7);
});

Deno.test("WATCH: a closed connection is forgotten", () => {
  const ctx = new FakeContext();
  const s = ctx.session();
  let calls = 0;
  s.push = () => (calls++, false);
  assertEquals(req(ctx, s, "WATCH fake", splitLine), "OK\n");
  const ups = ctx.findUps("fake")!;
  ctx.links.fake.tree.set("ups.status", "OB");
  ups.invalidate();
  ctx.links.fake.tree.set("ups.status", "OL");
  ups.invalidate();
  assertEquals(calls, 1);
});
