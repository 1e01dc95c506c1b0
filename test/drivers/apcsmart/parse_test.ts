/** APC Smart replies as data: command set, capabilities (real strings), status register, alerts, conversions, shutdown plans. */

import { assertEquals } from "../../helpers/assert.ts";
import {
  applyAlerts,
  checkShutdownOptions,
  convert,
  hibernateWire,
  parseCaps,
  parseCmdSet,
  shutdownPlan,
  splitAlerts,
  statusTokens,
  toWire,
} from "../../../lib/drivers/apcsmart/parse.ts";
import { APC_VARS } from "../../../lib/drivers/apcsmart/tables.ts";

const FIXTURE =
  new URL("../../../../shared/fixtures/serial/apcsmart_capability_strings.txt", import.meta.url)
    .pathname;
const v = (name: string) => APC_VARS.find((x) => x.name === name)!;

/** The real ^Z and `a` answers from the fixture (or our copies of their shape). */
function realStrings(): { caps: string; cmdset: string } {
  try {
    const text = Deno.readTextFileSync(FIXTURE);
    const caps = text.split("\n").find((l) => l.startsWith("#uD4"))!;
    const a = text.split("\n").find((l) => /^3\./.test(l))!
      .replace(/\\x([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return { caps, cmdset: a };
  } catch {
    console.log(`${FIXTURE} not present: own samples`);
    return {
      caps: "#uD43132135138129uI43253264271280lI43196188208204e44200155090s441HMLL",
      cmdset: "3.!$%+?=#|.\x01\x0E\x1A')+-89@ABDEFGKLMNOPQRSUVWXYZabcdefgjklmnopqrsuxyz~",
    };
  }
}

Deno.test("apcsmart: the 'a' answer lists protocol, alerts and commands", () => {
  const { cmdset } = realStrings();
  const p = parseCmdSet(cmdset)!;
  assertEquals([p.protocol, p.alerts], ["3", "!$%+?=#|"]);
  for (const c of ["\x01", "\x0e", "\x1a", "@", "W", "Q", "j"]) {
    assertEquals(p.commands.includes(c), true, c);
  }
  assertEquals(parseCmdSet("NA"), undefined);
  assertEquals(parseCmdSet("3.!.AB.\x9f:\xd3")!.extended, "\x9f:\xd3");
});

Deno.test("apcsmart: ^Z capabilities per locale (real Smart-UPS string)", () => {
  const { caps } = realStrings();
  const i = parseCaps(caps, "I");
  assertEquals(i.get("u"), ["253", "264", "271", "280"]);
  assertEquals(i.get("l"), ["196", "188", "208", "204"]);
  assertEquals(i.get("e"), ["00", "15", "50", "90"]);
  assertEquals(i.get("s"), ["H", "M", "L"]);
  const d = parseCaps(caps, "D");
  assertEquals(d.get("u"), ["132", "135", "138", "129"]);
  assertEquals(parseCaps("##uD43132135138129##e44200155090", "D").get("e"), [
    "00",
    "15",
    "50",
    "90",
  ]);
  assertEquals(parseCaps("NA", "I").size, 0);
});

Deno.test("apcsmart: status register and alerts (hw-serial.md §3.3, §3.1)", () => {
  assertEquals(statusTokens(0x08), ["OL"]);
  assertEquals(statusTokens(0x50), ["OB", "LB"]);
  assertEquals(statusTokens(0x0a), ["TRIM", "OL"]);
  assertEquals(statusTokens(0), ["OFF"]);
  assertEquals(splitAlerts("!08"), { text: "08", alerts: "!" });
  assertEquals(applyAlerts(["OL"], "!"), ["OB"]);
  assertEquals(applyAlerts(["OB"], "%"), ["OB", "LB"]);
  assertEquals(applyAlerts(["OB", "LB"], "$+"), ["OL"]);
  assertEquals(applyAlerts(["OL"], "?#"), ["OL", "OVER", "RB"]);
  assertEquals(applyAlerts(["OL", "OVER"], "="), ["OL"]);
});

Deno.test("apcsmart: conversions as NUT publishes them", () => {
  assertEquals(convert(v("ups.test.interval"), "336")!.value, "1209600");
  assertEquals(convert(v("ups.test.interval"), "ON ")!.value, "0");
  assertEquals(convert(v("battery.runtime"), "0042:")!.value, "2520");
  assertEquals(convert(v("battery.runtime.low"), "02")!.value, "120");
  assertEquals(convert(v("input.transfer.reason"), "O")!.value, "no transfers yet since turnon");
  assertEquals(convert(v("ambient.0.temperature"), "24.50"), {
    name: "ambient.0.temperature",
    value: "24.50",
  });
  assertEquals(convert(v("ambient.0.temperature"), "123.5"), {
    name: "device.uptime",
    value: "444600",
  });
  assertEquals(convert(v("ups.load"), "NA"), undefined);
  assertEquals(toWire(v("battery.runtime.low"), "300", ["02", "05", "07", "10"]), "05");
});

Deno.test("apcsmart: shutdown plans from sdtype / advorder; option checks", () => {
  assertEquals(shutdownPlan({ onBattery: true }), ["soft"]);
  assertEquals(shutdownPlan({ onBattery: false }), ["hibernate"]);
  assertEquals(shutdownPlan({ sdtype: "1", onBattery: true }), ["soft", "hibernate"]);
  assertEquals(shutdownPlan({ sdtype: "2", onBattery: true }), ["instantOff"]);
  assertEquals(shutdownPlan({ sdtype: "3", onBattery: true }), ["delayedOff"]);
  assertEquals(shutdownPlan({ sdtype: "4", onBattery: true }), ["csHack"]);
  assertEquals(shutdownPlan({ sdtype: "5", onBattery: true }), ["hibernate"]);
  assertEquals(shutdownPlan({ advorder: "2104", sdtype: "5", onBattery: true }), [
    "delayedOff",
    "hibernate",
    "soft",
    "csHack",
  ]);
  assertEquals(shutdownPlan({ advorder: "no", sdtype: "2", onBattery: true }), ["instantOff"]);
  assertEquals(checkShutdownOptions({ sdtype: "6" }), "invalid sdtype [6]");
  assertEquals(checkShutdownOptions({ advorder: "0156" }), "invalid advorder [0156]");
  assertEquals(checkShutdownOptions({ awd: "1234" }), "invalid awd [1234]");
  assertEquals(checkShutdownOptions({ cshdelay: "10" }), "invalid cshdelay [10]");
  assertEquals(
    checkShutdownOptions({ sdtype: "4", advorder: "No", awd: "05", cshdelay: ".5" }),
    undefined,
  );
  assertEquals([hibernateWire(), hibernateWire("12"), hibernateWire("7")], ["@000", "@12", "@007"]);
});
