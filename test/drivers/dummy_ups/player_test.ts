import { assertEquals } from "../../helpers/assert.ts";
import { parseDevFile } from "../../../lib/drivers/dummy_ups/devfile.ts";
import { SequencePlayer } from "../../../lib/drivers/dummy_ups/player.ts";

function values(p: SequencePlayer, now: number): string[] {
  return p.step(now).map((d) => d.kind === "set" ? `${d.name}=${d.value}` : d.kind);
}

const SEQ = parseDevFile("ups.status: OL\nTIMER 5\nups.status: OB\nTIMER 5\n", "t.seq").directives;

Deno.test("loop mode alternates through TIMER pauses", () => {
  const p = new SequencePlayer(SEQ, true);
  assertEquals(values(p, 0), ["ups.status=OL"]);
  assertEquals(values(p, 2000), []);
  assertEquals(values(p, 4999), []);
  assertEquals(values(p, 5000), ["ups.status=OB"]);
  assertEquals(values(p, 9000), []);
  assertEquals(p.atStart, true);
  assertEquals(values(p, 10000), ["ups.status=OL"]);
  assertEquals(values(p, 15000), ["ups.status=OB"]);
});

Deno.test("loop mode without TIMER replays the whole file each poll", () => {
  const p = new SequencePlayer(parseDevFile("a: 1\nb: 2\n", "t.seq").directives, true);
  assertEquals(values(p, 0), ["a=1", "b=2"]);
  assertEquals(values(p, 1), ["a=1", "b=2"]);
});

Deno.test("once mode plays to the end (pauses honoured), then nothing", () => {
  const p = new SequencePlayer(SEQ, false);
  assertEquals(values(p, 0), ["ups.status=OL"]);
  assertEquals(p.finished, false);
  assertEquals(values(p, 5000), ["ups.status=OB"]);
  assertEquals(values(p, 10000), []);
  assertEquals(p.finished, true);
  assertEquals(values(p, 20000), []);
  const q = new SequencePlayer(parseDevFile("a: 1\n", "t.dev").directives, false);
  assertEquals(values(q, 0), ["a=1"]);
  assertEquals(q.finished, true);
});
