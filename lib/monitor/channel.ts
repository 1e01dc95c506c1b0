/**
 * How the monitor reaches whatever may run programs: the privileged part
 * over the pipe (split mode), or a CommandRunner in the same process
 * (`upsmon -p`).
 *
 * @module
 */

import type { NotifyType } from "../conf/upsmon_conf.ts";
import type { CommandRunner } from "./commands.ts";
import { encodeRequest, type PrivRequest } from "./pipe.ts";

export interface PrivChannel {
  notify(type: NotifyType, ups: string, message: string, wall: boolean, exec: boolean): void;
  wall(message: string): void;
  /** POWERDOWNFLAG + SHUTDOWNCMD; resolves when handed over (split) or done (mono). */
  shutdown(): Promise<void>;
  /** The configuration was reloaded (NOTIFYCMD may have changed). */
  reloaded(notifyCmd: string | undefined): void;
  /** Start-up is complete. */
  ready(): void;
  /** Still able to run the shutdown? */
  alive(): boolean;
  /** Wait for started programs (mono) / pending writes (split). */
  flush(): Promise<void>;
}

/** Split mode: JSON lines on stdout; stdin reaching EOF means the privileged part died. */
export class PipeChannel implements PrivChannel {
  #alive = true;
  #writes: Promise<void> = Promise.resolve();
  #encoder = new TextEncoder();

  constructor(
    private out: { write(b: Uint8Array): Promise<number> } = Deno.stdout,
    watchParent: ReadableStream<Uint8Array> | null = Deno.stdin.readable,
  ) {
    if (watchParent) void this.#watch(watchParent);
  }

  async #watch(s: ReadableStream<Uint8Array>): Promise<void> {
    try {
      // the privileged part never writes; the stream ends when it is gone
      for await (const _ of s) { /* ignore */ }
    } catch {
      // read error: treat as gone too
    }
    this.#alive = false;
  }

  #send(r: PrivRequest): Promise<void> {
    const bytes = this.#encoder.encode(encodeRequest(r));
    this.#writes = this.#writes.then(async () => {
      if (!this.#alive) return;
      try {
        let off = 0;
        while (off < bytes.length) off += await this.out.write(bytes.subarray(off));
      } catch {
        this.#alive = false; // EPIPE: the reader is gone
      }
    });
    return this.#writes;
  }

  notify(type: NotifyType, ups: string, message: string, wall: boolean, exec: boolean): void {
    void this.#send({ op: "notify", type, ups, message, wall, exec });
  }
  wall(message: string): void {
    void this.#send({ op: "wall", message });
  }
  async shutdown(): Promise<void> {
    await this.#send({ op: "shutdown" });
  }
  reloaded(): void {
    void this.#send({ op: "reload" });
  }
  ready(): void {
    void this.#send({ op: "ready" });
  }
  alive(): boolean {
    // no probe: the stdin watch and write errors keep #alive current, and a
    // write here would wake the privileged process at every poll
    return this.#alive;
  }
  flush(): Promise<void> {
    return this.#writes;
  }
}

/** `upsmon -p`: one process does everything. */
export class DirectChannel implements PrivChannel {
  constructor(private runner: CommandRunner, private onReady: () => void) {}

  notify(type: NotifyType, ups: string, message: string, wall: boolean, exec: boolean): void {
    this.runner.notify(type, ups, message, { wall, exec });
  }
  wall(message: string): void {
    this.runner.wall(message);
  }
  async shutdown(): Promise<void> {
    await this.runner.shutdown();
  }
  reloaded(notifyCmd: string | undefined): void {
    this.runner.setNotifyCmd(notifyCmd);
  }
  ready(): void {
    this.onReady();
  }
  alive(): boolean {
    return true;
  }
  flush(): Promise<void> {
    return this.runner.idle();
  }
}
