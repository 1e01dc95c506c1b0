/**
 * Shared helpers for integration tests: free ports, temp NUT directories,
 * processes started and stopped by PID, polling waits, and where Debian's
 * NUT lives.
 *
 * @module
 */

export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
export const BIN = `${ROOT}/bin`;
export const FIXTURES = `${ROOT}/../shared/fixtures`;

/** True if the path exists (any file type). */
export function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Debian's NUT 2.8.0 binaries (daemons in /lib/nut, clients in /bin). */
export const DEBIAN = {
  upsd: "/lib/nut/upsd",
  dummyUps: "/lib/nut/dummy-ups",
  upsmon: "/lib/nut/upsmon",
  upsc: "/bin/upsc",
  upscmd: "/bin/upscmd",
  upsrw: "/bin/upsrw",
  upslog: "/bin/upslog",
  upsdrvctl: "/sbin/upsdrvctl",
  cmdvartab: "/usr/share/nut/cmdvartab",
};

/** True when Debian's NUT server and clients are installed. */
export const haveDebianNut = exists(DEBIAN.upsd) && exists(DEBIAN.dummyUps) && exists(DEBIAN.upsc);

/** Reason printed by tests skipped for lack of Debian's NUT. */
export const NO_DEBIAN_NUT =
  "Debian's NUT 2.8.0 is not installed (apt-get install -y nut-server nut-client python3-nut): interop test skipped";

/** True when ../shared/fixtures is present. */
export const haveFixtures = exists(`${FIXTURES}/ddl`);

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A temp NUT tree: conf/ and state/ directories, usable by Debian's daemons (which drop to user nut). */
export interface NutDir {
  root: string;
  conf: string;
  state: string;
  /** Environment for processes: NUT_CONFPATH, NUT_STATEPATH, NUT_ALTPIDPATH. */
  env: Record<string, string>;
  write(name: string, text: string, mode?: number): string;
  cleanup(): Promise<void>;
}

export async function makeNutDir(prefix = "nut-test-"): Promise<NutDir> {
  const root = await Deno.makeTempDir({ prefix });
  const conf = `${root}/conf`;
  const state = `${root}/state`;
  await Deno.mkdir(conf);
  await Deno.mkdir(state);
  await Deno.chmod(root, 0o755);
  await Deno.chmod(conf, 0o755);
  await Deno.chmod(state, 0o777);
  return {
    root,
    conf,
    state,
    env: { NUT_CONFPATH: conf, NUT_STATEPATH: state, NUT_ALTPIDPATH: state },
    write(name: string, text: string, mode = 0o644): string {
      const path = name.startsWith("/") ? name : `${conf}/${name}`;
      Deno.writeTextFileSync(path, text);
      Deno.chmodSync(path, mode);
      return path;
    },
    async cleanup() {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}

/** A child process with captured output, stopped by PID. */
export class Proc {
  readonly child: Deno.ChildProcess;
  #out: Uint8Array[] = [];
  #err: Uint8Array[] = [];
  #pumps: Promise<void>[];
  readonly status: Promise<Deno.CommandStatus>;

  constructor(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string) {
    this.child = new Deno.Command(cmd, {
      args,
      env,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#pumps = [
      pump(this.child.stdout, this.#out),
      pump(this.child.stderr, this.#err),
    ];
    this.status = this.child.status;
  }

  get pid(): number {
    return this.child.pid;
  }

  get stdout(): string {
    return decode(this.#out);
  }

  get stderr(): string {
    return decode(this.#err);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone and output drained. */
  async stop(graceMs = 3000): Promise<Deno.CommandStatus> {
    try {
      this.child.kill("SIGTERM");
    } catch {
      // already exited
    }
    const timer = setTimeout(() => {
      try {
        this.child.kill("SIGKILL");
      } catch {
        // gone
      }
    }, graceMs);
    const st = await this.status;
    clearTimeout(timer);
    await Promise.all(this.#pumps);
    return st;
  }

  /** Wait for exit (no signal) and drain output. */
  async wait(): Promise<Deno.CommandStatus> {
    const st = await this.status;
    await Promise.all(this.#pumps);
    return st;
  }
}

async function pump(stream: ReadableStream<Uint8Array>, into: Uint8Array[]): Promise<void> {
  for await (const chunk of stream) into.push(chunk);
}

function decode(chunks: Uint8Array[]): string {
  const td = new TextDecoder();
  return chunks.map((c) => td.decode(c, { stream: true })).join("") + td.decode();
}

/** Run a command to completion. */
export async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = new Deno.Command(cmd, {
    args,
    env,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (stdin !== undefined) {
    const w = child.stdin.getWriter();
    await w.write(new TextEncoder().encode(stdin));
    await w.close();
  }
  const out = await child.output();
  const td = new TextDecoder();
  return { code: out.code, stdout: td.decode(out.stdout), stderr: td.decode(out.stderr) };
}

/** Poll `check` until it returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10000,
  what = "condition",
  intervalMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr}` : ""}`,
  );
}

/** True once a TCP port accepts connections. */
export async function portOpen(port: number, hostname = "127.0.0.1"): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname, port });
    c.close();
    return true;
  } catch {
    return false;
  }
}

/** Send protocol lines on a fresh connection and collect `n` reply lines. */
export async function talk(port: number, lines: string[], replyLines: number): Promise<string[]> {
  const c = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await c.write(new TextEncoder().encode(lines.map((l) => l + "\n").join("")));
    const td = new TextDecoder();
    let buf = "";
    const chunk = new Uint8Array(65536);
    const deadline = Date.now() + 10000;
    while (buf.split("\n").length - 1 < replyLines && Date.now() < deadline) {
      const n = await c.read(chunk);
      if (n === null) break;
      buf += td.decode(chunk.subarray(0, n));
    }
    return buf.split("\n").slice(0, replyLines);
  } finally {
    c.close();
  }
}
