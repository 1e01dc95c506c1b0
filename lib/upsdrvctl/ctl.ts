/**
 * upsdrvctl: start, stop and shut down the UPS drivers listed in ups.conf
 * (spec daemons.md §4), with NUT 2.8.0's messages, test mode output and
 * exit codes, plus NUT master's `-F`/`-B`, `-c <command>`, `list`,
 * `status`, per-section `maxretry`/`retrydelay`, `NUT_IGNORE_NOWAIT`,
 * `NUT_DEBUG_LEVEL` and `NUT_QUIET_INIT_NDE_WARNING`.
 *
 * Each driver is started through its launcher in the driver directory
 * (default: this checkout's bin/; ups.conf `driverpath` may point at NUT's
 * drivers instead) as `<driver> [-D…] -a <ups> [-r <dir>] [-u <user>]`, and
 * counts as started once that command exits 0.
 *
 * One driver per UPS: `start` leaves alone a UPS whose driver already
 * answers on its socket (counted as a failure, so scripts notice); a driver
 * started by other means asks an older instance to leave (see the driver
 * core), so even racing starts end with a single driver.
 *
 * @module
 */

import { readUpsConf } from "../conf/ups_conf.ts";
import { ConfigFileError } from "../conf/errors.ts";
import { pingDriver, probeDriver, QueryError, trackedInstcmd } from "../driver/query.ts";
import { launch, type LaunchOutcome } from "./launch.ts";
import { CtlLog } from "./log.ts";
import { BANNER, type CtlOptions, helpText, parseCtlArgs, type SignalCommand } from "./options.ts";
import { processAlive, readPid, stopByPidFile } from "./stop.ts";
import {
  type CtlTable,
  ctlTable,
  driverName,
  driverProgram,
  pidFileNames,
  shutdownArgv,
  shutdownOrder,
  socketPath,
  startArgv,
  type UpsEntry,
} from "./table.ts";

export const TEST_MODE_LINE = "*** Testing mode: not calling exec/kill";

/** upsdrvctl's own note for those who raise its debug level (not NUT's wording). */
export const DEBUG_HINT = "\n" +
  "Note: this debug output is upsdrvctl's own, not the driver's. Each 'exec:' line\n" +
  "below shows the command that starts a driver; to debug that driver, run that\n" +
  "command yourself (without 'exec:') and add -D options to it, or give upsdrvctl\n" +
  "the -d option to pass its own debug level on to the drivers it starts.\n";

/** Units whose presence means drivers are managed by systemd (NUT's driver enumerator). */
export const NDE_UNIT_FILES = [
  "/etc/systemd/system/nut-driver@.service",
  "/lib/systemd/system/nut-driver@.service",
  "/usr/lib/systemd/system/nut-driver@.service",
];

export interface CtlEnvironment {
  confPath: string;
  statePath: string;
  pidPath: string;
  /** Driver directory when ups.conf has no `driverpath`. */
  defaultDriverPath: string;
  /** How we were called (for help and getopt messages). */
  prog: string;
  /** Environment variables upsdrvctl reads. */
  env: (name: string) => string | undefined;
  out?: (text: string) => void;
  log?: CtlLog;
}

const encoder = new TextEncoder();

function stdout(text: string): void {
  try {
    Deno.stdout.writeSync(encoder.encode(text));
  } catch {
    // stdout closed
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function statError(path: string): string | undefined {
  try {
    Deno.statSync(path);
    return undefined;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return "No such file or directory";
    if (e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable) {
      return "Permission denied";
    }
    return (e as Error).message.replace(/ \(os error \d+\)$/, "");
  }
}

const SIGNALS: Record<string, [Deno.Signal, number, string]> = {
  reload: ["SIGHUP", 1, "Hangup"],
  "reload-or-exit": ["SIGUSR1", 10, "User defined signal 1"],
  dump: ["SIGURG", 23, "Urgent I/O condition"],
  "data-dump": ["SIGURG", 23, "Urgent I/O condition"],
};

/** Thrown for NUT's fatal errors (message, exit status 1). */
class Fatal extends Error {}

export class UpsDrvCtl {
  readonly log: CtlLog;
  readonly out: (text: string) => void;
  #errors = 0;
  #table!: CtlTable;
  #driverPath = "";

  constructor(readonly envr: CtlEnvironment, readonly opts: CtlOptions) {
    this.log = envr.log ?? new CtlLog();
    this.out = envr.out ?? stdout;
  }

  /** Run the command; resolves to the exit status. */
  async run(): Promise<number> {
    const o = this.opts;
    try {
      if (o.testMode) this.out(TEST_MODE_LINE + "\n");
      this.log.level = o.debug;
      // 2.8.0 shows the hint whatever the command (master: start and shutdown only)
      if (!o.passDebug) this.log.debug(2, DEBUG_HINT);
      if (["start", "stop", "shutdown"].includes(o.command)) this.#ndeWarning();
      await this.#load();
      const targets = this.#targets();
      switch (o.command) {
        case "start":
          if (o.foreground !== undefined && o.foreground > 0) {
            return await this.#foreground(targets);
          }
          for (const u of targets) await this.#start(u);
          break;
        case "stop":
          for (const u of targets) await this.#stop(u);
          break;
        case "shutdown":
          for (const u of o.ups === undefined ? shutdownOrder(targets) : targets) {
            await this.#shutdown(u);
          }
          break;
        case "list":
          this.out(targets.map((u) => u.name + "\n").join(""));
          break;
        case "status":
          await this.#status(targets);
          break;
        case "signal":
          for (const u of targets) await this.#signal(u, o.signal!);
          break;
      }
    } catch (e) {
      if (e instanceof Fatal) {
        this.log.log(e.message);
        return 1;
      }
      throw e;
    }
    return this.#errors > 0 ? 1 : 0;
  }

  #ndeWarning(): void {
    if (this.envr.env("NUT_QUIET_INIT_NDE_WARNING") !== undefined) return;
    let systemd = false;
    try {
      systemd = Deno.statSync("/run/systemd/system").isDirectory;
    } catch {
      return;
    }
    if (!systemd || !NDE_UNIT_FILES.some(exists)) return;
    this.log.log(
      `WARNING: ${this.envr.prog} was called directly on a system with systemd support.\n` +
        "    Please consider using 'upsdrvsvcctl' instead, to avoid conflicts with\n" +
        "    nut-driver service instances prepared by 'nut-driver-enumerator'!",
    );
  }

  async #load(): Promise<void> {
    const file = `${this.envr.confPath}/ups.conf`;
    let conf;
    try {
      conf = await readUpsConf(file);
    } catch (e) {
      if (e instanceof ConfigFileError || e instanceof Error) {
        const why = statError(file) ?? (e as Error).message;
        throw new Fatal(`Can't open ${file}: Can't open ${file}: ${why}`);
      }
      throw e;
    }
    for (const err of conf.errors) {
      if (!err.detail.startsWith("ignoring line")) this.log.log(`Parse error: ${err.message}`);
    }
    const ignoreNowait = this.envr.env("NUT_IGNORE_NOWAIT") === "true";
    this.#table = ctlTable(conf, ignoreNowait);
    if (ignoreNowait && conf.global.entries.some((e) => e.key === "nowait")) {
      this.log.log("NOTE: 'nowait' setting ignored due to NUT_IGNORE_NOWAIT envvar");
    }
    this.#driverPath = this.#table.driverPath ?? this.envr.defaultDriverPath;
  }

  #targets(): UpsEntry[] {
    const all = this.#table.ups;
    if (all.length === 0) throw new Fatal("Error: no UPS definitions found in ups.conf");
    if (this.opts.ups === undefined) return all;
    const one = all.find((u) => u.name === this.opts.ups);
    if (!one) throw new Fatal(`UPS ${this.opts.ups} not found in ups.conf`);
    return [one];
  }

  #argvOptions() {
    const o = this.opts;
    return {
      debug: o.debug,
      passDebug: o.passDebug,
      foreground: o.foreground,
      chroot: o.chroot,
      user: o.user,
    };
  }

  /** `<driverpath>/<driver>` must exist: a missing one ends the whole run (NUT). */
  #program(u: UpsEntry): string {
    const program = driverProgram(this.#driverPath, u);
    const err = statError(program);
    if (err) throw new Fatal(`Can't start ${program}: ${err}`);
    return program;
  }

  /** Report an attempt's outcome; true if it counts as success. */
  #judge(r: LaunchOutcome): boolean {
    switch (r.kind) {
      case "ok":
        return true;
      case "timeout":
        this.log.log("Startup timer elapsed, continuing...");
        return false;
      case "abnormal":
        this.log.log("Driver exited abnormally");
        return false;
      case "failed":
        this.log.log(`Driver failed to start (exit status=${r.code})`);
        return false;
      case "spawn-error":
        this.log.log(`execv: ${r.reason}`);
        this.log.log("Driver failed to start (exit status=1)");
        return false;
    }
  }

  async #alreadyRunning(u: UpsEntry): Promise<boolean> {
    if (this.opts.testMode || u.driver === undefined) return false;
    const sock = socketPath(this.envr.statePath, u);
    if (!(await pingDriver(sock, 2000))) return false;
    this.log.log(
      `Driver for UPS [${u.name}] is already running (${sock} answers): not starting another`,
    );
    return true;
  }

  async #start(u: UpsEntry): Promise<void> {
    const t = this.#table;
    this.log.debug(1, `Starting UPS: ${u.name}`);
    const argv = startArgv(this.#program(u), u, this.#argvOptions());
    if (await this.#alreadyRunning(u)) {
      this.#errors++;
      return;
    }
    let left = u.maxRetry !== undefined && u.maxRetry >= 0 ? u.maxRetry : t.maxRetry;
    const delay = u.retryDelay !== undefined && u.retryDelay >= 0 ? u.retryDelay : t.retryDelay;
    const maxStartDelay = u.maxStartDelay ?? t.maxStartDelay;
    let ok = false;
    while (left > 0) {
      this.log.debug(2, `${left} remaining attempts`);
      this.log.debug(2, `exec:  ${argv.join(" ")}`);
      left--;
      if (this.opts.testMode) {
        ok = true;
        break;
      }
      if (t.nowait) this.log.debug(2, "'nowait' set, continuing...");
      ok = this.#judge(await launch(argv, { maxStartDelay, nowait: t.nowait }));
      if (ok) break;
      if (left > 0 && delay > 0) await new Promise((r) => setTimeout(r, delay * 1000));
    }
    if (!ok) this.#errors++;
  }

  async #shutdown(u: UpsEntry): Promise<void> {
    this.log.debug(1, `Shutdown UPS: ${u.name}`);
    const argv = shutdownArgv(driverProgram(this.#driverPath, u), u, this.#argvOptions());
    this.log.debug(2, `exec:  ${argv.join(" ")}`);
    if (this.opts.testMode) return;
    const maxStartDelay = u.maxStartDelay ?? this.#table.maxStartDelay;
    if (!this.#judge(await launch(argv, { maxStartDelay }))) this.#errors++;
  }

  /** The PID file to use, with NUT's messages when it is missing (undefined then). */
  #pidFile(u: UpsEntry): string | undefined {
    const { first, fallback } = pidFileNames(this.envr.pidPath, u);
    let name = first;
    let err = statError(name);
    if (err && fallback !== undefined) {
      this.log.log(`Can't open ${name}: ${err}`);
      name = fallback;
      err = statError(name);
    }
    if (err) {
      this.log.log(`Can't open ${name} either: ${err}`);
      return undefined;
    }
    return name;
  }

  async #stop(u: UpsEntry): Promise<void> {
    this.log.debug(1, `Stopping UPS: ${u.name}`);
    const pidFile = this.#pidFile(u);
    if (pidFile === undefined) {
      // NUT master: a driver without PID file (run with -F) is asked over its socket
      if (!this.opts.testMode && u.driver !== undefined && (await this.#stopBySocket(u))) return;
      this.#errors++;
      return;
    }
    this.log.debug(2, `Sending signal to ${pidFile}`);
    if (this.opts.testMode) return;
    if (!(await stopByPidFile(pidFile, { log: this.log }))) this.#errors++;
  }

  async #stopBySocket(u: UpsEntry): Promise<boolean> {
    const sock = socketPath(this.envr.statePath, u);
    if (!(await pingDriver(sock, 2000))) return false;
    this.log.debug(1, `No PID file for UPS [${u.name}]: asking the driver to exit over ${sock}`);
    try {
      const code = await trackedInstcmd(sock, "driver.exit", 5000);
      if (code !== 0) {
        this.log.log(`Request for driver to exit returned code ${code}`);
        return false;
      }
    } catch (e) {
      this.log.log(`Socket dialog with the other driver instance: ${(e as Error).message}`);
      return false;
    }
    for (let i = 0; i < 50; i++) {
      if (!(await pingDriver(sock, 500))) return true;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.log.log(`Stopping UPS [${u.name}] over its socket failed: the driver still answers`);
    return false;
  }

  async #signal(u: UpsEntry, cmd: SignalCommand): Promise<void> {
    if (cmd === "exit" || cmd === "reload-or-error") {
      this.log.debug(1, `Signalling UPS [${u.name}]: driver.${cmd}`);
      if (this.opts.testMode) return;
      try {
        const code = await trackedInstcmd(socketPath(this.envr.statePath, u), `driver.${cmd}`);
        this.log.log(`Request for driver to ${cmd} returned code ${code}`);
        if (code !== 0) this.#errors++;
      } catch (e) {
        const why = e instanceof QueryError ? e.message : String(e);
        this.log.log(`Socket dialog with the other driver instance: ${why}`);
        this.#errors++;
      }
      return;
    }
    const [sig, num, name] = SIGNALS[cmd];
    this.log.debug(1, `Signalling UPS [${u.name}]: ${num} (${name})`);
    const pidFile = this.#pidFile(u);
    if (pidFile === undefined) {
      this.#errors++;
      return;
    }
    this.log.debug(2, `Sending signal to ${pidFile}`);
    if (this.opts.testMode) return;
    const pid = readPid(pidFile);
    try {
      if (pid === undefined || pid < 1) throw new Error("Invalid argument");
      Deno.kill(pid, sig);
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound
        ? "No such process"
        : (e as Error).message.replace(/ \(os error \d+\)$/, "");
      this.log.log(`Signalling ${pidFile} failed: ${why}`);
      this.#errors++;
    }
  }

  async #status(targets: UpsEntry[]): Promise<void> {
    this.out(
      `${"UPSNAME".padEnd(11)}\t${
        "UPSDRV".padStart(11)
      }\tRUNNING\tPF_PID\tS_RESPONSIVE\tS_PID\tS_STATUS\n`,
    );
    for (const u of targets) {
      const { first } = pidFileNames(this.envr.pidPath, u);
      const filePid = readPid(first);
      const probe = await probeDriver(socketPath(this.envr.statePath, u));
      const pid = filePid !== undefined && filePid > 0
        ? filePid
        : probe.pid !== undefined
        ? parseInt(probe.pid, 10)
        : undefined;
      const running = pid === undefined || !Number.isFinite(pid)
        ? "N/A"
        : processAlive(pid)
        ? "RUNNING"
        : "STOPPED";
      this.out(
        [
          u.name.padEnd(11),
          driverName(u).padStart(11),
          running,
          String(filePid ?? -1),
          probe.responsive ? "RESPONSIVE" : "NOT_RESPONSIVE",
          probe.pid ?? "N/A",
          probe.status ?? "",
        ].join("\t") + "\n",
      );
    }
  }

  /**
   * `-F`/`-FF`: start every driver in the foreground as our children and
   * stay their parent; SIGTERM/SIGINT/SIGQUIT stop them all. If one exits
   * by itself the others are stopped too (exit status 1; with a single
   * driver, its own status), so a service manager can restart the lot.
   */
  async #foreground(targets: UpsEntry[]): Promise<number> {
    const children: Array<{ u: UpsEntry; child: Deno.ChildProcess }> = [];
    for (const u of targets) {
      this.log.debug(1, `Starting UPS: ${u.name}`);
      const argv = startArgv(this.#program(u), u, this.#argvOptions());
      if (await this.#alreadyRunning(u)) {
        this.#errors++;
        continue;
      }
      this.log.debug(2, `exec:  ${argv.join(" ")}`);
      if (this.opts.testMode) continue;
      try {
        const child = new Deno.Command(argv[0], {
          args: argv.slice(1),
          stdin: "null",
          stdout: "inherit",
          stderr: "inherit",
        }).spawn();
        children.push({ u, child });
      } catch (e) {
        this.#judge({ kind: "spawn-error", reason: (e as Error).message });
        this.#errors++;
      }
    }
    if (children.length === 0) return this.#errors > 0 ? 1 : 0;
    let stopSignal: (() => void) | undefined;
    const stopped = new Promise<"signal">((r) => stopSignal = () => r("signal"));
    const sigs: Deno.Signal[] = ["SIGTERM", "SIGINT", "SIGQUIT"];
    const handler = () => stopSignal?.();
    for (const s of sigs) Deno.addSignalListener(s, handler);
    const exited = Promise.race(
      children.map(({ u, child }) => child.status.then((st) => ({ u, st }))),
    );
    const first = await Promise.race([exited, stopped]);
    for (const s of sigs) Deno.removeSignalListener(s, handler);
    for (const { child } of children) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
    }
    const killer = setTimeout(() => {
      for (const { child } of children) {
        try {
          child.kill("SIGKILL");
        } catch {
          // gone
        }
      }
    }, 10000);
    await Promise.all(children.map(({ child }) => child.status));
    clearTimeout(killer);
    if (first === "signal") return this.#errors > 0 ? 1 : 0;
    if (children.length === 1) return first.st.code;
    this.log.log(
      `Driver for UPS [${first.u.name}] exited (status ${first.st.code}): stopped the other drivers as well`,
    );
    return 1;
  }
}

/** The whole program: banner, options, command. Resolves to the exit status. */
export async function upsdrvctl(args: readonly string[], envr: CtlEnvironment): Promise<number> {
  const out = envr.out ?? stdout;
  const log = envr.log ?? new CtlLog();
  out(BANNER + "\n");
  const action = parseCtlArgs(args, { NUT_DEBUG_LEVEL: envr.env("NUT_DEBUG_LEVEL") });
  switch (action.kind) {
    case "help":
      if (action.error) log.log(`${envr.prog}: ${action.error}`);
      out(helpText(envr.prog));
      return 0;
    case "version":
      return 0;
    case "fatal":
      if (action.testMode) out(TEST_MODE_LINE + "\n");
      log.level = action.debug ?? 0;
      if (!action.passDebug) log.debug(2, DEBUG_HINT);
      log.log(action.message);
      return 1;
    case "run":
      return await new UpsDrvCtl({ ...envr, out, log }, action.opts).run();
  }
}
