/** The timer table with a fake clock: start, shared, cancel, matched, expiry order. */
import { assertEquals } from "../helpers/assert.ts";
import { TimerTable } from "../../lib/sched/timers.ts";

class FakeClock {
  now = 1_000_000;
  read = () => this.now;
  advance(ms: number) {
    this.now += ms;
  }
}

const A = { notifyType: "ONBATT", upsName: "a@h", message: "UPS a@h on battery" };
const B = { notifyType: "ONBATT", upsName: "b@h", message: "UPS b@h on battery" };
const B_LOW = { notifyType: "LOWBATT", upsName: "b@h", message: "UPS b@h battery is low" };

function names(t: TimerTable) {
  return t.list().map((x) => x.name);
}

Deno.test("timers: START adds independent timers, even with the same name", () => {
  const clock = new FakeClock();
  const t = new TimerTable(clock.read);
  const first = t.start("warn", 30, A);
  clock.advance(1000);
  t.start("warn", 30, B);
  assertEquals(t.size, 2);
  assertEquals(first?.expiresAt, 1_000_000 + 30_000);
  assertEquals(t.list().map((x) => [x.name, x.expiresAt, x.upsNames]), [
    ["warn", 1_030_000, ["a@h"]],
    ["warn", 1_031_000, ["b@h"]],
  ]);
  assertEquals(t.nextExpiry(), 1_030_000);
});

Deno.test("timers: a negative offset adds nothing; zero fires at once", () => {
  const clock = new FakeClock();
  const t = new TimerTable(clock.read);
  assertEquals(t.start("bad", -1, A), null);
  assertEquals(t.startShared("bad", -5, A), null);
  assertEquals(t.size, 0);
  assertEquals(t.nextExpiry(), undefined);
  t.start("now", 0, A);
  assertEquals(t.takeDue().map((x) => x.name), ["now"]);
});

Deno.test("timers: expiry takes what is due, earliest first, ties in start order", () => {
  const clock = new FakeClock();
  const t = new TimerTable(clock.read);
  t.start("late", 5, A);
  t.start("early", 2, A);
  t.start("tie1", 3, A);
  t.start("tie2", 3, B);
  t.start("never", 100, A);
  assertEquals(t.takeDue(), []);
  clock.advance(1999);
  assertEquals(t.takeDue(), []);
  clock.advance(1);
  assertEquals(t.takeDue().map((x) => x.name), ["early"]);
  clock.advance(10_000);
  assertEquals(t.takeDue().map((x) => x.name), ["tie1", "tie2", "late"]);
  assertEquals(names(t), ["never"]);
  assertEquals(t.nextExpiry(), 1_000_000 + 100_000);
});

Deno.test("timers: CANCEL removes every timer of the name and nothing else", () => {
  const t = new TimerTable(new FakeClock().read);
  t.start("warn", 30, A);
  t.start("other", 30, A);
  t.start("warn", 60, B);
  assertEquals(t.cancel("nothing"), []);
  assertEquals(t.cancel("warn").map((x) => x.upsNames[0]), ["a@h", "b@h"]);
  assertEquals(names(t), ["other"]);
  assertEquals(t.cancel("WARN"), []); // names are case-sensitive
});

Deno.test("timers: START-SHARED joins the first timer of the name, expiry unchanged, values deduplicated", () => {
  const clock = new FakeClock();
  const t = new TimerTable(clock.read);
  const r1 = t.startShared("shared", 10, A);
  assertEquals(r1?.created, true);
  clock.advance(4000);
  const r2 = t.startShared("shared", 10, B);
  assertEquals(r2?.created, false);
  t.startShared("shared", 10, B_LOW);
  t.startShared("shared", 10, A); // seen already: nothing new
  assertEquals(t.size, 1);
  const [only] = t.list();
  assertEquals(only.expiresAt, 1_010_000);
  assertEquals(only.notifyTypes, ["ONBATT", "LOWBATT"]);
  assertEquals(only.upsNames, ["a@h", "b@h"]);
  assertEquals(only.messages, [A.message, B.message, B_LOW.message]);
  // with two same-named timers, the first one is joined
  t.start("shared", 50, A);
  t.startShared("shared", 1, { notifyType: "COMMBAD", upsName: "c@h", message: "" });
  assertEquals(t.list().map((x) => x.upsNames), [["a@h", "b@h", "c@h"], ["a@h"]]);
});

Deno.test("timers: CANCEL-MATCHED needs both the caller's NOTIFYTYPE and UPSNAME on the timer", () => {
  const t = new TimerTable(new FakeClock().read);
  t.start("warn", 30, A); // ONBATT a@h
  t.start("warn", 30, B); // ONBATT b@h
  t.startShared("grp", 30, A);
  t.startShared("grp", 30, B_LOW); // grp: ONBATT,LOWBATT / a@h,b@h
  t.start("other", 30, B);

  assertEquals(t.cancelMatched("warn", { notifyType: "ONLINE", upsName: "b@h" }), []);
  assertEquals(t.cancelMatched("warn", { notifyType: "ONBATT", upsName: "c@h" }), []);
  const gone = t.cancelMatched("warn", { notifyType: "onbatt", upsName: "b@h" });
  assertEquals(gone.map((x) => x.upsNames), [["b@h"]]);
  assertEquals(names(t), ["warn", "grp", "other"]);
  // lists: any recorded type and any recorded UPS, independently
  assertEquals(t.cancelMatched("grp", { notifyType: "LOWBATT", upsName: "a@h" }).length, 1);
  assertEquals(names(t), ["warn", "other"]);
});

Deno.test("timers: list() hands out copies", () => {
  const t = new TimerTable(new FakeClock().read);
  t.start("x", 1, A);
  const [v] = t.list();
  v.upsNames.push("intruder");
  v.expiresAt = 0;
  assertEquals(t.list()[0].upsNames, ["a@h"]);
  assertEquals(t.takeDue(), []);
});
