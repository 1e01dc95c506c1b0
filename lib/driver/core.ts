/**
 * The common driver core ("main.c" of every NUT driver) as an instance:
 * options, ups.conf, PID file, the driver socket, the supervised poll loop,
 * reloading, and the `-k` / `-d` / `-c` paths (spec daemons.md §3). Nothing
 * here is process-wide except, optionally, the signal handlers installed by
 * main(), so one process could host several DriverCore objects.
 *
 * Differences from NUT 2.8.0, on purpose:
 * - socket commands are served at any time (the poll runs beside them);
 * - signal handlers are installed in the foreground too, so a killed driver
 *   removes its socket and PID file;
 * - a still-running older instance is asked to leave over its socket
 *   (`INSTCMD driver.exit`, NUT ≥ 2.8.1 does the same first) because a
 *   sandboxed driver may not signal other processes; upsdrvctl, in turn,
 *   refuses to start a second driver for a UPS whose socket answers, so at
 *   any time at most one driver serves a UPS;
 * - a device that vanishes is supervised (lib/driver/supervisor.ts): data
 *   stale at once, reconnection with backoff, fresh again without a restart;
 * - NUT master's reload: SIGHUP, SIGUSR1 (reload-or-exit), `-c <command>`
 *   and `INSTCMD driver.reload[-or-error|-or-exit]`; `-c` talks to the
 *   running driver over its socket (no signal permission needed) unless
 *   `-P <pid>` asks for a signal;
 * - `-r` (chroot) and `-u` are accepted, but the launcher's sandbox and
 *   run-time user replace them;
 * - socket writes are always non-blocking with a bounded queue per peer;
 *   `synchronous` is only published.
 *
 * @module
 */

import { getopt, GetoptError } from "../cli/getopt.ts";
import { parseUpsConf } from "../conf/ups_conf.ts";
import { confPath, NUT_VERSION, pidPath, statePath } from "../conf/paths.ts";
import { Logger } from "../daemon/log.ts";
import { readPidFile, removePidFile, writePidFile } from "../daemon/pidfile.ts";
import { isDetached, notifyReady } from "../daemon/ready.ts";
import { encode } from "../protocol/quote.ts";
import { SockServer } from "../sock/server.ts";
import { DState } from "./dstate.ts";
import { banner, EXPERIMENTAL_WARNING, helpText, listText } from "./help.ts";
import { QueryError, trackedInstcmd } from "./query.ts";
import { reloadSettings } from "./reload.ts";
import { atoi, DriverSettings } from "./settings.ts";
import { canDeriveLowBattery, StatusBuilder } from "./status.ts";
import { Supervisor, type SupervisorEffect } from "./supervisor.ts";
import {
  DeviceError,
  type DriverContext,
  DriverExit,
  type DriverInfo,
  type DriverInstance,
} from "./types.ts";

/** NUT's driver getopt string (2.8.0 plus master's `-c <command>` and `-P <pid>`). */
export const DRIVER_GETOPT = "+a:s:kFBDd:hx:Lqr:u:g:Vi:c:P:";

/** Commands of `-c`, as NUT master names them. */
export const CONTROL_COMMANDS = [
  "reload",
  "reload-or-error",
  "reload-or-exit",
  "exit",
  "dump",
  "data-dump",
] as const;
export type ControlCommand = typeof CONTROL_COMMANDS[number];

/** Exit status of reload-or-exit when a setting needs a restart (128 + SIGUSR1). */
export const RELOAD_EXIT_STATUS = 138;

export interface CoreOptions {
  /** Logger (default: a new one named after the driver). */
  log?: Logger;
  /** stdout writer (banner, help, -d dump). */
  out?: (text: string) => void;
  /** Install SIGTERM/SIGINT/SIGQUIT/SIGHUP/SIGUSR1/SIGURG handlers while running (default true). */
  handleSignals?: boolean;
}

const encoder = new TextEncoder();

function writeStdout(text: string): void {
  try {
    const bytes = encoder.encode(text);
    let off = 0;
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  } catch {
    // stdout closed (detached): nothing to do
  }
}

const STOP_SIGNALS: Array<[Deno.Signal, number]> = [
  ["SIGINT", 2],
  ["SIGQUIT", 3],
  ["SIGTERM", 15],
];

/** Where the driver is in its life. */
export type CoreState = "starting" | "running" | "stopping" | "stopped";

type ReloadKind = "reload" | "reload-or-error" | "reload-or-exit";

export class DriverCore {
  readonly log: Logger;
  readonly state: DState;
  readonly status = new StatusBuilder();
  settings: DriverSettings;
  upsName = "";
  phase: CoreState = "starting";
  /** The supervision state machine once the poll loop runs. */
  supervisor: Supervisor | undefined;
  #out: (text: string) => void;
  #handleSignals: boolean;
  #instance: DriverInstance | undefined;
  #server: SockServer | undefined;
  #pidFile: string | undefined;
  #stopping = false;
  #stopSignal: number | undefined;
  #exitCode = 0;
  #sleepers = new Set<() => void>();
  #loopWakers = new Set<() => void>();
  #user: string | undefined;
  #group: string | undefined;
  /** Command-line options in order, replayed on reload (-a, -x, -i). */
  #cliOpts: Array<[string, string | undefined]> = [];
  #cliDebug = 0;
  #userFromCli = false;
  #groupFromCli = false;
  #firstGoodPollDone = false;
  #reloading: Promise<unknown> = Promise.resolve();

  constructor(readonly info: DriverInfo, opts: CoreOptions = {}) {
    this.log = opts.log ?? new Logger(info.name);
    this.#out = opts.out ?? writeStdout;
    this.#handleSignals = opts.handleSignals ?? true;
    this.state = new DState(this.log);
    this.settings = this.#newSettings();
  }

  #newSettings(): DriverSettings {
    return new DriverSettings(this.info.name, this.info.vars, this.info.flags);
  }

  /** Socket path `<statepath>/<driver>-<ups>`. */
  get socketPath(): string {
    return `${statePath()}/${this.info.name}-${this.upsName}`;
  }

  /** PID file path `<pidpath>/<driver>-<ups>.pid`. */
  get pidFilePath(): string {
    return `${pidPath()}/${this.info.name}-${this.upsName}.pid`;
  }

  get stopping(): boolean {
    return this.#stopping;
  }

  /** Ask the driver to exit cleanly (signal, `INSTCMD driver.exit`). */
  stop(signal?: number): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#stopSignal = signal;
    for (const wake of [...this.#sleepers, ...this.#loopWakers]) wake();
  }

  /** Sleep that ends early when the driver stops. */
  sleep(ms: number): Promise<void> {
    return this.#sleepIn(this.#sleepers, ms);
  }

  #sleepIn(set: Set<() => void>, ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      set.add(done);
    });
  }

  /** Wake the poll loop so that it looks at its schedule again (after a reload). */
  #wakeLoop(): void {
    for (const wake of [...this.#loopWakers]) wake();
  }

  /** Run the driver with NUT's command line; resolves to the exit status. */
  async main(args: readonly string[]): Promise<number> {
    const listeners: Array<[Deno.Signal, () => void]> = [];
    if (this.#handleSignals) {
      const handlers: Array<[Deno.Signal, () => void]> = [
        ...STOP_SIGNALS.map(([sig, num]): [Deno.Signal, () => void] => [sig, () => this.stop(num)]),
        ["SIGHUP", () => void this.requestReload("reload")],
        ["SIGUSR1", () => void this.requestReload("reload-or-exit")],
        ["SIGURG", () => this.#out(this.#dumpText())],
      ];
      for (const [sig, fn] of handlers) {
        try {
          Deno.addSignalListener(sig, fn);
          listeners.push([sig, fn]);
        } catch {
          // signal not available here
        }
      }
    }
    try {
      return await this.#run(args);
    } catch (e) {
      if (e instanceof DriverExit) {
        if (e.message && e.toStdout) this.#out(e.message + "\n");
        else if (e.message) this.log.error(e.message);
        return e.code;
      }
      this.log.error(`Fatal error: ${e instanceof Error ? e.message : String(e)}`);
      return 1;
    } finally {
      await this.#cleanup();
      for (const [sig, fn] of listeners) Deno.removeSignalListener(sig, fn);
    }
  }

  /** Read ups.conf and apply the global part and section `name` to `settings`. */
  async #readUpsConf(name: string, settings: DriverSettings, reloading = false): Promise<void> {
    const file = `${confPath()}/ups.conf`;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(file);
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound
        ? "No such file or directory"
        : e instanceof Deno.errors.PermissionDenied || e instanceof Deno.errors.NotCapable
        ? "Permission denied"
        : (e as Error).message;
      throw new DriverExit(1, `Can't open ${file}: ${why}`);
    }
    const conf = parseUpsConf(bytes, file);
    for (const err of conf.errors) {
      // lines that are neither setting nor flag are ignored silently by NUT
      if (err.detail.startsWith("ignoring line")) this.log.debug(1, err.message);
      else this.log.error(`Parse error: ${err.message}`);
    }
    settings.applyGlobal(conf.global);
    const section = conf.sections.find((s) => s.name === name);
    if (!section) throw new DriverExit(1, `Error: Section ${name} not found in ups.conf`);
    if (reloading) this.log.debug(1, `reloading section [${name}] of ${file}`);
    settings.applySection(name, section);
  }

  async #run(args: readonly string[]): Promise<number> {
    const info = this.info;
    this.#out(banner(info) + "\n");
    if (info.experimental) this.#out(EXPERIMENTAL_WARNING + "\n");

    let parsed;
    try {
      parsed = getopt(args, DRIVER_GETOPT);
    } catch (e) {
      if (!(e instanceof GetoptError)) throw e;
      this.log.error(`${info.name}: ${e.message}`);
      throw new DriverExit(1, "Error: unknown option -?. Try -h for help.");
    }

    let kill = false;
    let fg = 0;
    let bg = false;
    let debug = 0;
    let dumpCount = 0;
    let chroot: string | undefined;
    let command: string | undefined;
    let targetPid: string | undefined;
    for (const [opt, val] of parsed.opts) {
      const v = val ?? "";
      switch (opt) {
        case "a":
          this.upsName = v;
          this.#cliOpts.push([opt, v]);
          await this.#readUpsConf(v, this.settings);
          break;
        case "s":
          this.upsName = v;
          break;
        case "x":
          this.#cliOpts.push([opt, v]);
          this.settings.applyX(v);
          break;
        case "k":
          kill = true;
          break;
        case "F":
          fg++;
          break;
        case "B":
          bg = true;
          break;
        case "D":
          debug++;
          break;
        case "d":
          dumpCount = atoi(v);
          break;
        case "h":
          this.#out(helpText(info));
          throw new DriverExit(0);
        case "L":
          this.#out(listText(info));
          throw new DriverExit(0);
        case "V":
          throw new DriverExit(0);
        case "q":
          break; // syslog threshold: our log goes to stderr / the launcher's logger
        case "r":
          chroot = v;
          break;
        case "u":
          this.#user = v;
          this.#userFromCli = true;
          break;
        case "g":
          this.#group = v;
          this.#groupFromCli = true;
          break;
        case "i":
          this.#cliOpts.push([opt, v]);
          this.settings.applyPollIntervalOption(v);
          break;
        case "c":
          if (command !== undefined) {
            throw new DriverExit(
              1,
              "Error: only one command per run can be sent with option -c. Try -h for help.",
            );
          }
          command = v;
          break;
        case "P":
          targetPid = v;
          break;
      }
    }
    for (const w of this.settings.warnings) this.log.warn(w);
    if (parsed.rest.length > 0) {
      throw new DriverExit(1, "Error: too many non-option arguments. Try -h for help.");
    }
    if (!this.upsName) {
      throw new DriverExit(
        1,
        "Error: specifying '-a id' or '-s id' is now mandatory. Try -h for help.",
      );
    }
    this.#cliDebug = debug;
    this.log.level = Math.max(debug, this.settings.debugMin);
    if (command !== undefined) return await this.#control(command, targetPid);
    if (this.settings.port === undefined) {
      throw new DriverExit(
        1,
        "Error: you must specify a port name in ups.conf or in '-x port=...' argument.\nTry -h for help.",
      );
    }
    this.#user ??= this.settings.confUser;
    this.#group ??= this.settings.confGroup;
    if (chroot !== undefined) {
      this.log.warn(
        `chroot (${chroot}) is not supported: the launcher's sandbox limits file access`,
      );
    }

    const dumpMode = dumpCount > 0;
    const foreground = fg > 0 || ((debug > 0 || dumpMode) && !bg) || kill;
    if (!kill && !dumpMode) {
      try {
        if (!Deno.statSync(statePath()).isDirectory) throw new Error("not a directory");
      } catch {
        throw new DriverExit(1, `Can't chdir to ${statePath()}`);
      }
    }

    const ctx = this.#context();
    for (const p of this.settings.presets) {
      if (p.kind === "override") this.state.override(p.name, p.value);
      else this.state.setInfo(p.name, p.value);
    }
    for (const [name, value] of this.settings.published) this.state.setInfo(name, value);

    if (kill) {
      this.state.setInfo("device.type", "ups");
      this.#instance = info.create(ctx);
      await this.#instance.initups();
      this.log.info("Initiating UPS shutdown");
      await this.#instance.shutdown();
      return 0;
    }

    if (!dumpMode) await this.#takeOver();

    this.state.setInfo("device.type", "ups");
    const inst = this.#instance = info.create(ctx);
    await inst.initups();
    this.state.setInfo("driver.version", NUT_VERSION);
    this.state.setInfo("driver.version.internal", info.version);
    this.state.setInfo("driver.name", info.name);
    await inst.initinfo();

    // the first poll: a vanished device is supervised like later ones;
    // any other failure at start-up is fatal, as in NUT
    const t0 = Date.now();
    const sup = this.supervisor = new Supervisor({
      upsName: this.upsName,
      pollIntervalMs: this.settings.pollInterval * 1000,
      reconnectMaxTries: this.settings.reconnectMaxTries,
      reconnectReportFreq: this.settings.reconnectReportFreq,
    }, t0);
    let firstFailure: SupervisorEffect[] | undefined;
    try {
      await inst.updateinfo();
    } catch (e) {
      if (!(dumpMode || e instanceof DeviceError)) throw e;
      firstFailure = sup.pollFailed(t0, Date.now(), e);
    }
    this.state.setInfo("driver.parameter.pollinterval", String(this.settings.pollInterval));
    this.state.setInfo("driver.parameter.synchronous", this.settings.synchronous);
    if (firstFailure) this.#apply(firstFailure);
    else {
      this.#apply(sup.pollSucceeded(t0, Date.now()));
      this.#firstGoodPoll();
    }

    if (dumpMode) {
      for (let i = 1; i < dumpCount && !this.#stopping; i++) {
        await this.sleep(this.settings.pollInterval * 1000);
        try {
          await inst.updateinfo();
        } catch (e) {
          if (e instanceof DriverExit) throw e;
          this.log.error(`updateinfo failed: ${e instanceof Error ? e.message : e}`);
          this.state.dataStale();
        }
      }
      this.#out(this.#dumpText());
      return 0;
    }

    this.#server = new SockServer(this.socketPath, {
      dumpAll: () => this.state.dumpAll(),
      dumpStatus: () => this.state.dumpStatus(),
      dumpValue: (name) => this.state.dumpValue(name),
      set: (name, value) => this.#setvar(name, value),
      instcmd: (cmd, param) => this.#instcmd(cmd, param),
    }, { log: this.log, gid: this.#socketGid() });
    try {
      this.#server.listen();
    } catch (e) {
      this.#server = undefined;
      throw new DriverExit(1, (e as Error).message);
    }
    this.state.attach((line) => this.#server?.broadcast(line));

    if (!foreground || fg >= 2) {
      this.#pidFile = this.pidFilePath;
      try {
        await writePidFile(this.#pidFile);
      } catch (e) {
        this.log.warn(`Can't write PID file ${this.#pidFile}: ${(e as Error).message}`);
        this.#pidFile = undefined;
      }
    } else {
      this.log.debug(1, "Running as foreground process, not saving a PID file");
    }
    notifyReady();
    if (isDetached()) this.log.info("Startup successful");
    this.phase = "running";

    await this.#loop(inst, sup);
    if (this.#stopSignal !== undefined) this.log.info(`Signal ${this.#stopSignal}: exiting`);
    return this.#exitCode;
  }

  /** The supervised poll loop. */
  async #loop(inst: DriverInstance, sup: Supervisor): Promise<void> {
    while (!this.#stopping) {
      await this.#reloading;
      const act = sup.next();
      if (act.kind === "exit") {
        this.#exitCode = act.code;
        return;
      }
      const wait = act.at - Date.now();
      if (wait > 0) {
        await this.#sleepIn(this.#loopWakers, wait);
        continue; // look again: a reload may have changed the schedule
      }
      if (act.kind === "poll") {
        const t = Date.now();
        // a hung device must not look fresh while the socket answers PING
        const watchdog = setTimeout(
          () => this.#apply(sup.pollHanging(t, Date.now())),
          sup.hangAfterMs(),
        );
        try {
          await inst.updateinfo();
          this.#apply(sup.pollSucceeded(t, Date.now()));
          this.#firstGoodPoll();
        } catch (e) {
          if (e instanceof DriverExit) throw e;
          this.#apply(sup.pollFailed(t, Date.now(), e));
        } finally {
          clearTimeout(watchdog);
        }
      } else {
        try {
          await (inst.reconnect ? inst.reconnect() : inst.initups());
          this.#apply(sup.reconnectSucceeded(Date.now()));
        } catch (e) {
          if (e instanceof DriverExit) throw e;
          this.#apply(sup.reconnectFailed(Date.now(), e));
        }
      }
    }
  }

  #apply(effects: SupervisorEffect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case "stale":
          this.state.dataStale();
          break;
        case "log":
          if (e.level === "debug") this.log.debug(1, e.text);
          else if (e.level === "info") this.log.info(e.text);
          else if (e.level === "warn") this.log.warn(e.text);
          else this.log.error(e.text);
          break;
        case "publish":
          this.state.setInfo(e.name, e.value);
          break;
        case "unpublish":
          this.state.delInfo(e.name);
          break;
      }
    }
  }

  /** Once the device has answered: the ignorelb check and device.* copies (NUT does these at start-up). */
  #firstGoodPoll(): void {
    if (this.#firstGoodPollDone) return;
    this.#firstGoodPollDone = true;
    if (this.settings.flags.has("ignorelb") && !canDeriveLowBattery((n) => this.state.getInfo(n))) {
      throw new DriverExit(
        1,
        "\nThe 'ignorelb' flag is set, but there is no way to determine the\n" +
          "battery state of charge.\n\n" +
          "Only set this flag if both 'battery.charge' and 'battery.charge.low'\n" +
          "and/or 'battery.runtime' and 'battery.runtime.low' are available.\n",
      );
    }
    for (const item of ["mfr", "model", "serial"]) {
      const v = this.state.getInfo(`ups.${item}`);
      if (v !== undefined) this.state.setInfo(`device.${item}`, v);
    }
  }

  /** `<var>: <value>` lines of the stored (escaped) values, as NUT's -d and SIGURG print them. */
  #dumpText(): string {
    return this.state.tree.vars().map((n) => `${n.name}: ${encode(n.value)}\n`).join("");
  }

  #context(): DriverContext {
    // deno-lint-ignore no-this-alias
    const core = this;
    return {
      upsName: this.upsName,
      port: this.settings.port ?? "",
      confPath: confPath(),
      get pollInterval() {
        return core.settings.pollInterval;
      },
      getval: (name) => this.settings.getval(name),
      testvar: (name) => this.settings.testvar(name),
      state: this.state,
      status: this.status,
      commitStatus: () => {
        const ignorelb = this.settings.flags.has("ignorelb");
        this.state.setInfo(
          "ups.status",
          this.status.statusText(ignorelb ? (n) => this.state.getInfo(n) : undefined),
        );
      },
      commitAlarm: () => {
        const text = this.status.alarmText();
        if (text === undefined) this.state.delInfo("ups.alarm");
        else this.state.setInfo("ups.alarm", text);
      },
      log: this.log,
      sleep: (ms) => this.sleep(ms),
      get stopping() {
        return core.stopping;
      },
    };
  }

  async #setvar(name: string, value: string): Promise<number> {
    const inst = this.#instance;
    if (!inst?.setvar) {
      this.log.warn("Got SET, but driver lacks a handler");
      return 1;
    }
    return await inst.setvar(name, value);
  }

  async #instcmd(cmd: string, param: string | undefined): Promise<number> {
    // the core's own commands (NUT ≥ 2.8.1), not listed with ADDCMD so that
    // upsd clients cannot reach them
    switch (cmd.toLowerCase()) {
      case "driver.exit":
        this.log.info("Got INSTCMD driver.exit: exiting");
        setTimeout(() => this.stop(), 0); // after the TRACKING reply is queued
        return 0;
      case "driver.reload":
        return await this.requestReload("reload");
      case "driver.reload-or-error":
        return await this.requestReload("reload-or-error");
      case "driver.reload-or-exit":
        return await this.requestReload("reload-or-exit");
    }
    const inst = this.#instance;
    if (!inst?.instcmd) {
      this.log.warn("Got INSTCMD, but driver lacks a handler");
      return 1;
    }
    return await inst.instcmd(cmd, param);
  }

  /**
   * Read ups.conf again and adopt what may change at run time (see
   * reload.ts). Resolves to a tracking code: 0, or 2 when a changed
   * setting needs a restart (reload-or-error) or the file is unusable
   * (the running settings then stay as they are). reload-or-exit exits with
   * status 138 when a restart is needed. Reloads run one at a time.
   */
  requestReload(kind: ReloadKind): Promise<number> {
    const run = this.#reloading.then(() => this.#reload(kind));
    this.#reloading = run.catch(() => {});
    return run;
  }

  async #reload(kind: ReloadKind): Promise<number> {
    if (this.#stopping || this.phase !== "running") return 3;
    this.log.info(
      `Handling requested live reload of NUT driver configuration for [${this.upsName}]`,
    );
    const next = this.#newSettings();
    try {
      for (const [opt, v] of this.#cliOpts) {
        if (opt === "a") await this.#readUpsConf(v ?? "", next, true);
        else if (opt === "x") next.applyX(v ?? "");
        else if (opt === "i") next.applyPollIntervalOption(v ?? "");
      }
    } catch (e) {
      const why = e instanceof Error ? e.message.trim().replace(/\s*\n\s*/g, " ") : String(e);
      this.log.error(`Reload failed (${why}): keeping the running configuration`);
      return 2;
    }
    for (const w of next.warnings) this.log.warn(w);
    const r = reloadSettings(this.settings, next, {
      userFromCli: this.#userFromCli,
      groupFromCli: this.#groupFromCli,
    });
    this.log.level = Math.max(this.#cliDebug, this.settings.debugMin);
    for (const [name, value] of r.publish) this.state.setInfo(name, value);
    for (const name of r.unpublish) this.state.delInfo(name);
    for (const name of r.released) this.state.release(name);
    for (const p of r.presets) {
      if (p.kind === "override") this.state.override(p.name, p.value);
      else if (this.state.getInfo(p.name) === undefined) this.state.setInfo(p.name, p.value);
    }
    this.supervisor?.configure({
      pollIntervalMs: this.settings.pollInterval * 1000,
      reconnectMaxTries: this.settings.reconnectMaxTries,
      reconnectReportFreq: this.settings.reconnectReportFreq,
    });
    if (r.changed.length) this.log.info(`Reloaded settings: ${r.changed.join(", ")}`);
    for (const name of r.restartNeeded) {
      this.log.warn(`Setting '${name}' was changed: the driver must be restarted to apply it`);
    }
    if (kind === "reload-or-exit" && r.restartNeeded.length > 0) {
      this.log.error(
        `NUT driver reload-or-exit: setting ${
          r.restartNeeded[0]
        } was changed and requires a driver restart`,
      );
      this.#exitCode = RELOAD_EXIT_STATUS;
      setTimeout(() => this.stop(), 0); // after the TRACKING reply is queued
      return 2;
    }
    try {
      await this.#instance?.reload?.();
    } catch (e) {
      this.log.warn(`driver reload hook failed: ${e instanceof Error ? e.message : e}`);
    }
    this.#wakeLoop();
    const code = kind === "reload-or-error" && r.restartNeeded.length > 0 ? 2 : 0;
    this.log.info(
      `Completed requested live reload of NUT driver configuration for [${this.upsName}]: ${code}`,
    );
    return code;
  }

  /**
   * `-c <command>`: ask the running instance (NUT master). Over its socket
   * by default (INSTCMD driver.<command>); with `-P <pid>`, or for the
   * data dump, with a signal (which needs the launcher's --allow-run).
   * Resolves to the driver's answer code (255 when the dialogue failed).
   */
  async #control(command: string, targetPid: string | undefined): Promise<number> {
    const cmd = CONTROL_COMMANDS.find((c) => c === command);
    if (!cmd) throw new DriverExit(1, "Error: unknown argument to option -c. Try -h for help.");
    const signals: Partial<Record<ControlCommand, Deno.Signal>> = {
      reload: "SIGHUP",
      "reload-or-exit": "SIGUSR1",
      exit: "SIGTERM",
      dump: "SIGURG",
      "data-dump": "SIGURG",
    };
    if (targetPid !== undefined || cmd === "dump" || cmd === "data-dump") {
      const sig = signals[cmd];
      if (!sig) throw new DriverExit(1, `Error: command ${cmd} cannot be sent as a signal`);
      const pid = targetPid !== undefined ? atoi(targetPid) : readPidFile(this.pidFilePath);
      if (pid === undefined || pid <= 0) {
        throw new DriverExit(
          1,
          targetPid !== undefined
            ? `Error: invalid PID ${targetPid}`
            : `Can't open ${this.pidFilePath}: No such file or directory`,
        );
      }
      this.log.debug(1, `Signalling PID ${pid} with ${sig} for command '${cmd}'`);
      try {
        Deno.kill(pid, sig);
      } catch (e) {
        const why = e instanceof Deno.errors.NotCapable
          ? "signalling needs the launcher's --allow-run"
          : (e as Error).message.replace(/ \(os error \d+\)$/, "");
        this.log.error(`Failed to signal the currently running daemon (if any): ${why}`);
        return 1;
      }
      return 0;
    }
    this.log.debug(1, `Signalling UPS [${this.upsName}]: driver.${cmd}`);
    try {
      const code = await trackedInstcmd(this.socketPath, `driver.${cmd}`);
      this.log.info(`Request for driver to ${cmd} returned code ${code}`);
      return code;
    } catch (e) {
      const why = e instanceof QueryError ? e.message : String(e);
      this.log.error(`Socket dialog with the other driver instance: ${why}`);
      return 255;
    }
  }

  /** Group id for the socket: -g / group=, else `nut` as Debian's build (when it exists). */
  #socketGid(): number | undefined {
    const name = this.#group ?? "nut";
    if (/^\d+$/.test(name)) return parseInt(name, 10);
    try {
      for (const line of Deno.readTextFileSync("/etc/group").split("\n")) {
        const f = line.split(":");
        if (f[0] === name && f[2] !== undefined) return parseInt(f[2], 10);
      }
    } catch {
      // not readable in this sandbox: keep our own group
    }
    if (this.#group !== undefined) this.log.warn(`group ${name} not found; socket keeps its group`);
    return undefined;
  }

  /**
   * Another instance still listening on our socket is asked to exit over the
   * socket (INSTCMD driver.exit); we wait up to 10 s for it to go.
   */
  async #takeOver(): Promise<void> {
    const path = this.socketPath;
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path });
    } catch {
      return; // nobody there (or a stale file, removed when we listen)
    }
    let pidFileExists = false;
    try {
      pidFileExists = Deno.statSync(this.pidFilePath).isFile;
    } catch {
      // no PID file
    }
    this.log.warn(
      pidFileExists
        ? `Duplicate driver instance detected (PID file ${this.pidFilePath} exists)! Terminating other driver!`
        : `Duplicate driver instance detected (socket ${path} in use)! Terminating other driver!`,
    );
    try {
      await conn.write(encoder.encode("INSTCMD driver.exit\n"));
    } catch {
      // it went away already
    }
    const deadline = Date.now() + 10000;
    const buf = new Uint8Array(4096);
    const closed = (async () => {
      try {
        while ((await conn.read(buf)) !== null) { /* discard */ }
      } catch {
        // reset: gone
      }
    })();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<"timeout">((r) => timer = setTimeout(() => r("timeout"), 10000));
    const res = await Promise.race([closed.then(() => "closed" as const), timeout]);
    clearTimeout(timer);
    try {
      conn.close();
    } catch {
      // closed
    }
    if (res === "timeout") {
      throw new DriverExit(1, `Duplicate driver instance on ${path} did not exit; giving up`);
    }
    // the socket file may outlive the old process for a moment: wait until nobody answers
    while (Date.now() < deadline) {
      try {
        const c = await Deno.connect({ transport: "unix", path });
        c.close();
        await new Promise((r) => setTimeout(r, 100));
      } catch {
        return;
      }
    }
    throw new DriverExit(1, `Duplicate driver instance on ${path} did not exit; giving up`);
  }

  async #cleanup(): Promise<void> {
    this.phase = "stopping";
    this.#stopping = true;
    for (const wake of [...this.#sleepers, ...this.#loopWakers]) wake();
    if (this.#server) {
      await this.#server.close();
      this.#server = undefined;
    }
    if (this.#pidFile) {
      removePidFile(this.#pidFile);
      this.#pidFile = undefined;
    }
    const inst = this.#instance;
    this.#instance = undefined;
    if (inst?.cleanup) {
      try {
        await inst.cleanup();
      } catch (e) {
        this.log.debug(1, `cleanup failed: ${e}`);
      }
    }
    this.phase = "stopped";
  }
}

/** Run a driver as a program: `Deno.exit(await runDriver(info, Deno.args))`. */
export function runDriver(info: DriverInfo, args: readonly string[]): Promise<number> {
  return new DriverCore(info).main(args);
}
