/**
 * genericups: contact-closure ("dumb") UPSes on a serial port. No data
 * protocol: the UPS drives the modem input lines (CTS, DCD, RNG, DSR), the
 * host powers the cable with DTR/RTS and asks for a shutdown by setting a
 * line pattern or sending a BREAK. The types are a table (upstypes.ts).
 *
 * @module
 */

import {
  DeviceError,
  type DriverContext,
  DriverExit,
  type DriverInfo,
  type DriverInstance,
} from "../../driver/types.ts";
import {
  openSerial,
  SerialError,
  SerialOpenError,
  type SerialPort,
} from "../../transport/serial.ts";
import { type Config, configure, SignalError, statusTokens } from "./signals.ts";
import { typeLine, UPS_TYPES } from "./upstypes.ts";

export const GENERICUPS_VERSION = "1.38";

/** tcsendbreak argument NUT uses: about 5 seconds on Linux. */
export const BREAK_DURATION = 4901;

export interface GenericUpsOptions {
  open?: (path: string) => SerialPort;
}

export class GenericUps implements DriverInstance {
  cfg: Config | undefined;
  #port: SerialPort | undefined;
  readonly #open: (path: string) => SerialPort;

  constructor(readonly ctx: DriverContext, opts: GenericUpsOptions = {}) {
    this.#open = opts.open ?? ((p) => openSerial(p));
  }

  #openPort(): SerialPort {
    const cfg = this.cfg!;
    let port: SerialPort;
    try {
      port = this.#open(this.ctx.port);
    } catch (e) {
      if (e instanceof SerialOpenError) {
        throw new DriverExit(1, e.message + "\n\nFatal error: unusable configuration");
      }
      throw e;
    }
    if (!port.setOutputLines(cfg.cablePower)) {
      port.close();
      throw new DriverExit(
        1,
        `${this.ctx.port} has no modem control lines (TIOCMSET failed): a contact-closure UPS needs a real serial port`,
      );
    }
    return port;
  }

  initups(): void {
    try {
      this.cfg = configure((n) => this.ctx.getval(n));
    } catch (e) {
      if (e instanceof SignalError) throw new DriverExit(1, e.message);
      throw e;
    }
    this.ctx.log.info(`UPS type: ${this.cfg.mfr} ${this.cfg.model}`);
    this.#port = this.#openPort();
  }

  initinfo(): void {
    const { state } = this.ctx;
    const cfg = this.cfg!;
    state.setInfo("ups.mfr", cfg.mfr);
    state.setInfo("ups.model", cfg.model);
    const serial = this.ctx.getval("serial");
    if (serial !== undefined) state.setInfo("ups.serial", serial);
  }

  updateinfo(): void {
    const { ctx } = this;
    let lines;
    try {
      lines = this.#port!.modemLines();
    } catch (e) {
      if (e instanceof SerialError) throw new DeviceError(e.message, { cause: e });
      throw e;
    }
    if (!lines) throw new DeviceError(`${ctx.port}: cannot read the modem lines (TIOCMGET failed)`);
    ctx.status.init();
    ctx.status.set(statusTokens(this.cfg!, lines).join(" "));
    ctx.commitStatus();
    ctx.state.dataOk();
  }

  reconnect(): void {
    try {
      this.#port?.close();
    } catch {
      // gone already
    }
    try {
      this.#port = this.#openPort();
    } catch (e) {
      throw new DeviceError((e as Error).message.split("\n")[0], { cause: e });
    }
  }

  async shutdown(): Promise<void> {
    const { ctx } = this;
    const sd = this.cfg!.shutdown;
    if (sd === "unknown") {
      throw new DriverExit(
        1,
        `No shutdown command defined for this model (upstype ${this.cfg!.upstype})!`,
      );
    }
    const port = this.#port!;
    if (sd.brk) {
      ctx.log.info("Sending BREAK to shut the UPS down");
      await port.sendBreak(BREAK_DURATION);
    } else {
      ctx.log.info(
        `Setting the shutdown pattern: DTR ${sd.dtr ? "on" : "off"}, RTS ${sd.rts ? "on" : "off"}`,
      );
      if (!port.setOutputLines(sd)) {
        throw new DriverExit(1, "Shutdown failed: cannot set the modem lines");
      }
    }
    const hold = Number(ctx.getval("sdtime") ?? 0);
    if (hold > 0) {
      ctx.log.info(`Holding the shutdown signal for ${hold} seconds`);
      await ctx.sleep(hold * 1000);
    }
  }

  cleanup(): void {
    this.#port?.close();
  }
}

export const genericups: DriverInfo = {
  name: "genericups",
  desc: "Generic contact-closure UPS driver",
  version: GENERICUPS_VERSION,
  vars: [
    { name: "upstype", desc: "Set UPS type (required)" },
    { name: "mfr", desc: "Override manufacturer name" },
    { name: "model", desc: "Override model name" },
    { name: "serial", desc: "Specify the serial number" },
    { name: "CP", desc: "Override cable power setting" },
    { name: "OL", desc: "Override on line signal" },
    { name: "LB", desc: "Override low battery signal" },
    { name: "RB", desc: "Override replace battery signal" },
    { name: "BYPASS", desc: "Override battery bypass signal" },
    { name: "SD", desc: "Override shutdown setting" },
    { name: "sdtime", desc: "Hold time for shutdown value (seconds)" },
  ],
  create: (ctx) => new GenericUps(ctx),
};

/** The list of types, for help texts and the man page. */
export function typeList(): string {
  return UPS_TYPES.map((_, i) => typeLine(i)).join("\n");
}
