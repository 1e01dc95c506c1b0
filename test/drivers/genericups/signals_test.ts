/** genericups as data: the upstype table, overrides, and status from modem lines (hw-serial.md §4). */

import { assertEquals, assertThrows } from "../../helpers/assert.ts";
import {
  configure,
  parseOutputs,
  parseSignal,
  SignalError,
  statusTokens,
} from "../../../lib/drivers/genericups/signals.ts";
import { typeLine, UPS_TYPES } from "../../../lib/drivers/genericups/upstypes.ts";
import type { ModemLines } from "../../../lib/transport/serial.ts";

const lines = (set: Partial<ModemLines>): ModemLines => ({
  dtr: false,
  rts: false,
  cts: false,
  dcd: false,
  dsr: false,
  ri: false,
  ...set,
});
const cfg = (settings: Record<string, string>) => configure((n) => settings[n]);

Deno.test("genericups: the spec's worked examples (types 2 and 4)", () => {
  const t2 = cfg({ upstype: "2" });
  assertEquals(statusTokens(t2, lines({})), ["OL"]);
  assertEquals(statusTokens(t2, lines({ cts: true })), ["OB"]);
  assertEquals(statusTokens(t2, lines({ cts: true, dcd: true })), ["LB", "OB"]);
  assertEquals(statusTokens(t2, lines({ dcd: true })), ["LB", "OL"]);
  const t4 = cfg({ upstype: "4" });
  assertEquals(statusTokens(t4, lines({ cts: true, dcd: true })), ["OL"]);
  assertEquals(statusTokens(t4, lines({})), ["LB", "OB"]);
});

Deno.test("genericups: type 23 also reports RB and BYPASS; type 7 is the DDL's CyberPower Power99", () => {
  const t23 = cfg({ upstype: "23" });
  assertEquals(statusTokens(t23, lines({ cts: true, dcd: true, ri: true, dsr: true })), ["OL"]);
  assertEquals(statusTokens(t23, lines({ cts: true, dcd: true })), ["OL", "RB", "BYPASS"]);
  const t7 = cfg({ upstype: "7" });
  assertEquals([t7.mfr, t7.model], ["CyberPower", "Power99"]);
  assertEquals(t7.cablePower, { dtr: false, rts: true });
  assertEquals(t7.shutdown, { dtr: true, rts: false });
  assertEquals(typeLine(1), "1: APC Back-UPS (940-0095A/C cable)");
  assertEquals(UPS_TYPES.length, 24);
  assertEquals(UPS_TYPES[11].shutdown, { dtr: false, rts: false, brk: true });
  assertEquals(UPS_TYPES[8].shutdown, "unknown");
});

Deno.test("genericups: overrides of signals, cable power, shutdown and identity", () => {
  const c = cfg({
    upstype: "2",
    LB: "-DCD",
    OL: "RNG",
    CP: "DTR+RTS",
    SD: "ST",
    mfr: "ACME",
    model: "X1",
  });
  assertEquals(c.lb, { line: "DCD", on: false });
  assertEquals(c.ol, { line: "RNG", on: true });
  assertEquals(c.cablePower, { dtr: true, rts: true });
  assertEquals(c.shutdown, { dtr: false, rts: false, brk: true });
  assertEquals([c.mfr, c.model], ["ACME", "X1"]);
  assertEquals(statusTokens(c, lines({ ri: true })), ["LB", "OL"]);
  assertEquals(parseOutputs("CP", "none"), { dtr: false, rts: false });
  assertEquals(parseOutputs("SD", "rts"), { dtr: false, rts: true });
  assertEquals(parseSignal("OL", "-cts"), { line: "CTS", on: false });
});

Deno.test("genericups: bad settings are refused with the setting's name", () => {
  const bad = (s: Record<string, string>, re: RegExp) =>
    assertThrows(() => cfg(s), (e) => e instanceof SignalError && re.test(e.message));
  bad({}, /No upstype set/);
  bad({ upstype: "24" }, /UPS type 24 is invalid/);
  bad({ upstype: "x" }, /invalid/);
  bad({ upstype: "1", OL: "DTR" }, /Invalid OL value \[DTR\]/);
  bad({ upstype: "1", CP: "CTS" }, /CTS is an input line/);
  bad({ upstype: "1", CP: "ST" }, /ST is for SD only/);
  bad({ upstype: "1", SD: "banana" }, /Invalid SD value/);
});
