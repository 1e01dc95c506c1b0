/**
 * upsdrvctl's messages as NUT prints them on stderr: plain at debug level 0;
 * from level 1 on, every line (debug or not) starts with the seconds since
 * start and a tab (`   0.000039\t[D1] Starting UPS: a`).
 *
 * @module
 */

const encoder = new TextEncoder();

export class CtlLog {
  level = 0;
  readonly #t0 = performance.now();
  readonly #write: (text: string) => void;

  constructor(write?: (text: string) => void) {
    this.#write = write ?? ((text) => {
      try {
        Deno.stderr.writeSync(encoder.encode(text));
      } catch {
        // stderr closed
      }
    });
  }

  #line(text: string): void {
    if (this.level > 0) {
      const secs = ((performance.now() - this.#t0) / 1000).toFixed(6).padStart(11);
      this.#write(`${secs}\t${text}\n`);
    } else {
      this.#write(text + "\n");
    }
  }

  /** A message shown always. */
  log(text: string): void {
    this.#line(text);
  }

  /** A debug message shown from level `lvl` on. */
  debug(lvl: number, text: string): void {
    if (this.level >= lvl) this.#line(`[D${lvl}] ${text}`);
  }
}
