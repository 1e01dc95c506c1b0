/**
 * Pieces shared by upsc, upscmd, upsrw and upslog: running a tool body with
 * NUT's exit conventions, getopt diagnostics, C number parsing, connecting.
 *
 * @module
 */

import { getopt, GetoptError } from "../cli/getopt.ts";
import { NutClient, type NutClientError, type NutError } from "../client/client.ts";
import { AddressError, parseUpsAddress, type UpsAddress } from "../client/address.ts";
import { fatal, ToolExit, type ToolIO } from "./io.ts";

export { NUT_VERSION } from "../conf/paths.ts";

/** `basename(argv[0])`, as NUT's usage texts print it. */
export function progName(io: ToolIO): string {
  const i = io.argv0.lastIndexOf("/");
  return i >= 0 ? io.argv0.slice(i + 1) : io.argv0;
}

/**
 * Run a tool body: a ToolExit prints its message on stderr and gives the
 * exit status; the connection (if any) is closed with LOGOUT, as NUT's
 * atexit handler does.
 */
export async function runBody(
  io: ToolIO,
  body: (session: { client?: NutClient }) => Promise<number>,
): Promise<number> {
  const session: { client?: NutClient } = {};
  try {
    return await body(session);
  } catch (e) {
    if (!(e instanceof ToolExit)) throw e;
    io.flush();
    if (e.message) io.err(e.message + "\n");
    return e.code;
  } finally {
    io.flush();
    await session.client?.logout();
  }
}

/** A getopt loop's view: options in order up to a bad one, and glibc's diagnostic for it. */
export interface OptsRun {
  opts: Array<[string, string | undefined]>;
  rest: string[];
  /** `invalid option -- 'x'` / `option requires an argument -- 'x'` when the loop stopped on it. */
  error?: string;
}

/**
 * getopt(3) as a C tool's option loop sees it: when an option is bad, the
 * options before it (even in the same cluster) have already been acted on.
 */
export function getoptLoop(args: string[], spec: string): OptsRun {
  try {
    const r = getopt(args, spec);
    return { opts: r.opts, rest: r.rest };
  } catch (e) {
    if (!(e instanceof GetoptError)) throw e;
    // the shortest failing prefix ends with the offending argument
    let n = 1;
    for (; n <= args.length; n++) {
      try {
        getopt(args.slice(0, n), spec);
      } catch {
        break;
      }
    }
    const opts = getopt(args.slice(0, n - 1), spec).opts;
    const bad = args[n - 1] ?? "";
    const letters = spec.replace(/^\+/, "");
    for (let j = 1; j < bad.length; j++) {
      const c = bad[j];
      const k = letters.indexOf(c);
      if (c === ":" || k < 0 || letters[k + 1] === ":") break;
      opts.push([c, undefined]);
    }
    return { opts, rest: [], error: e.message };
  }
}

/** C atoi(): leading blanks, sign, digits; anything else ends the number (int32 wrap). */
export function atoi(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (!m) return 0;
  let v = BigInt(m[1]);
  const LONG_MAX = (1n << 63n) - 1n;
  if (v > LONG_MAX) v = LONG_MAX;
  if (v < -LONG_MAX - 1n) v = -LONG_MAX - 1n;
  return Number(BigInt.asIntN(32, v));
}

/** C strtol(s, NULL, 10) as a long. */
export function strtol(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m ? Number(m[1]) : 0;
}

/** NUT's str_to_uint(): whole string, decimal, no sign; errno text on failure. */
export function strToUint(
  s: string,
): number | "Invalid argument" | "Numerical result out of range" {
  const t = s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, "");
  if (!/^\d+$/.test(t)) return "Invalid argument";
  const v = BigInt(t);
  if (v > 0xffffffffn) return "Numerical result out of range";
  return Number(v);
}

/** Connect for a tool; failures end it with `Error: <reason>` (or through `fail`). */
export async function connectTool(
  session: { client?: NutClient },
  host: string,
  port: number,
  io: ToolIO,
  fail: (msg: string) => never = (msg) => fatal(`Error: ${msg}`),
): Promise<NutClient> {
  try {
    session.client = await NutClient.connect(host, port, {
      log: (m) => io.err(m + "\n"),
    });
  } catch (e) {
    fail(errorMessage(e));
  }
  return session.client;
}

/** The text NUT prints for a client-library failure (other errors are bugs: rethrown). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error && (e.name === "NutError" || e.name === "NutClientError")) {
    return (e as NutError | NutClientError).message;
  }
  throw e;
}

/** The server token of a NutError, if `e` is one. */
export function errToken(e: unknown): string | undefined {
  return e instanceof Error && e.name === "NutError" ? (e as NutError).token : undefined;
}

/** Unix time in whole seconds, as time(2). */
export function unixTime(): number {
  return Math.floor(Date.now() / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * upscmd/upsrw: parse the `upsname[@hostname[:port]]` argument, or print
 * the parser's message and NUT's "invalid UPS definition" error and exit 1.
 */
export function upsArgOrExit(spec: string, io: ToolIO): UpsAddress {
  try {
    return parseUpsAddress(spec);
  } catch (e) {
    if (!(e instanceof AddressError)) throw e;
    io.err(e.message + "\n");
    fatal("Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]");
  }
}
