/**
 * Daemon logging as NUT does it: messages to stderr while starting (and in
 * the foreground), debug lines prefixed with seconds since start
 * (`   0.000248\t[D1] ...`). Once a daemon is detached its stderr is routed
 * by the launcher to syslog (`logger -t <prog>`), so the same calls serve both.
 *
 * @module
 */

const encoder = new TextEncoder();
const start = performance.now();

export class Logger {
  /** Debug level: number of -D given (plus DEBUG_MIN). */
  level = 0;

  constructor(readonly prog: string) {}

  #write(line: string): void {
    try {
      Deno.stderr.writeSync(encoder.encode(line + "\n"));
    } catch {
      // stderr gone (detached and closed): nothing sensible to do
    }
  }

  /** A debug message shown when the level is at least `lvl`. */
  debug(lvl: number, msg: string): void {
    if (this.level < lvl) return;
    const secs = ((performance.now() - start) / 1000).toFixed(6).padStart(11);
    this.#write(`${secs}\t[D${lvl}] ${msg}`);
  }

  info(msg: string): void {
    this.#write(msg);
  }

  warn(msg: string): void {
    this.#write(msg);
  }

  error(msg: string): void {
    this.#write(msg);
  }

  /** Print `Fatal error: <msg>`-style text as given and exit. */
  fatal(msg: string, code = 1): never {
    this.#write(msg);
    Deno.exit(code);
  }
}
