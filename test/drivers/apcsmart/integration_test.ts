/**
 * apcsmart as a program (bin/apcsmart) on a pty with a simulated Smart-UPS,
 * under our upsd, read with bin/upsc: variables, an alert turning the status
 * to OB before the next poll, LB, the power-cut interlock and doubled
 * commands as bytes on the line, settings through upsrw, a silent unit
 * going stale and coming back.
 */

import { assert, assertEquals, assertStringIncludes } from "../../helpers/assert.ts";
import { waitFor } from "../../helpers/nut.ts";
import { ApcDevice } from "../../../lib/sim/apc_device.ts";
import { parseUpsc, startSerialStack } from "../nutdrv_qx/qx_stack.ts";

/** What the driver reads on its own (polls, the hourly scan), as opposed to commands. */
const POLLED = "QPXLF9GMNOfBjE\x01rpcsluoxegqknmbY";

Deno.test({
  name: "integration: apcsmart under upsd: alerts, commands on the wire, settings, stale and back",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const s = await startSerialStack(new ApcDevice(), { driver: "apcsmart" });
    try {
      const vars = parseUpsc((await s.upsc()).stdout);
      assertEquals(vars["driver.name"], "apcsmart");
      assertEquals([vars["ups.mfr"], vars["ups.model"], vars["device.serial"]], [
        "APC",
        "Smart-UPS 1500",
        "AS0123456789",
      ]);
      assertEquals(vars["ups.status"], "OL");
      assertEquals(vars["battery.runtime"], "2520");

      s.device.set({ mains: false });
      await waitFor(async () => (await s.value("ups.status")) === "OB", 10000, "OB");
      s.device.set({ lowBattery: true });
      await waitFor(async () => (await s.value("ups.status")) === "OB LB", 10000, "OB LB");
      s.device.set({ mains: true, lowBattery: false });
      await waitFor(async () => (await s.value("ups.status")) === "OL", 10000, "OL");

      const wire = async (cmd: string) => {
        const before = s.device.received.length;
        const r = await s.upscmd(cmd);
        assertEquals(r.code, 0, r.stderr);
        // what the driver sent besides its polling
        return s.device.received.slice(before).filter((c) => !POLLED.includes(c));
      };
      assertEquals(await wire("test.battery.start"), ["W"]);
      assertEquals(await wire("load.off"), [], "first request: only remembered");
      await new Promise((r) => setTimeout(r, 3200));
      assertEquals(await wire("load.off"), ["Z", "Z"], "confirmed: Z twice");
      assertEquals(await wire("load.on"), ["\x0e", "\x0e"]);

      assertEquals((await s.upsrw("input.sensitivity=M")).code, 0);
      assertEquals(await s.value("input.sensitivity"), "M");
      assertEquals(s.device.settings.s.value, "M");
      assertEquals((await s.upsrw("ups.id=rack-7")).code, 0);
      assertEquals(s.device.settings.c.value, "rack-7  ");

      s.sim.mode = "silent";
      await waitFor(
        async () => (await s.value("ups.status")).includes("Data stale"),
        30000,
        "stale",
      );
      s.sim.mode = "normal";
      await waitFor(async () => (await s.value("ups.status")) === "OL", 40000, "fresh again");
      await s.driver.stop();
      assertStringIncludes(s.driver.stderr, "Communications with the UPS lost");
      assert(s.driver.stderr.includes("re-established"), s.driver.stderr);
    } finally {
      await s.stop();
    }
  },
});
