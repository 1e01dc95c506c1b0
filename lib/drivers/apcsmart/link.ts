/**
 * Exchanges with an APC Smart unit: a request is one character (or a few:
 * `@000`, `-` + 8 characters), the reply a line ending in CR LF. Alert
 * characters the unit sends on its own, before or inside a reply, are taken
 * out and handed to `onAlerts`. Exchanges are serialized.
 *
 * @module
 */

import type { SerialPort } from "../../transport/serial.ts";
import { shown } from "../nutdrv_qx/link.ts";
import { splitAlerts } from "./parse.ts";

export interface ApcLinkOptions {
  /** Reply timeout (ms); NUT waits 3 s. */
  timeoutMs?: number;
  onAlerts?: (alerts: string) => void;
  trace?: (line: string) => void;
}

export class ApcLink {
  #queue: Promise<unknown> = Promise.resolve();
  readonly timeoutMs: number;

  constructor(public port: SerialPort, readonly opts: ApcLinkOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 3000;
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#queue.then(fn, fn);
    this.#queue = p.catch(() => {});
    return p;
  }

  #alerts(text: string): string {
    const { text: rest, alerts } = splitAlerts(text);
    if (alerts) {
      this.opts.trace?.(`alerts: ${shown(alerts)}`);
      this.opts.onAlerts?.(alerts);
    }
    return rest;
  }

  /**
   * Send `request`; resolve to the reply line without CR LF, or null when
   * no line came in time. With `alerts` false (replies that may contain
   * alert characters themselves: `a`, ^Z) nothing is taken out.
   */
  command(
    request: string,
    opts: { alerts?: boolean; timeoutMs?: number } = {},
  ): Promise<string | null> {
    return this.#serial(async () => {
      await this.#takeLeftovers();
      this.opts.trace?.(`send: ${shown(request)}`);
      await this.port.write(request);
      const r = await this.port.readUntil("\n", opts.timeoutMs ?? this.timeoutMs, 1024);
      this.opts.trace?.(r.text ? `read: ${shown(r.text)}` : "read: timeout");
      let text = r.text;
      if (opts.alerts !== false) text = this.#alerts(text);
      if (!r.complete) return null; // a line cut short is as good as none
      return text.replace(/\r?\n$/, "").replace(/\r/g, "");
    });
  }

  /** Send without waiting for a reply (the first of a doubled command, ESC). */
  send(request: string): Promise<void> {
    return this.#serial(async () => {
      this.opts.trace?.(`send: ${shown(request)}`);
      await this.port.write(request);
    });
  }

  /**
   * Whatever came unasked: alerts are handled, anything else (a late
   * reply, the answer to the first of a doubled command) is dropped so
   * it cannot be taken for the next reply.
   */
  async #takeLeftovers(): Promise<void> {
    const text = await this.port.read(0);
    if (!text) return;
    const rest = this.#alerts(text);
    if (rest.trim()) this.opts.trace?.(`dropped: ${shown(rest)}`);
  }

  /** Take in whatever the unit sent on its own (alerts) without asking anything. */
  drain(): Promise<void> {
    return this.#serial(() => this.#takeLeftovers());
  }
}
