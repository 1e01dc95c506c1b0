/**
 * dummy-ups repeater mode against a scripted upstream upsd: values mirrored,
 * DATASTALE when the upstream dies or reports an error, DATAOK and fresh
 * values once it answers again (NUT 2.8.0 never went stale here).
 */

import { assert, assertEquals } from "../../helpers/assert.ts";
import { BIN, freePort, makeNutDir, Proc, waitFor } from "../../helpers/nut.ts";
import { SockPeer, sockTalk } from "../../helpers/sock.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";

/** Just enough of upsd for a repeater: STARTTLS refused, LIST VAR answered. */
class FakeUpsd {
  vars = new Map<string, string>();
  /** When set, LIST VAR answers `ERR <token>`. */
  error: string | undefined;
  #listener: Deno.TcpListener | undefined;
  #conns = new Set<Deno.TcpConn>();

  constructor(readonly port: number, readonly ups: string) {}

  start(): void {
    this.#listener = Deno.listen({ hostname: "127.0.0.1", port: this.port });
    this.#accept(this.#listener);
  }

  async #accept(l: Deno.TcpListener): Promise<void> {
    try {
      for await (const c of l) {
        this.#conns.add(c);
        this.#serve(c).finally(() => this.#conns.delete(c));
      }
    } catch {
      // closed
    }
  }

  #reply(line: string): string {
    const w = line.trim().split(/\s+/);
    if (w[0] === "STARTTLS") return "ERR FEATURE-NOT-CONFIGURED\n";
    if (w[0] === "LIST" && w[1] === "VAR") {
      if (w[2] !== this.ups) return "ERR UNKNOWN-UPS\n";
      if (this.error) return `ERR ${this.error}\n`;
      const body = [...this.vars].map(([k, v]) => `VAR ${this.ups} ${k} "${v}"\n`).join("");
      return `BEGIN LIST VAR ${this.ups}\n${body}END LIST VAR ${this.ups}\n`;
    }
    return "ERR UNKNOWN-COMMAND\n";
  }

  async #serve(c: Deno.TcpConn): Promise<void> {
    const buf = new Uint8Array(4096);
    let text = "";
    try {
      for (;;) {
        const n = await c.read(buf);
        if (n === null) break;
        text += new TextDecoder().decode(buf.subarray(0, n));
        let nl;
        while ((nl = text.indexOf("\n")) >= 0) {
          const line = text.slice(0, nl);
          text = text.slice(nl + 1);
          await c.write(new TextEncoder().encode(this.#reply(line)));
        }
      }
    } catch {
      // connection dropped
    } finally {
      try {
        c.close();
      } catch {
        // closed
      }
    }
  }

  stop(): void {
    try {
      this.#listener?.close();
    } catch {
      // closed
    }
    this.#listener = undefined;
    for (const c of this.#conns) {
      try {
        c.close();
      } catch {
        // closed
      }
    }
    this.#conns.clear();
  }
}

Deno.test({
  name: "dummy-ups repeater: mirrors, goes stale when the upstream dies, recovers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-rep-");
    const port = freePort();
    const up = new FakeUpsd(port, "src");
    up.vars.set("ups.status", "OL");
    up.vars.set("battery.charge", "100");
    up.vars.set("driver.name", "usbhid-ups");
    up.vars.set("ups.model", "Upstream 1000");
    up.start();
    let drv: Proc | undefined;
    try {
      dir.write(
        "ups.conf",
        `pollinterval = 1\n[rep]\n\tdriver = dummy-ups\n\tport = src@127.0.0.1:${port}\n`,
      );
      drv = new Proc(`${BIN}/dummy-ups`, ["-a", "rep", "-F"], { ...dir.env, PATH });
      const sock = `${dir.state}/dummy-ups-rep`;
      const dump = () => sockTalk(sock, "DUMPALL\n", (l) => l === "DUMPDONE");
      const first = await waitFor(dump, 10000, "repeater socket");
      assert(first.includes('SETINFO ups.status "OL"'), first.join("\n"));
      assert(first.includes('SETINFO battery.charge "100"'));
      assert(first.includes('SETINFO driver.name "dummy-ups"'), "driver.* is not mirrored");
      assert(first.includes('SETINFO driver.parameter.mode "repeater"'));
      assertEquals(first.at(-2), "DATAOK");

      const peer = await SockPeer.open(sock);
      const t0 = Date.now();
      up.stop();
      await peer.until((l) => l === "DATASTALE", 5000);
      const staleAfter = Date.now() - t0;
      assert(staleAfter < 4000, `stale after ${staleAfter} ms`);
      const staleDump = await dump();
      assertEquals(staleDump[0], "DATASTALE");
      assert(staleDump.includes('SETINFO battery.charge "100"'), "last values kept");

      up.vars.set("battery.charge", "80");
      up.vars.delete("ups.model");
      up.start();
      const back = await peer.until((l) => l === "DATAOK", 10000);
      assert(back.includes('SETINFO battery.charge "80"'), back.join("\n"));
      assert(back.includes("DELINFO ups.model"), back.join("\n"));

      // an upstream that answers but reports an error is stale too
      up.error = "DATA-STALE";
      await peer.until((l) => l === "DATASTALE", 5000);
      up.error = undefined;
      await peer.until((l) => l === "DATAOK", 5000);
      peer.close();
    } finally {
      up.stop();
      if (drv) {
        const st = await drv.stop();
        assertEquals(st.code, 0, drv.stderr);
      }
      await dir.cleanup();
    }
  },
});

Deno.test({
  name: "dummy-ups repeater: no upstream at start-up is fatal, as in NUT 2.8.0",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("dummy-rep0-");
    try {
      const port = freePort();
      dir.write("ups.conf", `[rep]\n\tdriver = dummy-ups\n\tport = src@127.0.0.1:${port}\n`);
      const p = new Proc(`${BIN}/dummy-ups`, ["-a", "rep", "-F"], { ...dir.env, PATH });
      const st = await p.wait();
      assertEquals(st.code, 1);
      assertEquals(p.stderr, "Error: Connection failure: Connection refused\n");
    } finally {
      await dir.cleanup();
    }
  },
});
