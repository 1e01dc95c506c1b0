/**
 * Parsing each protocol's replies with the tables: the fixture transcripts
 * of real units (skipped with a message when the fixtures are absent) and
 * our own samples. Expected values are what NUT publishes for these
 * replies (checked against Debian's nutdrv_qx 2.8.0 on the same bytes, see
 * interop_test.ts).
 */

import { assert, assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { QxEngine } from "../../../lib/drivers/nutdrv_qx/engine.ts";
import type { QxLink } from "../../../lib/drivers/nutdrv_qx/link.ts";
import type { QxProtocol } from "../../../lib/drivers/nutdrv_qx/items.ts";
import {
  MEGATEC,
  MUSTEK,
  Q1,
  VOLTRONIC,
  VOLTRONIC_QS,
} from "../../../lib/drivers/nutdrv_qx/protocols.ts";
import { identity } from "../../../lib/sim/qx_device.ts";
import { testContext, transcript } from "./helpers.ts";

/** A link answering from fixed replies (CR added); unknown requests get `unknown`. */
function mapLink(replies: Record<string, string>, unknown: string | null = null): QxLink {
  return {
    exchange: (req) => Promise.resolve(req in replies ? replies[req] + "\r" : unknown),
  };
}

/** First reply per request of a fixture transcript, without CR. */
function firstReplies(name: string): Record<string, string> | undefined {
  const t = transcript(name);
  if (!t) return undefined;
  const out: Record<string, string> = {};
  for (const [req, list] of t) {
    const r = list.find((x) => x !== null);
    if (r) out[req] = r.replace(/\r$/, "");
  }
  return out;
}

async function read(
  protocol: QxProtocol,
  replies: Record<string, string>,
  settings: Record<string, string | true> = {},
  unknown: string | null = null,
) {
  const t = testContext(settings);
  const claim = await QxEngine.claim(t.ctx, mapLink(replies, unknown), protocol);
  const engine = new QxEngine(t.ctx, mapLink(replies, unknown), protocol);
  engine.voltronicProtocol = claim.engine?.voltronicProtocol;
  await engine.init();
  const why = await engine.poll();
  return { ...t, claimed: claim.engine !== undefined, why: claim.why, pollProblem: why };
}

Deno.test("replies: the spec's worked Q1 example", async () => {
  const r = await read(Q1, { Q1: "(215.0 195.0 230.0 014 49.0 22.7 30.0 00000000" });
  const d = r.dump();
  assertEquals(
    [d["input.voltage"], d["input.voltage.fault"], d["output.voltage"], d["ups.load"]],
    ["215.0", "195.0", "230.0", "14"],
  );
  assertEquals([d["input.frequency"], d["battery.voltage"], d["ups.temperature"]], [
    "49.0",
    "22.70",
    "30.0",
  ]);
  assertEquals([d["ups.status"], d["ups.type"], d["ups.beeper.status"]], [
    "OL",
    "online",
    "disabled",
  ]);
});

Deno.test("replies: Megatec MEC0003 unit (fixture): degenerate F and empty identity", async () => {
  const replies = firstReplies("megatec_q1_mec0003_usb_stringdesc.txt");
  if (!replies) return;
  const r = await read(MEGATEC, replies);
  assert(r.claimed, r.why);
  const d = r.dump();
  assertEquals(d["input.voltage"], "232.0");
  assertEquals(d["ups.status"], "OL");
  assertEquals(d["ups.type"], "offline / line interactive");
  assertEquals(d["ups.beeper.status"], "disabled");
  // "#   .   .  12.00   . ": blanks read as 0, as NUT does
  assertEquals(
    [d["input.voltage.nominal"], d["input.current.nominal"], d["battery.voltage.nominal"]],
    ["0", "0.0", "12.0"],
  );
  assertEquals(d["input.frequency.nominal"], "0");
  // identity: only the firmware is filled
  assertEquals(d["ups.firmware"], "V3.8");
  assertEquals([d["device.mfr"], d["device.model"]], [undefined, undefined]);
  assertEquals(
    [d["battery.voltage.low"], d["battery.voltage.high"], d["battery.charge"]],
    ["10.40", "13.00", "100"],
  );
  // the raw-bytes capture of the same family: 24 V battery, 29 % load
  const r2 = await read(Q1, { Q1: "(226.0 000.0 227.0 029 49.9 27.1 29.0 00001000" });
  assertEquals([r2.dump()["ups.load"], r2.dump()["battery.voltage"]], ["29", "27.10"]);
});

Deno.test("replies: Voltronic Orion DC3000RT (fixture): QGS family", async () => {
  const replies = firstReplies("voltronic_qgs_orion_dc3000rt_serial.txt");
  if (!replies) return;
  // real Voltronic firmware answers unknown queries with (NAK
  const r = await read(VOLTRONIC, replies, {}, "(NAK\r");
  assert(r.claimed, r.why);
  const d = r.dump();
  const expect: Record<string, string> = {
    "input.voltage": "220.2",
    "input.frequency": "50.0",
    "output.voltage": "220.0",
    "output.current": "27.0",
    "ups.load": "100",
    "battery.voltage": "241.00",
    "ups.temperature": "45.0",
    "ups.type": "online",
    "ups.status": "ALARM OL BYPASS",
    "ups.alarm": "UPS Fault!",
    "ups.firmware.aux": "P01",
    "ups.firmware": "01213.00",
    "device.model": "3000",
    "ups.power.nominal": "3000",
    "output.powerfactor": "0.8",
    "input.phases": "1",
    "output.phases": "1",
    "input.voltage.nominal": "120.0",
    "output.voltage.nominal": "120.0",
    "output.current.nominal": "25",
    "battery.voltage.nominal": "72.0",
    "output.frequency.nominal": "60.0",
    "battery.packs": "1",
    "battery.charge": "91",
    "battery.runtime": "20520",
    "ups.start.auto": "yes",
    "battery.protection": "yes",
    "battery.energysave": "no",
    "ups.start.battery": "yes",
    "outlet.0.switchable": "no",
    "ups.beeper.status": "enabled",
    "input.transfer.high": "130",
    "input.transfer.low": "114",
    "input.transfer.high.min": "123",
    "input.transfer.high.max": "132",
    "input.transfer.low.min": "108",
    "input.transfer.low.max": "117",
  };
  for (const [k, v] of Object.entries(expect)) assertEquals(d[k], v, k);
  // all-zero serial: not published, said once
  assertEquals(d["device.serial"], undefined);
  assertStringIncludes(r.log.lines.join("\n"), "non-significant serial [00000000000000]");
  // device settings are logged, with their settable ranges
  const log = r.log.lines.join("\n");
  for (
    const line of [
      "bypass_alarm: enabled",
      "eco_mode: disabled",
      "site_fault_detection: enabled",
      "max_bypass_volt: 130",
      "max_bypass_volt, settable range: 120..140",
      "min_bypass_freq, settable range: 50.0..59.0",
      "battery_number: 6",
    ]
  ) assertStringIncludes(log, line);
  // the second QGS capture: bus voltages ---.- are not mapped, battery 82.1 V
  const r2 = await read(
    VOLTRONIC,
    {
      ...replies,
      QGS: "(122.4 60.0 122.2 60.0 000.0 000 169.0 169.2 082.1 ---.- 016.5 100010000001",
    },
    {},
    "(NAK\r",
  );
  assertEquals([r2.dump()["battery.voltage"], r2.dump()["ups.status"]], ["82.10", "OL BYPASS"]);
});

Deno.test("replies: Voltronic-QS unit (fixture): M, QS, F", async () => {
  const replies = firstReplies("voltronic_qs_0665-5161_usbhid.txt");
  if (!replies) return;
  const r = await read(VOLTRONIC_QS, replies);
  assert(r.claimed, r.why);
  const d = r.dump();
  assertEquals(d["ups.firmware.aux"], "PM-H");
  assertEquals(
    [d["input.voltage"], d["input.voltage.fault"], d["output.voltage"], d["output.frequency"]],
    ["228.6", "228.7", "228.6", "50.0"],
  );
  // "--.-": no temperature sensor; not published, reported once
  assertEquals(d["ups.temperature"], undefined);
  assertStringIncludes(r.log.lines.join("\n"), "non numerical value");
  assertEquals(
    [d["output.voltage.nominal"], d["output.current.nominal"], d["battery.voltage.nominal"]],
    ["230", "3.0", "12.0"],
  );
  assertEquals([d["ups.status"], d["ups.type"]], ["OL", "offline / line interactive"]);
  assertEquals(d["ups.delay.start"], "180");
  assertEquals(r.state.tree.getVar("ups.delay.shutdown")?.ranges, [{ min: 12, max: 540 }]);
});

Deno.test("replies: Mustek QS with identity; the 'IC' identity layout carries a serial", async () => {
  const r = await read(MUSTEK, {
    QS: "(226.5 226.5 226.5 021 50.0 27.2 29.5 00001001",
    F: "#230.0 005 24.00 50.0",
    I: identity("MUSTEK", "PM-1000", "V2.05"),
  });
  const d = r.dump();
  assertEquals([d["device.mfr"], d["device.model"], d["ups.firmware"]], [
    "MUSTEK",
    "PM-1000",
    "V2.05",
  ]);
  assertEquals([d["input.voltage.nominal"], d["input.frequency.nominal"]], ["230", "50"]);
  const ic = await read(MEGATEC, {
    Q1: "(229.8 229.8 229.8 012 50.0 27.3 31.0 00001001",
    I: "#ACME   A1B2C3D4 M100000600 V1.0      ",
  });
  const di = ic.dump();
  assertEquals(
    [di["device.mfr"], di["device.serial"], di["device.model"], di["ups.firmware"]],
    ["ACME", "A1B2C3D4", "M1000", "V1.0"],
  );
});

Deno.test("replies: echoes, short and mis-led replies do not claim a unit", async () => {
  const r = await read(VOLTRONIC, { QGS: "QGS", QPI: "QPI" });
  assert(!r.claimed);
  assertStringIncludes(r.why, "QGS: short reply");
  const m = await read(MEGATEC, { Q1: "(229.8 229.8 229.8 012 50.0 27.3 31.0 00001001", I: "I" });
  assert(!m.claimed, "Megatec needs a full I reply");
  const mn = await read(MEGATEC, { Q1: "(229.8 229.8 229.8 012 50.0 27.3 31.0 00001001" }, {
    novendor: true,
  });
  assert(mn.claimed, "unless novendor");
  const q = await read(Q1, { Q1: "#229.8 229.8 229.8 012 50.0 27.3 31.0 00001001" });
  assert(!q.claimed);
  assertStringIncludes(q.why, "should start with '('");
});
