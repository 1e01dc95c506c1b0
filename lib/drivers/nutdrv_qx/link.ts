/**
 * One request/reply exchange with a Q* unit over a serial port: drop stale
 * input, send the request with its CR, read up to the CR for at most
 * `timeoutMs` (hw-serial.md §1.1: 1 s). Exchanges are serialized, so an
 * instant command from a client never interleaves with a poll.
 *
 * @module
 */

import type { SerialPort } from "../../transport/serial.ts";

/** What the engine needs from the transport. */
export interface QxLink {
  /**
   * Send `request` (CR added); resolve to the reply (CR included when it
   * came), or null when nothing came in time. Rejects when the port is gone.
   */
  exchange(request: string): Promise<string | null>;
}

export interface SerialLinkOptions {
  timeoutMs?: number;
  /** Debug trace of each exchange. */
  trace?: (line: string) => void;
}

/** Printable form of device bytes for logs (control bytes escaped, long text cut). */
export function shown(text: string, max = 80): string {
  const cut = text.length > max ? text.slice(0, max) + "..." : text;
  return JSON.stringify(cut);
}

export class SerialLink implements QxLink {
  #queue: Promise<unknown> = Promise.resolve();
  readonly timeoutMs: number;

  constructor(public port: SerialPort, readonly opts: SerialLinkOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 1000;
  }

  exchange(request: string): Promise<string | null> {
    const run = async () => {
      this.port.flushInput();
      this.opts.trace?.(`send: ${shown(request)}`);
      await this.port.write(request + "\r");
      const r = await this.port.readUntil("\r", this.timeoutMs, 512);
      this.opts.trace?.(r.text ? `read: ${shown(r.text)}` : "read: timeout");
      return r.text === "" ? null : r.text;
    };
    const p = this.#queue.then(run, run);
    this.#queue = p.catch(() => {});
    return p;
  }
}
