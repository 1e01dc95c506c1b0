/**
 * upscmd: list or run instant commands, as NUT 2.8.0 does (results on
 * stderr, raw `Unexpected response from upsd: ERR ...` on refusal).
 *
 * @module
 */

import type { NutClient } from "../client/client.ts";
import {
  enableTracking,
  promptPassword,
  promptUsername,
  reportResult,
  sendCredentials,
} from "./auth.ts";
import {
  connectTool,
  errorMessage,
  errToken,
  getoptLoop,
  NUT_VERSION,
  progName,
  runBody,
  strToUint,
  upsArgOrExit,
} from "./common.ts";
import { fatal, ToolExit, type ToolIO } from "./io.ts";

export const DEFAULT_TRACKING_TIMEOUT = 10;

function usage(io: ToolIO): void {
  const p = progName(io);
  io.out(
    `Network UPS Tools upscmd ${NUT_VERSION}\n\n` +
      `usage: ${p} [-h]\n` +
      `       ${p} [-l <ups>]\n` +
      `       ${p} [-u <username>] [-p <password>] [-w] [-t <timeout>] <ups> <command> [<value>]\n\n` +
      "Administration program to initiate instant commands on UPS hardware.\n" +
      "\n" +
      "  -h\t\tdisplay this help text\n" +
      "  -l <ups>\tshow available commands on UPS <ups>\n" +
      "  -u <username>\tset username for command authentication\n" +
      "  -p <password>\tset password for command authentication\n" +
      "  -w            wait for the completion of command by the driver\n" +
      "                and return its actual result from the device\n" +
      `  -t <timeout>\tset a timeout when using -w (in seconds, default: ${DEFAULT_TRACKING_TIMEOUT})\n` +
      "\n" +
      "  <ups>\t\tUPS identifier - <upsname>[@<hostname>[:<port>]]\n" +
      "  <command>\tValid instant command - test.panel.start, etc.\n" +
      "  [<value>]\tAdditional data for command - number of seconds, etc.\n",
  );
}

export function upscmdMain(args: string[], io: ToolIO): Promise<number> {
  return runBody(io, async (session) => {
    const run = getoptLoop(args, "+lhu:p:t:wV");
    let cmdlist = false, tracking = false, timeout = DEFAULT_TRACKING_TIMEOUT;
    let user: string | undefined, pass: string | undefined;
    for (const [c, v] of run.opts) {
      if (c === "l") cmdlist = true;
      else if (c === "u") user = v;
      else if (c === "p") pass = v;
      else if (c === "w") tracking = true;
      else if (c === "t") {
        const t = strToUint(v ?? "");
        if (typeof t !== "number") {
          fatal(
            `Could not convert the provided value for timeout ('-t' option) to unsigned int: ${t}`,
          );
        }
        timeout = t;
      } else if (c === "V") throw new ToolExit(0, `Network UPS Tools upscmd ${NUT_VERSION}`);
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
    if (rest.length < 1) {
      usage(io);
      return 0;
    }
    const { ups, host, port } = upsArgOrExit(rest[0], io);
    const client = await connectTool(session, host, port, io);

    if (cmdlist) {
      await listCommands(client, ups, io);
      return 0;
    }
    if (rest.length < 2) {
      usage(io);
      return 0;
    }
    const cmd = rest[1];
    if (!cmd.includes(".")) fatal("Error: old command names are not supported");

    if (user === undefined) user = await promptUsername(io, "fail");
    if (pass === undefined) pass = await promptPassword(io);
    await sendCredentials(client, user, pass);
    if (tracking) await enableTracking(client, "command");

    // sent unquoted, as NUT does (a value with spaces arrives as several words)
    const line = rest.length > 2 ? `INSTCMD ${ups} ${cmd} ${rest[2]}` : `INSTCMD ${ups} ${cmd}`;
    try {
      await client.sendLine(line);
    } catch (e) {
      fatal(`Can't send instant command: ${errorMessage(e)}`);
    }
    let reply = "";
    try {
      reply = await client.readLine();
    } catch (e) {
      fatal(`Instant command failed: ${errorMessage(e)}`);
    }
    if (!reply.startsWith("OK")) fatal(`Unexpected response from upsd: ${reply}`);
    await reportResult(client, reply, tracking, timeout, io);
    return 0;
  });
}

async function listCommands(client: NutClient, ups: string, io: ToolIO): Promise<void> {
  const names: string[] = [];
  try {
    const r = await client.openList(["CMD", ups]);
    for (;;) {
      let w: string[] | null;
      try {
        w = await r.next();
      } catch {
        break; // NUT stops listing quietly on a mid-list failure
      }
      if (!w) break;
      if (w.length < 3) {
        fatal(`Error: insufficient data (got ${w.length} args, need at least 3)`);
      }
      names.push(w[2]);
    }
  } catch (e) {
    if (e instanceof ToolExit) throw e;
    if (errToken(e) === "UNKNOWN-COMMAND") fatal("Error: upsd is too old to support this query");
    fatal(`Error: ${errorMessage(e)}`);
  }
  io.out(`Instant commands supported on UPS [${ups}]:\n\n`);
  for (const name of names) {
    let desc: string | undefined;
    try {
      desc = (await client.get(["CMDDESC", ups, name]))[3];
    } catch {
      desc = undefined;
    }
    io.out(desc === undefined ? `${name}\n` : `${name} - ${desc}\n`);
  }
}
