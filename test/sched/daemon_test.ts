/**
 * The timer daemon in-process, spoken to over its socket with raw protocol
 * lines: NUT 2.8.0's short requests, unknown and malformed requests,
 * pipelining, hostile peers, listing, idle exit, and a successor daemon's
 * socket surviving the predecessor's exit.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/nut.ts";
import { Logger } from "../../lib/daemon/log.ts";
import { MAX_CONNECTIONS, TimerDaemon } from "../../lib/sched/daemon.ts";
import { SchedDir, sleep } from "./harness.ts";

function daemon(d: SchedDir, emptyWaitMs = 60_000): TimerDaemon {
  return new TimerDaemon({
    pipefn: d.pipefn,
    lockfn: d.lockfn,
    cmdscript: [d.script],
    emptyWaitMs,
    log: new Logger("upssched-test"),
  });
}

/** A client connection that reads whole reply lines. */
class Peer {
  #buf = "";
  private constructor(readonly conn: Deno.UnixConn) {}
  static async open(path: string): Promise<Peer> {
    return new Peer(await Deno.connect({ transport: "unix", path }));
  }
  async send(text: string): Promise<void> {
    const data = new TextEncoder().encode(text);
    let off = 0;
    while (off < data.length) off += await this.conn.write(data.subarray(off));
  }
  async lines(n: number, timeoutMs = 3000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    const chunk = new Uint8Array(4096);
    while (this.#buf.split("\n").length - 1 < n) {
      if (Date.now() > deadline) throw new Error(`timeout; have ${JSON.stringify(this.#buf)}`);
      const r = await Promise.race([this.conn.read(chunk), sleep(100).then(() => -1)]);
      if (r === null) break;
      if (r > 0) this.#buf += new TextDecoder().decode(chunk.subarray(0, r));
    }
    const all = this.#buf.split("\n");
    const out = all.slice(0, n);
    this.#buf = all.slice(n).join("\n");
    return out;
  }
  close() {
    try {
      this.conn.close();
    } catch {
      // closed
    }
  }
}

async function withDaemon(fn: (d: SchedDir, td: TimerDaemon) => Promise<void>, wait?: number) {
  const d = await SchedDir.create("upssched-daemon-");
  const td = daemon(d, wait);
  try {
    assertEquals(await td.start(), "started");
    await fn(d, td);
  } finally {
    td.stop();
    await td.done;
    await d.cleanup();
  }
}

Deno.test("daemon: NUT 2.8.0's short START and CANCEL forms work", async () => {
  await withDaemon(async (d) => {
    const p = await Peer.open(d.pipefn);
    try {
      await p.send('START "gone" "1"\nSTART "fires" "0"\nCANCEL "gone"\n');
      assertEquals(await p.lines(3), ["OK", "OK", "OK"]);
      await waitFor(() => d.records().length > 0, 3000, "the timer");
      await sleep(1200);
      assertEquals(d.records(), ["argv=[fires] UPSNAME=[] NOTIFYTYPE=[] NOTIFYMSG=[]"]);
    } finally {
      p.close();
    }
  });
});

Deno.test("daemon: unknown and malformed requests get ERR UNKNOWN or nothing; the peer stays served", async () => {
  await withDaemon(async (d, td) => {
    const p = await Peer.open(d.pipefn);
    try {
      await p.send('FROB "x"\nSTART "only-name"\nCANCEL\nSTART "a#b" "1"\nSTART "ok" "100"\n');
      // the line with an unescaped # in quotes is a parse error: no answer for it
      assertEquals(await p.lines(4), ["ERR UNKNOWN", "ERR UNKNOWN", "ERR UNKNOWN", "OK"]);
      assertEquals(td.table.list().map((t) => t.name), ["ok"]);
    } finally {
      p.close();
    }
  });
});

Deno.test("daemon: LIST-TIMERS frames TAB-separated rows", async () => {
  await withDaemon(async (d) => {
    const p = await Peer.open(d.pipefn);
    try {
      await p.send(
        'START "a" "100" "ONBATT" "u@h" "msg one"\n' +
          'START-SHARED "a" "5" "LOWBATT" "v@h" "msg two"\n' +
          'START "b" "200"\nLIST-TIMERS "" "" "" "" ""\n',
      );
      const lines = await p.lines(8);
      assertEquals(lines.slice(0, 4), ["OK", "OK", "OK", "BEGIN LIST TIMERS"]);
      assertEquals(lines.slice(6), ["END LIST TIMERS", "OK"]);
      const a = lines[4].split("\t"), b = lines[5].split("\t");
      assertEquals([a[0], a[3], a[4], a[5], a[6]], [
        "a",
        "ONBATT,LOWBATT",
        "u@h,v@h",
        "msg one.",
        "msg two",
      ]);
      assert(Number(a[2]) > 99 && Number(a[2]) <= 100, a[2]);
      assertEquals([b[0], b[3], b[4], b[5]], ["b", '""', '""', '""']);
    } finally {
      p.close();
    }
  });
});

Deno.test("daemon: a flood without newlines and too many connections do not stop service", async () => {
  await withDaemon(async (d) => {
    const flood = await Peer.open(d.pipefn);
    const extra: Peer[] = [];
    try {
      await flood.send("X".repeat(200_000));
      for (let i = 0; i < MAX_CONNECTIONS + 3; i++) extra.push(await Peer.open(d.pipefn));
      await sleep(100);
      // the ones over the limit were closed by the daemon
      const closed = await Promise.all(extra.map(async (p) => {
        const r = await Promise.race([p.conn.read(new Uint8Array(1)), sleep(300).then(() => -1)]);
        return r === null;
      }));
      assert(closed.filter(Boolean).length >= 3, `closed: ${closed.filter(Boolean).length}`);
      for (const p of extra) p.close();
      extra.length = 0;
      await sleep(100);
      const p = await Peer.open(d.pipefn);
      await p.send('START "still" "100"\n');
      assertEquals(await p.lines(1), ["OK"]);
      p.close();
    } finally {
      flood.close();
      for (const p of extra) p.close();
    }
  });
});

Deno.test("daemon: exits when idle, removing its socket", async () => {
  const d = await SchedDir.create("upssched-daemon-");
  try {
    const td = daemon(d, 300);
    await td.start();
    const t0 = Date.now();
    const p = await Peer.open(d.pipefn);
    await p.send('START "quick" "0"\n');
    assertEquals(await p.lines(1), ["OK"]);
    p.close();
    assertEquals(await td.done, 0);
    assert(Date.now() - t0 >= 300, "waited for the idle time");
    assertEquals(d.records().length, 1);
    assert(!d.exists(d.pipefn));
  } finally {
    await d.cleanup();
  }
});

Deno.test({
  name: "daemon: a newer daemon's socket survives the older one's exit",
  // the older daemon's listener is deliberately left open (Deno would unlink the path)
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const d = await SchedDir.create("upssched-daemon-");
    const older = daemon(d);
    const newer = daemon(d);
    try {
      await older.start();
      Deno.removeSync(d.pipefn); // as if removed, then a new daemon bound the path
      assertEquals(await newer.start(), "started");
      older.stop();
      assertEquals(await older.done, 0);
      const p = await Peer.open(d.pipefn);
      await p.send('START "x" "100"\n');
      assertEquals(await p.lines(1), ["OK"]);
      p.close();
      assertEquals(newer.table.size, 1);
      // and with a live daemon, another one does not take over
      assertEquals(await daemon(d).start(), "running");
    } finally {
      newer.stop();
      await d.cleanup();
    }
  },
});
