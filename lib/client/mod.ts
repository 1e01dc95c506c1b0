/**
 * The NUT client library: addresses, connection, requests, errors.
 *
 * ```ts
 * import { NutClient, parseUpsAddress } from "./lib/client/mod.ts";
 * const a = parseUpsAddress("myups@localhost:3493");
 * const c = await NutClient.connect(a.host, a.port);
 * console.log(await c.getVar(a.ups, "ups.status"));
 * await c.logout();
 * ```
 *
 * @module
 */

export { AddressError, formatHost, parseHostAddress, parseUpsAddress } from "./address.ts";
export type { HostAddress, UpsAddress } from "./address.ts";
export {
  type ConnectOptions,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_READ_TIMEOUT_MS,
  defaultConnectTimeoutMs,
  type ListReader,
  NutClient,
} from "./client.ts";
export { type ClientErrorKind, NutClientError, NutError } from "./errors.ts";
export type { TlsOptions } from "./transport.ts";
