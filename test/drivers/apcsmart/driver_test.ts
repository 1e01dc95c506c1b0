/**
 * apcsmart over a fake serial port wired to a simulated Smart-UPS: start-up
 * (what Debian's 2.8.0 apcsmart publishes for the same unit), alerts, the
 * power-cut interlock, doubled commands, settings, -k plans, a silent unit.
 */

import { assert, assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { DeviceError, DriverExit } from "../../../lib/driver/types.ts";
import { ApcSmart } from "../../../lib/drivers/apcsmart/driver.ts";
import { ApcDevice } from "../../../lib/sim/apc_device.ts";
import { FakeSerialPort } from "../../../lib/transport/fake_serial.ts";
import { testContext } from "../nutdrv_qx/helpers.ts";

function start(settings: Record<string, string> = {}, dev = new ApcDevice()) {
  const t = testContext(settings);
  const clock = { t: 100_000 };
  const silent = { on: false };
  const wired = () =>
    new FakeSerialPort("/dev/ttyS0", (written, p) => {
      const r = dev.receive(written);
      if (r && !silent.on) queueMicrotask(() => p.feed(r));
    });
  const port = wired();
  let opened = 0;
  const slept: number[] = [];
  const drv = new ApcSmart(t.ctx, {
    // the first open gets `port`; a reconnection gets a new one on the same unit
    open: () => opened++ === 0 ? port : wired(),
    timeoutMs: 50,
    now: () => clock.t,
    sleep: (ms) => {
      slept.push(ms);
      return Promise.resolve();
    },
  });
  return { ...t, dev, port, drv, clock, silent, slept };
}

async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

Deno.test("apcsmart driver: start-up publishes what NUT 2.8.0 publishes for this unit", async () => {
  const u = start();
  await u.drv.initups();
  await u.drv.initinfo();
  await u.drv.updateinfo();
  const d = u.dump();
  const expect: Record<string, string> = {
    "battery.alarm.threshold": "0",
    "battery.charge": "100.0",
    "battery.charge.restart": "00",
    "battery.date": "03/14/19",
    "battery.runtime": "2520",
    "battery.runtime.low": "120",
    "battery.voltage": "27.36",
    "battery.voltage.nominal": "024",
    "input.frequency": "50.00",
    "input.quality": "FF",
    "input.sensitivity": "H",
    "input.transfer.high": "253",
    "input.transfer.low": "208",
    "input.transfer.reason": "no transfers yet since turnon",
    "input.voltage": "231.8",
    "input.voltage.maximum": "233.1",
    "input.voltage.minimum": "229.4",
    "output.voltage": "231.8",
    "output.voltage.nominal": "230",
    "ups.delay.shutdown": "020",
    "ups.delay.start": "000",
    "ups.firmware": "601.3.I",
    "ups.id": "UPS_IDEN",
    "ups.load": "021.3",
    "ups.mfr": "APC",
    "ups.mfr.date": "03/14/19",
    "ups.model": "Smart-UPS 1500",
    "ups.serial": "AS0123456789",
    "ups.status": "OL",
    "ups.test.interval": "1209600",
    "ups.test.result": "NO",
  };
  assertEquals(d, expect);
  const tree = u.state.tree;
  assertEquals(tree.getVar("battery.runtime.low")!.enums, ["120", "300", "420", "600"]);
  assertEquals(tree.getVar("ups.test.interval")!.enums, ["1209600", "604800", "0"]);
  assertEquals(tree.getVar("ups.id")!.aux, 8);
  assertEquals(tree.cmds(), [
    "calibrate.start",
    "calibrate.stop",
    "load.off",
    "load.on",
    "shutdown.return",
    "shutdown.stayoff",
    "test.battery.start",
    "test.battery.stop",
    "test.failure.start",
    "test.panel.start",
  ]);
  assertEquals(u.dev.received.slice(0, 6), ["Y", "V", "b", "a", "\x1a", "\x01"]);
});

Deno.test("apcsmart driver: alerts between polls change the status at once", async () => {
  const u = start();
  await u.drv.initups();
  await u.drv.initinfo();
  u.dev.set({ mains: false });
  u.port.feed(u.dev.unsolicited());
  await u.drv.updateinfo();
  assertEquals(u.state.getInfo("ups.status"), "OB");
  u.dev.set({ lowBattery: true });
  u.port.feed(u.dev.unsolicited());
  await u.drv.link!.drain();
  assertEquals(u.state.getInfo("ups.status"), "OB LB", "before the next Q");
  u.dev.set({ mains: true, lowBattery: false });
  await u.drv.updateinfo();
  assertEquals(u.state.getInfo("ups.status"), "OL");
});

Deno.test("apcsmart driver: power-cutting commands need a second request 3-15 s later", async () => {
  const u = start();
  await u.drv.initups();
  await u.drv.initinfo();
  u.dev.received.length = 0;
  assertEquals(await u.drv.instcmd("shutdown.stayoff", undefined), 0);
  assertEquals(u.dev.received, [], "first request only remembered");
  assertStringIncludes(u.log.lines.at(-1)!, "send it again within 3 to 15 seconds");
  u.clock.t += 1000;
  await u.drv.instcmd("shutdown.stayoff", undefined);
  assertEquals(u.dev.received, [], "too soon: remembered again");
  u.clock.t += 4000;
  assertEquals(await u.drv.instcmd("shutdown.stayoff", undefined), 0);
  assertEquals(u.dev.received, ["K", "K"], "K twice on the wire");
  assertEquals(u.slept, [1300]);
  u.dev.received.length = 0;
  await u.drv.instcmd("load.on", undefined);
  assertEquals(u.dev.received, ["\x0e", "\x0e"]);
  u.dev.received.length = 0;
  assertEquals(await u.drv.instcmd("test.battery.start", undefined), 0);
  assertEquals(await u.drv.instcmd("test.panel.start", undefined), 0);
  assertEquals(u.dev.received, ["W", "A"]);
  // shutdown.return on mains: the unit refuses S (NA) -> failed
  await u.drv.instcmd("shutdown.return", undefined);
  u.clock.t += 5000;
  assertEquals(await u.drv.instcmd("shutdown.return", undefined), 3);
  // hibernate with a wake-up delay
  await u.drv.instcmd("shutdown.return", "at:5");
  u.clock.t += 5000;
  u.dev.received.length = 0;
  assertEquals(await u.drv.instcmd("shutdown.return", "at:5"), 0);
  assertEquals(u.dev.received, ["@005"]);
  assertEquals(await u.drv.instcmd("bypass.start", undefined), 1, "not in this unit's set");
  assertEquals(await u.drv.instcmd("test.panel.start", "x"), 2);
});

Deno.test("apcsmart driver: settings rotate with '-', strings take eight characters", async () => {
  const u = start();
  await u.drv.initups();
  await u.drv.initinfo();
  u.dev.received.length = 0;
  assertEquals(await u.drv.setvar("input.sensitivity", "L"), 0);
  assertEquals(u.dev.received, ["s", "-", "s", "-", "s"]);
  assertEquals(u.state.getInfo("input.sensitivity"), "L");
  assertEquals(await u.drv.setvar("battery.runtime.low", "420"), 0);
  assertEquals(u.dev.settings.q.value, "07");
  assertEquals(u.state.getInfo("battery.runtime.low"), "420");
  assertEquals(await u.drv.setvar("battery.runtime.low", "421"), 2);
  assertEquals(await u.drv.setvar("ups.id", "rack12"), 0);
  assertEquals(u.dev.settings.c.value, "rack12  ");
  assertEquals(await u.drv.setvar("ups.id", "far-too-long"), 2);
  assertEquals(await u.drv.setvar("ups.load", "1"), 1);
});

Deno.test("apcsmart driver: -k follows sdtype / advorder", async () => {
  const onMains = start();
  await onMains.drv.initups();
  onMains.dev.received.length = 0;
  await onMains.drv.shutdown();
  assertEquals(onMains.dev.received, ["Q", "@000"], "sdtype 0 on mains: hard hibernate");
  const onBatt = start({ sdtype: "1", awd: "12" });
  await onBatt.drv.initups();
  onBatt.dev.set({ mains: false });
  onBatt.dev.received.length = 0;
  await onBatt.drv.shutdown();
  assertEquals(onBatt.dev.received, ["Q", "S"], "soft shutdown on battery");
  const adv = start({ advorder: "32" });
  await adv.drv.initups();
  adv.dev.received.length = 0;
  await adv.drv.shutdown();
  assertEquals(adv.dev.received, ["Q", "Z", "Z"]);
  const cs = start({ sdtype: "4", cshdelay: "2" });
  await cs.drv.initups();
  cs.dev.received.length = 0;
  await cs.drv.shutdown();
  assertEquals(cs.dev.received, ["Q", "U", "S"]);
  assertEquals(cs.slept.at(-1), 2000);
  const bad = start({ sdtype: "9" });
  const e = await errorOf(() => bad.drv.initups());
  assert(e instanceof DriverExit && /invalid sdtype/.test(e.message));
});

Deno.test("apcsmart driver: no smart mode is fatal at start; a silent unit goes stale, then recovers", async () => {
  const none = start();
  none.silent.on = true;
  const e = await errorOf(() => none.drv.initups());
  assert(e instanceof DriverExit);
  assertStringIncludes(e.message, "Unable to detect an APC Smart protocol UPS on port /dev/ttyS0");
  assertEquals(none.dev.received.filter((r) => r === "Y").length, 3);
  const u = start();
  await u.drv.initups();
  await u.drv.initinfo();
  await u.drv.updateinfo();
  u.silent.on = true;
  await u.drv.updateinfo();
  await u.drv.updateinfo();
  assert((await errorOf(() => u.drv.updateinfo())) instanceof DeviceError);
  u.silent.on = false;
  await u.drv.reconnect();
  await u.drv.updateinfo();
  assert(!u.state.stale);
  assertStringIncludes(u.log.lines.join("\n"), "Communications with the UPS re-established");
});
