import { assertEquals } from "../../helpers/assert.ts";
import { DState } from "../../../lib/driver/dstate.ts";
import { StatusBuilder } from "../../../lib/driver/status.ts";
import {
  applyValue,
  initStatusFlags,
  type SetTarget,
} from "../../../lib/drivers/dummy_ups/setvar.ts";
import { varFlags } from "../../../lib/drivers/dummy_ups/flags.ts";
import { FLAG_RW, FLAG_STRING } from "../../../lib/state/tree.ts";

function target(): SetTarget & { sent: string[] } {
  const sent: string[] = [];
  const state = new DState({ debug: () => {}, warn: () => {} });
  state.attach((l) => sent.push(l));
  const status = new StatusBuilder();
  return {
    state,
    status,
    sent,
    commitStatus: () => state.setInfo("ups.status", status.statusText()),
  };
}

Deno.test("flag table: numbers RW, strings RW STRING with their length", () => {
  assertEquals(varFlags("battery.charge"), { flags: FLAG_RW, aux: 0 });
  assertEquals(varFlags("Input.Voltage"), { flags: FLAG_RW, aux: 0 });
  assertEquals(varFlags("ups.id"), { flags: FLAG_RW | FLAG_STRING, aux: 16 });
  assertEquals(varFlags("input.quality"), { flags: FLAG_RW | FLAG_STRING, aux: 6 });
  assertEquals(varFlags("input.sensitivity"), { flags: FLAG_RW | FLAG_STRING, aux: 1 });
  assertEquals(varFlags("ups.mfr"), { flags: FLAG_RW | FLAG_STRING, aux: 32 });
  assertEquals(varFlags("nonexist.var"), { flags: FLAG_RW | FLAG_STRING, aux: 32 });
});

Deno.test("SET handler: broadcasts as Debian's dummy-ups (SETINFO, SETFLAGS, SETAUX)", () => {
  const t = target();
  assertEquals(applyValue(t, "nonexist.var", "7", true), 0);
  assertEquals(applyValue(t, "battery.charge", "5", true), 0);
  assertEquals(applyValue(t, "battery.charge", "6", true), 0);
  assertEquals(t.sent, [
    'SETINFO nonexist.var "7"',
    "SETFLAGS nonexist.var RW STRING",
    "SETAUX nonexist.var 32",
    'SETINFO battery.charge "5"',
    "SETFLAGS battery.charge RW",
    'SETINFO battery.charge "6"',
  ]);
});

Deno.test("SET handler: a name that cannot travel as one word is invalid (2)", () => {
  const t = target();
  assertEquals(applyValue(t, "a b", "1", true), 2);
  assertEquals(applyValue(t, 'x"y', "1", true), 2);
  assertEquals(applyValue(t, "x#y", "1", true), 2);
  assertEquals(applyValue(t, "", "1", true), 2);
  assertEquals(t.sent, []);
});

Deno.test("SET handler: empty value deletes (socket), sets empty (file)", () => {
  const t = target();
  applyValue(t, "ups.id", "x", true);
  applyValue(t, "ups.id", "", true);
  assertEquals(t.state.getInfo("ups.id"), undefined);
  assertEquals(t.sent.at(-1), "DELINFO ups.id");
  applyValue(t, "device.mfr", "", false);
  assertEquals(t.state.getInfo("device.mfr"), "");
});

Deno.test("SET handler: ups.status goes through the status builder", () => {
  const t = target();
  applyValue(t, "ups.status", "OL", false);
  initStatusFlags(t.state);
  applyValue(t, "UPS.STATUS", "OB  LB OB", true);
  assertEquals(t.state.getInfo("ups.status"), "OB LB");
  t.status.alarmSet("[Overheat]");
  applyValue(t, "ups.status", "OL", true);
  assertEquals(t.state.getInfo("ups.status"), "ALARM OL");
  // never deleted: an empty status is an empty status
  applyValue(t, "ups.status", "", true);
  assertEquals(t.state.getInfo("ups.status"), "ALARM");
  assertEquals(t.sent.slice(0, 4), [
    'SETINFO ups.status "OL"',
    "SETFLAGS ups.status RW STRING",
    "SETAUX ups.status 32",
    'SETINFO ups.status "OB LB"',
  ]);
});
