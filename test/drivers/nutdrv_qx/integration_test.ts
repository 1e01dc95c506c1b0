/**
 * nutdrv_qx and blazer_ser as programs (bin/ launchers, their sandbox) on a
 * pty where a simulated unit answers, served by our upsd and read with
 * bin/upsc: the variables a real unit gives, OL → OB → LB, instant commands
 * reaching the unit as the right bytes, settable delays, a silent unit
 * (stale, then fresh without a restart), garbage on the line, and a port
 * that vanishes and comes back.
 */

import { assert, assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { BIN, makeNutDir, run, waitFor } from "../../helpers/nut.ts";
import { QxDevice } from "../../../lib/sim/qx_device.ts";
import { SerialSimulator } from "../../../lib/sim/serial_sim.ts";
import { parseTranscript, replyTable } from "../../../lib/sim/transcripts.ts";
import { haveFile, SERIAL_FIXTURES } from "./helpers.ts";
import { parseUpsc, startQxStack } from "./qx_stack.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };
const MEC = `${SERIAL_FIXTURES}/megatec_q1_mec0003_usb_stringdesc.txt`;

Deno.test({
  name: "integration: nutdrv_qx on a Megatec unit: variables, transitions, commands, delays",
  ...opts,
  async fn() {
    const replies = haveFile(MEC)
      ? replyTable(parseTranscript(Deno.readTextFileSync(MEC)))
      : undefined;
    if (!replies) console.log(`${MEC} absent: the built-in Megatec model answers instead`);
    const s = await startQxStack({ family: "megatec", replies });
    try {
      const vars = parseUpsc((await s.upsc()).stdout);
      assertEquals(vars["driver.name"], "nutdrv_qx");
      assertEquals(vars["driver.version.data"], "Megatec 0.06");
      assertEquals(vars["ups.status"], "OL");
      assertEquals(vars["device.type"], "ups");
      for (
        const name of [
          "battery.charge",
          "battery.voltage",
          "battery.voltage.high",
          "battery.voltage.low",
          "battery.voltage.nominal",
          "input.frequency",
          "input.voltage",
          "input.voltage.fault",
          "output.voltage",
          "ups.beeper.status",
          "ups.delay.shutdown",
          "ups.delay.start",
          "ups.firmware",
          "ups.load",
          "ups.temperature",
          "ups.type",
        ]
      ) assert(name in vars, `${name} published`);
      if (replies) {
        assertEquals(
          [vars["input.voltage"], vars["battery.voltage"], vars["ups.firmware"], vars["ups.type"]],
          ["232.0", "13.60", "V3.8", "offline / line interactive"],
        );
      }

      // the mains go, then the battery runs low, then the mains return
      s.device.set({ mains: false, inputVoltage: 0 });
      await waitFor(async () => (await s.value("ups.status")) === "OB", 10000, "OB");
      s.device.set({ lowBattery: true, batteryVoltage: 10.9 });
      await waitFor(async () => (await s.value("ups.status")) === "OB LB", 10000, "OB LB");
      assertEquals(await s.value("battery.voltage"), "10.90");
      s.device.set({ mains: true, lowBattery: false, inputVoltage: 231, batteryVoltage: 13.5 });
      await waitFor(async () => (await s.value("ups.status")) === "OL", 10000, "OL again");

      // instant commands, as bytes on the line
      const sent = async (cmd: string, param?: string) => {
        const before = s.device.received.length;
        const r = await s.upscmd(cmd, param);
        assertEquals(r.code, 0, `${cmd}: ${r.stdout}${r.stderr}`);
        return s.device.received.slice(before).filter((q) => q !== "Q1");
      };
      assertEquals(await sent("test.battery.start.quick"), ["T"]);
      await waitFor(async () => (await s.value("ups.status")) === "OL CAL", 10000, "OL CAL");
      assertEquals(await sent("test.battery.stop"), ["CT"]);
      assertEquals(await sent("test.battery.start", "120"), ["T02"]);
      assertEquals(await sent("beeper.toggle"), ["Q"]);
      assertEquals(await sent("shutdown.return"), ["S.5R0003"]);
      await waitFor(async () => (await s.value("ups.status")).includes("FSD"), 10000, "FSD");
      assertEquals(await sent("shutdown.stop"), ["C"]);
      // a rejected parameter never reaches the unit
      const pre = s.device.received.length;
      const bad = await s.upscmd("test.battery.start", "5");
      assertStringIncludes(bad.stdout + bad.stderr, "INVALID-ARGUMENT");
      assertEquals(s.device.received.slice(pre).filter((q) => q !== "Q1"), []);
      // delays are settable, rounded like the unit counts them
      const w = await s.upsrw("ups.delay.shutdown=150");
      assertEquals(w.code, 0, w.stderr);
      assertEquals(await s.value("ups.delay.shutdown"), "120");
      await s.upsrw("ups.delay.start=600");
      assertEquals(await sent("shutdown.return"), ["S02R0010"]);
      assertEquals(await sent("shutdown.stayoff"), ["S02R0000"]);
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name:
    "integration: a silent unit goes stale and comes back fresh without a restart; garbage is logged",
  ...opts,
  async fn() {
    const s = await startQxStack({ family: "voltronic" });
    try {
      assertEquals(await s.value("ups.status"), "OL");
      s.sim.mode = "silent";
      await waitFor(
        async () => (await s.value("ups.status")).includes("Data stale"),
        30000,
        "stale",
      );
      s.sim.mode = "normal";
      s.device.set({ mains: false, inputVoltage: 0 });
      await waitFor(async () => (await s.value("ups.status")) === "OB", 40000, "fresh again, OB");
      const pid = s.driver.pid;
      // garbage on the line: logged, never published as a status
      s.sim.mode = "garbage";
      await new Promise((r) => setTimeout(r, 2500));
      const during = await s.value("ups.status");
      assert(during === "OB" || during.includes("Data stale"), `status during garbage: ${during}`);
      s.sim.mode = "normal";
      s.device.set({ mains: true, inputVoltage: 230 });
      await waitFor(async () => (await s.value("ups.status")) === "OL", 40000, "OL after garbage");
      assertEquals(s.driver.pid, pid, "same driver process");
      await s.driver.stop();
      assertStringIncludes(s.driver.stderr, "Communications with the UPS lost");
      assertStringIncludes(s.driver.stderr, "Communications with the UPS re-established");
      assertStringIncludes(s.driver.stderr, "QGS: short reply");
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "integration: the port vanishes (stale) and comes back behind its by-id link (fresh)",
  ...opts,
  async fn() {
    const s = await startQxStack({ family: "megatec" });
    try {
      const firstPty = s.sim.slavePath;
      await s.sim.vanish();
      await waitFor(
        async () => (await s.value("ups.status")).includes("Data stale"),
        20000,
        "stale",
      );
      s.sim.reappear();
      await waitFor(
        async () => (await s.value("ups.status")) === "OL",
        40000,
        "fresh on the new pty",
      );
      void firstPty; // the new pty's number may repeat the old one
      const pre = s.device.received.length;
      assertEquals((await s.upscmd("test.battery.start.quick")).code, 0);
      assert(s.device.received.slice(pre).includes("T"), "commands reach the new port");
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "integration: Voltronic unit: settings and commands through upsrw/upscmd",
  ...opts,
  async fn() {
    const s = await startQxStack({ family: "voltronic" });
    try {
      const vars = parseUpsc((await s.upsc()).stdout);
      assertEquals(vars["driver.version.data"], "Voltronic 0.06");
      assertEquals(vars["ups.firmware.aux"], "P01");
      assertEquals(vars["device.model"], "SIM-2KVA");
      assertEquals(vars["battery.charge"], "98");
      const before = s.device.received.length;
      assertEquals((await s.upscmd("beeper.disable")).code, 0);
      assertEquals((await s.upsrw("ups.start.auto=no")).code, 0);
      const sent = s.device.received.slice(before);
      assert(sent.includes("PDA") && sent.includes("PDR"), sent.join());
      await waitFor(
        async () => (await s.value("ups.beeper.status")) === "disabled",
        10000,
        "beeper",
      );
      assertEquals(await s.value("ups.start.auto"), "no");
      const refused = await s.upsrw("input.transfer.high=300");
      assertStringIncludes(refused.stdout + refused.stderr, "ERR", "outside the unit's range");
      assertEquals(await s.value("input.transfer.high"), "242");
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "integration: blazer_ser on a Megatec unit",
  ...opts,
  async fn() {
    const s = await startQxStack({
      family: "megatec",
      driver: "blazer_ser",
      conf: "\tondelay = 5\n",
    });
    try {
      const vars = parseUpsc((await s.upsc()).stdout);
      assertEquals(vars["driver.name"], "blazer_ser");
      assertEquals([vars["ups.mfr"], vars["device.mfr"], vars["ups.model"]], [
        "NUTDENO",
        "NUTDENO",
        "SIM-1000VA",
      ]);
      assertEquals(vars["ups.delay.start"], "300");
      const before = s.device.received.length;
      assertEquals((await s.upscmd("shutdown.return")).code, 0);
      assertEquals((await s.upscmd("test.battery.start", "3")).code, 0);
      const sent = s.device.received.slice(before).filter((q) => q !== "Q1");
      assertEquals(sent, ["S.5R0005", "T03"]);
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name:
    "integration: -k (upsdrvctl shutdown) cancels a pending countdown, then shuts down with return",
  ...opts,
  async fn() {
    const dir = await makeNutDir("qx-kill-");
    const device = new QxDevice({ family: "megatec" });
    const sim = SerialSimulator.start(device, { link: `${dir.root}/ttyUPS` });
    try {
      dir.write(
        "ups.conf",
        `[qx]\n\tdriver = nutdrv_qx\n\tport = ${sim.path}\n\toffdelay = 120\n\tondelay = 600\n`,
      );
      const env = { ...dir.env, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
      const r = await run(`${BIN}/nutdrv_qx`, ["-a", "qx", "-k"], env);
      assertEquals(r.code, 0, r.stderr);
      assertStringIncludes(r.stderr, "Shutting down in 120 seconds");
      const commands = device.received.filter((q) => !/^(Q1|F|I|QGS|M|QS|D|QPI)$/.test(q));
      assertEquals(commands, ["C", "S02R0010"]);
      assert(device.bit("shutdownActive"), "the unit counts down");
    } finally {
      await sim.stop();
      await dir.cleanup();
    }
  },
});
