/**
 * upsrw: list writable variables with their types, or set one, as NUT 2.8.0
 * does (listing on stdout, set results on stderr).
 *
 * @module
 */

import type { ListReader, NutClient } from "../client/client.ts";
import { encode } from "../protocol/quote.ts";
import {
  enableTracking,
  promptPassword,
  promptUsername,
  reportResult,
  sendCredentials,
} from "./auth.ts";
import {
  atoi,
  connectTool,
  errorMessage,
  errToken,
  getoptLoop,
  NUT_VERSION,
  progName,
  runBody,
  strtol,
  strToUint,
  upsArgOrExit,
} from "./common.ts";
import { fatal, ToolExit, type ToolIO } from "./io.ts";

export const DEFAULT_TRACKING_TIMEOUT = 10;

function usage(io: ToolIO): void {
  const p = progName(io);
  io.out(
    `Network UPS Tools ${p} ${NUT_VERSION}\n\n` +
      `usage: ${p} [-h]\n` +
      `       ${p} [-s <variable>] [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups>\n\n` +
      "Demo program to set variables within UPS hardware.\n" +
      "\n" +
      "  -h            display this help text\n" +
      "  -s <variable>\tspecify variable to be changed\n" +
      "\t\tuse -s VAR=VALUE to avoid prompting for value\n" +
      "  -l            show all possible read/write variables.\n" +
      "  -u <username> set username for command authentication\n" +
      "  -p <password> set password for command authentication\n" +
      "  -w            wait for the completion of setting by the driver\n" +
      "                and return its actual result from the device\n" +
      `  -t <timeout>\tset a timeout when using -w (in seconds, default: ${DEFAULT_TRACKING_TIMEOUT})\n` +
      "\n" +
      "  <ups>         UPS identifier - <upsname>[@<hostname>[:<port>]]\n" +
      "\n" +
      "Call without -s to show all possible read/write variables (same as -l).\n",
  );
}

export function upsrwMain(args: string[], io: ToolIO): Promise<number> {
  return runBody(io, async (session) => {
    const run = getoptLoop(args, "+hls:p:t:u:wV");
    let setvar: string | undefined, user: string | undefined, pass: string | undefined;
    let tracking = false, timeout = DEFAULT_TRACKING_TIMEOUT;
    for (const [c, v] of run.opts) {
      if (c === "s") setvar = v;
      else if (c === "l") {
        if (setvar !== undefined) {
          io.err("Listing mode requested, overriding setvar specified earlier!\n");
          setvar = undefined;
        }
      } else if (c === "p") pass = v;
      else if (c === "u") user = v;
      else if (c === "w") tracking = true;
      else if (c === "t") {
        const t = strToUint(v ?? "");
        if (typeof t !== "number") {
          fatal(
            `Could not convert the provided value for timeout ('-t' option) to unsigned int: ${t}`,
          );
        }
        timeout = t;
      } else if (c === "V") {
        io.out(`Network UPS Tools ${progName(io)} ${NUT_VERSION}\n`);
        return 0;
      } else if (c === "h") {
        usage(io);
        return 0;
      }
    }
    if (run.error) {
      io.err(`${io.argv0}: ${run.error}\n`);
      usage(io);
      return 0;
    }
    const rest = run.rest;
    if (rest.length < 1) {
      usage(io);
      return 0;
    }
    const { ups, host, port } = upsArgOrExit(rest[0], io);
    const client = await connectTool(session, host, port, io);

    if (setvar === undefined) {
      await printRwList(client, ups, io);
      return 0;
    }

    // credentials and value are all asked before anything is sent
    if (user === undefined) user = await promptUsername(io, "default");
    if (pass === undefined) pass = await promptPassword(io);
    let name = setvar, value: string;
    const eq = setvar.indexOf("=");
    if (eq >= 0) {
      name = setvar.slice(0, eq);
      value = setvar.slice(eq + 1);
    } else {
      io.out(`Enter new value for ${name}: `);
      const line = await io.readLine();
      // fgets + "drop the last character", as NUT does
      const raw = line === null ? "" : line.text + (line.newline ? "\n" : "");
      value = raw.slice(0, -1);
    }
    await sendCredentials(client, user, pass);
    if (!name.includes(".")) fatal("Error: old variable names are not supported");
    if (tracking) await enableTracking(client, "set variable");

    try {
      await client.sendLine(`SET VAR ${ups} ${name} "${encode(value)}"`);
    } catch (e) {
      fatal(`Can't set variable: ${errorMessage(e)}`);
    }
    let reply = "";
    try {
      reply = await client.readLine();
    } catch (e) {
      fatal(`Set variable failed: ${errorMessage(e)}`);
    }
    if (!reply.startsWith("OK")) fatal(`Unexpected response from upsd: ${reply}`);
    await reportResult(client, reply, tracking, timeout, io);
    return 0;
  });
}

/** `LIST RW`, then the block of each variable. */
export async function printRwList(client: NutClient, ups: string, io: ToolIO): Promise<void> {
  let r: ListReader;
  try {
    r = await client.openList(["RW", ups]);
  } catch (e) {
    if (errToken(e) === "UNKNOWN-COMMAND") fatal("Error: upsd is too old to support this query");
    fatal(`Error: ${errorMessage(e)}`);
  }
  const names: string[] = [];
  for await (const w of items(r)) {
    if (w.length < 4) fatal(`Error: insufficient data (got ${w.length} args, need at least 4)`);
    names.push(w[2]);
  }
  for (const name of names) await printRw(client, ups, name, io);
}

/** Items until END LIST; a failure in mid-list ends the listing quietly, as in NUT. */
async function* items(r: ListReader): AsyncGenerator<string[]> {
  for (;;) {
    let it: string[] | null;
    try {
      it = await r.next();
    } catch {
      return;
    }
    if (!it) return;
    yield it;
  }
}

/** `GET <type> <ups> <name>` → the 4th word, or undefined on any failure. */
async function getData(
  client: NutClient,
  type: string,
  ups: string,
  name: string,
): Promise<string | undefined> {
  try {
    const w = await client.get([type, ups, name]);
    return w[3] ?? "";
  } catch (e) {
    if (e instanceof ToolExit) throw e;
    errorMessage(e); // rethrows anything that is not a client error
    return undefined;
  }
}

/** One variable: `[name]`, description, type block, blank line. */
export async function printRw(
  client: NutClient,
  ups: string,
  name: string,
  io: ToolIO,
): Promise<void> {
  io.out(`[${name}]\n`);
  const desc = await getData(client, "DESC", ups, name);
  io.out(`${desc ?? "Description unavailable"}\n`);
  await printType(client, ups, name, io);
  io.out("\n");
}

async function printType(client: NutClient, ups: string, name: string, io: ToolIO): Promise<void> {
  let words: string[];
  try {
    words = await client.get(["TYPE", ups, name]);
  } catch (e) {
    errorMessage(e);
    io.out("Unknown type\n");
    return;
  }
  let isEnum = false;
  for (const w of words.slice(3)) {
    const u = w.toUpperCase();
    if (u === "ENUM") {
      isEnum = true;
      continue;
    }
    if (u === "RANGE") return await printRange(client, ups, name, io);
    if (u.startsWith("STRING:")) {
      const len = strtol(w.slice(7));
      if (isEnum) return await printEnum(client, ups, name, "STRING", len, io);
      const val = await getData(client, "VAR", ups, name);
      if (val === undefined) fatal(`do_string: can't get current value of ${name}`);
      io.out(`Type: STRING\nMaximum length: ${len}\nValue: ${val}\n`);
      return;
    }
    if (u === "NUMBER") {
      if (isEnum) return await printEnum(client, ups, name, "NUMBER", 0, io);
      const val = await getData(client, "VAR", ups, name);
      if (val === undefined) fatal(`do_number: can't get current value of ${name}`);
      io.out(`Type: NUMBER\nValue: ${val}\n`);
      return;
    }
    if (u === "RW") continue;
    io.out(`Type: ${w} (unrecognized)\n`);
  }
  // servers older than 2.6 sent ENUM without STRING/NUMBER
  if (isEnum) await printEnum(client, ups, name, undefined, 0, io);
}

async function printEnum(
  client: NutClient,
  ups: string,
  name: string,
  type: "STRING" | "NUMBER" | undefined,
  len: number,
  io: ToolIO,
): Promise<void> {
  const val = await getData(client, "VAR", ups, name);
  if (val === undefined) fatal(`do_enum: can't get current value of ${name}`);
  let r: ListReader;
  try {
    r = await client.openList(["ENUM", ups, name]);
  } catch (e) {
    fatal(`Error: ${errorMessage(e)}`);
  }
  const it = items(r);
  let next = await it.next();
  io.out(type ? `Type: ENUM ${type}\n` : "Type: ENUM\n");
  if (type === "STRING") io.out(`Maximum length: ${len}\n`);
  while (!next.done) {
    const w = next.value;
    if (w.length < 4) fatal(`Error: insufficient data (got ${w.length} args, need at least 4)`);
    io.out(`Option: "${w[3]}"${w[3] === val ? " SELECTED" : ""}\n`);
    next = await it.next();
  }
}

async function printRange(
  client: NutClient,
  ups: string,
  name: string,
  io: ToolIO,
): Promise<void> {
  const val = await getData(client, "VAR", ups, name);
  if (val === undefined) fatal(`do_range: can't get current value of ${name}`);
  const ival = atoi(val);
  let r: ListReader;
  try {
    r = await client.openList(["RANGE", ups, name]);
  } catch (e) {
    fatal(`Error: ${errorMessage(e)}`);
  }
  const it = items(r);
  let next = await it.next();
  io.out("Type: RANGE NUMBER\n");
  while (!next.done) {
    const w = next.value;
    // (sic) NUT says "need at least 4" while it needs 5
    if (w.length < 5) fatal(`Error: insufficient data (got ${w.length} args, need at least 4)`);
    const min = atoi(w[3]), max = atoi(w[4]);
    io.out(`Option: "${min}-${max}"${ival >= min && ival <= max ? " SELECTED" : ""}\n`);
    next = await it.next();
  }
}
