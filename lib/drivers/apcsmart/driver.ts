/**
 * apcsmart: APC Smart-UPS, Matrix-UPS and other units speaking the APC
 * Smart protocol on a serial port (hw-serial.md §3). Start-up: smart mode
 * (`Y` → `SM`), firmware (`V`, `b`), what the unit supports (`a`, or a
 * table for old firmware), its settable values (^Z); then every supported
 * variable is read once, the status register and the "poll" variables on
 * every poll, everything once an hour. Alerts the unit sends unasked update
 * the status at once.
 *
 * Safety: commands that cut the power (shutdown.return, shutdown.stayoff,
 * load.off) run only when a client asks twice, 3 to 15 seconds apart; the
 * unit itself wants some of them twice on the wire, 1.3 s apart.
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
import { FLAG_RW, FLAG_STRING } from "../../state/tree.ts";
import {
  openSerial,
  SerialError,
  SerialOpenError,
  type SerialPort,
} from "../../transport/serial.ts";
import { shown } from "../nutdrv_qx/link.ts";
import { ApcLink } from "./link.ts";
import {
  applyAlerts,
  checkShutdownOptions,
  convert,
  hibernateWire,
  parseCaps,
  parseCmdSet,
  shutdownPlan,
  statusTokens,
  toWire,
} from "./parse.ts";
import {
  ALERTS,
  APC_COMMANDS,
  APC_VARS,
  type ApcCommand,
  type ApcVar,
  COMPAT_CMDSETS,
  NEVER_PROBED,
  type ShutdownMethod,
} from "./tables.ts";

export const APCSMART_VERSION = "3.2";
export const ALT_CABLE = "940-0095B";
/** Polls in a row without a status before the data goes stale. */
export const MAX_FAILED_POLLS = 3;
/** Interlock window for power-cutting commands. */
export const CONFIRM_MIN_MS = 3000;
export const CONFIRM_MAX_MS = 15000;
/** Gap between the two copies of a doubled command. */
export const DOUBLE_SEND_MS = 1300;
/** Everything is read again this often. */
export const FULL_SCAN_MS = 3600_000;

export interface ApcSmartOptions {
  open?: (path: string) => SerialPort;
  timeoutMs?: number;
  /** Clock and sleeps (tests). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class ApcSmart implements DriverInstance {
  #port: SerialPort | undefined;
  link: ApcLink | undefined;
  /** Supported command characters. */
  cmdset = "";
  firmware = "";
  caps = new Map<string, string[]>();
  #status: string[] = [];
  #failures = 0;
  #lastFull = 0;
  #reread = false;
  #pendingConfirm: { cmd: string; at: number } | undefined;
  readonly #open: (path: string) => SerialPort;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(readonly ctx: DriverContext, readonly opts: ApcSmartOptions = {}) {
    this.#open = opts.open ?? ((p) => openSerial(p));
    this.#now = opts.now ?? Date.now;
    this.#sleep = opts.sleep ?? ((ms) => ctx.sleep(ms));
  }

  #openPort(): SerialPort {
    const { ctx } = this;
    let port: SerialPort;
    try {
      port = this.#open(ctx.port);
    } catch (e) {
      if (e instanceof SerialOpenError) {
        throw new DriverExit(1, e.message + "\n\nFatal error: unusable configuration");
      }
      throw e;
    }
    const cable = ctx.getval("cable");
    if (cable !== undefined && cable.toUpperCase() !== ALT_CABLE) {
      port.close();
      throw new DriverExit(
        1,
        `Invalid cable type [${cable}]: only ${ALT_CABLE} needs this setting`,
      );
    }
    // the 940-0095B cable is powered by DTR; the default cable by nothing
    if (cable !== undefined && !port.setModemLines({ dtr: true, rts: false })) {
      ctx.log.debug(1, `${port.path} has no modem control lines: cable setting not applied`);
    }
    return port;
  }

  #makeLink(port: SerialPort): ApcLink {
    return new ApcLink(port, {
      timeoutMs: this.opts.timeoutMs,
      onAlerts: (a) => this.#onAlerts(a),
      trace: (l) => this.ctx.log.debug(3, l),
    });
  }

  #onAlerts(alerts: string): void {
    if ([...alerts].some((c) => ALERTS[c]?.reread)) this.#reread = true;
    const next = applyAlerts(this.#status, alerts);
    if (next.join(" ") !== this.#status.join(" ")) {
      this.ctx.log.debug(1, `alerts ${shown(alerts)}: status ${next.join(" ")}`);
      this.#status = next;
      this.#publishStatus();
    }
  }

  #publishStatus(): void {
    const { status } = this.ctx;
    status.init();
    status.set(this.#status.join(" "));
    this.ctx.commitStatus();
  }

  /** `Y` until the unit says `SM`; ESC and a pause between tries. */
  async #smartMode(): Promise<boolean> {
    const link = this.link!;
    for (let i = 0; i < 3; i++) {
      const r = await link.command("Y");
      if (r === "SM") return true;
      await link.send("\x1b");
      await this.#sleep(i === 2 ? 0 : 1000);
    }
    return false;
  }

  async initups(): Promise<void> {
    const { ctx } = this;
    const bad = checkShutdownOptions({
      sdtype: ctx.getval("sdtype"),
      advorder: ctx.getval("advorder"),
      awd: ctx.getval("awd"),
      cshdelay: ctx.getval("cshdelay"),
    });
    if (bad) throw new DriverExit(1, `Error: ${bad}`);
    this.#port = this.#openPort();
    this.link = this.#makeLink(this.#port);
    try {
      if (!(await this.#smartMode())) {
        throw new DriverExit(
          1,
          `Unable to detect an APC Smart protocol UPS on port ${ctx.port}\n` +
            "Check the cabling, port name or model name and try again",
        );
      }
      await this.#identify();
    } catch (e) {
      if (e instanceof SerialError) throw new DriverExit(1, `Lost ${ctx.port}: ${e.message}`);
      throw e;
    }
  }

  /** Firmware, supported commands, capabilities. */
  async #identify(): Promise<void> {
    const link = this.link!;
    const ok = (r: string | null) => r !== null && r !== "" && r !== "NA";
    const old = await link.command("V");
    const fw = await link.command("b");
    this.firmware = ok(fw) ? fw! : ok(old) ? old! : "";
    const a = await link.command("a", { alerts: false });
    const parsed = ok(a) ? parseCmdSet(a!) : undefined;
    if (parsed) {
      this.cmdset = parsed.commands;
    } else {
      const key = ok(old) ? old! : this.firmware;
      this.cmdset = COMPAT_CMDSETS.find(([re]) => re.test(key))![1];
      this.ctx.log.info(
        `Unit does not list its commands: using the set for firmware ${key || "unknown"}`,
      );
    }
    if (this.cmdset.includes("\x1a")) {
      const z = await link.command("\x1a", { alerts: false });
      if (ok(z)) this.caps = parseCaps(z!, this.firmware.slice(-1));
    }
    // NUT 2.6 also published V as ups.firmware.old when b answered; 2.8.0 does not
  }

  #supported(v: ApcVar): boolean {
    return this.cmdset.includes(v.cmd) && !NEVER_PROBED.includes(v.cmd);
  }

  async #read(v: ApcVar): Promise<boolean> {
    const raw = await this.link!.command(v.cmd);
    if (raw === null) return false;
    const c = convert(v, raw);
    if (c) this.ctx.state.setInfo(c.name, c.value);
    return true;
  }

  async initinfo(): Promise<void> {
    const { state, log } = this.ctx;
    state.setInfo("ups.mfr", "APC");
    try {
      for (const v of APC_VARS) {
        if (!this.#supported(v)) continue;
        await this.#read(v);
        if (v.text && state.getInfo(v.name) !== undefined) {
          state.setFlags(v.name, FLAG_RW | FLAG_STRING);
          state.setAux(v.name, 8);
        }
        const choices = this.caps.get(v.cmd);
        if (choices && state.getInfo(v.name) !== undefined) {
          state.setFlags(v.name, FLAG_RW);
          for (const c of choices) {
            const conv = convert(v, c);
            if (conv) state.addEnum(v.name, conv.value);
          }
        }
      }
      if (this.firmware) state.setInfo("ups.firmware", this.firmware);
      if (state.getInfo("ups.model") === undefined) {
        state.setInfo("ups.model", /^[05]/.test(this.firmware) ? "Matrix-UPS" : "Smart-UPS");
      }
      for (const c of APC_COMMANDS) {
        if (this.cmdset.includes(c.char)) state.addCmd(c.cmd);
      }
      log.info(
        `Detected ${state.getInfo("ups.model")} [${
          state.getInfo("ups.serial") ?? "no serial"
        }] on ${this.ctx.port}`,
      );
      await this.#readStatus();
    } catch (e) {
      if (e instanceof SerialError) throw new DriverExit(1, `Lost ${this.ctx.port}: ${e.message}`);
      throw e;
    }
    this.#lastFull = this.#now();
  }

  /** `Q`: the status register; false when it did not answer sensibly. */
  async #readStatus(): Promise<boolean> {
    const r = await this.link!.command("Q");
    if (r === null || !/^[0-9A-Fa-f]{2}$/.test(r)) {
      if (r !== null) this.ctx.log.warn(`Q: invalid status register ${shown(r)}`);
      return false;
    }
    this.#status = statusTokens(parseInt(r, 16));
    this.#publishStatus();
    return true;
  }

  async updateinfo(): Promise<void> {
    const { ctx } = this;
    try {
      await this.link!.drain();
      let ok = await this.#readStatus();
      if (!ok && this.#failures > 0) {
        // one nudge back into smart mode (a unit that was power-cycled talks "dumb")
        ok = (await this.link!.command("Y")) === "SM" && (await this.#readStatus());
      }
      if (!ok) {
        this.#failures++;
        if (this.#failures < MAX_FAILED_POLLS) {
          ctx.log.warn(
            `Poll failed on ${ctx.port} (${this.#failures} of ${MAX_FAILED_POLLS}): no status`,
          );
          return;
        }
        if (this.#failures === MAX_FAILED_POLLS) {
          ctx.log.error("Communications with the UPS lost: status read failed!");
        }
        throw new DeviceError(`no status from the UPS on ${ctx.port}`);
      }
      const full = this.#reread || this.#now() - this.#lastFull >= FULL_SCAN_MS;
      for (const v of APC_VARS) {
        if (!this.#supported(v) || (!full && !v.poll)) continue;
        await this.#read(v);
      }
      if (full) {
        this.#lastFull = this.#now();
        this.#reread = false;
      }
    } catch (e) {
      if (e instanceof SerialError) {
        this.#failures = MAX_FAILED_POLLS;
        throw new DeviceError(`${ctx.port}: ${e.message}`, { cause: e });
      }
      throw e;
    }
    if (this.#failures >= MAX_FAILED_POLLS) {
      ctx.log.info("Communications with the UPS re-established");
    }
    this.#failures = 0;
    ctx.state.dataOk();
  }

  async reconnect(): Promise<void> {
    try {
      this.#port?.close();
    } catch {
      // gone
    }
    let port: SerialPort;
    try {
      port = this.#openPort();
    } catch (e) {
      throw new DeviceError((e as Error).message.split("\n")[0], { cause: e });
    }
    this.#port = port;
    this.link!.port = port;
    if (!(await this.#smartMode())) {
      throw new DeviceError(`no smart mode answer on ${this.ctx.port}`);
    }
  }

  // ------------------------------------------------------------------ SET

  async setvar(name: string, value: string): Promise<number> {
    const v = APC_VARS.find((x) => x.name === name.toLowerCase() && this.#supported(x));
    if (!v) return 1;
    try {
      if (v.text) return await this.#setText(v, value);
      const choices = this.caps.get(v.cmd);
      if (!choices) return 1;
      const wire = toWire(v, value, choices);
      if (wire === undefined) return 2;
      return await this.#setEnum(v, wire);
    } catch (e) {
      if (!(e instanceof SerialError)) throw e;
      this.ctx.log.warn(`setvar: ${name}: ${e.message}`);
      return 3;
    }
  }

  async #setText(v: ApcVar, value: string): Promise<number> {
    if (value.length > 8) return 2;
    const link = this.link!;
    if ((await link.command(v.cmd)) === null) return 3;
    const r = await link.command("-" + value.padEnd(8, " "));
    if (r !== "OK") {
      this.ctx.log.warn(`setvar: ${v.name}: the UPS answered ${shown(r ?? "")}`);
      return 3;
    }
    await this.#read(v);
    return 0;
  }

  /** Rotate an enumerated value with `-` until it is the wanted one (or back where it began). */
  async #setEnum(v: ApcVar, wire: string): Promise<number> {
    const link = this.link!;
    const start = await link.command(v.cmd);
    if (start === null) return 3;
    let current = start;
    for (let i = 0; i < 10 && current.trim() !== wire.trim(); i++) {
      const r = await link.command("-");
      if (r !== "OK") {
        this.ctx.log.warn(`setvar: ${v.name}: the UPS answered ${shown(r ?? "")} to '-'`);
        return 3;
      }
      const next = await link.command(v.cmd);
      if (next === null) return 3;
      current = next;
      if (current === start) break; // went all the way round
    }
    const c = convert(v, current);
    if (c) this.ctx.state.setInfo(c.name, c.value);
    return current.trim() === wire.trim() ? 0 : 3;
  }

  // ------------------------------------------------------------------ INSTCMD

  #accepted(r: string | null): boolean {
    return r === "OK" || r === "*";
  }

  async #send(c: ApcCommand, wire = c.char): Promise<string | null> {
    const link = this.link!;
    if (c.twice) {
      await link.send(wire);
      await this.#sleep(DOUBLE_SEND_MS);
    }
    return await link.command(wire);
  }

  async instcmd(name: string, param: string | undefined): Promise<number> {
    const cmd = name.toLowerCase();
    const rows = APC_COMMANDS.filter((c) => c.cmd === cmd && this.cmdset.includes(c.char));
    if (rows.length === 0) {
      this.ctx.log.warn(`instcmd: unknown command [${name}]`);
      return 1;
    }
    const p = (param ?? "").trim().toLowerCase();
    let row = rows[0];
    let wire = row.char;
    if (cmd === "shutdown.return") {
      const at = /^at:(\d{1,3})$/.exec(p);
      if (at) {
        row = rows.find((r) => r.char === "@") ?? row;
        if (row.char !== "@") return 2;
        wire = hibernateWire(at[1].padStart(3, "0"));
      } else if (p !== "" && p !== "cs") {
        return 2;
      } else {
        row = rows.find((r) => r.char === "S") ?? row;
        wire = row.char === "@" ? hibernateWire(this.ctx.getval("awd") ?? "000") : "S";
      }
    } else if (p !== "") {
      return 2;
    }
    if (row.nasty) {
      const now = this.#now();
      const prev = this.#pendingConfirm;
      const key = `${cmd} ${p}`;
      if (
        !prev || prev.cmd !== key || now - prev.at < CONFIRM_MIN_MS ||
        now - prev.at > CONFIRM_MAX_MS
      ) {
        this.#pendingConfirm = { cmd: key, at: now };
        this.ctx.log.warn(
          `instcmd: ${name} cuts the power: send it again within 3 to 15 seconds to confirm`,
        );
        return 0;
      }
      this.#pendingConfirm = undefined;
    }
    try {
      if (cmd === "shutdown.return" && p === "cs") return (await this.#csHack()) ? 0 : 3;
      const r = await this.#send(row, wire);
      if (!this.#accepted(r)) {
        this.ctx.log.warn(`instcmd: ${name} failed: the UPS answered ${shown(r ?? "nothing")}`);
        return 3;
      }
    } catch (e) {
      if (!(e instanceof SerialError)) throw e;
      this.ctx.log.warn(`instcmd: ${name}: ${e.message}`);
      return 3;
    }
    this.ctx.log.info(`instcmd: command [${name}] handled`);
    return 0;
  }

  /** "Force OB" hack: simulate a power failure, wait, then a soft shutdown. */
  async #csHack(): Promise<boolean> {
    const link = this.link!;
    await link.command("U");
    await this.#sleep(Number(this.ctx.getval("cshdelay") ?? "3.5") * 1000);
    return this.#accepted(await link.command("S"));
  }

  // ------------------------------------------------------------------ -k

  async #method(m: ShutdownMethod): Promise<boolean> {
    const link = this.link!;
    switch (m) {
      case "soft":
        return this.#accepted(await link.command("S"));
      case "hibernate":
        return this.#accepted(await link.command(hibernateWire(this.ctx.getval("awd") ?? "000")));
      case "delayedOff":
        return this.#accepted(await this.#send({ cmd: "", char: "K", twice: true }));
      case "instantOff":
        return this.#accepted(await this.#send({ cmd: "", char: "Z", twice: true }));
      case "csHack":
        return await this.#csHack();
    }
  }

  async shutdown(): Promise<void> {
    const { ctx } = this;
    const q = await this.link!.command("Q");
    const register = q && /^[0-9A-Fa-f]{2}$/.test(q) ? parseInt(q, 16) : 0;
    const onBattery = (register & 0x10) !== 0;
    const plan = shutdownPlan({
      sdtype: ctx.getval("sdtype"),
      advorder: ctx.getval("advorder"),
      onBattery,
    });
    for (const m of plan) {
      if (await this.#method(m)) {
        ctx.log.info(`Shutdown with method '${m}' accepted by the UPS`);
        return;
      }
      ctx.log.warn(`Shutdown method '${m}' failed`);
    }
    throw new DriverExit(1, "Shutdown failed!");
  }

  cleanup(): void {
    this.#port?.close();
  }
}

export const apcsmart: DriverInfo = {
  name: "apcsmart",
  desc: "APC Smart protocol driver",
  version: APCSMART_VERSION,
  vars: [
    { name: "ttymode", desc: "tty discipline selection" },
    { name: "cable", desc: "alternate cable (940-0095B) selection" },
    { name: "awd", desc: "hard hibernate's additional wakeup delay" },
    { name: "sdtype", desc: "simple shutdown method" },
    { name: "advorder", desc: "advanced shutdown control" },
    { name: "cshdelay", desc: "CS hack delay" },
  ],
  create: (ctx) => new ApcSmart(ctx),
};
