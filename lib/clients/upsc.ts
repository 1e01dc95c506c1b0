/**
 * upsc: print UPS variables, the UPS list, or the clients of a UPS, as NUT
 * 2.8.0 does, plus NUT 2.8.5's JSON output (`-j`).
 *
 * @module
 */

import { AddressError, parseHostAddress, parseUpsAddress } from "../client/address.ts";
import type { ListReader, NutClient } from "../client/client.ts";
import {
  connectTool,
  errorMessage,
  errToken,
  getoptLoop,
  NUT_VERSION,
  progName,
  runBody,
} from "./common.ts";
import { fatal, ToolExit, type ToolIO } from "./io.ts";
import { jsonEscape } from "./json.ts";

function usage(io: ToolIO): void {
  const p = progName(io);
  io.out(
    `Network UPS Tools upsc ${NUT_VERSION}\n\n` +
      `usage: ${p} [-j] -l | -L [<hostname>[:port]]\n` +
      `       ${p} [-j] <ups> [<variable>]\n` +
      `       ${p} [-j] -c <ups>\n` +
      "\nDemo program to display UPS variables.\n\n" +
      "Option:\n" +
      "  -j         - display output in JSON format\n\n" +
      "First form (lists UPSes):\n" +
      "  -l         - lists each UPS on <hostname>, one per line.\n" +
      "  -L         - lists each UPS followed by its description (from ups.conf).\n" +
      "               Default hostname: localhost\n" +
      "\nSecond form (lists variables and values):\n" +
      "  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form\n" +
      "  <variable> - optional, display this variable only.\n" +
      "               Default: list all variables for <host>\n" +
      "\nThird form (lists clients connected to a device):\n" +
      "  -c         - lists each client connected on <ups>, one per line.\n" +
      "  <ups>      - upsd server, <upsname>[@<hostname>[:<port>]] form\n",
  );
}

export function upscMain(args: string[], io: ToolIO): Promise<number> {
  return runBody(io, async (session) => {
    const run = getoptLoop(args, "+hlLcVj");
    let varlist = false, verbose = false, clientlist = false, json = false;
    for (const [c] of run.opts) {
      if (c === "L") varlist = verbose = true;
      else if (c === "l") varlist = true;
      else if (c === "c") clientlist = true;
      else if (c === "j") json = true;
      // 2.8.0 prints this banner on stderr (naming upscmd: a copy-paste bug we fix)
      else if (c === "V") throw new ToolExit(0, `Network UPS Tools upsc ${NUT_VERSION}`);
      else if (c === "h") {
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

    /** NUT 2.8.5's error path: JSON object on stdout, the message on stderr. */
    const fail: Fail = (msg) => {
      if (json) io.out(`{"error": "${jsonEscape(msg)}"}\n`);
      fatal(`Error: ${msg}`);
    };
    const tooOld = (e: unknown, old: string): string =>
      errToken(e) === "UNKNOWN-COMMAND" ? old : errorMessage(e);

    let ups = "", host = "", port = 0;
    try {
      if (varlist) {
        ({ host, port } = parseHostAddress(rest[0] ?? "localhost"));
      } else {
        if (rest[0] === undefined) throw new AddressError("");
        ({ ups, host, port } = parseUpsAddress(rest[0]));
      }
    } catch (e) {
      if (!(e instanceof AddressError)) throw e;
      if (e.message) io.err(e.message + "\n");
      fail(
        varlist
          ? "invalid hostname.\nRequired format: [hostname[:port]]"
          : "invalid UPS definition.\nRequired format: upsname[@hostname[:port]]",
      );
    }
    const client = await connectTool(session, host, port, io, json ? fail : undefined);

    if (varlist) return await listUpses(client, verbose, json, io, fail, tooOld);
    if (clientlist) return await listClients(client, ups, json, io, fail, tooOld);
    if (rest.length > 1) {
      const name = rest[1];
      if (!name.includes(".")) fail("old-style variable names are not supported");
      let words: string[] = [];
      try {
        words = await client.get(["VAR", ups, name]);
      } catch (e) {
        fail(tooOld(e, "variable unknown (old upsd detected)"));
      }
      const value = words[3] ?? "";
      io.out(json ? `"${jsonEscape(value)}"\n` : `${value}\n`);
      return 0;
    }
    return await listVars(client, ups, json, io, tooOld);
  });
}

type Fail = (msg: string) => never;
type TooOld = (e: unknown, old: string) => string;
const OLD = "upsd is too old to support this query";

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

function insufficient(n: number, need: number): string {
  return `insufficient data (got ${n} args, need at least ${need})`;
}

async function listVars(
  client: NutClient,
  ups: string,
  json: boolean,
  io: ToolIO,
  tooOld: TooOld,
): Promise<number> {
  if (json) io.out("{\n");
  let r: ListReader;
  try {
    r = await client.openList(["VAR", ups]);
  } catch (e) {
    const msg = tooOld(e, OLD);
    if (json) io.out(`  "error": "${jsonEscape(msg)}"\n}\n`);
    fatal(`Error: ${msg}`);
  }
  let first = true;
  for await (const w of items(r)) {
    if (w.length < 4) {
      const msg = insufficient(w.length, 4);
      if (json) io.out(`  "error": "${msg}"\n}\n`);
      fatal(`Error: ${msg}`);
    }
    if (json) {
      io.out(`${first ? "" : ",\n"}  "${jsonEscape(w[2])}": "${jsonEscape(w[3])}"`);
      first = false;
    } else {
      io.out(`${w[2]}: ${w[3]}\n`);
    }
  }
  if (json) io.out("\n}\n");
  return 0;
}

async function listUpses(
  client: NutClient,
  verbose: boolean,
  json: boolean,
  io: ToolIO,
  fail: Fail,
  tooOld: TooOld,
): Promise<number> {
  let r: ListReader;
  try {
    r = await client.openList(["UPS"]);
  } catch (e) {
    fail(tooOld(e, OLD));
  }
  if (json) io.out(verbose ? "{\n" : "[\n");
  let first = true;
  for await (const w of items(r)) {
    if (w.length < 3) {
      const msg = insufficient(w.length, 3);
      if (json) io.out(`  ${verbose ? "" : "{"}"error": "${msg}"\n}\n${verbose ? "" : "]\n"}`);
      fatal(`Error: ${msg}`);
    }
    if (json) {
      io.out(first ? "  " : ",\n  ");
      io.out(
        verbose ? `"${jsonEscape(w[1])}": "${jsonEscape(w[2])}"` : `"${jsonEscape(w[1])}"`,
      );
      first = false;
    } else {
      io.out(verbose ? `${w[1]}: ${w[2]}\n` : `${w[1]}\n`);
    }
  }
  if (json) io.out(verbose ? "\n}\n" : "\n]\n");
  return 0;
}

async function listClients(
  client: NutClient,
  ups: string,
  json: boolean,
  io: ToolIO,
  fail: Fail,
  tooOld: TooOld,
): Promise<number> {
  let r: ListReader;
  try {
    r = await client.openList(["CLIENT", ups]);
  } catch (e) {
    fail(tooOld(e, OLD));
  }
  if (json) io.out("[\n");
  let first = true;
  for await (const w of items(r)) {
    if (w.length < 3) {
      const msg = insufficient(w.length, 3);
      if (json) io.out(`  {"error": "${msg}"\n}\n]\n`);
      fatal(`Error: ${msg}`);
    }
    if (json) {
      io.out(`${first ? "" : ",\n"}  "${jsonEscape(w[2])}"`);
      first = false;
    } else {
      io.out(`${w[2]}\n`);
    }
  }
  if (json) io.out("\n]\n");
  return 0;
}
