/**
 * upsd's life cycle (spec daemons.md §2): options, `-c` signalling, the
 * start-up sequence with NUT's messages and exit codes, signals, and the
 * least-privilege steps after start-up.
 *
 * Another running upsd is detected through a lock on its PID file (held for
 * its whole life) instead of NUT's signal-0 probe: signalling needs Deno's
 * run permission, which the daemon does not get.
 *
 * @module
 */

import { ConfigFileError, readConfigFile } from "../conf/errors.ts";
import { confPath, dataPath, DEFAULT_STATEPATH, pidPath } from "../conf/paths.ts";
import { parseUpsConf } from "../conf/ups_conf.ts";
import { parseEnvBool, parseUpsdConf } from "../conf/upsd_conf.ts";
import { parseUpsdUsers } from "../conf/upsd_users.ts";
import { Cmdvartab, parseCmdvartab } from "../conf/cmdvartab.ts";
import { Logger } from "../daemon/log.ts";
import {
  pidFileLocked,
  readPidFile,
  removePidFile,
  writeLockedPidFile,
} from "../daemon/pidfile.ts";
import { notifyReady } from "../daemon/ready.ts";
import { CONF_FILES, upsDefsFrom } from "./config.ts";
import { BANNER, HELP, parseUpsdArgs, type RunOptions } from "./options.ts";
import { Upsd } from "./server.ts";

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

/** `<path> is world readable` when others may read it (NUT's warning). */
function warnWorldReadable(log: Logger, path: string): void {
  try {
    const mode = Deno.statSync(path).mode;
    if (mode !== null && (mode & 0o004) !== 0) log.warn(`${path} is world readable`);
  } catch {
    // unreadable: reported where it is read
  }
}

/** Are two paths unrelated (neither contains the other)? */
function disjoint(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/\/+$/, "") + "/";
  const x = norm(a);
  const y = norm(b);
  return !x.startsWith(y) && !y.startsWith(x);
}

/** Send reload/stop to the running upsd; returns the exit code. */
function signalRunning(log: Logger, command: "reload" | "stop", pid?: number): number {
  const pidFile = `${pidPath()}/upsd.pid`;
  // this process only reads the PID file and signals: give up the rest first
  for (const name of ["net", "write", "env"] as const) Deno.permissions.revokeSync({ name });
  if (pid === undefined) {
    try {
      Deno.statSync(pidFile);
    } catch {
      log.error(`fopen ${pidFile}: No such file or directory`);
      return 1;
    }
    pid = readPidFile(pidFile);
    if (pid === undefined || pid < 2) {
      log.error(`Ignoring invalid pid number in ${pidFile}`);
      return 1;
    }
  }
  try {
    Deno.kill(pid, command === "reload" ? "SIGHUP" : "SIGTERM");
    return 0;
  } catch (e) {
    log.error(`kill: ${(e as Error).message.replace(/ \(os error \d+\)$/, "")}`);
    log.error("Failed to signal the currently running daemon (if any)");
    return 1;
  }
}

/** Run upsd with these arguments; resolves with the exit code when it should exit. */
export async function main(args: readonly string[]): Promise<number> {
  const log = new Logger("upsd");
  stdout(BANNER + "\n");
  const action = parseUpsdArgs(args);
  switch (action.kind) {
    case "help":
      if (action.error) log.error(action.error);
      stdout(HELP);
      return 0;
    case "version":
      return 0;
    case "fatal":
      log.error(action.message);
      return 1;
    case "signal":
      return signalRunning(log, action.command, action.pid);
    case "run":
      return await run(log, action.run);
  }
}

async function run(log: Logger, o: RunOptions): Promise<number> {
  log.level = o.debug;
  if (o.debug === 0) {
    const lvl = env("NUT_DEBUG_LEVEL");
    if (lvl && /^\d+$/.test(lvl)) log.level = +lvl;
  }
  if (o.chroot !== undefined) {
    log.error(`Can't chroot to ${o.chroot}: chroot (-r) is not supported by this upsd`);
    return 1;
  }
  if (o.user !== undefined) {
    log.debug(1, `-u ${o.user}: start upsd as that user instead (it cannot switch users itself)`);
  }

  // 1. another instance?
  const pidDir = pidPath();
  const pidFile = `${pidDir}/upsd.pid`;
  if (pidFileLocked(pidFile)) {
    stdout(
      "Fatal error: A previous upsd instance is already running!\n" +
        "Either stop the previous instance first, or use the 'reload' command.\n",
    );
    return 1;
  }
  try {
    Deno.statSync(pidFile);
  } catch {
    log.warn(
      `Could not find PID file '${pidFile}' to see if previous upsd instance is already running!\n`,
    );
  }

  // 2. upsd.conf (missing = fatal; bad lines are reported and skipped, as NUT does)
  const confDir = confPath();
  const upsdConfPath = `${confDir}/${CONF_FILES.upsd}`;
  let upsdText: Uint8Array;
  try {
    upsdText = await readConfigFile(upsdConfPath);
  } catch (e) {
    log.error((e as ConfigFileError).message);
    return 1;
  }
  warnWorldReadable(log, upsdConfPath);
  const upsdConf = parseUpsdConf(upsdText, upsdConfPath);
  for (const p of [...upsdConf.errors, ...upsdConf.warnings]) log.warn(p.message);
  const conf = upsdConf.conf;
  if (conf.maxConn !== undefined && conf.maxConn < 1) {
    log.error(`Fatal error: MAXCONN (${conf.maxConn}) must be at least 1`);
    return 1;
  }
  const allowNoDeviceEnv = parseEnvBool(env("ALLOW_NO_DEVICE"));
  const allowNotAllEnv = parseEnvBool(env("ALLOW_NOT_ALL_LISTENERS"));
  // NUT ≥2.8.1: the environment's state path beats upsd.conf
  const envState = env("NUT_STATEPATH");
  if (envState && conf.statePath && envState !== conf.statePath) {
    log.warn(
      `Using statepath '${envState}' from NUT_STATEPATH instead of '${conf.statePath}' from upsd.conf`,
    );
  }
  const statePath = envState ?? conf.statePath ?? DEFAULT_STATEPATH;
  const dataDir = conf.dataPath ?? dataPath();

  const server = new Upsd({
    log,
    confDir,
    conf,
    users: new Map(),
    descriptions: new Cmdvartab(),
    allowNoDeviceEnv,
    cliDebug: log.level,
  });

  // 3. listeners
  const listenErr = await server.listen(
    o.family,
    allowNotAllEnv ?? conf.allowNotAllListeners ?? false,
  );
  if (listenErr) {
    log.error(listenErr);
    await server.stop();
    return 1;
  }

  // 4. state path
  try {
    Deno.chdir(statePath);
  } catch {
    log.error(`Can't chdir to ${statePath}`);
    await server.stop();
    return 1;
  }
  try {
    const mode = Deno.statSync(statePath).mode;
    if (mode !== null && (mode & 0o005) !== 0) log.warn(`${statePath} is world readable`);
  } catch {
    // checked by chdir already
  }

  // 5. ups.conf and the drivers
  const upsConfPath = `${confDir}/${CONF_FILES.ups}`;
  let upsText: Uint8Array;
  try {
    upsText = await readConfigFile(upsConfPath);
  } catch {
    log.error(`Can't open ${upsConfPath}: No such file or directory`);
    await server.stop();
    return 1;
  }
  const upsConf = parseUpsConf(upsText, upsConfPath);
  for (const e of upsConf.errors) log.warn(e.message);
  const { defs, warnings } = upsDefsFrom(upsConf);
  for (const w of warnings) log.warn(w);
  if (defs.length === 0) {
    log.warn("Warning: no UPS definitions in ups.conf");
    if (!server.allowNoDevice) {
      log.error("Fatal error: at least one UPS must be defined in ups.conf");
      await server.stop();
      return 1;
    }
    log.warn(
      "Normally at least one UPS must be defined in ups.conf, currently there are none " +
        "(please configure the file and reload the service)",
    );
  }
  await server.connectAll(server.setUpsDefs(defs, true));

  // 6. descriptions (optional, loaded once)
  const cmdvartabPath = `${dataDir}/cmdvartab`;
  try {
    const parsed = parseCmdvartab(await Deno.readFile(cmdvartabPath), cmdvartabPath);
    for (const e of parsed.errors) log.warn(e.message);
    server.setDescriptions(parsed.table);
  } catch {
    log.warn(`${cmdvartabPath} not found - disabling descriptions`);
  }

  // 7. users (missing = fatal)
  const usersPath = `${confDir}/${CONF_FILES.users}`;
  try {
    const text = await readConfigFile(usersPath);
    warnWorldReadable(log, usersPath);
    const users = parseUpsdUsers(text, usersPath);
    for (const p of [...users.errors, ...users.warnings]) log.warn(p.message);
    server.setUsers(users.users);
  } catch (e) {
    log.error(e instanceof ConfigFileError ? e.message : String(e));
    await server.stop();
    return 1;
  }

  // 8. foreground / PID file
  let pidLock: Deno.FsFile | undefined;
  if (o.foreground) {
    log.info(
      o.pidFile
        ? "Running as foreground process, but saving a PID file anyway"
        : "Running as foreground process, not saving a PID file",
    );
  }
  if (o.pidFile) {
    try {
      pidLock = writeLockedPidFile(pidFile);
    } catch (e) {
      log.warn(`Can't write PID file ${pidFile}: ${(e as Error).message}`);
    }
  }
  if (conf.certFile || conf.certPath || conf.certIdent) {
    log.warn(
      "TLS settings in upsd.conf are ignored: this upsd does not implement TLS yet (STARTTLS is refused)",
    );
  }

  // signals
  let stopping: (code: number) => void = () => {};
  const done = new Promise<number>((res) => stopping = res);
  const onExit = (n: number) => () => {
    log.info(`Signal ${n}: exiting`);
    stopping(0);
  };
  const handlers: Array<[Deno.Signal, () => void]> = [
    ["SIGTERM", onExit(15)],
    ["SIGINT", onExit(2)],
    ["SIGQUIT", onExit(3)],
    ["SIGHUP", () => {
      log.info("SIGHUP: reloading configuration");
      void server.reload().then((ok) => {
        if (ok) {
          warnWorldReadable(log, upsdConfPath);
          warnWorldReadable(log, usersPath);
        }
      });
    }],
  ];
  for (const [sig, h] of handlers) Deno.addSignalListener(sig, h);

  server.start();
  notifyReady();
  await dropPrivileges(dataDir, [confDir, statePath, pidDir]);

  const code = await done;
  for (const [sig, h] of handlers) Deno.removeSignalListener(sig, h);
  await server.stop();
  if (pidLock) {
    removePidFile(pidFile);
    pidLock.close();
  }
  return code;
}

/**
 * Give up what start-up needed and the running server does not: the
 * environment, the launcher's ready FIFO, and the data directory (cmdvartab
 * is read once) when it is separate from the directories still in use.
 */
async function dropPrivileges(dataDir: string, keep: string[]): Promise<void> {
  const fifo = env("NUT_READY_FIFO");
  if (fifo && keep.every((k) => disjoint(k, fifo))) {
    await Deno.permissions.revoke({ name: "write", path: fifo }).catch(() => {});
  }
  await Deno.permissions.revoke({ name: "env" }).catch(() => {});
  // Deno revokes every grant that overlaps the path, so only a separate data dir is dropped
  if (keep.every((k) => disjoint(k, dataDir))) {
    await Deno.permissions.revoke({ name: "read", path: dataDir }).catch(() => {});
  }
}
