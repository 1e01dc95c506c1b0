/**
 * upslog: append one formatted status record per UPS and interval to log
 * files (or stdout). NUT 2.8.0's behaviour and messages, plus NUT 2.8.1+'s
 * -m tuples, `*` device expansion, -d round count, -N and %t.
 *
 * Runtime: SIGHUP reopens the log files, SIGUSR1 writes a record now,
 * SIGTERM/INT/QUIT write one last record and exit 0 (`Signal 15: exiting`).
 * The schedule is NUT's: `nextpoll += interval` after a sleep, or
 * `now + interval` when a round overran.
 *
 * @module
 */

import { AddressError, formatHost, parseUpsAddress } from "../client/address.ts";
import { NutClient } from "../client/client.ts";
import { osErrorText } from "../client/errors.ts";
import { pidPath } from "../conf/paths.ts";
import { isDetached, notifyReady } from "../daemon/ready.ts";
import { writePidFile } from "../daemon/pidfile.ts";
import { atoi, errorMessage, errToken, getoptLoop, NUT_VERSION, progName } from "./common.ts";
import { ToolExit, type ToolIO } from "./io.ts";
import { compileFormat, DEFAULT_FORMAT, renderRecord, type Step } from "./upslog_format.ts";

const NO_UPS =
  "No UPS defined for monitoring - use -s <system> -l <logfile>, or use -m <ups,logfile>; consider -m '*,-' to view updates of all known local devices";

/** A log destination, opened once however many devices write to it. */
interface Target {
  name: string;
  file?: Deno.FsFile;
  stdout: boolean;
  opened: boolean;
}

interface Device {
  monhost: string;
  ups: string;
  host: string;
  port: number;
  target: Target;
  client?: NutClient;
}

function help(io: ToolIO): void {
  const p = progName(io);
  io.out(
    "UPS status logger.\n" +
      `\nusage: ${p} [OPTIONS]\n\n` +
      "  -f <format>\t- Log format.  See below for details.\n" +
      '\t\t- Use -f "<format>" so your shell doesn\'t break it up.\n' +
      '  -N\t\t- Prefix "%UPSHOST%%t" before the format (default/custom):\n' +
      "\t\t  useful when logging many systems into same target.\n" +
      "  -i <interval>\t- Time between updates, in seconds\n" +
      "  -d <count>\t- Exit after specified amount of updates\n" +
      "  -l <logfile>\t- Log file name, or - for stdout (foreground by default)\n" +
      "  -D\t\t- raise debugging level (and stay foreground by default)\n" +
      "  -F\t\t- stay foregrounded even if logging into a file\n" +
      "  -B\t\t- stay backgrounded even if logging to stdout or debugging\n" +
      `  -p <pidbase>\t- Base name for PID file (defaults to "${p}")\n` +
      "  -s <ups>\t- Monitor UPS <ups> - <upsname>@<host>[:<port>]\n" +
      "        \t- Example: -s myups@server\n" +
      "        \t- Specify '*' as upsname to query all devices on the host\n" +
      "  -m <tuple>\t- Monitor UPS <ups,logfile>\n" +
      "\t\t- Example: -m myups@server,/var/log/myups.log\n" +
      "\t\t- NOTE: You can use '-' as logfile for stdout\n" +
      "\t\t  and it would not imply foregrounding\n" +
      "\t\t- Unlike one '-s ups -l file' spec, you can specify many tuples\n" +
      "\t\t- Example: -m '*,-' to view updates of all known local devices\n" +
      "  -u <user>\t- Switch to <user> if started as root\n" +
      "\n" +
      "Some valid format string escapes:\n" +
      "\t%% insert a single %\n" +
      "\t%t insert a TAB character\n" +
      "\t%TIME format% insert the time with strftime formatting\n" +
      "\t%ETIME% insert the time in seconds since the Epoch\n" +
      "\t%HOST% insert the local hostname\n" +
      "\t%UPSHOST% insert the host of the ups being monitored\n" +
      "\t%PID% insert the pid of upslog\n" +
      "\t%VAR varname% insert the value of ups variable varname\n\n" +
      "format string defaults to:\n" +
      `${DEFAULT_FORMAT}\n` +
      "\nSee the upslog(8) man page for more information.\n",
  );
}

/** Hooks to the world outside, so tests can run upslog in-process. */
export interface UpslogEnv {
  hostname(): string;
  pid: number;
  /** Install signal handlers; returns a function removing them. */
  onSignal(
    handler: (sig: "SIGHUP" | "SIGUSR1" | "SIGTERM" | "SIGINT" | "SIGQUIT") => void,
  ): () => void;
}

const SIGNUM = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGUSR1: 10, SIGTERM: 15 } as const;

/** The process environment: Deno signals, the real host name and PID. */
export function denoUpslogEnv(): UpslogEnv {
  let host: string | undefined;
  return {
    hostname() {
      try {
        return host ??= Deno.hostname();
      } catch {
        return ""; // NUT logs "gethostname failed" and prints nothing
      }
    },
    pid: Deno.pid,
    onSignal(handler) {
      const sigs = ["SIGHUP", "SIGUSR1", "SIGTERM", "SIGINT", "SIGQUIT"] as const;
      const fns = sigs.map((s) => {
        const fn = () => handler(s);
        Deno.addSignalListener(s, fn);
        return [s, fn] as const;
      });
      return () => fns.forEach(([s, fn]) => Deno.removeSignalListener(s, fn));
    },
  };
}

export async function upslogMain(
  args: string[],
  io: ToolIO,
  env: UpslogEnv = denoUpslogEnv(),
): Promise<number> {
  io.out(`Network UPS Tools ${progName(io)} ${NUT_VERSION}\n`);
  io.flush();
  const devices: Device[] = [];
  try {
    return await run(args, io, env, devices);
  } catch (e) {
    if (!(e instanceof ToolExit)) throw e;
    io.flush();
    if (e.message) io.err(e.message + "\n");
    return e.code;
  } finally {
    io.flush();
    for (const d of devices) await d.client?.logout();
    const seen = new Set<Target>();
    for (const d of devices) {
      if (seen.has(d.target)) continue;
      seen.add(d.target);
      try {
        d.target.file?.close();
      } catch {
        // already closed
      }
    }
  }
}

function fail(msg: string): never {
  throw new ToolExit(1, msg);
}

async function run(args: string[], io: ToolIO, env: UpslogEnv, devices: Device[]): Promise<number> {
  const parsed = getoptLoop(args, "+hDs:l:i:d:Nf:u:Vp:FBm:");
  let interval = 30, maxLoops = 0, format = DEFAULT_FORMAT, prefixUpshost = false;
  let monhost: string | undefined, logfn: string | undefined;
  let pidBase = progName(io);
  const targets = new Map<string, Target>();
  const target = (name: string): Target => {
    let t = targets.get(name);
    if (!t) {
      t = { name, stdout: name === "-", opened: false };
      targets.set(name, t);
    }
    return t;
  };
  const entries: Array<{ monhost: string; target: Target }> = [];

  for (const [c, v = ""] of parsed.opts) {
    switch (c) {
      case "h":
        help(io);
        return 0;
      case "m": {
        const parts = v.split(",");
        if (parts.length !== 2 || parts[1] === "") {
          fail("Argument '-m upsspec,logfile' requires exactly 2 components in the tuple");
        }
        entries.push({ monhost: parts[0], target: target(parts[1]) });
        break;
      }
      case "s":
        monhost = v;
        break;
      case "l":
        logfn = v;
        break;
      case "i":
        interval = atoi(v);
        break;
      case "d": {
        const n = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
        if (Number.isSafeInteger(n)) maxLoops = n;
        else io.err("Invalid max loops\n");
        break;
      }
      case "f":
        format = v;
        break;
      case "N":
        prefixUpshost = true;
        break;
      case "V":
        return 0; // the banner is already out
      case "p":
        pidBase = v;
        break;
        // -u: the launcher starts us as that user; -F/-B/-D: the launcher decides the mode
    }
  }
  if (parsed.error) {
    io.err(`${io.argv0}: ${parsed.error}\n`);
    const letter = /'(.)'/.exec(parsed.error)?.[1] ?? "?";
    fail(`Error: unknown option -${letter}. Try -h for help.`);
  }
  const rest = parsed.rest;
  if (rest.length === 1 || rest.length === 2) {
    help(io);
    return 0;
  }
  if (rest.length >= 3) {
    // old style: <system> <logfile> <interval> [<format words>...]
    monhost = rest[0];
    logfn = rest[1];
    interval = atoi(rest[2]);
    if (rest.length >= 4) format = rest.slice(3).map((w) => w + " ").join("");
  }
  if (monhost !== undefined || logfn !== undefined) {
    if (monhost === undefined) {
      fail(
        "No UPS defined for monitoring - use -s <system> when using -l <file>, or use -m <ups,logfile>; consider -m '*,-' to view updates of all known local devices",
      );
    }
    if (logfn === undefined) {
      fail(
        "No filename defined for logging - use -l <file> when using -s <system>, or use -m <ups,logfile>; consider -m '*,-' to view updates of all known local devices",
      );
    }
    entries.push({ monhost, target: target(logfn) });
  }
  if (prefixUpshost) format = "%UPSHOST%%t" + format;
  if (entries.length === 0) fail(NO_UPS);

  // split the specs; expand "*" through LIST UPS
  for (const e of entries) {
    let a;
    try {
      a = parseUpsAddress(e.monhost);
    } catch (err) {
      if (!(err instanceof AddressError)) throw err;
      io.err(err.message + "\n");
      fail("Error: invalid UPS definition.  Required format: upsname[@hostname[:port]]\n");
    }
    if (a.ups !== "*") {
      devices.push({ monhost: e.monhost, ...a, target: e.target });
      continue;
    }
    io.err(`Querying ${a.host}:${a.port} for currently served devices\n`);
    const names = await listServedUps(a.host, a.port, io);
    if (names.length === 0) {
      io.err(`Data server at ${a.host}:${a.port} does not currently serve any devices\n`);
    }
    for (const name of names) {
      devices.push({
        monhost: `${name}@${formatHost(a.host)}:${a.port}`,
        ups: name,
        host: a.host,
        port: a.port,
        target: e.target,
      });
    }
  }
  if (devices.length === 0) fail("Queries failed to find anything");

  for (const d of devices) {
    io.out(`logging status of ${d.monhost} to ${d.target.name} (${interval}s intervals)\n`);
    io.flush();
    try {
      d.client = await NutClient.connect(d.host, d.port, { log: (m) => io.err(m + "\n") });
    } catch (e) {
      io.err(`Warning: initial connect failed: ${errorMessage(e)}\n`);
    }
    const t = d.target;
    if (t.opened) {
      if (!format.includes("%UPSHOST%")) {
        if (!t.stdout) io.err(`NOTE: File ${t.name} is already receiving other logs\n`);
        io.err(
          "NOTE: Consider adding %UPSHOST% to the log formatting string, e.g. pass -N on CLI\n",
        );
      }
    } else {
      if (!t.stdout) {
        try {
          t.file = Deno.openSync(t.name, { append: true, create: true });
        } catch (e) {
          fail(`could not open logfile ${t.name}: ${osErrorText(e)}`);
        }
      }
      t.opened = true;
    }
  }

  // the signals are caught from here on: a TERM now still gets its last record
  let exitSig = 0, reopenSig = 0;
  let wake: (() => void) | undefined;
  const stopSignals = env.onSignal((sig) => {
    if (sig === "SIGHUP") reopenSig = SIGNUM.SIGHUP;
    else if (sig !== "SIGUSR1") exitSig = SIGNUM[sig];
    wake?.();
  });
  try {
    const pidFile = pidBase.startsWith("/") ? pidBase : `${pidPath()}/${pidBase}.pid`;
    try {
      await writePidFile(pidFile);
    } catch (e) {
      io.err(`writepid: fopen ${pidFile}: ${osErrorText(e)}\n`);
    }
    const steps = compileFormat(format);
    notifyReady();

    let nextpoll = 0, loops = 0;
    while (exitSig === 0) {
      const now = Math.floor(Date.now() / 1000);
      if (nextpoll > now) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, (nextpoll - now) * 1000);
          function done() {
            clearTimeout(timer);
            wake = undefined;
            resolve();
          }
          wake = done;
        });
        nextpoll += interval;
      } else {
        nextpoll = now + interval;
        if (interval <= 0) await new Promise((r) => setTimeout(r, 0)); // let signals in
      }
      if (reopenSig) {
        io.err(`Signal ${reopenSig}: reopening log file\n`);
        reopenLogs(devices, io);
        reopenSig = 0;
      }
      for (const d of devices) {
        if (!d.client?.connected) {
          try {
            d.client = await NutClient.connect(d.host, d.port, { log: (m) => io.err(m + "\n") });
          } catch {
            d.client = undefined; // retried next round
          }
        }
        await writeRecord(d, steps, env, io);
        if (interval > 30) {
          await d.client?.logout();
          d.client = undefined;
        }
      }
      if (maxLoops > 0 && ++loops >= maxLoops) {
        io.err(`${maxLoops} loops have elapsed\n`);
        exitSig = 1;
      }
    }
    io.err(`Signal ${exitSig}: exiting\n`);
    return 0;
  } finally {
    stopSignals();
  }
}

/** LIST UPS on a server, for `*@host`. */
async function listServedUps(host: string, port: number, io: ToolIO): Promise<string[]> {
  let c: NutClient;
  try {
    c = await NutClient.connect(host, port, { log: (m) => io.err(m + "\n") });
  } catch (e) {
    fail(`Error: ${errorMessage(e)}`);
  }
  try {
    const r = await c.openList(["UPS"]).catch((e) => {
      if (errToken(e) === "UNKNOWN-COMMAND") fail("Error: upsd is too old to support this query");
      fail(`Error: ${errorMessage(e)}`);
    });
    const names: string[] = [];
    for (;;) {
      let w: string[] | null;
      try {
        w = await r.next();
      } catch {
        break;
      }
      if (!w) break;
      if (w.length < 3) fail(`Error: insufficient data (got ${w.length} args, need at least 3)`);
      names.push(w[1]);
    }
    return names;
  } finally {
    await c.logout();
  }
}

function reopenLogs(devices: Device[], io: ToolIO): void {
  const seen = new Set<Target>();
  for (const d of devices) {
    const t = d.target;
    if (seen.has(t) || !t.opened) continue;
    seen.add(t);
    if (t.stdout) {
      io.err("logging to stdout\n");
      continue;
    }
    try {
      t.file?.close();
    } catch {
      // already closed
    }
    try {
      t.file = Deno.openSync(t.name, { append: true, create: true });
    } catch (e) {
      t.file = undefined;
      fail(`could not reopen logfile ${t.name}: ${osErrorText(e)}`);
    }
  }
}

const encoder = new TextEncoder();
const detached = isDetached();

async function writeRecord(d: Device, steps: Step[], env: UpslogEnv, io: ToolIO): Promise<void> {
  const line = await renderRecord(steps, {
    now: new Date(),
    hostname: () => env.hostname(),
    upshost: d.monhost,
    pid: env.pid,
    getVar: async (name) => {
      const c = d.client;
      if (!c?.connected) return "NA";
      try {
        return (await c.get(["VAR", d.ups, name]))[3] ?? "NA";
      } catch (e) {
        errorMessage(e); // only client errors become NA
        return "NA";
      }
    },
  }) + "\n";
  if (d.target.stdout) {
    // a detached NUT daemon has stdout on /dev/null
    if (detached) return;
    io.out(line);
    io.flush();
    return;
  }
  const f = d.target.file;
  if (!f) return;
  try {
    const data = encoder.encode(line);
    let off = 0;
    while (off < data.length) off += f.writeSync(data.subarray(off));
  } catch {
    // fprintf errors are not checked by NUT either
  }
}
