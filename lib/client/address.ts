/**
 * NUT device and host addresses: `upsname[@hostname[:port]]` and
 * `hostname[:port]`, with IPv6 literals in brackets (`ups@[::1]:3493`).
 *
 * Follows upsclient's splitname/splitaddr, with the stricter checks of NUT
 * after 2.8.0 (empty UPS name, `ups@`, `ups:port` are refused instead of
 * producing a nonsense UPS name). Error messages are NUT's, so tools can
 * print them verbatim before their own "invalid UPS definition" line.
 *
 * @module
 */

import { NUT_PORT } from "../conf/paths.ts";

export interface UpsAddress {
  ups: string;
  host: string;
  port: number;
}

export interface HostAddress {
  host: string;
  port: number;
}

/** A malformed address; `message` is NUT's diagnostic line. */
export class AddressError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AddressError";
  }
}

/** C strtol(s, NULL, 10) on the leading part of `s` (0 when no digits). */
function strtol(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** Split `upsname[@hostname[:port]]`. Throws AddressError with NUT's message. */
export function parseUpsAddress(spec: string): UpsAddress {
  if (spec === "") throw new AddressError("upscli_splitname: can't parse empty string");
  const at = spec.indexOf("@");
  if (at === 0) throw new AddressError("upscli_splitname: got empty upsname string");
  if (at < 0) {
    if (spec.includes(":")) {
      throw new AddressError("upscli_splitname: port specified, but not a hostname");
    }
    return { ups: spec, host: "localhost", port: NUT_PORT };
  }
  const ups = spec.slice(0, at);
  const rest = spec.slice(at + 1);
  if (rest === "") {
    throw new AddressError(
      "upscli_splitname: got the @ separator and then an empty hostname[:port] string",
    );
  }
  return { ups, ...parseHostAddress(rest) };
}

/** Split `hostname[:port]` (or `[v6literal][:port]`). Throws AddressError with NUT's message. */
export function parseHostAddress(spec: string): HostAddress {
  if (spec === "") throw new AddressError("upscli_splitaddr: can't parse empty string");
  let host: string;
  let portText: string | undefined;
  if (spec.startsWith("[")) {
    const close = spec.indexOf("]");
    if (close < 0) {
      throw new AddressError("upscli_splitaddr: missing closing bracket in [domain literal]");
    }
    host = spec.slice(1, close);
    if (host === "") throw new AddressError("upscli_splitaddr: can't parse empty string");
    const after = spec.slice(close + 1);
    // NUT ignores anything after "]" that does not start with ":"
    if (after.startsWith(":")) portText = after.slice(1);
  } else {
    const colon = spec.indexOf(":");
    // NUT's strtok skips leading separators: ":3493" names host "3493"
    host = spec.split(":").find((p) => p !== "") ?? "";
    if (host === "") throw new AddressError("upscli_splitaddr: can't parse empty string");
    if (colon >= 0) portText = spec.slice(colon + 1);
  }
  if (portText === undefined) return { host, port: NUT_PORT };
  const port = portText === "" ? 0 : strtol(portText);
  if (port < 1 || port > 65535) {
    throw new AddressError("upscli_splitaddr: no port specified after ':' separator");
  }
  return { host, port };
}

/** `host` as it must appear in `name@host:port` (brackets around IPv6 literals). */
export function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
