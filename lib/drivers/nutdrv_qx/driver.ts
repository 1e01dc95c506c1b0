/**
 * nutdrv_qx for serial ports: opens the port (2400 8N1, cable power on
 * DTR/RTS), finds the protocol the unit speaks (or takes `protocol =`),
 * then lets the engine poll it. The same instance serves blazer_ser
 * (lib/drivers/blazer) with its legacy options.
 *
 * When the unit stops answering (three polls in a row without a usable
 * status reply) or the port vanishes, updateinfo() throws DeviceError: the
 * core marks the data stale and calls reconnect(), which re-opens the port;
 * the first good poll makes the data fresh again.
 *
 * @module
 */

import {
  DeviceError,
  type DriverContext,
  DriverExit,
  type DriverInfo,
  type DriverInstance,
  type DriverOption,
} from "../../driver/types.ts";
import {
  openSerial,
  SerialError,
  SerialOpenError,
  type SerialPort,
} from "../../transport/serial.ts";
import { FAILED, QxEngine } from "./engine.ts";
import type { QxProtocol } from "./items.ts";
import { SerialLink } from "./link.ts";
import { PROTOCOLS } from "./protocols.ts";

export const NUTDRV_QX_VERSION = "0.32";

/** Polls in a row without a usable status reply before the data goes stale. */
export const MAX_FAILED_POLLS = 3;

/** DTR / RTS patterns of the `cablepower` setting. */
export const CABLE_POWER: Readonly<Record<string, { dtr: boolean; rts: boolean }>> = {
  normal: { dtr: true, rts: false },
  reverse: { dtr: false, rts: true },
  both: { dtr: true, rts: true },
  none: { dtr: false, rts: false },
};

export interface QxDriverOptions {
  /** Protocols tried, in order. */
  protocols: readonly QxProtocol[];
  /** blazer_* behaviour (see EngineOptions.legacy). */
  legacy?: boolean;
  /** How the port is opened (tests pass a fake). */
  open?: (path: string) => SerialPort;
  /** Reply timeout (ms). */
  timeoutMs?: number;
}

export class QxDriver implements DriverInstance {
  #port: SerialPort | undefined;
  #link: SerialLink | undefined;
  engine: QxEngine | undefined;
  #failures = 0;
  readonly #open: (path: string) => SerialPort;

  constructor(readonly ctx: DriverContext, readonly opts: QxDriverOptions) {
    this.#open = opts.open ?? ((p) => openSerial(p));
  }

  get port(): SerialPort | undefined {
    return this.#port;
  }

  #openPort(): SerialPort {
    const { ctx } = this;
    if (ctx.port === "auto") {
      throw new DriverExit(
        1,
        "port = auto (USB) is not supported by this driver: it drives serial ports only " +
          "(e.g. port = /dev/ttyS0 or /dev/ttyUSB0)",
      );
    }
    let port: SerialPort;
    try {
      port = this.#open(ctx.port);
    } catch (e) {
      if (e instanceof SerialOpenError) {
        throw new DriverExit(1, e.message + "\n\nFatal error: unusable configuration");
      }
      throw e;
    }
    const cp = (ctx.getval("cablepower") ?? "normal").toLowerCase();
    const lines = CABLE_POWER[cp];
    if (!lines) {
      port.close();
      throw new DriverExit(
        1,
        `Invalid cablepower value [${cp}] (use ${Object.keys(CABLE_POWER).join(", ")})`,
      );
    }
    if (!port.setModemLines(lines)) {
      ctx.log.debug(1, `${port.path} has no modem control lines (a pty?): cablepower not applied`);
    }
    ctx.log.debug(1, `opened ${port.path}`);
    return port;
  }

  async initups(): Promise<void> {
    const { ctx } = this;
    this.#port = this.#openPort();
    this.#link = new SerialLink(this.#port, {
      timeoutMs: this.opts.timeoutMs,
      trace: (l) => ctx.log.debug(3, l),
    });
    const forced = ctx.getval("protocol");
    let candidates = this.opts.protocols;
    if (forced !== undefined) {
      candidates = candidates.filter((p) => p.name === forced.toLowerCase());
      if (candidates.length === 0) {
        throw new DriverExit(
          1,
          `Invalid protocol [${forced}]: this driver knows ${
            this.opts.protocols.map((p) => p.name).join(", ")
          }`,
        );
      }
    }
    const tried: string[] = [];
    for (const p of candidates) {
      ctx.log.debug(2, `Trying ${p.name} protocol...`);
      let r;
      try {
        r = await QxEngine.claim(ctx, this.#link, p);
      } catch (e) {
        if (e instanceof SerialError) throw new DriverExit(1, `Lost ${ctx.port}: ${e.message}`);
        throw e;
      }
      if (r.engine) {
        this.engine = new QxEngine(ctx, this.#link, p, {
          legacy: this.opts.legacy,
          pollFreq: pollFreq(ctx),
        });
        this.engine.voltronicProtocol = r.engine.voltronicProtocol;
        ctx.log.info(
          this.opts.legacy
            ? `Supported UPS detected with ${p.name} protocol`
            : `Using protocol: ${p.version}`,
        );
        return;
      }
      tried.push(`${p.name} (${r.why})`);
    }
    throw new DriverExit(
      1,
      `No supported UPS detected on ${ctx.port}. Protocols tried:\n  ${tried.join("\n  ")}\n` +
        "Check the cable and 'port =', or set 'protocol =' (see nutdrv_qx(8)).",
    );
  }

  async initinfo(): Promise<void> {
    try {
      await this.engine!.init();
    } catch (e) {
      if (e instanceof RangeError) throw new DriverExit(1, e.message);
      if (e instanceof SerialError) throw new DriverExit(1, `Lost ${this.ctx.port}: ${e.message}`);
      throw e;
    }
  }

  async updateinfo(): Promise<void> {
    const { ctx } = this;
    let why: string | undefined;
    try {
      why = await this.engine!.poll();
    } catch (e) {
      if (e instanceof SerialError) {
        this.#failures = MAX_FAILED_POLLS;
        throw new DeviceError(`${ctx.port}: ${e.message}`, { cause: e });
      }
      throw e;
    }
    if (why !== undefined) {
      this.#failures++;
      if (this.#failures < MAX_FAILED_POLLS) {
        ctx.log.warn(
          `Poll failed on ${ctx.port} (${this.#failures} of ${MAX_FAILED_POLLS}): ${why}`,
        );
        return;
      }
      if (this.#failures === MAX_FAILED_POLLS) {
        ctx.log.error(`Communications with the UPS lost: status read failed! (${why})`);
      }
      throw new DeviceError(`no usable status from the UPS on ${ctx.port}: ${why}`);
    }
    if (this.#failures >= MAX_FAILED_POLLS) {
      ctx.log.info("Communications with the UPS re-established");
    }
    this.#failures = 0;
    ctx.state.dataOk();
  }

  /** Re-open the port (after it vanished, or to reset the line of a silent unit). */
  reconnect(): void {
    try {
      this.#port?.close();
    } catch {
      // already gone
    }
    let port: SerialPort;
    try {
      port = this.#openPort();
    } catch (e) {
      const msg = e instanceof DriverExit ? e.message.split("\n")[0] : (e as Error).message;
      throw new DeviceError(msg, { cause: e });
    }
    this.#port = port;
    this.#link!.port = port;
  }

  async shutdown(): Promise<void> {
    const engine = this.engine!;
    const { log } = this.ctx;
    try {
      engine.loadDelays();
    } catch (e) {
      throw new DriverExit(1, (e as Error).message);
    }
    for (let i = 0; i < 3; i++) {
      if ((await engine.instcmd("shutdown.stop", undefined)) === 0) break;
    }
    const cmd = this.ctx.testvar("stayoff") ? "shutdown.stayoff" : "shutdown.return";
    if ((await engine.instcmd(cmd, undefined)) !== 0) throw new DriverExit(1, "Shutdown failed!");
    log.info(`Shutting down in ${engine.delay("ups.delay.shutdown")} seconds`);
  }

  async instcmd(cmd: string, param: string | undefined): Promise<number> {
    try {
      return await this.engine!.instcmd(cmd, param);
    } catch (e) {
      if (!(e instanceof SerialError)) throw e;
      this.ctx.log.warn(`instcmd: ${cmd}: ${e.message}`);
      return FAILED;
    }
  }

  async setvar(name: string, value: string): Promise<number> {
    try {
      return await this.engine!.setvar(name, value);
    } catch (e) {
      if (!(e instanceof SerialError)) throw e;
      this.ctx.log.warn(`setvar: ${name}: ${e.message}`);
      return FAILED;
    }
  }

  cleanup(): void {
    this.#port?.close();
  }
}

function pollFreq(ctx: DriverContext): number {
  const v = ctx.getval("pollfreq");
  if (v === undefined) return 30;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new DriverExit(1, `Invalid pollfreq value [${v}]`);
  return n;
}

const opt = (name: string, desc: string): DriverOption => ({ name, desc });

/** Settings nutdrv_qx accepts (NUT's names; USB ones are accepted but need `port = auto`). */
export const QX_VARS: readonly DriverOption[] = [
  opt("offdelay", "Set shutdown delay, in seconds (default=30)"),
  opt("ondelay", "Set startup delay, in seconds (default=180)"),
  opt("pollfreq", "Set polling frequency, in seconds, to reduce data flow (default=30)"),
  opt("protocol", "Preselect communication protocol (skip autodetection)"),
  opt("runtimecal", "Parameters used for runtime calculation"),
  opt("chargetime", "Nominal charge time for UPS battery"),
  opt("idleload", "Minimum load to be used for runtime calculation"),
  opt("cablepower", "Set cable power for serial interface"),
  opt("subdriver", "Serial-over-USB subdriver selection"),
  opt("vendor", "Regular expression to match UPS Manufacturer string"),
  opt("product", "Regular expression to match UPS Product string"),
  opt("serial", "Regular expression to match UPS Serial number"),
  opt(
    "vendorid",
    "Regular expression to match UPS Manufacturer numerical ID (4 digits hexadecimal)",
  ),
  opt("productid", "Regular expression to match UPS Product numerical ID (4 digits hexadecimal)"),
  opt("bus", "Regular expression to match USB bus name"),
  opt("device", "Regular expression to match USB device name"),
  opt("langid_fix", "Apply the language ID workaround to the krauler subdriver (0x409 or 0x4095)"),
  opt("bypass_alarm", "Alarm (BEEP!) at Bypass Mode [enabled/disabled]"),
  opt("battery_alarm", "Alarm (BEEP!) at Battery Mode [enabled/disabled]"),
  opt("bypass_when_off", "Bypass when the UPS is Off [enabled/disabled]"),
  opt("alarm_control", "Alarm (BEEP!) Control [enabled/disabled]"),
  opt("converter_mode", "Converter Mode [enabled/disabled]"),
  opt("eco_mode", "ECO Mode [enabled/disabled]"),
  opt("battery_open_status_check", "Battery Open Status Check [enabled/disabled]"),
  opt("bypass_forbidding", "Bypass not allowed (Bypass Forbidding) [enabled/disabled]"),
  opt("site_fault_detection", "Site fault detection [enabled/disabled]"),
  opt("advanced_eco_mode", "Advanced ECO Mode [enabled/disabled]"),
  opt(
    "constant_phase_angle",
    "Constant Phase Angle Function (Output and input phase angles are not equal) [enabled/disabled]",
  ),
  opt("limited_runtime_on_battery", "Limited runtime on battery mode [enabled/disabled]"),
  opt("max_bypass_volt", "Maximum voltage for Bypass Mode"),
  opt("min_bypass_volt", "Minimum voltage for Bypass Mode"),
  opt("max_bypass_freq", "Maximum frequency for Bypass Mode"),
  opt("min_bypass_freq", "Minimum frequency for Bypass Mode"),
  opt("work_range_type", "Device grid working range for P31 UPSes [Appliance/UPS]"),
  opt(
    "output_phase_angle",
    "Change output phase angle to the provided value [000, 120, 180, 240]°",
  ),
  opt("battery_number", "Set number of batteries that make a pack to n (integer, 1-9)"),
];

export const QX_FLAGS: readonly DriverOption[] = [
  opt("stayoff", "If invoked the UPS won't return after a shutdown when FSD arises"),
  opt("noscanlangid", "Don't autoscan valid range for langid"),
  opt("reset_to_default", "Reset capability options and their limits to safe default values"),
  opt("testing", "If invoked the driver will exec also commands that still need testing"),
  opt("ignoresab", "Ignore 'Shutdown Active' bit in UPS status"),
  opt("norating", "Skip reading rating information from UPS"),
  opt("novendor", "Skip reading vendor information from UPS"),
  opt(
    "battery_voltage_reports_one_pack",
    "Battery voltage reported by the UPS is for one pack: multiply by battery.packs",
  ),
];

export const nutdrvQx: DriverInfo = {
  name: "nutdrv_qx",
  desc: "Generic Q* Serial driver",
  version: NUTDRV_QX_VERSION,
  vars: QX_VARS,
  flags: QX_FLAGS,
  create: (ctx) => new QxDriver(ctx, { protocols: PROTOCOLS }),
};
