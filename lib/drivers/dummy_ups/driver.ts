/**
 * dummy-ups: a simulated UPS played from a definition file (.dev read once,
 * .seq looped), or a repeater of a UPS served by another upsd
 * (spec daemons.md §5).
 *
 * Choices where NUT 2.8.0 is buggy or silent (see also devfile.ts, repeater.ts):
 * - no hard-coded 1 s sleep per poll: the core serves the socket meanwhile;
 * - an unreadable definition file at run time (loop re-read, once-mode
 *   change) is logged and retried at the next poll; the last values stay;
 *   only at start-up it is fatal, as in NUT;
 * - `ALARM` lines (NUT ≥ 2.8.4) are supported; a text already active is not
 *   added twice, so a looping file does not grow ups.alarm.
 *
 * @module
 */

import { NutClient } from "../../client/client.ts";
import { AddressError, parseUpsAddress } from "../../client/address.ts";
import {
  type DriverContext,
  DriverExit,
  type DriverInfo,
  type DriverInstance,
} from "../../driver/types.ts";
import { type DevFile, type Directive, parseDevFile } from "./devfile.ts";
import { type DummyMode, selectMode } from "./mode.ts";
import { SequencePlayer } from "./player.ts";
import { Repeater, type UpstreamConnect } from "./repeater.ts";
import { applyValue, initStatusFlags } from "./setvar.ts";

export const DUMMY_UPS_VERSION = "0.15";

/** Longest pause between two reconnection attempts of the repeater. */
export const REPEATER_MAX_BACKOFF_MS = 30000;

/** Connect to an upstream upsd with the NUT client library (STARTTLS tried, plain text fallback). */
export const connectUpstream: UpstreamConnect = (host, port) =>
  NutClient.connect(host, port, { timeoutMs: 5000 });

function fsError(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
    return "Permission denied";
  }
  return (e instanceof Error ? e.message : String(e)).replace(/ \(os error \d+\)$/, "");
}

export class DummyUps implements DriverInstance {
  readonly mode: DummyMode;
  readonly modeName: string;
  /** Definition file path (dummy modes). */
  readonly file: string;
  #player: SequencePlayer | undefined;
  #mtime: number | null = null;
  #repeater: Repeater | undefined;

  constructor(readonly ctx: DriverContext, readonly connect: UpstreamConnect = connectUpstream) {
    const choice = selectMode(ctx.port, ctx.getval("mode"));
    this.mode = choice.mode;
    this.modeName = choice.published;
    this.file = ctx.port.startsWith("/") ? ctx.port : `${ctx.confPath}/${ctx.port}`;
  }

  initups(): void {
    if (this.mode !== "repeater") return;
    let addr;
    try {
      addr = parseUpsAddress(this.ctx.port);
    } catch (e) {
      if (!(e instanceof AddressError)) throw e;
      throw new DriverExit(
        1,
        `${e.message}\nError: invalid UPS definition.\nRequired format: upsname[@hostname[:port]]`,
      );
    }
    const ctx = this.ctx;
    this.#repeater = new Repeater(addr.ups, addr.host, addr.port, this.connect, {
      set: (name, value) => this.#apply(name, value, true),
      remove: (name) => ctx.state.delInfo(name),
      dataOk: () => ctx.state.dataOk(),
      dataStale: () => ctx.state.dataStale(),
      log: (level, msg) => level === 0 ? ctx.log.warn(msg) : ctx.log.debug(level, msg),
    }, {
      minBackoffMs: ctx.pollInterval * 1000,
      maxBackoffMs: Math.max(REPEATER_MAX_BACKOFF_MS, ctx.pollInterval * 1000),
    });
  }

  async initinfo(): Promise<void> {
    const { state } = this.ctx;
    state.setInfo("driver.parameter.mode", this.modeName);
    if (this.#repeater) {
      try {
        await this.#repeater.start();
      } catch (e) {
        throw new DriverExit(1, `Error: ${e instanceof Error ? e.message : e}`);
      }
    } else {
      // the simulated unit before the file speaks
      this.#apply("ups.mfr", "Dummy Manufacturer", false);
      this.#apply("ups.model", "Dummy UPS", false);
      this.#apply("ups.status", "OL", false);
      initStatusFlags(state);
      const dev = await this.#load(true);
      this.#player = new SequencePlayer(dev.directives, this.mode === "loop");
      this.#play(Date.now());
    }
    state.addCmd("load.off");
  }

  async updateinfo(): Promise<void> {
    const now = Date.now();
    if (this.#repeater) {
      await this.#repeater.poll(now);
      return;
    }
    const player = this.#player!;
    if (this.mode === "loop") {
      // each pass reads the file afresh, so it may be edited while we run
      if (player.atStart && now >= player.resumeAt && player.directives.length > 0) {
        const dev = await this.#tryLoad();
        if (dev) this.#player = new SequencePlayer(dev.directives, true);
      }
    } else if (player.finished && (await this.#changed())) {
      this.ctx.log.debug(2, `${this.file} changed: re-reading`);
      const dev = await this.#tryLoad();
      if (dev) this.#player = new SequencePlayer(dev.directives, false);
    }
    this.#play(now);
    this.ctx.state.dataOk();
  }

  setvar(name: string, value: string): number {
    return this.#apply(name, value, true);
  }

  instcmd(cmd: string, param: string | undefined): number {
    this.ctx.log.warn(`instcmd: unknown command [${cmd}] [${param ?? "(null)"}]`);
    return 1;
  }

  shutdown(): void {
    throw new DriverExit(1, "shutdown not supported");
  }

  cleanup(): void {
    this.#repeater?.close();
  }

  #apply(name: string, value: string, emptyDeletes: boolean): number {
    return applyValue(this.ctx, name, value, emptyDeletes);
  }

  #play(now: number): void {
    for (const d of this.#player!.step(now)) this.#run(d);
  }

  #run(d: Directive): void {
    const ctx = this.ctx;
    switch (d.kind) {
      case "set":
        this.#apply(d.name, d.value, false);
        return;
      case "alarm":
        if (d.text === "") {
          ctx.status.alarmInit();
        } else if (!ctx.status.alarms.includes(d.text)) {
          ctx.status.alarmSet(d.text);
        }
        ctx.commitAlarm();
        ctx.commitStatus();
        return;
      case "timer":
        return; // consumed by the player
    }
  }

  async #readFile(): Promise<{ dev: DevFile; mtime: number | null }> {
    const stat = await Deno.stat(this.file);
    const bytes = await Deno.readFile(this.file);
    const dev = parseDevFile(bytes, this.file);
    for (const err of dev.errors) this.ctx.log.warn(`Parse error: ${err}`);
    return { dev, mtime: stat.mtime?.getTime() ?? null };
  }

  /** Read the definition file; at start-up a failure is fatal. */
  async #load(startup: boolean): Promise<DevFile> {
    try {
      const { dev, mtime } = await this.#readFile();
      this.#mtime = mtime;
      return dev;
    } catch (e) {
      const msg = `Can't open dummy-ups definition file ${this.file}: Can't open ${this.file}: ${
        fsError(e)
      }`;
      if (startup) throw new DriverExit(1, msg);
      throw new Error(msg);
    }
  }

  async #tryLoad(): Promise<DevFile | undefined> {
    try {
      return await this.#load(false);
    } catch (e) {
      this.ctx.log.warn((e as Error).message);
      return undefined;
    }
  }

  async #changed(): Promise<boolean> {
    try {
      const m = (await Deno.stat(this.file)).mtime?.getTime() ?? null;
      return m !== this.#mtime;
    } catch {
      return false; // gone for now: keep what we have
    }
  }
}

export const dummyUps: DriverInfo = {
  name: "dummy-ups",
  desc: "Device simulation and repeater driver",
  version: DUMMY_UPS_VERSION,
  vars: [{
    name: "mode",
    desc:
      "Specify mode instead of guessing it from port value (dummy = dummy-loop, dummy-once, repeater)",
  }],
  create: (ctx) => new DummyUps(ctx),
};
