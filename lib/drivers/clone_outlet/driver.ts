/**
 * clone-outlet: a read-only UPS that stands for one outlet (group) of
 * another driver's UPS (spec daemons.md §6.2). Everything is copied from
 * the source driver's socket (`port = <driver>-<ups>`), and `ups.status`
 * tells about the outlet named by `prefix` (e.g. `outlet.1`), as NUT 2.8.0
 * builds it on each poll:
 *
 * - `<status> OFF` when `<prefix>.status` is `off`;
 * - else `FSD <status>` when `-1 < <prefix>.timer.shutdown <=
 *   <prefix>.delay.shutdown` (the outlet is about to go off);
 * - else the source's status.
 *
 * Hosts fed by that outlet monitor this UPS and shut down in time. No SET,
 * no instant commands; `-k` does nothing. The source's loss is supervised
 * by the core as for clone (stale at once, reconnect with backoff).
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
import { leadingNumber } from "../clone/driver.ts";
import { Relay } from "../clone/relay.ts";
import { UpstreamLink } from "../clone/upstream.ts";

export const CLONE_OUTLET_VERSION = "0.02";

/** The pure status rule above. */
export function outletStatus(
  source: string,
  outlet: { on: boolean; delay: number; timer: number },
): string[] {
  if (!outlet.on) return [source, "OFF"];
  if (outlet.timer > -1 && outlet.timer <= outlet.delay) return ["FSD", source];
  return [source];
}

export class CloneOutletUps implements DriverInstance {
  readonly relay: Relay;
  link: UpstreamLink | undefined;
  sourceStatus = "WAIT";
  outlet = { on: true, delay: -1, timer: -1 };
  #names = { status: "", delay: "", timer: "" };

  constructor(readonly ctx: DriverContext, readonly now: () => number = Date.now) {
    this.relay = new Relay(ctx.state, { setinfo: (n, v) => this.#fromSource(n, v) });
  }

  async initups(): Promise<void> {
    const prefix = this.ctx.getval("prefix");
    if (prefix === undefined) {
      throw new DriverExit(1, "Outlet prefix is mandatory for this driver!");
    }
    this.#names = {
      status: `${prefix}.status`.toLowerCase(),
      delay: `${prefix}.delay.shutdown`.toLowerCase(),
      timer: `${prefix}.timer.shutdown`.toLowerCase(),
    };
    const ctx = this.ctx;
    this.link = new UpstreamLink(`${statePath()}/${ctx.port}`, ctx.port, {
      line: (w) => this.relay.line(w),
      connected: () => {
        this.relay.connected();
        this.sourceStatus = "WAIT";
        this.#publish();
      },
      lost: () => ctx.state.dataStale(),
    }, { log: ctx.log, now: this.now });
    try {
      await this.link.connect();
    } catch {
      // started without its source, as NUT: the poll loop reconnects
    }
  }

  initinfo(): void {}

  updateinfo(): void {
    this.link!.check(); // throws DeviceError when the source is gone
    this.#publish();
  }

  async reconnect(): Promise<void> {
    await this.link!.connect();
  }

  shutdown(): void {
    // nothing to switch: the real driver owns the outlet (NUT 2.8.0 exits 0 too)
  }

  cleanup(): void {
    this.link?.close();
  }

  #fromSource(name: string, value: string): "relay" | "skip" {
    const key = name.toLowerCase();
    if (key === this.#names.delay) this.outlet.delay = leadingNumber(value, true);
    if (key === this.#names.timer) this.outlet.timer = leadingNumber(value, true);
    if (key === this.#names.status) this.outlet.on = value.toLowerCase() !== "off";
    if (key === "ups.status") {
      this.sourceStatus = value;
      return "skip"; // published with the outlet's state on the next poll
    }
    return "relay";
  }

  #publish(): void {
    const { status } = this.ctx;
    status.init();
    for (const t of outletStatus(this.sourceStatus, this.outlet)) status.set(t);
    this.ctx.commitStatus();
  }
}

export const cloneOutlet: DriverInfo = {
  name: "clone-outlet",
  desc: "clone outlet UPS Driver",
  version: CLONE_OUTLET_VERSION,
  experimental: true,
  vars: [{ name: "prefix", desc: "Outlet prefix (mandatory)" }],
  create: (ctx) => new CloneOutletUps(ctx),
};
