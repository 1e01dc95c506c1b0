/**
 * upsmon's start-up (spec upsmon.md §1–§3, §9, §11): options, `-c`
 * signalling, `-K`, the single-instance check, loading upsmon.conf with
 * NUT's messages, the power-down flag, and then either the privileged part
 * (which starts the monitor as a child process), the monitor child itself,
 * or with `-p` both in one process.
 *
 * @module
 */

import { ConfigFileError, readConfigFile } from "../conf/errors.ts";
import { confPath, pidPath } from "../conf/paths.ts";
import {
  insufficientPowerText,
  parseUpsmonConf,
  type UpsmonConfig,
  type UpsmonConfResult,
  usesTlsSettings,
} from "../conf/upsmon_conf.ts";
import { defaultConnectTimeoutMs } from "../client/mod.ts";
import { Logger } from "../daemon/log.ts";
import { pidFileLocked } from "../daemon/pidfile.ts";
import { notifyReady } from "../daemon/ready.ts";
import type { LogLevel } from "./actions.ts";
import { DirectChannel, PipeChannel } from "./channel.ts";
import {
  BANNER,
  helpText,
  parseUpsmonArgs,
  type SignalCommand,
  type UpsmonRunOptions,
} from "./cli.ts";
import { CommandRunner } from "./commands.ts";
import { Monitor, type MonitorLog } from "./daemon.ts";
import { clearStalePowerDownFlag, powerDownFlagState } from "./powerdown.ts";
import { MONITOR_CHILD_FLAG, runPrivileged } from "./priv.ts";

const encoder = new TextEncoder();

function stdout(text: string): void {
  Deno.stdout.writeSync(encoder.encode(text));
}

function env(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === "" ? undefined : v;
  } catch {
    return undefined;
  }
}

function envTrue(name: string): boolean {
  return ["true", "TRUE", "1"].includes(env(name) ?? "");
}

/** Logger → the level-aware log the monitor uses. */
function monitorLog(logger: Logger): MonitorLog {
  return {
    log(level: LogLevel, message: string, debug?: number) {
      if (level === "debug") logger.debug(debug ?? 1, message);
      else logger.info(message);
    },
    setDebugLevel(n: number) {
      logger.level = n;
    },
  };
}

function configPathFor(file: string | undefined): string {
  return file ?? `${confPath()}/upsmon.conf`;
}

function pidFileName(): string {
  return `${pidPath()}/upsmon.pid`;
}

async function loadConfig(path: string): Promise<UpsmonConfResult | ConfigFileError> {
  try {
    return parseUpsmonConf(await readConfigFile(path), path);
  } catch (e) {
    if (e instanceof ConfigFileError) return e;
    throw e;
  }
}

/** upsmon with these arguments; resolves with the exit code. */
export async function upsmonMain(args: readonly string[]): Promise<number> {
  if (args[0] === MONITOR_CHILD_FLAG) return await monitorChild(args.slice(1));
  const log = new Logger("upsmon");
  if (!envTrue("NUT_QUIET_INIT_BANNER")) stdout(BANNER + "\n");
  const action = parseUpsmonArgs(args);
  switch (action.kind) {
    case "help": {
      if (action.error) log.error(action.error);
      const r = await loadConfig(configPathFor(undefined)).catch(() => undefined);
      stdout(helpText(r && !(r instanceof ConfigFileError) ? r.config.powerDownFlag : undefined));
      return 0;
    }
    case "version":
      return 0;
    case "signal":
      return sendSignal(log, action.command, action.pid);
    case "checkFlag":
      return await checkFlag(log, configPathFor(action.configFile));
    case "run":
      return await start(log, action.run, [...args]);
  }
}

function sendSignal(log: Logger, command: SignalCommand, pid?: number): number {
  const sig: Deno.Signal = command === "fsd"
    ? "SIGUSR1"
    : command === "stop"
    ? "SIGTERM"
    : "SIGHUP";
  const file = pidFileName();
  if (pid === undefined) {
    let text: string;
    try {
      text = Deno.readTextFileSync(file);
    } catch {
      log.error(`fopen ${file}: No such file or directory`);
      log.error("Failed to signal the currently running daemon (if any)");
      return 1;
    }
    const n = parseInt(text.trim(), 10);
    if (!Number.isFinite(n) || n < 2) {
      log.error(`Ignoring invalid pid number in ${file}`);
      log.error("Failed to signal the currently running daemon (if any)");
      return 1;
    }
    pid = n;
  }
  try {
    Deno.kill(pid, sig);
    return 0;
  } catch (e) {
    log.error(`kill: ${(e as Error).message.replace(/ \(os error \d+\)$/, "")}`);
    log.error("Failed to signal the currently running daemon (if any)");
    return 1;
  }
}

async function checkFlag(log: Logger, path: string): Promise<number> {
  const r = await loadConfig(path);
  if (r instanceof ConfigFileError) {
    log.error(r.message);
    return 1;
  }
  const flag = r.config.powerDownFlag;
  if (!flag) {
    log.info(`No POWERDOWNFLAG value was configured in ${path}!`);
    return 1;
  }
  switch (powerDownFlagState(flag)) {
    case "set":
      log.info("Power down flag is set");
      return 0;
    case "unset":
      log.info("Power down flag is not set");
      return 1;
    case "foreign":
      log.info(`POWERDOWNFLAG (${flag}) does not contain the upsmon magic string`);
      return 1;
  }
}

function debugLevel(cli: number): number {
  if (cli > 0) return cli;
  const lvl = env("NUT_DEBUG_LEVEL");
  return lvl && /^\d+$/.test(lvl) ? Number(lvl) : 0;
}

function connectOptions(run: UpsmonRunOptions) {
  const t = run.connectTimeoutMs ?? defaultConnectTimeoutMs();
  return { timeoutMs: t, readTimeoutMs: t };
}

async function start(log: Logger, run: UpsmonRunOptions, args: string[]): Promise<number> {
  log.level = debugLevel(run.debug);
  const pidFile = pidFileName();
  if (pidFileLocked(pidFile)) {
    stdout(
      "Fatal error: A previous upsmon instance is already running!\n" +
        "Either stop the previous instance first, or use the 'reload' command.\n",
    );
    return 1;
  }
  try {
    Deno.statSync(pidFile);
  } catch {
    log.warn("Could not find PID file to see if previous upsmon instance is already running!");
  }

  const path = configPathFor(run.configFile);
  const r = await loadConfig(path);
  if (r instanceof ConfigFileError) {
    log.error(r.message);
    return 1;
  }
  for (const n of r.notes) log.info(n.message);
  if (r.errors.length > 0) {
    log.warn(`Encountered ${r.errors.length} config errors, those entries were ignored`);
  }
  if (r.fatal) {
    log.error("Fatal error: unusable configuration");
    return 1;
  }
  const config = r.config;
  log.level = Math.max(log.level, config.debugMin ?? 0);
  if (usesTlsSettings(config)) {
    log.warn(
      "CERTPATH/CERTFILE/CERTIDENT/CERTHOST/CERTVERIFY/FORCESSL are read but not enforced yet: " +
        "STARTTLS is tried and used without certificate checks when upsd offers it",
    );
  }
  if (run.family) log.debug(1, `-${run.family}: the address family is left to the resolver`);
  if (run.mono) log.warn("Warning: running as one big root process by request (upsmon -p)");

  if (!config.shutdownCmd) {
    stdout(
      config.minSupplies < 1
        ? "Warning: no shutdown command defined, but that is OK for a monitoring-only client.\n"
        : "Warning: no shutdown command defined!\n",
    );
  }
  if (!config.notifyCmd) {
    stdout("Warning: no custom notification command defined, just so you know\n");
  }

  let flag = config.powerDownFlag;
  if (!flag) {
    log.info(`No POWERDOWNFLAG value was configured in ${path}!`);
    if (config.monitors.some((m) => m.role === "primary")) {
      log.info(
        "This upsmon instance is PRIMARY for at least one device, but would not be able to " +
          "arrange its power-cycling (nothing will tell the late shutdown scripts to cut the UPS power)",
      );
    }
  } else {
    log.info(`Using power down flag file ${flag}`);
    if (!clearStalePowerDownFlag(flag)) {
      log.error(
        `POWERDOWNFLAG (${flag}) does not contain the upsmon magic string (not a NUT file) - disabling!`,
      );
      flag = undefined;
    }
  }
  const insufficient = insufficientPowerText(config);
  if (insufficient) {
    stdout(insufficient);
    return 1;
  }

  const plog = (level: LogLevel, message: string) =>
    level === "debug" ? log.debug(1, message) : log.info(message);
  const runnerOpts = {
    shutdownCmd: config.shutdownCmd,
    notifyCmd: config.notifyCmd,
    powerDownFlag: flag,
    wallPath: env("NUT_UPSMON_WALL") ?? "/usr/bin/wall",
    log: plog,
  };

  if (run.mono) {
    const runner = new CommandRunner(runnerOpts);
    const monitor = new Monitor({
      configPath: path,
      config,
      channel: new DirectChannel(runner, notifyReady),
      log: monitorLog(log),
      cliDebug: log.level,
      pidFile,
      connect: connectOptions(run),
    });
    return await monitor.run();
  }

  const user = userFromEnv();
  const runner = new CommandRunner({ ...runnerOpts, user, prefix: "upsmon parent: " });
  const root = new URL("../../", import.meta.url).pathname;
  return await runPrivileged({
    args,
    config,
    configPath: path,
    pidFile,
    runner,
    deno: env("NUT_UPSMON_DENO") ?? Deno.execPath(),
    denoRunFlags: [
      "run",
      "--quiet",
      "--no-prompt",
      `--config=${root}deno.json`,
      "--cached-only",
      "--no-lock",
    ],
    entry: `${root}cmd/upsmon/main.ts`,
    user,
    log: plog,
  });
}

/** RUN_AS_USER as resolved by the launcher (only set when started as root). */
function userFromEnv(): { uid: number; gid: number } | undefined {
  const uid = env("NUT_UPSMON_UID");
  const gid = env("NUT_UPSMON_GID");
  if (!uid || !gid || !/^\d+$/.test(uid) || !/^\d+$/.test(gid)) return undefined;
  return { uid: Number(uid), gid: Number(gid) };
}

/** The unprivileged monitor, started by the privileged part. */
async function monitorChild(args: string[]): Promise<number> {
  const log = new Logger("upsmon");
  const action = parseUpsmonArgs(args);
  if (action.kind !== "run") return 1;
  const run = action.run;
  log.level = debugLevel(run.debug);
  const path = configPathFor(run.configFile);
  const r = await loadConfig(path);
  if (r instanceof ConfigFileError) {
    log.error(r.message);
    if (r.message.includes("Permission denied")) {
      log.error(
        `The monitor runs as RUN_AS_USER and reads ${path} itself (at start and on reload): ` +
          "make it readable by that user's group (e.g. root:nut, mode 0640)",
      );
    }
    return 1;
  }
  if (r.fatal) return 1;
  const config: UpsmonConfig = r.config;
  const monitor = new Monitor({
    configPath: path,
    config,
    channel: new PipeChannel(),
    log: monitorLog(log),
    cliDebug: log.level,
    pidFile: pidFileName(),
    connect: connectOptions(run),
  });
  return await monitor.run();
}
