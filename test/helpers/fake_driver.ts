/**
 * A scripted driver socket for tests: listens on `<state>/<driver>-<ups>`,
 * answers DUMPALL with a given dump, PING with PONG (unless told to keep
 * quiet), records every line a peer sends, and can broadcast lines.
 *
 * ```ts
 * const d = new FakeDriver(`${dir.state}/fake-ups1`, ['SETINFO ups.status "OL"', "DATAOK"]);
 * await waitFor(() => d.received.includes("DUMPALL"));
 * d.broadcast('SETINFO ups.status "OB"');
 * d.close();
 * ```
 *
 * @module
 */

const enc = new TextEncoder();

export class FakeDriver {
  /** Lines received from peers, in order. */
  readonly received: string[] = [];
  /** Answer PING with PONG. */
  answerPing = true;
  /** Lines sent in reply to DUMPALL (DUMPDONE is appended); null = no reply at all. */
  dump: string[] | null;
  readonly #listener: Deno.Listener;
  readonly #conns = new Set<Deno.Conn>();
  #closed = false;

  constructor(
    readonly path: string,
    dump: string[] | null = ['SETINFO ups.status "OL"', "DATAOK"],
  ) {
    this.dump = dump;
    try {
      Deno.removeSync(path);
    } catch {
      // not there
    }
    this.#listener = Deno.listen({ transport: "unix", path });
    this.#accept();
  }

  /** Number of peers connected now. */
  get peers(): number {
    return this.#conns.size;
  }

  async #accept(): Promise<void> {
    try {
      for await (const c of this.#listener) {
        this.#conns.add(c);
        this.#serve(c);
      }
    } catch {
      // listener closed
    }
  }

  async #serve(c: Deno.Conn): Promise<void> {
    const buf = new Uint8Array(4096);
    let text = "";
    try {
      while (true) {
        const n = await c.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
        let i;
        while ((i = text.indexOf("\n")) >= 0) {
          const line = text.slice(0, i);
          text = text.slice(i + 1);
          this.received.push(line);
          const kw = line.split(" ")[0].toUpperCase();
          if (kw === "DUMPALL" && this.dump) this.#send(c, [...this.dump, "DUMPDONE"]);
          else if (kw === "PING" && this.answerPing) this.#send(c, ["PONG"]);
        }
      }
    } catch {
      // peer gone
    }
    this.#conns.delete(c);
    try {
      c.close();
    } catch {
      // closed
    }
  }

  #send(c: Deno.Conn, lines: string[]): void {
    c.write(enc.encode(lines.map((l) => l + "\n").join(""))).catch(() => {});
  }

  /** Send lines to every connected peer. */
  broadcast(...lines: string[]): void {
    for (const c of this.#conns) this.#send(c, lines);
  }

  /** Close peers (the socket file stays, as a killed driver leaves it). */
  dropPeers(): void {
    for (const c of this.#conns) {
      try {
        c.close();
      } catch {
        // closed
      }
    }
    this.#conns.clear();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.dropPeers();
    try {
      this.#listener.close();
    } catch {
      // closed
    }
    try {
      Deno.removeSync(this.path);
    } catch {
      // gone
    }
  }
}
