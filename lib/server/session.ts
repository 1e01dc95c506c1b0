/**
 * Protocol state of one client connection: credentials as given (checked
 * only by the commands that need them), the UPS it did LOGIN to, its
 * tracking flag.
 *
 * @module
 */

import type { UpsEntry } from "./ups.ts";

let nextId = 1;

export class Session {
  readonly id = nextId++;
  username?: string;
  password?: string;
  /** The UPS this connection did LOGIN to (counted in its numLogins). */
  loginUps?: UpsEntry;
  tracking = false;
  /** LOGOUT answered: close once the reply is written, ignore further lines. */
  closing = false;
  /**
   * Send an unsolicited line (WATCH's `CHANGED`); set by the connection.
   * Returns false once the connection is gone.
   */
  push: (text: string) => boolean = () => false;

  /** `addr` in inet_ntop form (127.0.0.1, ::1). */
  constructor(readonly addr: string) {}

  /** `<user>@<addr>` as used in log lines. */
  get who(): string {
    return `${this.username ?? ""}@${this.addr}`;
  }
}
