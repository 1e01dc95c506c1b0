/**
 * Bounded protocol fuzz against our upsd process: random bytes, mutated
 * valid lines, overlong lines and words, unbalanced quotes, control bytes,
 * a few hundred half-open connections and a client that never reads —
 * while a healthy client keeps getting exact answers. Seeded, < 30 s.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { makeNutDir, waitFor } from "../helpers/nut.ts";
import { FakeDriver } from "../helpers/fake_driver.ts";
import { FAKE_DUMP, LineClient, startUpsd } from "./upsd_harness.ts";

/** xorshift32: reproducible randomness. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x100000000;
  };
}

const VALID = [
  "GET VAR fake ups.status",
  "LIST VAR fake",
  'SET VAR fake ups.id "abc"',
  "INSTCMD fake load.off 5",
  "USERNAME admin",
  "PASSWORD not-the-password", // a real login could legitimately set the FSD latch
  "LOGIN fake",
  "GET TRACKING 00000000-0000-0000-0000-000000000000",
  "LIST ENUM fake input.transfer.low",
  "SET TRACKING ON",
  "FSD fake",
  "LOGOUT",
];

function mutate(line: string, r: () => number): string {
  const b = [...line];
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(r() * (b.length + 1));
    const op = Math.floor(r() * 4);
    const ch = String.fromCharCode(Math.floor(r() * 256));
    if (op === 0) b.splice(pos, 0, ch);
    else if (op === 1) b.splice(pos, 1);
    else if (op === 2) b.splice(pos, 0, ['"', "\\", "#", "=", "\t", "\r"][Math.floor(r() * 6)]);
    else b[pos] = ch;
  }
  return b.join("");
}

function bytes(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}

Deno.test("fuzz: hostile clients do not disturb a healthy one", async () => {
  const dir = await makeNutDir("upsd-fuzz-");
  const d = new FakeDriver(`${dir.state}/fake-fake`, FAKE_DUMP);
  const upsd = await startUpsd({ dir });
  const healthy = await LineClient.open(upsd.port);
  const opened: Deno.Conn[] = [];
  const deadline = Date.now() + 20_000;
  try {
    await waitFor(
      async () => (await healthy.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
      10000,
    );
    const baseline = await healthy.req("LIST VAR fake");
    let checks = 0;
    const check = async () => {
      assertEquals(await healthy.req("GET VAR fake ups.status"), 'VAR fake ups.status "OL"');
      assertEquals(await healthy.req("LIST VAR fake"), baseline);
      checks++;
    };

    // a few hundred half-open connections
    for (let i = 0; i < 300; i++) {
      opened.push(await Deno.connect({ hostname: "127.0.0.1", port: upsd.port }));
    }
    await check();

    // a client that never reads its replies
    const sink = await Deno.connect({ hostname: "127.0.0.1", port: upsd.port });
    opened.push(sink);
    const flood = bytes("LIST VAR fake\n".repeat(4000));
    let sinkClosed = false;
    const floodDone = (async () => {
      for (let i = 0; i < 40 && !sinkClosed; i++) {
        await sink.write(flood).catch(() => sinkClosed = true);
      }
    })();

    const r = rng(0xC0FFEE);
    const attackers = 8;
    const rounds = 150;
    const attack = async (n: number) => {
      let c: Deno.Conn | undefined;
      for (let round = 0; round < rounds && Date.now() < deadline; round++) {
        try {
          c ??= await Deno.connect({ hostname: "127.0.0.1", port: upsd.port });
          const kind = (n + round) % 6;
          let payload: Uint8Array;
          if (kind === 0) payload = Uint8Array.from({ length: 4096 }, () => Math.floor(r() * 256));
          else if (kind === 1) {
            payload = bytes(
              Array.from({ length: 50 }, () => mutate(VALID[Math.floor(r() * VALID.length)], r))
                .join("\n") + "\n",
            );
          } else if (kind === 2) payload = bytes("GET VAR " + "x".repeat(100_000) + " y\n");
          else if (kind === 3) {
            payload = bytes('GET VAR fake "unbalanced\nVER\nNETVER\n' + "w ".repeat(2000) + "\n");
          } else if (kind === 4) payload = bytes("\x00\x01\x7f\xff\r\r\t\v\f#\\\n".repeat(200));
          else payload = bytes(VALID.join("\n") + "\n");
          await c.write(payload);
          // read whatever came back without blocking for long
          const buf = new Uint8Array(65536);
          await Promise.race([c.read(buf), new Promise((res) => setTimeout(res, 5))]);
          if (r() < 0.2) {
            c.close();
            c = undefined;
          }
        } catch {
          try {
            c?.close();
          } catch {
            // closed
          }
          c = undefined; // server closed it (LOGOUT, overflow): reconnect
        }
      }
      try {
        c?.close();
      } catch {
        // closed
      }
    };
    const attacks = Promise.all(Array.from({ length: attackers }, (_, i) => attack(i)));
    while (Date.now() < deadline) {
      await check();
      const settled = await Promise.race([
        attacks.then(() => true),
        new Promise((res) => setTimeout(() => res(false), 100)),
      ]);
      if (settled) break;
    }
    await attacks;
    await Promise.race([floodDone, new Promise((res) => setTimeout(res, 3000))]);
    await check();
    assert(checks >= 3, `healthy client checked ${checks} times`);
    await waitFor(
      () => upsd.proc.stderr.includes("Dropping client 127.0.0.1"),
      5000,
      "non-reading client dropped",
    );
    // still up and serving new clients
    const fresh = await LineClient.open(upsd.port);
    assertEquals(await fresh.req("NETVER"), "1.3");
    fresh.close();
    const st = await Promise.race([
      upsd.proc.status,
      new Promise((res) => setTimeout(() => res(null), 10)),
    ]);
    assertEquals(st, null, "upsd must still be running");
  } finally {
    for (const c of opened) {
      try {
        c.close();
      } catch {
        // closed
      }
    }
    healthy.close();
    await upsd.stop();
    d.close();
    await dir.cleanup();
  }
});
