/**
 * The common driver core ("main.c" of every NUT driver) as an instance:
 * options, ups.conf, PID file, the driver socket, the poll loop and the
 * `-k` / `-d` paths (spec daemons.md §3). Nothing here is process-wide
 * except, optionally, the signal handlers installed by main(), so one
 * process could host several DriverCore objects.
 *
 * Differences from NUT 2.8.0, on purpose:
 * - socket commands are served at any time (the poll runs beside them);
 * - signal handlers are installed in the foreground too, so a killed driver
 *   removes its socket and PID file;
 * - a still-running older instance is asked to leave over its socket
 *   (`INSTCMD driver.exit`, NUT ≥ 2.8.1 does the same first) because a
 *   sandboxed driver may not signal other processes;
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
import { removePidFile, writePidFile } from "../daemon/pidfile.ts";
import { isDetached, notifyReady } from "../daemon/ready.ts";
import { encode } from "../protocol/quote.ts";
import { SockServer } from "../sock/server.ts";
import { DState } from "./dstate.ts";
import { banner, helpText, listText } from "./help.ts";
import { atoi, DriverSettings } from "./settings.ts";
import { canDeriveLowBattery, StatusBuilder } from "./status.ts";
import { type DriverContext, DriverExit, type DriverInfo, type DriverInstance } from "./types.ts";

/** NUT 2.8.0's driver getopt string. */
export const DRIVER_GETOPT = "+a:s:kFBDd:hx:Lqr:u:g:Vi:";

export interface CoreOptions {
  /** Logger (default: a new one named after the driver). */
  log?: Logger;
  /** stdout writer (banner, help, -d dump). */
  out?: (text: string) => void;
  /** Install SIGTERM/SIGINT/SIGQUIT/SIGHUP handlers while running (default true). */
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

const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTERM: 15,
};

/** Supervision state, published nowhere yet; room for reconnect logic. */
export type CoreState = "starting" | "running" | "stopping" | "stopped";

export class DriverCore {
  readonly log: Logger;
  readonly state: DState;
  readonly status = new StatusBuilder();
  readonly settings: DriverSettings;
  upsName = "";
  phase: CoreState = "starting";
  #out: (text: string) => void;
  #handleSignals: boolean;
  #instance: DriverInstance | undefined;
  #server: SockServer | undefined;
  #pidFile: string | undefined;
  #stopping = false;
  #stopSignal: number | undefined;
  #sleepers = new Set<() => void>();
  #user: string | undefined;
  #group: string | undefined;

  constructor(readonly info: DriverInfo, opts: CoreOptions = {}) {
    this.log = opts.log ?? new Logger(info.name);
    this.#out = opts.out ?? writeStdout;
    this.#handleSignals = opts.handleSignals ?? true;
    this.state = new DState(this.log);
    this.settings = new DriverSettings(info.name, info.vars, info.flags);
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
    for (const wake of [...this.#sleepers]) wake();
  }

  /** Sleep that ends early when the driver stops. */
  sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#sleepers.add(done);
    });
  }

  /** Run the driver with NUT's command line; resolves to the exit status. */
  async main(args: readonly string[]): Promise<number> {
    const listeners: Array<[Deno.Signal, () => void]> = [];
    if (this.#handleSignals) {
      for (const [sig, num] of Object.entries(SIGNAL_NUMBERS) as Array<[Deno.Signal, number]>) {
        const fn = sig === "SIGHUP"
          ? () => this.log.info(`Signal ${num}: reload is not supported by this driver, ignored`)
          : () => this.stop(num);
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

  async #readUpsConf(name: string): Promise<void> {
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
    this.settings.applyGlobal(conf.global);
    const section = conf.sections.find((s) => s.name === name);
    if (!section) throw new DriverExit(1, `Error: Section ${name} not found in ups.conf`);
    this.settings.applySection(name, section);
  }

  async #run(args: readonly string[]): Promise<number> {
    const info = this.info;
    this.#out(banner(info) + "\n");

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
    for (const [opt, val] of parsed.opts) {
      const v = val ?? "";
      switch (opt) {
        case "a":
          this.upsName = v;
          await this.#readUpsConf(v);
          break;
        case "s":
          this.upsName = v;
          break;
        case "x":
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
          break;
        case "g":
          this.#group = v;
          break;
        case "i":
          this.settings.applyPollIntervalOption(v);
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
    if (this.settings.port === undefined) {
      throw new DriverExit(
        1,
        "Error: you must specify a port name in ups.conf or in '-x port=...' argument.\nTry -h for help.",
      );
    }
    this.log.level = Math.max(debug, this.settings.debugMin);
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
    this.#instance = info.create(ctx);
    await this.#instance.initups();
    this.state.setInfo("driver.version", NUT_VERSION);
    this.state.setInfo("driver.version.internal", info.version);
    this.state.setInfo("driver.name", info.name);
    await this.#instance.initinfo();
    await this.#instance.updateinfo();
    if (this.settings.flags.has("ignorelb") && !canDeriveLowBattery((n) => this.state.getInfo(n))) {
      throw new DriverExit(
        1,
        "\nThe 'ignorelb' flag is set, but there is no way to determine the\n" +
          "battery state of charge.\n\n" +
          "Only set this flag if both 'battery.charge' and 'battery.charge.low'\n" +
          "and/or 'battery.runtime' and 'battery.runtime.low' are available.\n",
      );
    }
    this.state.setInfo("driver.parameter.pollinterval", String(this.settings.pollInterval));
    this.state.setInfo("driver.parameter.synchronous", this.settings.synchronous);
    for (const item of ["mfr", "model", "serial"]) {
      const v = this.state.getInfo(`ups.${item}`);
      if (v !== undefined) this.state.setInfo(`device.${item}`, v);
    }

    if (dumpMode) {
      for (let i = 1; i < dumpCount && !this.#stopping; i++) {
        await this.sleep(this.settings.pollInterval * 1000);
        await this.#instance.updateinfo();
      }
      // NUT prints the stored (escaped) form of each value
      this.#out(this.state.tree.vars().map((n) => `${n.name}: ${encode(n.value)}\n`).join(""));
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

    while (!this.#stopping) {
      const started = Date.now();
      try {
        await this.#instance.updateinfo();
      } catch (e) {
        if (e instanceof DriverExit) throw e;
        this.log.error(`updateinfo failed: ${e instanceof Error ? e.message : e}`);
        this.state.dataStale();
      }
      await this.sleep(started + this.settings.pollInterval * 1000 - Date.now());
    }
    if (this.#stopSignal !== undefined) this.log.info(`Signal ${this.#stopSignal}: exiting`);
    return 0;
  }

  #context(): DriverContext {
    // deno-lint-ignore no-this-alias
    const core = this;
    return {
      upsName: this.upsName,
      port: this.settings.port ?? "",
      confPath: confPath(),
      pollInterval: this.settings.pollInterval,
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
    // the core's own command (NUT ≥ 2.8.1): how a newer instance asks us to leave
    if (cmd.toLowerCase() === "driver.exit") {
      this.log.info("Got INSTCMD driver.exit: exiting");
      setTimeout(() => this.stop(), 0); // after the TRACKING reply is queued
      return 0;
    }
    const inst = this.#instance;
    if (!inst?.instcmd) {
      this.log.warn("Got INSTCMD, but driver lacks a handler");
      return 1;
    }
    return await inst.instcmd(cmd, param);
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
    const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 10000));
    const res = await Promise.race([closed.then(() => "closed" as const), timer]);
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
    for (const wake of [...this.#sleepers]) wake();
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
