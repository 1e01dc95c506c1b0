/**
 * The nutdrv_qx / blazer_ser instance over a fake serial port: protocol
 * autodetection and its errors, cable power on DTR/RTS, a unit that stops
 * answering (stale via DeviceError after three polls, fresh again without a
 * restart), a port that vanishes and comes back (reconnect), and `-k`.
 */

import { assert, assertEquals, assertMatch, assertStringIncludes } from "../../helpers/assert.ts";
import { DeviceError, DriverExit } from "../../../lib/driver/types.ts";
import { MAX_FAILED_POLLS, QxDriver } from "../../../lib/drivers/nutdrv_qx/driver.ts";
import { PROTOCOLS } from "../../../lib/drivers/nutdrv_qx/protocols.ts";
import { BLAZER_PROTOCOLS } from "../../../lib/drivers/blazer/driver.ts";
import { FakeSerialPort } from "../../../lib/transport/fake_serial.ts";
import { SerialOpenError } from "../../../lib/transport/serial.ts";
import type { QxFamily } from "../../../lib/sim/qx_device.ts";
import { device, devicePort, testContext } from "./helpers.ts";

function driverFor(
  family: QxFamily | "none",
  settings: Record<string, string | true> = {},
  legacy = false,
) {
  const dev = device({ family: family === "none" ? "megatec" : family });
  const ports: Array<ReturnType<typeof devicePort>> = [];
  let openError: Error | undefined;
  const t = testContext(settings);
  const drv = new QxDriver(t.ctx, {
    protocols: legacy ? BLAZER_PROTOCOLS : PROTOCOLS,
    legacy,
    timeoutMs: 30,
    open: (path) => {
      if (openError) throw openError;
      const p = family === "none"
        ? devicePort(device({ family: "megatec", unknown: "silent" }), path)
        : devicePort(dev, path);
      if (family === "none") p.silent = true;
      ports.push(p);
      return p;
    },
  });
  return {
    dev,
    drv,
    ports,
    ...t,
    failOpen(e: Error | undefined) {
      openError = e;
    },
  };
}

async function errorOf(fn: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

Deno.test("driver: autodetection picks each unit's protocol and says which", async () => {
  const expected: Array<[QxFamily, string]> = [
    ["voltronic", "Using protocol: Voltronic 0.06"],
    ["voltronic-qs", "Using protocol: Voltronic-QS 0.07"],
    ["mustek", "Using protocol: Mustek 0.07"],
    ["mecer", "Using protocol: Mecer 0.07"],
    ["megatec", "Using protocol: Megatec 0.06"],
    ["q1", "Using protocol: Q1 0.07"],
  ];
  for (const [family, line] of expected) {
    const u = driverFor(family);
    await u.drv.initups();
    assertStringIncludes(u.log.lines.join("\n"), line, family);
    u.drv.cleanup();
  }
  // protocol = skips the others
  const u = driverFor("megatec", { protocol: "megatec" });
  await u.drv.initups();
  assertEquals(u.dev.received[0], "Q1");
});

Deno.test("driver: no unit answering: a clear error naming what was tried", async () => {
  const u = driverFor("none");
  const e = await errorOf(() => u.drv.initups());
  assert(e instanceof DriverExit);
  assertEquals(e.code, 1);
  assertStringIncludes(e.message, "No supported UPS detected on /dev/ttyS0");
  for (const p of PROTOCOLS) assertStringIncludes(e.message, `${p.name} (`);
  assertStringIncludes(e.message, "QGS: no reply");
  const bad = driverFor("megatec", { protocol: "nosuch" });
  const e2 = await errorOf(() => bad.drv.initups());
  assert(e2 instanceof DriverExit);
  assertMatch(e2.message, /Invalid protocol \[nosuch\].*megatec/);
});

Deno.test("driver: cable power sets DTR/RTS; port = auto and open failures are fatal with reasons", async () => {
  const u = driverFor("megatec", { cablepower: "reverse" });
  await u.drv.initups();
  assertEquals(u.ports[0].lines.dtr, false);
  assertEquals(u.ports[0].lines.rts, true);
  const n = driverFor("megatec");
  await n.drv.initups();
  assertEquals(
    [n.ports[0].lines.dtr, n.ports[0].lines.rts],
    [true, false],
    "normal: DTR on, RTS off",
  );
  const bad = driverFor("megatec", { cablepower: "sideways" });
  assertMatch(
    String(await errorOf(() => bad.drv.initups())),
    /Invalid cablepower value \[sideways\]/,
  );
  const auto = testContext({}, "auto");
  const a = new QxDriver(auto.ctx, { protocols: PROTOCOLS });
  assertMatch(String(await errorOf(() => a.initups())), /port = auto \(USB\) is not supported/);
  const f = driverFor("megatec");
  f.failOpen(
    new SerialOpenError("Unable to open /dev/ttyS0: Permission denied", "/dev/ttyS0", "EACCES"),
  );
  const e = await errorOf(() => f.drv.initups());
  assert(e instanceof DriverExit);
  assertStringIncludes(e.message, "Permission denied");
  assertStringIncludes(e.message, "unusable configuration");
});

Deno.test("driver: a silent unit goes stale after three polls and comes back without a restart", async () => {
  const u = driverFor("megatec");
  await u.drv.initups();
  await u.drv.initinfo();
  await u.drv.updateinfo();
  assert(!u.state.stale);
  u.ports[0].silent = true;
  for (let i = 1; i < MAX_FAILED_POLLS; i++) {
    await u.drv.updateinfo(); // tolerated: a glitch
    assert(!u.state.stale);
  }
  const e = await errorOf(() => u.drv.updateinfo());
  assert(e instanceof DeviceError, `got ${e}`);
  assertStringIncludes(
    u.log.lines.join("\n"),
    "Communications with the UPS lost: status read failed!",
  );
  u.state.dataStale(); // what the core does on DeviceError
  // the core reconnects; still silent: the next poll fails again
  u.drv.reconnect();
  assert(u.ports[0].closed && u.ports.length === 2, "the port was re-opened");
  u.ports[1].silent = true;
  assert((await errorOf(() => u.drv.updateinfo())) instanceof DeviceError);
  // the unit answers again
  u.ports[1].silent = false;
  u.dev.set({ mains: false });
  await u.drv.updateinfo();
  assert(!u.state.stale, "fresh again");
  assertEquals(u.state.getInfo("ups.status"), "OB");
  assertStringIncludes(u.log.lines.join("\n"), "Communications with the UPS re-established");
});

Deno.test("driver: a vanished port is a DeviceError at once; reconnect waits for it", async () => {
  const u = driverFor("voltronic");
  await u.drv.initups();
  await u.drv.initinfo();
  await u.drv.updateinfo();
  u.ports[0].vanish();
  const e = await errorOf(() => u.drv.updateinfo());
  assert(e instanceof DeviceError);
  assertStringIncludes(e.message, "/dev/ttyS0");
  u.failOpen(
    new SerialOpenError(
      "Unable to open /dev/ttyS0: No such file or directory",
      "/dev/ttyS0",
      "ENOENT",
    ),
  );
  assert((await errorOf(() => u.drv.reconnect())) instanceof DeviceError, "still gone");
  u.failOpen(undefined);
  u.drv.reconnect();
  await u.drv.updateinfo();
  assertEquals(u.state.getInfo("ups.status"), "OL");
  // commands while the port is gone fail cleanly (tracking code 3)
  u.ports.at(-1)!.vanish();
  assertEquals(await u.drv.instcmd("beeper.enable", undefined), 3);
});

Deno.test("driver: -k cancels a pending shutdown, then shutdown.return with the configured delays", async () => {
  const u = driverFor("megatec", { ondelay: "600", offdelay: "120" });
  await u.drv.initups();
  u.dev.received.length = 0;
  await u.drv.shutdown();
  assertEquals(u.dev.received, ["C", "S02R0010"]);
  assertStringIncludes(u.log.lines.join("\n"), "Shutting down in 120 seconds");
  const s = driverFor("megatec", { stayoff: true });
  await s.drv.initups();
  s.dev.received.length = 0;
  await s.drv.shutdown();
  assertEquals(s.dev.received, ["C", "S.5R0000"]);
  const v = driverFor("voltronic");
  await v.drv.initups();
  v.dev.received.length = 0;
  await v.drv.shutdown();
  assertEquals(v.dev.received, ["CS", "S.5R0003"]);
});

Deno.test("driver: blazer_ser conventions (minutes for ondelay and tests, ups.* identity)", async () => {
  const u = driverFor("megatec", { ondelay: "5", offdelay: "45" }, true);
  await u.drv.initups();
  await u.drv.initinfo();
  await u.drv.updateinfo();
  const get = (n: string) => u.state.getInfo(n);
  assertEquals([get("ups.delay.start"), get("ups.delay.shutdown")], ["300", "45"]);
  assertEquals([get("ups.mfr"), get("ups.model"), get("ups.firmware")], [
    "NUTDENO",
    "SIM-1000VA",
    "V1.2",
  ]);
  assertEquals(get("driver.version.data"), undefined);
  assertEquals(u.state.tree.getVar("ups.delay.start")!.flags & 1, 0, "not settable");
  u.dev.received.length = 0;
  await u.drv.instcmd("shutdown.return", undefined);
  await u.drv.instcmd("test.battery.start", "3");
  await u.drv.instcmd("test.battery.start", undefined);
  assertEquals(await u.drv.instcmd("test.battery.start", "120"), 2);
  assertEquals(u.dev.received, ["S.7R0005", "T03", "T10"]);
});

Deno.test("driver: fake ports without modem lines still work (ptys)", async () => {
  const dev = device({ family: "q1" });
  const t = testContext();
  const drv = new QxDriver(t.ctx, {
    protocols: PROTOCOLS,
    timeoutMs: 30,
    open: (path) => {
      const p = devicePort(dev, path);
      (p as FakeSerialPort).hasModemLines = false;
      return p;
    },
  });
  await drv.initups();
  assertStringIncludes(t.log.lines.join("\n"), "no modem control lines");
});
