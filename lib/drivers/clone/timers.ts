/**
 * The clone driver's virtual outlet (spec daemons.md §6.1) as a pure state
 * machine: `shutdown.return` / `shutdown.stayoff` start the off-timer
 * (`offdelay`) if the outlet is on; when it runs out the outlet goes off
 * (the `load.off` command is due); after `shutdown.return` the on-timer
 * (`ondelay`) then counts down while the real UPS is on line — it starts
 * over whenever it is not — and switches the outlet back on (`load.on`).
 * On battery, a charge or runtime below `mincharge` / `minruntime` starts
 * `shutdown.return` by itself.
 *
 * Timers count whole seconds, decremented by the time since the previous
 * tick, and read -1 when idle (ups.timer.shutdown / ups.timer.start).
 *
 * FSD is put in front of the relayed status from the shutdown request until
 * the outlet is back on (or, after `shutdown.stayoff`, until it is off);
 * NUT 2.8.0 dropped it at the next status change of the real UPS, which
 * could let a host that is meant to go down see a plain status again.
 *
 * @module
 */

export interface OutletConfig {
  offDelay: number;
  onDelay: number;
  /** battery.charge below which (not on line) shutdown.return starts; 0 = never. */
  minCharge: number;
  /** battery.runtime below which (not on line) shutdown.return starts; 0 = never. */
  minRuntime: number;
}

/** Readings of the real UPS that the outlet logic needs. */
export interface Readings {
  /** ups.status contains OL. */
  online: boolean;
  charge?: number;
  runtime?: number;
  /** load.status reading of the real UPS: true on, false off, undefined unknown. */
  outletOn?: boolean;
}

export type OutletAction = "load.off" | "load.on";

export interface TickResult {
  actions: OutletAction[];
  /** Why an automatic shutdown.return started (for the log). */
  reason?: "Battery charge low" | "Battery runtime low";
}

export class CloneOutlet {
  /** Seconds until the outlet goes off; -1 idle. */
  shutdownTimer = -1;
  /** Seconds until the outlet goes on again; -1 idle. */
  startTimer = -1;
  /** Our idea of the outlet (the real UPS's load.status wins when known). */
  outlet = true;

  constructor(public cfg: OutletConfig) {}

  /** FSD is to be shown in front of the status. */
  get fsd(): boolean {
    return this.shutdownTimer >= 0 || this.startTimer >= 0;
  }

  #syncOutlet(r: Readings): void {
    if (r.outletOn !== undefined) this.outlet = r.outletOn;
  }

  /** An instant command; returns false for an unknown one. */
  command(name: string, r: Readings): boolean {
    this.#syncOutlet(r);
    const cmd = name.toLowerCase();
    if (cmd !== "shutdown.return" && cmd !== "shutdown.stayoff") return false;
    if (this.outlet && this.shutdownTimer < 0) this.shutdownTimer = this.cfg.offDelay;
    this.startTimer = cmd === "shutdown.return" ? this.cfg.onDelay : -1;
    return true;
  }

  /** Advance by `elapsed` whole seconds. */
  tick(elapsed: number, r: Readings): TickResult {
    const out: TickResult = { actions: [] };
    if (this.shutdownTimer >= 0) {
      this.shutdownTimer -= elapsed;
      if (this.shutdownTimer < 0) {
        this.shutdownTimer = -1;
        this.outlet = false;
        out.actions.push("load.off");
      }
    } else if (this.startTimer >= 0) {
      if (r.online) this.startTimer -= elapsed;
      else this.startTimer = this.cfg.onDelay;
      if (this.startTimer < 0) {
        this.startTimer = -1;
        this.outlet = true;
        out.actions.push("load.on");
      }
    } else if (!r.online && this.outlet) {
      // only readings actually received count (NUT compared against 0)
      if (r.charge !== undefined && r.charge < this.cfg.minCharge) {
        out.reason = "Battery charge low";
      } else if (r.runtime !== undefined && r.runtime < this.cfg.minRuntime) {
        out.reason = "Battery runtime low";
      }
      if (out.reason) this.command("shutdown.return", r);
    }
    return out;
  }
}
