/**
 * Plays a definition file's directives over time (spec daemons.md §5.2):
 * each poll applies directives from the current position up to the next
 * TIMER (which pauses playing for its seconds) or the end of the file.
 *
 * - loop mode: after the end, the next poll starts again from the top;
 * - once mode: after the end nothing more is played (the driver re-reads the
 *   file when it changes and starts a new player).
 *
 * Pure: the clock is passed in, the caller applies what step() returns.
 *
 * @module
 */

import type { Directive } from "./devfile.ts";

export class SequencePlayer {
  #pos = 0;
  #resumeAt = -Infinity;
  #finished = false;

  constructor(readonly directives: readonly Directive[], readonly loop: boolean) {}

  /** Once mode: everything has been played. */
  get finished(): boolean {
    return this.#finished;
  }

  /** True when the next step() starts from the top (the caller may re-read the file first). */
  get atStart(): boolean {
    return this.#pos === 0 || (this.loop && this.#pos >= this.directives.length);
  }

  /** Milliseconds-clock time before which step() plays nothing (a TIMER pause). */
  get resumeAt(): number {
    return this.#resumeAt;
  }

  /** Directives to apply at time `now` (ms); TIMER directives are consumed here. */
  step(now: number): Directive[] {
    if (this.#finished || now < this.#resumeAt) return [];
    if (this.#pos >= this.directives.length) {
      if (!this.loop) {
        this.#finished = true;
        return [];
      }
      this.#pos = 0;
    }
    const out: Directive[] = [];
    while (this.#pos < this.directives.length) {
      const d = this.directives[this.#pos++];
      if (d.kind === "timer") {
        this.#resumeAt = now + d.seconds * 1000;
        return out;
      }
      out.push(d);
    }
    if (!this.loop) this.#finished = true;
    return out;
  }
}
