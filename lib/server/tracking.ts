/**
 * The tracking table (protocol 1.3, spec net-protocol.md §10): one entry per
 * tracked SET VAR / INSTCMD, PENDING until the driver reports a result code,
 * purged TRACKINGDELAY seconds after the request. IDs are upper-case UUIDs.
 *
 * @module
 */

interface Entry {
  /** undefined = no answer from the driver yet */
  code?: number;
  created: number;
}

/** Entries kept at most, whatever TRACKINGDELAY says (oldest dropped first). */
export const MAX_TRACKING_ENTRIES = 100_000;

export class TrackingTable {
  // Map keeps insertion order = creation order, so purging walks from the front.
  #entries = new Map<string, Entry>();

  constructor(readonly limit = MAX_TRACKING_ENTRIES) {}

  get size(): number {
    return this.#entries.size;
  }

  /** A fresh ID in PENDING state. */
  create(now: number, id = crypto.randomUUID().toUpperCase()): string {
    this.#entries.set(id, { created: now });
    if (this.#entries.size > this.limit) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    return id;
  }

  /** Record the driver's result; false for an unknown ID (ignored). */
  resolve(id: string, code: number): boolean {
    const e = this.#entries.get(id.toUpperCase());
    if (!e) return false;
    e.code = code;
    return true;
  }

  /** The protocol reply for `GET TRACKING <id>`. */
  reply(id: string): string {
    const e = this.#entries.get(id.toUpperCase());
    if (!e) return "ERR UNKNOWN";
    return resultText(e.code);
  }

  /** Drop entries older than `delaySec` seconds. */
  purge(now: number, delaySec: number): void {
    const limit = now - delaySec * 1000;
    for (const [id, e] of this.#entries) {
      if (e.created >= limit) break;
      this.#entries.delete(id);
    }
  }
}

/** Reply text for a stored result code (master's mapping: 4 is INVALID-ARGUMENT). */
export function resultText(code: number | undefined): string {
  switch (code) {
    case undefined:
      return "PENDING";
    case 0:
      return "SUCCESS";
    case 2:
    case 4:
      return "ERR INVALID-ARGUMENT";
    case 3:
      return "ERR FAILED";
    default:
      return "ERR UNKNOWN";
  }
}
