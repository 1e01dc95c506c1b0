/**
 * What upscmd and upsrw share: asking for credentials, sending them the way
 * NUT 2.8.0 does (raw `USERNAME x` / `PASSWORD y`, replies only checked for
 * I/O failure), and waiting for a tracked result (`-w`).
 *
 * @module
 */

import type { NutClient } from "../client/client.ts";
import { errorMessage, sleep, unixTime } from "./common.ts";
import { fatal, type ToolIO } from "./io.ts";

/**
 * Prompt `Username (<login>): ` on stdout and read a line. An empty line
 * takes the login name. At end of input upscmd stops (`onEof: "fail"`)
 * while upsrw takes the login name.
 */
export async function promptUsername(io: ToolIO, onEof: "fail" | "default"): Promise<string> {
  const login = await io.loginName();
  io.out(login !== undefined ? `Username (${login}): ` : "Username: ");
  const line = await io.readLine();
  if (line === null && onEof === "fail") fatal("Error reading from stdin!");
  // fgets keeps the LF and NUT drops the last character when more than one was read
  const raw = line === null ? "" : line.text + (line.newline ? "\n" : "");
  if (raw.length > 1) return raw.slice(0, -1);
  if (login === undefined) fatal("No username available - even tried getpwuid");
  return login;
}

/** getpass("Password: "); end of input gives an empty password, as glibc does. */
export async function promptPassword(io: ToolIO): Promise<string> {
  return (await io.readSecret("Password: ")) ?? "";
}

/** Send USERNAME and PASSWORD as upscmd/upsrw do: only an I/O failure is fatal. */
export async function sendCredentials(
  client: NutClient,
  user: string,
  pass: string,
): Promise<void> {
  try {
    await client.sendLine(`USERNAME ${user}`);
  } catch (e) {
    fatal(`Can't set username: ${errorMessage(e)}`);
  }
  try {
    await client.readLine();
  } catch (e) {
    fatal(`Set username failed: ${errorMessage(e)}`);
  }
  try {
    await client.sendLine(`PASSWORD ${pass}`);
  } catch (e) {
    fatal(`Can't set password: ${errorMessage(e)}`);
  }
  try {
    await client.readLine();
  } catch (e) {
    fatal(`Set password failed: ${errorMessage(e)}`);
  }
}

/** `SET TRACKING ON`, with the messages of upscmd (`what` = "command") or upsrw ("set variable"). */
export async function enableTracking(client: NutClient, what: string): Promise<void> {
  try {
    await client.sendLine("SET TRACKING ON");
  } catch (e) {
    fatal(`Can't enable ${what} status tracking: ${errorMessage(e)}`);
  }
  let reply = "";
  try {
    reply = await client.readLine();
  } catch (e) {
    fatal(`Enabling ${what} status tracking failed: ${errorMessage(e)}`);
  }
  if (!reply.startsWith("OK")) {
    fatal(`Enabling ${what} status tracking failed. upsd answered: ${reply}`);
  }
}

const TRACKING_PREFIX = "OK TRACKING ";
const UUID_LEN = 36;

/**
 * After `OK`: print the reply on stderr, or with tracking poll
 * `GET TRACKING <id>` about once a second until it is not PENDING, then print
 * that result (the exit status stays 0 whatever it says, as in NUT).
 */
export async function reportResult(
  client: NutClient,
  reply: string,
  tracking: boolean,
  timeoutSec: number,
  io: ToolIO,
): Promise<void> {
  if (!tracking || reply.length !== TRACKING_PREFIX.length + UUID_LEN) {
    io.err(reply + "\n");
    return;
  }
  const id = reply.slice(TRACKING_PREFIX.length);
  const start = unixTime();
  let result = "";
  for (;;) {
    if (unixTime() - start >= timeoutSec) {
      fatal("Can't receive status tracking information: timeout");
    }
    try {
      await client.sendLine(`GET TRACKING ${id}`);
    } catch (e) {
      fatal(`Can't send status tracking request: ${errorMessage(e)}`);
    }
    try {
      result = await client.readLine(timeoutSec * 1000);
    } catch (e) {
      fatal(`Can't receive status tracking information: ${errorMessage(e)}`);
    }
    if (!result.startsWith("PENDING")) break;
    await sleep(1000);
  }
  io.err(result + "\n");
}
