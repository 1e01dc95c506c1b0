/** The simulated Q* unit: replies per family, state changes, commands, replayed transcripts. */

import { assert, assertEquals } from "../helpers/assert.ts";
import { identity, QxDevice } from "../../lib/sim/qx_device.ts";

Deno.test("qx device: each family answers its status query; unknown requests as its firmware does", () => {
  const m = new QxDevice({ family: "megatec" });
  assertEquals(m.handle("Q1")!.length, 47);
  assertEquals(m.handle("QGS"), "QGS\r", "Megatec echoes what it does not know");
  assertEquals(m.handle("I")!.length, 39);
  const v = new QxDevice({ family: "voltronic" });
  assertEquals(v.handle("QGS")!.length, 76);
  assertEquals(v.handle("Q1"), "(NAK\r");
  assertEquals(v.handle("T"), "(ACK\r");
  const qs = new QxDevice({ family: "voltronic-qs" });
  assertEquals(qs.statusQuery, "QS");
  assertEquals(qs.handle("M"), "V\r");
  assertEquals(new QxDevice({ family: "q1", unknown: "silent" }).handle("F"), null);
  assertEquals(identity("ACME", "X", "V1").length, 38);
});

Deno.test("qx device: state changes keep each field's width", () => {
  const d = new QxDevice({ family: "megatec" });
  d.set({ mains: false, lowBattery: true, inputVoltage: 0, batteryVoltage: 21.5, load: 7 });
  assertEquals(d.handle("Q1"), "(000.0 229.8 229.8 007 50.0 21.5 31.0 11001001\r");
  const v = new QxDevice({ family: "voltronic" });
  v.set({ mains: false, batteryCharge: 40, batteryMinutes: 5 });
  assertEquals(v.handle("QGS")!.slice(63, 75), "101000000001");
  assertEquals(v.handle("QBV"), "(054.5 04 01 040 005\r");
});

Deno.test("qx device: commands change state (test for 10 s, beeper, shutdown, flags)", () => {
  let now = 0;
  const d = new QxDevice({ family: "megatec", now: () => now });
  assertEquals(d.handle("T"), null, "Megatec commands have no reply");
  assert(d.bit("testing"));
  now = 10_001;
  d.statusLine();
  assert(!d.bit("testing"), "the quick test ends after 10 s");
  const beeper = d.bit("beeper");
  d.handle("Q");
  assertEquals(d.bit("beeper"), !beeper);
  d.handle("S.5R0003");
  assert(d.bit("shutdownActive"));
  d.handle("C");
  assert(!d.bit("shutdownActive"));
  assertEquals(d.received, ["T", "Q", "S.5R0003", "C"]);
  const v = new QxDevice({ family: "voltronic" });
  assertEquals(v.flag("e"), false);
  v.handle("PEE");
  assertEquals([v.flag("e"), v.handle("QFLAG")!.includes("e")], [true, true]);
  assertEquals(v.handle("PEX"), "(NAK\r", "a flag the unit does not have");
  v.handle("HEH250");
  assertEquals(v.handle("QHE"), "(250 218\r");
});

Deno.test("qx device: a transcript seeds the status line and is replayed in turn", () => {
  const replies = new Map<string, Array<string | null>>([
    ["Q1", ["(232.0 000.0 232.0 000 49.9 13.6 29.0 00001000\r"]],
    ["F", ["#a\r", "#b\r"]],
  ]);
  const d = new QxDevice({ family: "megatec", replies });
  assertEquals(d.handle("Q1"), "(232.0 000.0 232.0 000 49.9 13.6 29.0 00001000\r");
  assertEquals([d.handle("F"), d.handle("F"), d.handle("F")], ["#a\r", "#b\r", "#a\r"]);
  d.set({ mains: false });
  assertEquals(d.handle("Q1"), "(232.0 000.0 232.0 000 49.9 13.6 29.0 10001000\r");
});
