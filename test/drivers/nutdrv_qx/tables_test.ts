/**
 * The protocol tables are consistent data: fields inside the shortest valid
 * reply, conversions and range rules that exist, claim rows present,
 * command templates with known placeholders, and the Megatec status line
 * where hw-serial.md puts it.
 */

import { assert, assertEquals } from "../../helpers/assert.ts";
import { CONVERSIONS, RANGE_RULES } from "../../../lib/drivers/nutdrv_qx/convert.ts";
import {
  MEGATEC,
  protocolByName,
  PROTOCOLS,
  VOLTRONIC,
} from "../../../lib/drivers/nutdrv_qx/protocols.ts";
import { BLAZER_PROTOCOLS } from "../../../lib/drivers/blazer/driver.ts";

const ALL = [...PROTOCOLS, ...BLAZER_PROTOCOLS];
// rows whose reply length varies (flag letters) are exempt from the column check
const VARIABLE_LENGTH = new Set(["qflag"]);

Deno.test("tables: every row reads inside the shortest valid reply, with a known conversion", () => {
  for (const p of ALL) {
    for (const item of p.items) {
      const where = `${p.name} ${item.query} ${item.info}`;
      assert(item.from <= item.to, `${where}: columns`);
      if (!VARIABLE_LENGTH.has(item.conv ?? "")) {
        assert(
          item.to <= item.minLength - 2,
          `${where}: column ${item.to} past a ${item.minLength}-byte reply`,
        );
      }
      if (item.conv) {
        assert(item.conv === "battvolt" || item.conv in CONVERSIONS, `${where}: conv ${item.conv}`);
      }
      if (typeof item.set?.range === "string") {
        assert(item.set.range in RANGE_RULES, `${where}: range rule`);
      }
      if (item.fmt) assert(/^%[0-9.]*[sdf]$/.test(item.fmt), `${where}: format ${item.fmt}`);
      if (item.lead) assertEquals(item.lead.length, 1, where);
    }
  }
});

Deno.test("tables: claims name existing rows; commands use known placeholders", () => {
  for (const p of ALL) {
    for (const name of [...p.claim.items, ...(p.claim.vendorItems ?? [])]) {
      assert(p.items.some((i) => i.info === name), `${p.name}: claim row ${name}`);
    }
    const names = p.commands.map((c) => c.cmd);
    assertEquals(new Set(names).size, names.length, `${p.name}: duplicate command`);
    for (const c of p.commands) {
      for (const ph of c.wire.match(/\{[a-zA-Z]+\}/g) ?? []) {
        assert(["{off}", "{on}", "{onR}", "{test}", "{beeper}"].includes(ph), `${c.cmd}: ${ph}`);
      }
      if (c.wire.includes("{test}")) assert(c.testFormat !== undefined, `${c.cmd}: test format`);
    }
    const status = p.items.filter((i) => i.flags?.includes("quick"));
    assert(status.length > 0, `${p.name}: has a status query`);
    assertEquals(new Set(status.map((i) => i.query)).size, 1, `${p.name}: one status query`);
  }
  assertEquals(new Set(PROTOCOLS.map((p) => p.name)).size, PROTOCOLS.length);
  assertEquals(protocolByName("Voltronic"), VOLTRONIC);
  assertEquals(protocolByName("nope"), undefined);
});

Deno.test("tables: the Megatec Q1 line sits where hw-serial.md §1.2/1.3 puts it", () => {
  const at = (info: string, from: number) =>
    MEGATEC.items.find((i) => i.query === "Q1" && i.info === info && i.from === from);
  const expect: Array<[string, number, number, string | undefined]> = [
    ["input.voltage", 1, 5, "%.1f"],
    ["input.voltage.fault", 7, 11, "%.1f"],
    ["output.voltage", 13, 17, "%.1f"],
    ["ups.load", 19, 21, "%.0f"],
    ["input.frequency", 23, 26, "%.1f"],
    ["battery.voltage", 28, 31, "%.2f"],
    ["ups.temperature", 33, 36, "%.1f"],
    ["ups.type", 42, 42, "%s"],
    ["ups.beeper.status", 45, 45, "%s"],
  ];
  for (const [info, from, to, fmt] of expect) {
    const row = at(info, from);
    assert(row, info);
    assertEquals([row.to, row.fmt, row.minLength], [to, fmt, 47], info);
  }
  const bits = MEGATEC.items.filter((i) => i.query === "Q1" && i.from >= 38).map((i) =>
    `${i.from}:${i.conv}${i.arg && i.conv === "bit" ? "=" + i.arg : ""}`
  );
  assertEquals(bits, [
    "38:utility",
    "39:bit=LB",
    "40:boostbuck",
    "41:alarm",
    "42:q1Type",
    "43:bit=CAL",
    "44:shutdown",
    "45:beeper",
  ]);
  // autodetection order: NUT's, for the protocols implemented here
  assertEquals(PROTOCOLS.map((p) => p.name), [
    "voltronic",
    "voltronic-qs",
    "mustek",
    "mecer",
    "megatec",
    "q1",
  ]);
});
