import { assertEquals } from "../helpers/assert.ts";
import * as m from "../../lib/sock/messages.ts";
import {
  FLAG_IMMUTABLE,
  FLAG_NUMBER,
  FLAG_RW,
  FLAG_STRING,
  StateTree,
} from "../../lib/state/tree.ts";

Deno.test("message lines escape values and name flags", () => {
  assertEquals(m.setInfoLine("ups.id", 'a "b" \\ #c'), 'SETINFO ups.id "a \\"b\\" \\\\ \\#c"');
  assertEquals(m.delInfoLine("x.y"), "DELINFO x.y");
  assertEquals(m.addEnumLine("x.y", "on"), 'ADDENUM x.y "on"');
  assertEquals(m.delEnumLine("x.y", 'o"n'), 'DELENUM x.y "o\\"n"');
  assertEquals(m.addRangeLine("x.y", -5, 10), "ADDRANGE x.y -5 10");
  assertEquals(m.delRangeLine("x.y", 1, 2), "DELRANGE x.y 1 2");
  assertEquals(m.setAuxLine("x.y", 16), "SETAUX x.y 16");
  assertEquals(m.setFlagsLine("x.y", FLAG_RW | FLAG_STRING), "SETFLAGS x.y RW STRING");
  assertEquals(m.setFlagsLine("x.y", FLAG_NUMBER | FLAG_RW), "SETFLAGS x.y RW NUMBER");
  // an empty set must still be three words, or upsd ignores it
  assertEquals(m.setFlagsLine("x.y", FLAG_IMMUTABLE), "SETFLAGS x.y NONE");
  assertEquals(m.addCmdLine("load.off"), "ADDCMD load.off");
  assertEquals(m.delCmdLine("load.off"), "DELCMD load.off");
  assertEquals(m.trackingLine("abc-1", 0), "TRACKING abc-1 0");
  assertEquals(m.pidLine(42), "PID 42");
});

function sampleTree(): StateTree {
  const t = new StateTree();
  t.set("ups.status", "OL");
  t.setFlags("ups.status", FLAG_RW | FLAG_STRING);
  t.setAux("ups.status", 32);
  t.set("Battery.Charge", "100");
  t.setFlags("battery.charge", FLAG_RW);
  t.set("input.sensitivity", "medium");
  t.addEnum("input.sensitivity", "low");
  t.addEnum("input.sensitivity", "high");
  t.addRange("input.sensitivity", 1, 3);
  t.addRange("input.sensitivity", 5, 9);
  t.setAux("input.sensitivity", 6);
  t.setFlags("input.sensitivity", FLAG_RW | FLAG_STRING | FLAG_NUMBER);
  t.set("device.type", "ups");
  t.set("over.ride", "x");
  t.getVar("over.ride")!.flags = FLAG_IMMUTABLE; // never on the wire
  t.addCmd("test.battery.start");
  t.addCmd("Load.Off");
  return t;
}

Deno.test("dumpAll: NUT's order, one string, DATAOK last", () => {
  assertEquals(
    m.dumpAll(sampleTree(), false),
    [
      'SETINFO Battery.Charge "100"',
      "SETFLAGS Battery.Charge RW",
      'SETINFO device.type "ups"',
      'SETINFO input.sensitivity "medium"',
      'ADDENUM input.sensitivity "low"',
      'ADDENUM input.sensitivity "high"',
      "ADDRANGE input.sensitivity 1 3",
      "ADDRANGE input.sensitivity 5 9",
      "SETAUX input.sensitivity 6",
      "SETFLAGS input.sensitivity RW STRING NUMBER",
      'SETINFO over.ride "x"',
      'SETINFO ups.status "OL"',
      "SETAUX ups.status 32",
      "SETFLAGS ups.status RW STRING",
      "ADDCMD Load.Off",
      "ADDCMD test.battery.start",
      "DATAOK",
      "DUMPDONE",
      "",
    ].join("\n"),
  );
});

Deno.test("dumpAll when stale starts with DATASTALE and has no DATAOK", () => {
  const lines = m.dumpAll(sampleTree(), true).trimEnd().split("\n");
  assertEquals(lines[0], "DATASTALE");
  assertEquals(lines.includes("DATAOK"), false);
  assertEquals(lines.at(-1), "DUMPDONE");
  assertEquals(m.dumpAll(new StateTree(), true), "DATASTALE\nDUMPDONE\n");
  assertEquals(m.dumpAll(new StateTree(), false), "DATAOK\nDUMPDONE\n");
});

Deno.test("dumpStatus and dumpValue frame one node", () => {
  const t = sampleTree();
  assertEquals(
    m.dumpStatus(t, false),
    'SETINFO ups.status "OL"\nSETAUX ups.status 32\nSETFLAGS ups.status RW STRING\nDATAOK\nDUMPDONE\n',
  );
  assertEquals(
    m.dumpValue(t, "BATTERY.CHARGE", true),
    'DATASTALE\nSETINFO Battery.Charge "100"\nSETFLAGS Battery.Charge RW\nDUMPDONE\n',
  );
  assertEquals(m.dumpValue(t, "no.such", false), "DATAOK\nDUMPDONE\n");
});
