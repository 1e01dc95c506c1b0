/**
 * Integration-test scaffolding for upssched: a temp directory with a
 * configuration, a CMDSCRIPT that appends its argv and environment to a log
 * file, helpers to run bin/upssched (or Debian's) as upsmon would, and
 * clean-up of the timer daemons by PID.
 *
 * @module
 */

import { BIN } from "../helpers/nut.ts";

export const DEBIAN_UPSSCHED = "/sbin/upssched";
export const haveDebianUpssched = (() => {
  try {
    return Deno.statSync(DEBIAN_UPSSCHED).isFile;
  } catch {
    return false;
  }
})();
export const NO_DEBIAN_UPSSCHED =
  `Debian's NUT 2.8.0 upssched (${DEBIAN_UPSSCHED}) is not installed (apt-get install nut-client): comparison skipped`;

/** The script records one line per run: argv in brackets, then the three variables. */
const SCRIPT = `#!/bin/sh
{
  printf 'argv='
  for a in "$@"; do printf '[%s]' "$a"; done
  printf ' UPSNAME=[%s] NOTIFYTYPE=[%s] NOTIFYMSG=[%s]\\n' "$UPSNAME" "$NOTIFYTYPE" "$NOTIFYMSG"
} >> "$(dirname "$0")/runs.log"
`;

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Event {
  ups?: string;
  type?: string;
  msg?: string;
}

export class SchedDir {
  readonly conf: string;
  readonly run: string;
  readonly pipefn: string;
  readonly lockfn: string;
  readonly script: string;
  readonly logFile: string;

  private constructor(readonly root: string) {
    this.conf = `${root}/conf`;
    this.run = `${root}/run`;
    this.pipefn = `${this.run}/upssched.pipe`;
    this.lockfn = `${this.run}/upssched.lock`;
    this.script = `${this.conf}/cmd.sh`;
    this.logFile = `${this.conf}/runs.log`;
  }

  static async create(prefix = "upssched-"): Promise<SchedDir> {
    const d = new SchedDir(await Deno.makeTempDir({ prefix }));
    await Deno.mkdir(d.conf);
    await Deno.mkdir(d.run);
    await Deno.writeTextFile(d.script, SCRIPT);
    await Deno.chmod(d.script, 0o755);
    return d;
  }

  /** The three global lines every working configuration starts with. */
  get header(): string {
    return `CMDSCRIPT ${this.script}\nPIPEFN ${this.pipefn}\nLOCKFN ${this.lockfn}\n`;
  }

  /** Write upssched.conf: the header plus `body`, or `body` alone with raw. */
  writeConf(body: string, raw = false): string {
    const path = `${this.conf}/upssched.conf`;
    Deno.writeTextFileSync(path, raw ? body : this.header + body);
    return path;
  }

  env(ev: Event | null, extra: Record<string, string> = {}): Record<string, string> {
    const env: Record<string, string> = {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      NUT_CONFPATH: this.conf,
      NUT_UPSSCHED_EMPTY_WAIT: "1",
      ...extra,
    };
    const home = Deno.env.get("HOME");
    if (home) env.HOME = home;
    if (ev) {
      if (ev.ups !== undefined) env.UPSNAME = ev.ups;
      if (ev.type !== undefined) env.NOTIFYTYPE = ev.type;
    }
    return env;
  }

  /** Run a program as upsmon would: clean environment, message as the argument. */
  async exec(prog: string, args: string[], env: Record<string, string>): Promise<RunResult> {
    const out = await new Deno.Command(prog, {
      args,
      env,
      clearEnv: true,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const td = new TextDecoder();
    return { code: out.code, stdout: td.decode(out.stdout), stderr: td.decode(out.stderr) };
  }

  /** bin/upssched for an event (msg, if any, is the argument). */
  event(ev: Event, extra: Record<string, string> = {}): Promise<RunResult> {
    return this.exec(`${BIN}/upssched`, ev.msg === undefined ? [] : [ev.msg], this.env(ev, extra));
  }

  /** Debian's upssched for the same event. */
  debianEvent(ev: Event): Promise<RunResult> {
    return this.exec(DEBIAN_UPSSCHED, ev.msg === undefined ? [] : [ev.msg], this.env(ev));
  }

  /** bin/upssched with options and no event variables unless given. */
  cli(args: string[], ev: Event | null = null, extra: Record<string, string> = {}) {
    return this.exec(`${BIN}/upssched`, args, this.env(ev, extra));
  }

  /** Lines the CMDSCRIPT has logged so far. */
  records(): string[] {
    try {
      return Deno.readTextFileSync(this.logFile).split("\n").filter((l) => l !== "");
    } catch {
      return [];
    }
  }

  /** Our timer daemons serving this directory (the Deno processes, not launchers). */
  daemonPids(): number[] {
    return processes((argv) =>
      argv.includes("--timer-daemon") && argv.some((a) => a.endsWith("cmd/upssched/main.ts")) &&
      argv.includes(this.pipefn)
    );
  }

  /** Debian's timer daemons started for this directory (found by their environment). */
  debianDaemonPids(): number[] {
    return processes(
      (argv, environ) =>
        argv[0] === DEBIAN_UPSSCHED && environ.includes(`NUT_CONFPATH=${this.conf}`),
    );
  }

  exists(path: string): boolean {
    try {
      Deno.lstatSync(path);
      return true;
    } catch {
      return false;
    }
  }

  /** Stop every daemon of this directory by PID, then remove it. */
  async cleanup(): Promise<void> {
    const pids = [...this.daemonPids(), ...this.debianDaemonPids()];
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGTERM");
      } catch {
        // gone
      }
    }
    const deadline = Date.now() + 3000;
    while (pids.some(alive) && Date.now() < deadline) await sleep(20);
    for (const pid of pids.filter(alive)) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // gone
      }
    }
    await Deno.remove(this.root, { recursive: true }).catch(() => {});
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function alive(pid: number): boolean {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    return !/^\d+ \(.*\) Z/.test(stat); // a zombie is gone for our purposes
  } catch {
    return false;
  }
}

/** CPU time (user + system, clock ticks) a process has used. */
export function cpuTicks(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime
}

function processes(pred: (argv: string[], environ: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const argv = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0");
      let environ: string[] = [];
      try {
        environ = Deno.readTextFileSync(`/proc/${e.name}/environ`).split("\0");
      } catch {
        // not ours to read
      }
      if (pred(argv, environ) && alive(Number(e.name))) pids.push(Number(e.name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}
