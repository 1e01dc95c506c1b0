/**
 * blazer_ser: NUT's older driver for Megatec/Q1 units on serial ports. Same
 * wire protocol and engine as nutdrv_qx (lib/drivers/nutdrv_qx), with the
 * legacy conventions its users' configurations rely on:
 * - `ondelay` is in minutes (default 3), `offdelay` in seconds (default 30);
 * - `test.battery.start` takes minutes (1..99, default 10);
 * - identity is published as ups.mfr / ups.model / ups.firmware (empty
 *   strings included), no driver.version.data, delays are not settable;
 * - the battery voltage is always multiplied by the detected pack count.
 *
 * @module
 */

import type { DriverInfo, DriverOption } from "../../driver/types.ts";
import { QxDriver } from "../nutdrv_qx/driver.ts";
import type { QxProtocol } from "../nutdrv_qx/items.ts";
import { MEGATEC, MUSTEK } from "../nutdrv_qx/protocols.ts";

export const BLAZER_SER_VERSION = "1.58";

/** A Megatec-family table with blazer's command parameters and claim (status query only). */
function blazer(p: QxProtocol): QxProtocol {
  return {
    ...p,
    claim: { items: ["input.voltage"] },
    commands: p.commands.map((c) =>
      c.cmd === "test.battery.start" ? { ...c, testFormat: "blazer-minutes" as const } : c
    ),
  };
}

/** Autodetection order of blazer_ser for the protocols implemented here. */
export const BLAZER_PROTOCOLS: readonly QxProtocol[] = [blazer(MEGATEC), blazer(MUSTEK)];

const opt = (name: string, desc: string): DriverOption => ({ name, desc });

export const blazerSer: DriverInfo = {
  name: "blazer_ser",
  desc: "Megatec/Q1 protocol serial driver",
  version: BLAZER_SER_VERSION,
  vars: [
    opt("cablepower", "Set cable power for serial interface"),
    opt("ondelay", "Delay before UPS startup (minutes)"),
    opt("offdelay", "Delay before UPS shutdown (seconds)"),
    opt("runtimecal", "Parameters used for runtime calculation"),
    opt("chargetime", "Nominal charge time for UPS battery"),
    opt("idleload", "Minimum load to be used for runtime calculation"),
    opt("protocol", "Preselect communication protocol (skip autodetection)"),
  ],
  flags: [
    opt("norating", "Skip reading rating information from UPS"),
    opt("novendor", "Skip reading vendor information from UPS"),
  ],
  create: (ctx) => new QxDriver(ctx, { protocols: BLAZER_PROTOCOLS, legacy: true }),
};
