import { assertEquals } from "../helpers/assert.ts";
import { DState, MAX_VALUE_LEN } from "../../lib/driver/dstate.ts";
import { FLAG_RW, FLAG_STRING } from "../../lib/state/tree.ts";

function make(): { ds: DState; sent: string[]; logged: string[] } {
  const sent: string[] = [];
  const logged: string[] = [];
  const ds = new DState({ debug: () => {}, warn: (m) => logged.push(m) });
  ds.attach((l) => sent.push(l));
  return { ds, sent, logged };
}

Deno.test("dstate broadcasts changes once, escaped, and not unchanged values", () => {
  const { ds, sent } = make();
  assertEquals(ds.setInfo("ups.id", 'a "b"'), true);
  assertEquals(ds.setInfo("UPS.ID", 'a "b"'), false);
  ds.setFlags("ups.id", FLAG_RW | FLAG_STRING);
  ds.setFlags("ups.id", FLAG_RW | FLAG_STRING);
  ds.setAux("ups.id", 16);
  ds.setAux("ups.id", 16);
  ds.addEnum("ups.id", "x");
  ds.addEnum("ups.id", "x");
  ds.addEnum("no.var", "x");
  ds.delEnum("ups.id", "X");
  ds.addCmd("load.off");
  ds.addCmd("LOAD.OFF");
  ds.delCmd("Load.Off");
  ds.delInfo("ups.id");
  ds.delInfo("ups.id");
  assertEquals(sent, [
    'SETINFO ups.id "a \\"b\\""',
    "SETFLAGS ups.id RW STRING",
    "SETAUX ups.id 16",
    'ADDENUM ups.id "x"',
    'DELENUM ups.id "X"',
    "ADDCMD load.off",
    "DELCMD load.off",
    "DELINFO ups.id",
  ]);
});

Deno.test("dstate: a range makes the variable a NUMBER; values are capped", () => {
  const { ds, sent } = make();
  ds.setInfo("ups.delay.start", "30");
  ds.addRange("ups.delay.start", 0, 600);
  assertEquals(sent.slice(1), [
    "ADDRANGE ups.delay.start 0 600",
    "SETFLAGS ups.delay.start NUMBER",
  ]);
  ds.setInfo("long.one", "x".repeat(400));
  assertEquals(ds.getInfo("long.one")!.length, MAX_VALUE_LEN);
});

Deno.test("dstate starts stale; DATAOK/DATASTALE only on transitions; dump framing", () => {
  const { ds, sent } = make();
  assertEquals(ds.stale, true);
  ds.setInfo("ups.status", "OL");
  assertEquals(ds.dumpAll(), 'DATASTALE\nSETINFO ups.status "OL"\nDUMPDONE\n');
  ds.dataOk();
  ds.dataOk();
  assertEquals(ds.dumpAll(), 'SETINFO ups.status "OL"\nDATAOK\nDUMPDONE\n');
  ds.dataStale();
  ds.dataStale();
  ds.dataOk();
  assertEquals(sent, ['SETINFO ups.status "OL"', "DATAOK", "DATASTALE", "DATAOK"]);
  assertEquals(ds.dumpStatus(), 'SETINFO ups.status "OL"\nDATAOK\nDUMPDONE\n');
});

Deno.test("dstate: override makes a variable immutable for the driver", () => {
  const { ds, sent, logged } = make();
  ds.override("battery.charge", "50");
  assertEquals(ds.setInfo("battery.charge", "100"), false);
  assertEquals(ds.setFlags("battery.charge", FLAG_RW), false);
  assertEquals(ds.delInfo("battery.charge"), false);
  assertEquals(ds.getInfo("battery.charge"), "50");
  // aux is not guarded (as in NUT); a second override replaces the value
  assertEquals(ds.setAux("battery.charge", 3), true);
  ds.override("battery.charge", "60");
  assertEquals(ds.getInfo("battery.charge"), "60");
  assertEquals(logged, ["dstate_setflags: base variable (battery.charge) is immutable"]);
  assertEquals(sent, [
    'SETINFO battery.charge "50"',
    "SETAUX battery.charge 3",
    'SETINFO battery.charge "60"',
  ]);
  // never on the wire: no SETFLAGS line in the dump
  assertEquals(
    ds.dumpAll(),
    'DATASTALE\nSETINFO battery.charge "60"\nSETAUX battery.charge 3\nDUMPDONE\n',
  );
});
