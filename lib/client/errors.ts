/**
 * Client-side errors: a server `ERR <token>` reply (NutError) and local
 * failures such as a refused connection or a dropped server (NutClientError).
 * Messages are the texts NUT's client library prints (upscli_strerror).
 *
 * @module
 */

import { errorText } from "../protocol/errors.ts";

/** The server answered `ERR <token> [extra...]`. */
export class NutError extends Error {
  /** The protocol line as received, e.g. `ERR ACCESS-DENIED`. */
  readonly line: string;

  constructor(readonly token: string, line?: string) {
    super(errorText(token));
    this.name = "NutError";
    this.line = line ?? `ERR ${token}`;
  }
}

/** What went wrong locally; names follow upsclient's error list. */
export type ClientErrorKind =
  | "nosuchhost"
  | "connfailure"
  | "srvdisc"
  | "read"
  | "write"
  | "protocol"
  | "parse"
  | "ssl"
  | "sslfail"
  | "notconnected"
  | "unknown";

/** A local client failure; `message` is NUT's text (e.g. `Connection failure: Connection refused`). */
export class NutClientError extends Error {
  constructor(readonly kind: ClientErrorKind, message: string) {
    super(message);
    this.name = "NutClientError";
  }
}

/** The OS error text of a Deno error, without Deno's ` (os error N)` suffix. */
export function osErrorText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const m = /^(.*?) \(os error \d+\)/.exec(msg);
  return m ? m[1] : msg;
}

/** If `line` is an `ERR` reply (NUT checks the 3-letter prefix), the NutError for it. */
export function errorFromLine(line: string): NutError | undefined {
  if (!line.startsWith("ERR")) return undefined;
  const token = line.slice(4).split(/[ \t]/, 1)[0] ?? "";
  return new NutError(token, line);
}
