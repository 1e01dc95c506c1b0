/**
 * The Q* engine against simulated units: status transitions (OL → OB → LB,
 * boost/trim, test, shutdown), alarms, quick and full polls, hostile
 * replies, instant commands on the wire, settable delays and settings.
 */

import { assert, assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import {
  FAILED,
  HANDLED,
  INVALID,
  QxEngine,
  UNKNOWN,
} from "../../../lib/drivers/nutdrv_qx/engine.ts";
import type { QxProtocol } from "../../../lib/drivers/nutdrv_qx/items.ts";
import { MEGATEC, VOLTRONIC } from "../../../lib/drivers/nutdrv_qx/protocols.ts";
import type { QxFamily } from "../../../lib/sim/qx_device.ts";
import { device, DeviceLink, testContext } from "./helpers.ts";

async function start(
  family: QxFamily,
  protocol: QxProtocol,
  settings: Record<string, string | true> = {},
  clock?: { t: number },
) {
  const dev = device({ family });
  const link = new DeviceLink(dev);
  const t = testContext(settings);
  const now = clock ? () => clock.t : undefined;
  const claim = await QxEngine.claim(t.ctx, link, protocol);
  assert(claim.engine, claim.why);
  const engine = new QxEngine(t.ctx, link, protocol, { now });
  engine.voltronicProtocol = claim.engine.voltronicProtocol;
  await engine.init();
  assertEquals(await engine.poll(), undefined);
  dev.received.length = 0;
  return { dev, link, engine, ...t, get: (n: string) => t.state.getInfo(n) };
}

Deno.test("engine: OL → OB → OB LB → OL as the unit reports it", async () => {
  const u = await start("megatec", MEGATEC);
  assertEquals(u.get("ups.status"), "OL");
  u.dev.set({ mains: false, inputVoltage: 0 });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OB");
  assertEquals(u.get("input.voltage"), "0.0");
  u.dev.set({ lowBattery: true, batteryVoltage: 21.0 });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OB LB");
  assertEquals(u.get("battery.voltage"), "21.00");
  assertEquals(u.get("battery.charge"), "4");
  u.dev.set({ mains: true, lowBattery: false, inputVoltage: 230 });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OL");
});

Deno.test("engine: boost / trim / bypass from the voltage ratio; test, shutdown and failure bits", async () => {
  const u = await start("megatec", MEGATEC);
  u.dev.set({ boostBuck: true, inputVoltage: 200, outputVoltage: 230 });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OL BOOST");
  u.dev.set({ inputVoltage: 250, outputVoltage: 228 });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OL TRIM");
  u.dev.set({ inputVoltage: 230, outputVoltage: 230 });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OL BYPASS");
  u.dev.set({ boostBuck: false, testing: true, shutdownActive: true, failed: true });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "ALARM OL CAL FSD");
  assertEquals(u.get("ups.alarm"), "UPS selftest failed! Shutdown imminent!");
  u.dev.set({ testing: false, shutdownActive: false, failed: false });
  await u.engine.poll();
  assertEquals([u.get("ups.status"), u.get("ups.alarm")], ["OL", undefined]);
});

Deno.test("engine: ignoresab drops a shutdown bit that lies", async () => {
  const u = await start("megatec", MEGATEC, { ignoresab: true });
  u.dev.set({ shutdownActive: true });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OL");
});

Deno.test("engine: quick polls ask the status query only; full updates come every pollfreq", async () => {
  const clock = { t: 0 };
  const u = await start("voltronic", VOLTRONIC, {}, clock);
  clock.t += 2000;
  await u.engine.poll();
  assertEquals(u.dev.received, ["QGS"]);
  u.dev.received.length = 0;
  clock.t += 30000;
  await u.engine.poll();
  assert(u.dev.received.includes("QBV") && u.dev.received.includes("QFLAG"), u.dev.received.join());
  assert(!u.dev.received.includes("QMD"), "static rows are read once");
});

Deno.test("engine: garbage, truncated and missing replies publish nothing and say why once", async () => {
  const u = await start("megatec", MEGATEC);
  const before = u.dump();
  u.link.override = () => "(\u00ff#2\u0000x.9 ?? 1@1 ----\u0007 0101xx\r";
  assertStringIncludes((await u.engine.poll())!, "short reply");
  u.link.override = () => "(229.8 229.8 2\r";
  assertStringIncludes((await u.engine.poll())!, "short reply");
  u.link.override = () => "#229.8 229.8 229.8 012 50.0 27.3 31.0 00001001\r";
  assertStringIncludes((await u.engine.poll())!, "should start with '('");
  u.link.override = () => "(2x9.8 229.8 229.8 012 50.0 27.3 31.0 10001001\r";
  assertEquals(await u.engine.poll(), undefined, "a bad number alone does not fail the poll");
  assertEquals(u.get("ups.status"), "OB", "the status bits are still good");
  assertEquals(u.get("input.voltage"), before["input.voltage"], "the bad number is not published");
  u.link.override = undefined;
  u.link.silent = true;
  assertEquals(await u.engine.poll(), "Q1: no reply");
  assertEquals(u.get("ups.status"), "OB", "no reply: last status kept");
  u.link.silent = false;
  assertEquals(await u.engine.poll(), undefined);
  assertEquals(u.get("ups.status"), "OL");
  const warnings = u.log.lines.filter((l) => l.includes("non numerical value"));
  assertEquals(warnings.length, 1, "one line per problem, not one per poll");
  assertStringIncludes(warnings[0], '"2x9.8"');
});

Deno.test("engine: Megatec instant commands reach the wire as hw-serial.md writes them", async () => {
  const u = await start("megatec", MEGATEC, { ondelay: "300", offdelay: "120" });
  const cases: Array<[string, string | undefined, number, string | undefined]> = [
    ["beeper.toggle", undefined, HANDLED, "Q"],
    ["load.off", undefined, HANDLED, "S00R0000"],
    ["load.on", undefined, HANDLED, "C"],
    ["shutdown.return", undefined, HANDLED, "S02R0005"],
    ["shutdown.stayoff", undefined, HANDLED, "S02R0000"],
    ["shutdown.stop", undefined, HANDLED, "C"],
    ["test.battery.start", "90", HANDLED, "T01"],
    ["test.battery.start", undefined, HANDLED, "T10"],
    ["test.battery.start", "30", INVALID, undefined],
    ["test.battery.start", "6000", INVALID, undefined],
    ["test.battery.start.deep", undefined, HANDLED, "TL"],
    ["test.battery.start.quick", undefined, HANDLED, "T"],
    ["test.battery.stop", undefined, HANDLED, "CT"],
    ["bogus.cmd", undefined, UNKNOWN, undefined],
  ];
  for (const [cmd, param, code, wire] of cases) {
    u.dev.received.length = 0;
    assertEquals(await u.engine.instcmd(cmd, param), code, cmd);
    assertEquals(u.dev.received, wire ? [wire] : [], `${cmd} ${param ?? ""}`);
  }
  // delays set by clients: rounded, in range, used by the next shutdown
  assertEquals(await u.engine.setvar("ups.delay.shutdown", "35"), HANDLED);
  assertEquals(u.get("ups.delay.shutdown"), "30");
  assertEquals(await u.engine.setvar("ups.delay.start", "0"), HANDLED);
  assertEquals(await u.engine.setvar("ups.delay.shutdown", "601"), INVALID);
  assertEquals(await u.engine.setvar("ups.delay.shutdown", "abc"), INVALID);
  u.dev.received.length = 0;
  await u.engine.instcmd("shutdown.return", undefined);
  assertEquals(u.dev.received, ["S.5"], "restart delay 0: no R part");
  const v = u.state.tree.getVar("ups.delay.start")!;
  assertEquals([v.value, v.ranges], ["0", [{ min: 0, max: 599940 }]]);
});

Deno.test("engine: Voltronic commands and settings; (NAK) means failed", async () => {
  const u = await start("voltronic", VOLTRONIC);
  const cases: Array<[string, string | undefined, string]> = [
    ["beeper.toggle", undefined, "BZOFF"],
    ["beeper.enable", undefined, "PEA"],
    ["beeper.disable", undefined, "PDA"],
    ["bypass.start", undefined, "PEE"],
    ["bypass.stop", undefined, "PDE"],
    ["load.off", undefined, "SOFF"],
    ["load.on", undefined, "SON"],
    ["shutdown.return", undefined, "S.5R0003"],
    ["shutdown.stayoff", undefined, "S.5R0000"],
    ["shutdown.stop", undefined, "CS"],
    ["test.battery.start", "30", "T.5"],
    ["test.battery.start", "90", "T01"],
    ["test.battery.start", undefined, "T10"],
  ];
  for (const [cmd, param, wire] of cases) {
    u.dev.received.length = 0;
    assertEquals(await u.engine.instcmd(cmd, param), HANDLED, cmd);
    assertEquals(u.dev.received, [wire], cmd);
  }
  // the unit refuses: FAILED, and a log line with its answer
  u.link.override = () => "(NAK\r";
  assertEquals(await u.engine.instcmd("load.off", undefined), FAILED);
  assertStringIncludes(u.log.lines.at(-1)!, '"(NAK\\r"');
  u.link.override = undefined;
  // settings: enums and ranges from the unit's nominal values
  u.dev.received.length = 0;
  assertEquals(await u.engine.setvar("ups.start.auto", "no"), HANDLED);
  assertEquals(await u.engine.setvar("battery.packs", "2"), HANDLED);
  assertEquals(await u.engine.setvar("input.transfer.high", "250"), HANDLED);
  assertEquals(await u.engine.setvar("input.frequency.low", "45"), HANDLED);
  assertEquals(u.dev.received, ["PDR", "BATGN02", "HEH250", "FREL45.0"]);
  assertEquals(await u.engine.setvar("input.transfer.high", "300"), INVALID);
  assertEquals(await u.engine.setvar("ups.start.auto", "maybe"), INVALID);
  assertEquals(await u.engine.setvar("ups.load", "1"), UNKNOWN);
  await u.engine.poll(); // full update after a change
  assertEquals(
    [u.get("ups.start.auto"), u.get("battery.packs"), u.get("input.transfer.high")],
    ["no", "2", "250"],
  );
  const th = u.state.tree.getVar("input.transfer.high")!;
  assertEquals(th.ranges, [{ min: 237, max: 254 }]);
  assertEquals(u.state.tree.getVar("ups.start.auto")!.enums, ["no", "yes"]);
});

Deno.test("engine: Voltronic status bits, QMOD modes and QWS warnings", async () => {
  const u = await start("voltronic", VOLTRONIC);
  u.dev.set({ mains: false, lowBattery: true, inputVoltage: 0 });
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OB LB");
  // commands force a full update, which also reads QMOD and QWS
  await u.engine.instcmd("test.battery.start.quick", undefined);
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OB LB CAL");
  u.dev.set({ mains: true, lowBattery: false, testing: false, inputVoltage: 230 });
  await u.engine.instcmd("load.off", undefined); // the unit's mode becomes S (standby)
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "OL OFF");
  const warnings = "(" + "1000000010".padEnd(64, "0");
  u.link.override = (req) => req === "QWS" ? warnings + "\r" : u.dev.handle(req);
  await u.engine.instcmd("load.on", undefined);
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "ALARM OL OVER");
  assertEquals(u.get("ups.alarm"), "Battery disconnected Overload alarm");
  // quick polls keep what the last full update found
  await u.engine.poll();
  assertEquals(u.get("ups.status"), "ALARM OL OVER");
});

Deno.test("engine: Voltronic device settings from the configuration are applied at start", async () => {
  const u = await start("voltronic", VOLTRONIC, { eco_mode: "enabled", bypass_alarm: "enabled" });
  // eco_mode was disabled on the unit: set; bypass_alarm already enabled: left alone
  assert(u.dev.flag("e") === true, "eco mode enabled on the unit");
  assertStringIncludes(u.log.lines.join("\n"), "eco_mode: set to enabled");
  assert(!u.log.lines.join("\n").includes("bypass_alarm: set to"));
});

Deno.test("engine: a silent unit costs one status query per poll, not one per query", async () => {
  const clock = { t: 0 };
  const u = await start("voltronic", VOLTRONIC, {}, clock);
  u.link.silent = true;
  clock.t += 60_000; // a full update is due
  assertEquals(await u.engine.poll(), "QGS: no reply");
  assertEquals(u.dev.received, ["QGS", "QGS"], "the status query and its one retry");
});
