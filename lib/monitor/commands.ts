/**
 * The programs upsmon runs: NOTIFYCMD, wall(1) and SHUTDOWNCMD. Only the
 * privileged part (or the single process of `upsmon -p`) uses this.
 *
 * NUT's contract, kept here: SHUTDOWNCMD is a shell command line (NUT runs
 * it with system(), i.e. `/bin/sh -c`), run with the privileges upsmon was
 * started with; NOTIFYCMD gets the message as its last argument and the
 * environment variables UPSNAME and NOTIFYTYPE, and runs as RUN_AS_USER.
 * NOTIFYCMD is also run through `/bin/sh -c` (as NUT 2.8.0 did, so a
 * NOTIFYCMD line with arguments keeps working), but the message is passed
 * as a separate argument (`"$1"`), never pasted into the command line: UPS
 * alarm texts cannot inject shell code. Hence the only program the
 * privileged part may start for these is /bin/sh (plus wall).
 *
 * Notifications run one after the other in the order they were raised, so
 * a NOTIFYCMD sees events in order; one that hangs is waited for at most
 * NOTIFY_WAIT_MS before the next starts (it keeps running).
 *
 * @module
 */

import type { LogLevel } from "./actions.ts";
import { writePowerDownFlag } from "./powerdown.ts";

export const SHELL = "/bin/sh";
/** How long a NOTIFYCMD may hold up the next notification. */
export const NOTIFY_WAIT_MS = 10_000;

export interface RunnerOptions {
  shutdownCmd?: string;
  notifyCmd?: string;
  /** Where to leave the power-down flag; undefined = not configured or disabled. */
  powerDownFlag?: string;
  /** wall(1), if the system has it. */
  wallPath?: string;
  /** Run NOTIFYCMD and wall as this user (RUN_AS_USER, when started as root). */
  user?: { uid: number; gid: number };
  log: (level: LogLevel, message: string) => void;
  /** "upsmon parent: " in split mode (NUT's prefix for the privileged process). */
  prefix?: string;
  /** How long a NOTIFYCMD may hold up the next one (default NOTIFY_WAIT_MS). */
  notifyWaitMs?: number;
}

export class CommandRunner {
  #opts: RunnerOptions;
  #queue: Promise<void> = Promise.resolve();
  #pending = new Set<Promise<unknown>>();

  constructor(opts: RunnerOptions) {
    this.#opts = opts;
  }

  /** A reload may change NOTIFYCMD (not SHUTDOWNCMD or POWERDOWNFLAG). */
  setNotifyCmd(cmd: string | undefined): void {
    this.#opts = { ...this.#opts, notifyCmd: cmd };
  }

  get shutdownCmd(): string | undefined {
    return this.#opts.shutdownCmd;
  }

  get notifyCmd(): string | undefined {
    return this.#opts.notifyCmd;
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    p.finally(() => this.#pending.delete(p)).catch(() => {});
    return p;
  }

  /** Resolves once every started program has finished (tests, orderly exit). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #spawn(cmd: string, args: string[], extra: Partial<Deno.CommandOptions> = {}): Deno.ChildProcess {
    const u = this.#opts.user;
    return new Deno.Command(cmd, {
      args,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
      ...(u ? { uid: u.uid, gid: u.gid } : {}),
      ...extra,
    }).spawn();
  }

  /** Deliver a notification's wall and NOTIFYCMD parts. */
  notify(type: string, ups: string, message: string, how: { wall: boolean; exec: boolean }): void {
    if (how.wall) this.wall(message);
    const cmd = this.#opts.notifyCmd;
    if (!how.exec || !cmd) return;
    const run = async () => {
      let child: Deno.ChildProcess;
      try {
        // "$1" keeps the message one argument, whatever it contains
        child = this.#spawn(SHELL, ["-c", `${cmd} "$1"`, "upsmon-notify", message], {
          env: { UPSNAME: ups, NOTIFYTYPE: type },
        });
      } catch (e) {
        this.#opts.log("error", `execvp(${cmd}) failed: ${errText(e)}`);
        return;
      }
      const status = this.#track(child.status);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((r) =>
        timer = setTimeout(r, this.#opts.notifyWaitMs ?? NOTIFY_WAIT_MS)
      );
      await Promise.race([status, late]);
      clearTimeout(timer);
    };
    this.#queue = this.#track(this.#queue.then(run, run));
  }

  /** Broadcast with wall(1), the message on its standard input. */
  wall(message: string): void {
    const path = this.#opts.wallPath;
    if (!path) {
      this.#opts.log("error", "Can't invoke wall");
      return;
    }
    const run = async () => {
      try {
        const child = this.#spawn(path, [], { stdin: "piped", stdout: "null", stderr: "null" });
        const w = child.stdin.getWriter();
        await w.write(new TextEncoder().encode(message + "\n")).catch(() => {});
        await w.close().catch(() => {});
        await child.status;
      } catch (e) {
        this.#opts.log("error", `Can't invoke wall: ${errText(e)}`);
      }
    };
    this.#track(run());
  }

  /**
   * The end: create POWERDOWNFLAG, then run SHUTDOWNCMD with our own
   * privileges and wait for it. Returns its exit status (undefined when
   * there is none to run or it could not start).
   */
  async shutdown(): Promise<number | undefined> {
    const { powerDownFlag, shutdownCmd, log } = this.#opts;
    const prefix = this.#opts.prefix ?? "";
    if (powerDownFlag) {
      try {
        writePowerDownFlag(powerDownFlag);
      } catch (e) {
        log(
          "error",
          `${prefix}Failed to create power down flag! (${powerDownFlag}: ${errText(e)})`,
        );
      }
    }
    if (!shutdownCmd) {
      log("error", `${prefix}Unable to call shutdown command: no SHUTDOWNCMD configured`);
      return undefined;
    }
    try {
      const child = new Deno.Command(SHELL, {
        args: ["-c", shutdownCmd],
        stdin: "null",
        stdout: "inherit",
        stderr: "inherit",
      }).spawn();
      const st = await this.#track(child.status);
      if (st.code !== 0) log("error", `${prefix}Unable to call shutdown command: ${shutdownCmd}`);
      return st.code;
    } catch (e) {
      log("error", `${prefix}Unable to call shutdown command: ${shutdownCmd}: ${errText(e)}`);
      return undefined;
    }
  }
}

function errText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/ \(os error \d+\)$/, "");
}
