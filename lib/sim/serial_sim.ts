/**
 * Runs a simulated serial device on a pseudo-terminal: a driver opens
 * `path` (the pty slave, or a symlink to it such as a fake
 * /dev/serial/by-id name) and talks to the device model through it.
 *
 * Faults a test can switch on at any time: `mode` silent (requests are
 * heard but not answered), garbage (noise instead of replies), truncated
 * (the first half of each reply); `delayMs` (slow replies); `vanish()`
 * (the port disappears: the pty closes, the symlink goes) and `reappear()`
 * (a new pty behind the same symlink, as a re-plugged USB adapter).
 *
 * @module
 */

import { Pty } from "../transport/pty.ts";
import { SerialError } from "../transport/serial.ts";
import type { StreamDevice } from "./apc_device.ts";

/** A device model: gets a request line without its terminator, returns the reply or null. */
export interface LineDevice {
  handle(request: string): string | null;
}

export type SimMode = "normal" | "silent" | "garbage" | "truncated";

export interface SimOptions {
  /** Create this symlink to the pty slave (replaced if it exists). */
  link?: string;
  /** Request terminator (default CR). */
  terminator?: string;
  /** Called for each request and the device's answer (before fault modes), for logs. */
  onExchange?: (request: string, reply: string | null) => void;
}

const GARBAGE = "(\u00ff#2\u0000x.9 ?? 1@1 ----\u0007 0101xx\r";

export class SerialSimulator {
  mode: SimMode = "normal";
  delayMs = 0;
  #pty: Pty | undefined;
  #loop: Promise<void> | undefined;
  #stopped = false;
  #generation = 0;

  private constructor(readonly device: LineDevice | StreamDevice, readonly opts: SimOptions) {}

  /**
   * Open a pty and start answering. A LineDevice gets whole requests (up to
   * the terminator); a StreamDevice gets the bytes as they come (APC Smart
   * requests have no terminator) and may also speak unasked (alerts).
   */
  static start(device: LineDevice | StreamDevice, opts: SimOptions = {}): SerialSimulator {
    const sim = new SerialSimulator(device, opts);
    sim.#open();
    return sim;
  }

  /** The path a driver should open (the symlink when asked for one). */
  get path(): string {
    return this.opts.link ?? this.slavePath;
  }

  /** The current pty slave (/dev/pts/N). */
  get slavePath(): string {
    if (!this.#pty) throw new Error("simulator port has vanished");
    return this.#pty.slavePath;
  }

  #open(): void {
    const pty = Pty.open();
    this.#pty = pty;
    if (this.opts.link) {
      try {
        Deno.removeSync(this.opts.link);
      } catch {
        // not there yet
      }
      Deno.symlinkSync(pty.slavePath, this.opts.link);
    }
    const gen = ++this.#generation;
    this.#loop = this.#serve(pty, gen);
  }

  async #serve(pty: Pty, gen: number): Promise<void> {
    const term = this.opts.terminator ?? "\r";
    let pending = "";
    while (!this.#stopped && gen === this.#generation) {
      let chunk: string;
      try {
        chunk = await pty.master.read(200);
      } catch (e) {
        if (e instanceof SerialError) return; // closed by vanish()/stop()
        throw e;
      }
      if ("receive" in this.device) {
        const dev = this.device;
        const reply = (chunk ? dev.receive(chunk) : "") + (dev.unsolicited?.() ?? "");
        if (chunk) this.opts.onExchange?.(chunk, reply || null);
        await this.#send(pty, reply || null);
        continue;
      }
      pending += chunk;
      let at: number;
      while ((at = pending.indexOf(term)) >= 0) {
        const request = pending.slice(0, at);
        pending = pending.slice(at + term.length);
        await this.#answer(pty, request);
      }
      // a lone request line without terminator stays pending; cap noise
      if (pending.length > 4096) pending = "";
    }
  }

  async #answer(pty: Pty, request: string): Promise<void> {
    const reply = (this.device as LineDevice).handle(request);
    this.opts.onExchange?.(request, reply);
    await this.#send(pty, reply);
  }

  /** Send a reply through the fault modes. */
  async #send(pty: Pty, reply: string | null): Promise<void> {
    let sent: string | null = reply;
    if (this.mode === "silent") sent = null;
    else if (reply !== null && this.mode === "garbage") sent = GARBAGE;
    else if (reply !== null && this.mode === "truncated") {
      sent = reply.slice(0, Math.max(1, Math.floor(reply.length / 2))) + "\r";
    }
    if (sent === null) return;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (pty.master.closed) return;
    try {
      await pty.master.write(sent);
    } catch (e) {
      if (!(e instanceof SerialError)) throw e;
    }
  }

  /** The port disappears: the pty closes (the driver's reads fail) and the symlink goes. */
  async vanish(): Promise<void> {
    const pty = this.#pty;
    this.#pty = undefined;
    this.#generation++;
    if (this.opts.link) {
      try {
        Deno.removeSync(this.opts.link);
      } catch {
        // already gone
      }
    }
    pty?.close();
    await this.#loop;
  }

  /** A new pty behind the same symlink (the device is plugged in again). */
  reappear(): void {
    if (this.#pty) return;
    this.#open();
  }

  /** Stop answering and close everything (the symlink is removed). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.vanish();
  }
}
