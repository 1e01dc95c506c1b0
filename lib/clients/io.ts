/**
 * Terminal I/O for the client tools, behind an interface so the tools can be
 * run in-process by tests. stdout is buffered like C stdio on a pipe (one
 * write at exit, or before reading input); stderr is written at once.
 *
 * @module
 */

/** One line read from stdin: its text (without LF) and whether an LF ended it. */
export interface InputLine {
  text: string;
  newline: boolean;
}

export interface ToolIO {
  /** Name the program was invoked as (getopt messages use it verbatim). */
  argv0: string;
  out(text: string): void;
  err(text: string): void;
  /** Flush buffered stdout. */
  flush(): void;
  /** Next line of stdin, or null at end of input. */
  readLine(): Promise<InputLine | null>;
  /** getpass(3): prompt and read a line without echo; null at end of input. */
  readSecret(prompt: string): Promise<string | null>;
  /** The OS login name (getpwuid), if known. */
  loginName(): Promise<string | undefined>;
  env(name: string): string | undefined;
}

/** Raised to end a tool with an exit status, after printing `message` on stderr. */
export class ToolExit extends Error {
  constructor(readonly code: number, message = "") {
    super(message);
    this.name = "ToolExit";
  }
}

/** Print `msg` on stderr and exit 1 (NUT's fatalx). */
export function fatal(msg: string): never {
  throw new ToolExit(1, msg);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function writeAllSync(w: { writeSync(p: Uint8Array): number }, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += w.writeSync(data.subarray(off));
}

/** Buffered reader of stdin lines (shared by all prompts of one run). */
export class StdinLines {
  #buf = new Uint8Array(0);
  #eof = false;

  constructor(private src: { read(p: Uint8Array): Promise<number | null> }) {}

  async next(): Promise<InputLine | null> {
    for (;;) {
      const i = this.#buf.indexOf(0x0a);
      if (i >= 0) {
        const text = decoder.decode(this.#buf.subarray(0, i));
        this.#buf = this.#buf.slice(i + 1);
        return { text, newline: true };
      }
      if (this.#eof) {
        if (this.#buf.length === 0) return null;
        const text = decoder.decode(this.#buf);
        this.#buf = new Uint8Array(0);
        return { text, newline: false };
      }
      const chunk = new Uint8Array(4096);
      const n = await this.src.read(chunk);
      if (n === null) {
        this.#eof = true;
        continue;
      }
      const merged = new Uint8Array(this.#buf.length + n);
      merged.set(this.#buf);
      merged.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = merged;
    }
  }
}

/** Read a line from a terminal in raw mode without echo (getpass). */
async function readTtyNoEcho(): Promise<string | null> {
  const stdin = Deno.stdin;
  stdin.setRaw(true);
  const bytes: number[] = [];
  const one = new Uint8Array(1);
  try {
    for (;;) {
      const n = await stdin.read(one);
      if (n === null) return bytes.length ? decoder.decode(new Uint8Array(bytes)) : null;
      const b = one[0];
      if (b === 0x0d || b === 0x0a) break;
      if (b === 0x03) { // ^C: what the terminal's INTR would do
        stdin.setRaw(false);
        writeAllSync(Deno.stderr, encoder.encode("\n"));
        Deno.exit(130);
      }
      if (b === 0x04 && bytes.length === 0) return null; // ^D on an empty line
      if (b === 0x7f || b === 0x08) {
        bytes.pop();
        continue;
      }
      if (b === 0x15) { // ^U: kill the line
        bytes.length = 0;
        continue;
      }
      bytes.push(b);
    }
  } finally {
    stdin.setRaw(false);
  }
  return decoder.decode(new Uint8Array(bytes));
}

/** The real terminal. */
export function denoIO(prog: string): ToolIO {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stdinLines = new StdinLines(Deno.stdin);
  const env = (name: string): string | undefined => {
    try {
      return Deno.env.get(name);
    } catch {
      return undefined; // not in the sandbox's env list
    }
  };
  const io: ToolIO = {
    argv0: env("NUT_ARGV0") || prog,
    out(text) {
      const b = encoder.encode(text);
      chunks.push(b);
      size += b.length;
      if (size >= 65536) io.flush();
    },
    err(text) {
      try {
        writeAllSync(Deno.stderr, encoder.encode(text));
      } catch {
        // stderr closed
      }
    },
    flush() {
      if (size === 0) return;
      const all = new Uint8Array(size);
      let off = 0;
      for (const c of chunks) {
        all.set(c, off);
        off += c.length;
      }
      chunks.length = 0;
      size = 0;
      try {
        writeAllSync(Deno.stdout, all);
      } catch {
        // stdout closed (EPIPE): like a C program killed by SIGPIPE, stop quietly
      }
    },
    readLine() {
      io.flush();
      return stdinLines.next();
    },
    async readSecret(prompt) {
      io.flush();
      io.err(prompt);
      if (Deno.stdin.isTerminal()) {
        const s = await readTtyNoEcho();
        io.err("\n");
        return s;
      }
      const line = await stdinLines.next();
      return line === null ? null : line.text;
    },
    async loginName() {
      try {
        const os = await import("node:os");
        return os.userInfo().username;
      } catch {
        return env("USER") || env("LOGNAME") || undefined;
      }
    },
    env,
  };
  return io;
}

/** Run a tool's main function: print its fatal message, flush, exit with its status. */
export async function runTool(
  prog: string,
  main: (args: string[], io: ToolIO) => Promise<number>,
): Promise<never> {
  const io = denoIO(prog);
  let code: number;
  try {
    code = await main(Deno.args, io);
  } catch (e) {
    io.flush();
    io.err(`${prog}: ${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    code = 1;
  }
  io.flush();
  Deno.exit(code);
}
