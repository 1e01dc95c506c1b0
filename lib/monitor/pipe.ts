/**
 * The pipe between upsmon's two processes (NUT's privilege split, spec
 * upsmon.md §2). The unprivileged monitor writes one JSON request per line
 * on its stdout; the privileged part reads them. The privileged part treats
 * every line as hostile: unknown requests, oversized or malformed lines are
 * refused and logged, and nothing in a request is ever run as a command —
 * SHUTDOWNCMD and NOTIFYCMD come from the privileged part's own reading of
 * upsmon.conf, the monitor can only say *when*.
 *
 * @module
 */

import { isNotifyType, type NotifyType } from "../conf/upsmon_conf.ts";

export type PrivRequest =
  /** The monitor has started (PID file written): the launcher may return. */
  | { op: "ready" }
  /** Deliver a notification: wall and/or NOTIFYCMD (syslog is the monitor's own log). */
  | { op: "notify"; type: NotifyType; ups: string; message: string; wall: boolean; exec: boolean }
  /** wall(1) a message (the shutdown announcement). */
  | { op: "wall"; message: string }
  /** Create POWERDOWNFLAG and run SHUTDOWNCMD. */
  | { op: "shutdown" }
  /** upsmon.conf was reloaded: pick up a new NOTIFYCMD. */
  | { op: "reload" };

/** Longest request line accepted (a message is at most 1023 bytes, plus JSON). */
export const MAX_REQUEST_LINE = 8192;
const MAX_TEXT = 2048;

export function encodeRequest(r: PrivRequest): string {
  return JSON.stringify(r) + "\n";
}

function text(v: unknown): v is string {
  return typeof v === "string" && v.length <= MAX_TEXT && !v.includes("\0");
}

/** Parse and validate one line from the monitor. */
export function decodeRequest(line: string): PrivRequest | { error: string } {
  if (line.length > MAX_REQUEST_LINE) return { error: "request line too long" };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { error: "request is not JSON" };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    return { error: "request is not an object" };
  }
  const r = v as Record<string, unknown>;
  switch (r.op) {
    case "ready":
    case "shutdown":
    case "reload":
      return { op: r.op };
    case "wall":
      if (!text(r.message)) return { error: "bad wall message" };
      return { op: "wall", message: r.message };
    case "notify":
      if (typeof r.type !== "string" || !isNotifyType(r.type)) return { error: "bad notify type" };
      if (!text(r.ups) || !text(r.message)) return { error: "bad notify text" };
      if (typeof r.wall !== "boolean" || typeof r.exec !== "boolean") {
        return { error: "bad notify flags" };
      }
      return {
        op: "notify",
        type: r.type,
        ups: r.ups,
        message: r.message,
        wall: r.wall,
        exec: r.exec,
      };
    default:
      return { error: `unknown request ${JSON.stringify(String(r.op)).slice(0, 40)}` };
  }
}

/** Split a byte stream into lines; overlong lines are reported, not buffered forever. */
export class RequestLines {
  #buf = "";
  #skipping = false;
  #decoder = new TextDecoder();

  /** Feed bytes; returns complete lines (or `null` for each overlong one). */
  push(bytes: Uint8Array): Array<string | null> {
    this.#buf += this.#decoder.decode(bytes, { stream: true });
    const out: Array<string | null> = [];
    let nl: number;
    while ((nl = this.#buf.indexOf("\n")) >= 0) {
      const line = this.#buf.slice(0, nl);
      this.#buf = this.#buf.slice(nl + 1);
      if (this.#skipping) {
        this.#skipping = false;
        continue;
      }
      out.push(line.length > MAX_REQUEST_LINE ? null : line);
    }
    if (this.#buf.length > MAX_REQUEST_LINE) {
      if (!this.#skipping) out.push(null);
      this.#skipping = true;
      this.#buf = "";
    }
    return out;
  }
}
