/**
 * clone: a manageable virtual UPS stacked on another driver (spec
 * daemons.md §6.1). `port` names the source driver's socket in the state
 * directory (`<driver>-<ups>`); the data is copied, with a virtual outlet
 * of its own (lib/drivers/clone/timers.ts): `shutdown.return` and
 * `shutdown.stayoff` with `offdelay`/`ondelay`, thresholds `mincharge` /
 * `minruntime` (published as RW `battery.charge.low` /
 * `battery.runtime.low`), and the source's `load.off` / `load.on` commands
 * sent when the outlet switches. Typical use: several clones of one UPS,
 * one per group of hosts that shut down at different times.
 *
 * When the source goes away the clone's data goes stale at once and the
 * core's supervision reconnects (DeviceError / reconnect()); NUT 2.8.0
 * also reconnected whenever the source's data was stale, which this does
 * not (staleness is simply relayed).
 *
 * @module
 */

import { statePath } from "../../conf/paths.ts";
import {
  type DriverContext,
  DriverExit,
  type DriverInfo,
  type DriverInstance,
} from "../../driver/types.ts";
import { FLAG_RW, FLAG_STRING } from "../../state/tree.ts";
import { Relay } from "./relay.ts";
import { CloneOutlet, type Readings } from "./timers.ts";
import { UpstreamLink } from "./upstream.ts";

export const CLONE_VERSION = "0.03";

/** C strtol / strtod on the leading number (0 when none). */
export function leadingNumber(text: string, integer: boolean): number {
  const m = integer
    ? /^\s*[+-]?\d+/.exec(text)
    : /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return m ? (integer ? parseInt(m[0], 10) : parseFloat(m[0])) : 0;
}

/** printf("%g") for the thresholds (6 significant digits, no trailing zeros). */
export function formatG(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return "0";
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = n.toExponential(5).split("e");
    const mant = m.includes(".") ? m.replace(/\.?0+$/, "") : m;
    const ev = parseInt(e, 10);
    return `${mant}e${ev < 0 ? "-" : "+"}${String(Math.abs(ev)).padStart(2, "0")}`;
  }
  const s = n.toFixed(Math.max(0, 5 - exp));
  return s.includes(".") ? s.replace(/\.?0+$/, "") : s;
}

/** Seconds between two ms timestamps as two time_t values differ (NUT's difftime). */
export function wholeSeconds(from: number, to: number): number {
  return Math.floor(to / 1000) - Math.floor(from / 1000);
}

export class CloneUps implements DriverInstance {
  readonly outlet: CloneOutlet;
  readonly link: UpstreamLink;
  readonly relay: Relay;
  /** The source's ups.status (WAIT until it is known). */
  sourceStatus = "WAIT";
  #charge: number | undefined;
  #runtime: number | undefined;
  #lastPoll = 0;
  readonly #now: () => number;

  constructor(readonly ctx: DriverContext, now: () => number = Date.now) {
    this.#now = now;
    this.outlet = new CloneOutlet(this.#config());
    this.relay = new Relay(ctx.state, { setinfo: (n, v) => this.#fromSource(n, v) });
    this.link = new UpstreamLink(`${statePath()}/${ctx.port}`, ctx.port, {
      line: (w) => this.relay.line(w),
      connected: () => {
        this.relay.connected();
        this.sourceStatus = "WAIT";
        this.#publishStatus();
      },
      lost: () => ctx.state.dataStale(),
    }, { log: ctx.log, now });
  }

  #config() {
    const num = (name: string, integer: boolean, dflt: number) => {
      const v = this.ctx.getval(name);
      return v === undefined ? dflt : leadingNumber(v, integer);
    };
    return {
      offDelay: num("offdelay", true, 120),
      onDelay: num("ondelay", true, 30),
      minCharge: num("mincharge", false, 0),
      minRuntime: num("minruntime", false, 0),
    };
  }

  /** Settings reloaded: new delays apply to the next timer, new thresholds at once. */
  reload(): void {
    const cfg = this.#config();
    this.outlet.cfg = cfg;
    this.ctx.state.setInfo("ups.delay.shutdown", String(cfg.offDelay));
    this.ctx.state.setInfo("ups.delay.start", String(cfg.onDelay));
    if (this.#charge !== undefined) {
      this.ctx.state.setInfo("battery.charge.low", formatG(cfg.minCharge));
    }
    if (this.#runtime !== undefined) {
      this.ctx.state.setInfo("battery.runtime.low", formatG(cfg.minRuntime));
    }
  }

  async initups(): Promise<void> {
    try {
      await this.link.connect();
    } catch {
      // NUT starts without its source too; the poll loop reconnects (logged by the link)
    }
  }

  initinfo(): void {
    const { state } = this.ctx;
    this.#lastPoll = this.#now();
    state.addCmd("shutdown.return");
    state.addCmd("shutdown.stayoff");
    state.setInfo("ups.delay.shutdown", String(this.outlet.cfg.offDelay));
    state.setInfo("ups.delay.start", String(this.outlet.cfg.onDelay));
    this.#publishTimers();
  }

  updateinfo(): void {
    const now = this.#now();
    const elapsed = wholeSeconds(this.#lastPoll, now);
    this.#lastPoll = now;
    this.link.check(); // throws DeviceError when the source is gone
    const r = this.outlet.tick(elapsed, this.#readings());
    if (r.reason) this.ctx.log.info(r.reason);
    for (const a of r.actions) {
      const cmd = this.ctx.getval(a);
      if (cmd !== undefined) this.link.send(`INSTCMD ${cmd}`);
    }
    this.#publishTimers();
    this.#publishStatus();
  }

  async reconnect(): Promise<void> {
    await this.link.connect();
  }

  instcmd(cmd: string, param: string | undefined): number {
    if (!this.outlet.command(cmd, this.#readings())) {
      this.ctx.log.warn(`instcmd: unknown command [${cmd}] [${param ?? "(null)"}]`);
      return 1;
    }
    this.#publishTimers();
    this.#publishStatus();
    return 0;
  }

  setvar(name: string, value: string): number {
    const key = name.toLowerCase();
    if (key === "battery.charge.low") {
      this.outlet.cfg.minCharge = leadingNumber(value, false);
      this.ctx.state.setInfo("battery.charge.low", formatG(this.outlet.cfg.minCharge));
      return 0;
    }
    if (key === "battery.runtime.low") {
      this.outlet.cfg.minRuntime = leadingNumber(value, false);
      this.ctx.state.setInfo("battery.runtime.low", formatG(this.outlet.cfg.minRuntime));
      return 0;
    }
    this.ctx.log.warn(`setvar: unknown variable [${name}]`);
    return 1;
  }

  shutdown(): void {
    throw new DriverExit(1, "shutdown not supported");
  }

  cleanup(): void {
    this.link.close();
  }

  #readings(): Readings {
    const loadStatus = this.ctx.getval("load.status");
    const v = loadStatus !== undefined
      ? this.ctx.state.getInfo(loadStatus)?.toLowerCase()
      : undefined;
    return {
      online: this.sourceStatus.split(/\s+/).includes("OL"),
      charge: this.#charge,
      runtime: this.#runtime,
      outletOn: v === "on" || v === "yes" ? true : v === "off" || v === "no" ? false : undefined,
    };
  }

  #fromSource(name: string, value: string): "relay" | "skip" {
    const key = name.toLowerCase();
    if (
      key === "battery.charge.low" || key === "battery.runtime.low" ||
      key.startsWith("ups.delay.") || key.startsWith("ups.timer.")
    ) {
      return "skip"; // ours, not the source's
    }
    if (key === "ups.status") {
      this.sourceStatus = value;
      this.#publishStatus();
      return "skip";
    }
    if (key === "battery.charge") {
      this.#charge = leadingNumber(value, false);
      this.#threshold("battery.charge.low", this.outlet.cfg.minCharge, 3);
    } else if (key === "battery.runtime") {
      this.#runtime = leadingNumber(value, false);
      this.#threshold("battery.runtime.low", this.outlet.cfg.minRuntime, 4);
    }
    return "relay";
  }

  #threshold(name: string, value: number, aux: number): void {
    const { state } = this.ctx;
    state.setInfo(name, formatG(value));
    state.setFlags(name, FLAG_RW | FLAG_STRING);
    state.setAux(name, aux);
  }

  #publishTimers(): void {
    this.ctx.state.setInfo("ups.timer.shutdown", String(this.outlet.shutdownTimer));
    this.ctx.state.setInfo("ups.timer.start", String(this.outlet.startTimer));
  }

  #publishStatus(): void {
    const { status } = this.ctx;
    status.init();
    if (this.outlet.fsd) status.set("FSD");
    status.set(this.sourceStatus);
    this.ctx.commitStatus();
  }
}

export const clone: DriverInfo = {
  name: "clone",
  desc: "Clone UPS driver",
  version: CLONE_VERSION,
  experimental: true,
  vars: [
    { name: "offdelay", desc: "Delay before outlet shutdown (seconds)", reloadable: true },
    { name: "ondelay", desc: "Delay before outlet startup (seconds)", reloadable: true },
    {
      name: "mincharge",
      desc: "Remaining battery level when UPS switches to LB (percent)",
      reloadable: true,
    },
    {
      name: "minruntime",
      desc: "Remaining battery runtime when UPS switches to LB (seconds)",
      reloadable: true,
    },
    { name: "load.off", desc: "Command to switch off outlet", reloadable: true },
    { name: "load.on", desc: "Command to switch on outlet", reloadable: true },
    { name: "load.status", desc: "Variable that indicates outlet is on/off", reloadable: true },
  ],
  create: (ctx) => new CloneUps(ctx),
};
