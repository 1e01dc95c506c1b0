/** genericups over a fake serial port with modem lines: cable power, status, shutdown patterns. */

import { assert, assertEquals, assertMatch } from "../../helpers/assert.ts";
import { DeviceError, DriverExit } from "../../../lib/driver/types.ts";
import { BREAK_DURATION, GenericUps } from "../../../lib/drivers/genericups/driver.ts";
import { FakeSerialPort } from "../../../lib/transport/fake_serial.ts";
import { testContext } from "../nutdrv_qx/helpers.ts";

function start(settings: Record<string, string>, modem = true) {
  const t = testContext(settings);
  const port = new FakeSerialPort("/dev/ttyS0");
  port.hasModemLines = modem;
  const drv = new GenericUps(t.ctx, { open: () => port });
  return { ...t, port, drv };
}

async function errorOf(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

Deno.test("genericups driver: cable power at start, status from the lines, identity", () => {
  const u = start({ upstype: "7", serial: "SN1" });
  u.drv.initups();
  assertEquals(u.port.lineLog, [{ dtr: false, rts: true }], "type 7 powers the cable with RTS");
  u.drv.initinfo();
  u.port.lines.cts = true; // type 7: on line while CTS is asserted,
  u.port.lines.dcd = true; // battery low while DCD is not
  u.drv.updateinfo();
  assertEquals(u.state.getInfo("ups.status"), "OL");
  assert(!u.state.stale);
  u.port.lines.cts = false;
  u.port.lines.dcd = false;
  u.drv.updateinfo();
  assertEquals(u.state.getInfo("ups.status"), "LB OB");
  assertEquals(
    [u.state.getInfo("ups.mfr"), u.state.getInfo("ups.model"), u.state.getInfo("ups.serial")],
    ["CyberPower", "Power99", "SN1"],
  );
  assertEquals(u.log.lines[0], "UPS type: CyberPower Power99");
});

Deno.test("genericups driver: shutdown sets exactly the pattern, or sends a BREAK, or refuses", async () => {
  const a = start({ upstype: "2" });
  a.drv.initups();
  await a.drv.shutdown();
  assertEquals(a.port.lineLog.at(-1), { dtr: true, rts: true });
  const b = start({ upstype: "11" });
  b.drv.initups();
  await b.drv.shutdown();
  assertEquals(b.port.breaks, 1);
  assert(BREAK_DURATION > 4000);
  const c = start({ upstype: "8" });
  c.drv.initups();
  const e = await errorOf(() => c.drv.shutdown());
  assert(e instanceof DriverExit);
  assertMatch(e.message, /No shutdown command defined/);
  const d = start({ upstype: "7", sdtime: "1" });
  d.drv.initups();
  const t0 = Date.now();
  await d.drv.shutdown();
  assert(Date.now() - t0 >= 900, "sdtime holds the pattern");
});

Deno.test("genericups driver: no modem lines (a pty) is fatal; a vanished port is a DeviceError", async () => {
  const p = start({ upstype: "1" }, false);
  const e = await errorOf(() => p.drv.initups());
  assert(e instanceof DriverExit);
  assertMatch(e.message, /no modem control lines/);
  const u = start({ upstype: "1" });
  u.drv.initups();
  u.port.vanish();
  assert((await errorOf(() => u.drv.updateinfo())) instanceof DeviceError);
  const m = start({});
  assert((await errorOf(() => m.drv.initups())) instanceof DriverExit);
});
