/**
 * The WATCH client (lib/monitor/watch.ts) against a scripted fake upsd:
 * change reports, servers without WATCH, refused UPSes, dropped
 * connections and keep-alives.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { startFakeUpsd } from "../helpers/fake_upsd.ts";
import { waitFor } from "../helpers/nut.ts";
import { UpsdWatcher } from "../../lib/monitor/watch.ts";

const quiet = () => {};
const fast = { tryTls: false, timeoutMs: 2000, readTimeoutMs: 2000 };

/** A fake upsd that knows WATCH for the given UPS names. */
function watchServer(known: string[], supported = true) {
  return (_line: string, w: string[]) => {
    const verb = w[0]?.toUpperCase();
    if (verb === "NETVER") return "1.3";
    if (verb !== "WATCH") return "ERR UNKNOWN-COMMAND";
    if (!supported) return "ERR UNKNOWN-COMMAND";
    return known.some((k) => k.toLowerCase() === w[1]?.toLowerCase()) ? "OK" : "ERR UNKNOWN-UPS";
  };
}

Deno.test("watch: CHANGED lines are reported with the watched name", async () => {
  const srv = await startFakeUpsd(watchServer(["ups1", "ups2"]));
  const seen: string[] = [];
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["ups1", "UPS2"], (u) => seen.push(u), {
    log: quiet,
    connect: fast,
  });
  try {
    w.start();
    await waitFor(() => w.state === "watching", 5000, "watching");
    assertEquals(srv.conns[0].lines, ["WATCH ups1", "WATCH UPS2"]);
    assertEquals(w.watched, ["ups1", "UPS2"]);
    srv.conns[0].send("CHANGED ups2\nCHANGED UPS1\nCHANGED other\n");
    await waitFor(() => seen.length === 2, 5000, "two reports");
    assertEquals(seen, ["UPS2", "ups1"]);
  } finally {
    await w.stop();
    await srv.close();
  }
  assertEquals(w.state, "stopped");
});

Deno.test("watch: a CHANGED line between WATCH replies is not taken for a reply", async () => {
  const srv = await startFakeUpsd((_l, w) => {
    if (w[0] !== "WATCH") return "ERR UNKNOWN-COMMAND";
    if (w[1] === "b") return ["CHANGED a", "OK"];
    return "OK";
  });
  const seen: string[] = [];
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["a", "b"], (u) => seen.push(u), {
    log: quiet,
    connect: fast,
  });
  try {
    w.start();
    await waitFor(() => w.state === "watching", 5000, "watching");
    assertEquals(w.watched, ["a", "b"]);
    assertEquals(seen, ["a"]);
  } finally {
    await w.stop();
    await srv.close();
  }
});

Deno.test("watch: a server without WATCH is left alone (one attempt, polling only)", async () => {
  const srv = await startFakeUpsd(watchServer([], false));
  const logs: string[] = [];
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["ups1"], () => {}, {
    log: (_l, m) => logs.push(m),
    connect: fast,
    backoffMs: 20,
  });
  try {
    w.start();
    await waitFor(() => w.state === "unsupported", 5000, "unsupported");
    await new Promise((r) => setTimeout(r, 200));
    assertEquals(srv.conns.length, 1);
    assertEquals(srv.lines, ["WATCH ups1", "LOGOUT"]);
    assert(logs.some((l) => l.includes("has no WATCH: polling only")));
  } finally {
    await w.stop();
    await srv.close();
  }
});

Deno.test("watch: a refused UPS is skipped, the others are watched", async () => {
  const srv = await startFakeUpsd(watchServer(["good"]));
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["bad", "good"], () => {}, {
    log: quiet,
    connect: fast,
  });
  try {
    w.start();
    await waitFor(() => w.state === "watching", 5000, "watching");
    assertEquals(w.watched, ["good"]);
  } finally {
    await w.stop();
    await srv.close();
  }
});

Deno.test("watch: reconnects with backoff after the connection drops, then reports everything", async () => {
  const srv = await startFakeUpsd(watchServer(["ups1"]));
  const seen: string[] = [];
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["ups1"], (u) => seen.push(u), {
    log: quiet,
    connect: fast,
    backoffMs: 50,
  });
  try {
    w.start();
    await waitFor(() => w.state === "watching", 5000, "watching");
    assertEquals(seen, []);
    srv.conns[0].close();
    await waitFor(() => srv.conns.length === 2 && w.state === "watching", 5000, "rewatching");
    // at the loss (the monitor checks upsd), and again once watching:
    // changes may have been missed while disconnected
    assertEquals(seen, ["ups1", "ups1"]);
  } finally {
    await w.stop();
    await srv.close();
  }
});

Deno.test("watch: server down: retries with a growing delay", async () => {
  const srv = await startFakeUpsd(() => "close");
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["ups1"], () => {}, {
    log: quiet,
    connect: fast,
    backoffMs: 40,
    maxBackoffMs: 160,
  });
  const t0 = Date.now();
  try {
    w.start();
    await waitFor(() => srv.conns.length >= 4, 5000, "four attempts");
    // 40 + 80 + 160 ms of waiting at least between the first and the fourth attempt
    assert(Date.now() - t0 >= 270, `attempts too fast: ${Date.now() - t0} ms`);
    assert(w.state === "waiting" || w.state === "connecting");
  } finally {
    await w.stop();
    await srv.close();
  }
});

Deno.test("watch: keepAlive() sends NETVER at most every keepAliveMs; three unanswered end the session", async () => {
  let answer = true;
  const srv = await startFakeUpsd((_l, w) => {
    if (w[0] === "WATCH") return "OK";
    if (w[0] === "NETVER") return answer ? "1.3" : "silent";
    return "ERR UNKNOWN-COMMAND";
  });
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["ups1"], () => {}, {
    log: quiet,
    connect: fast,
    keepAliveMs: 1000,
    backoffMs: 30,
  });
  const netvers = () => srv.conns[0]?.lines.filter((l) => l === "NETVER").length ?? 0;
  try {
    w.start();
    await waitFor(() => w.state === "watching", 5000, "watching");
    const t = Date.now();
    w.keepAlive(t + 500); // too soon after the session started
    w.keepAlive(t + 1000);
    w.keepAlive(t + 1500); // too soon after the last one
    w.keepAlive(t + 2000);
    await waitFor(() => netvers() === 2, 5000, "two keep-alives");
    // answered ones do not count against the session
    w.keepAlive(t + 3000);
    w.keepAlive(t + 4000);
    await waitFor(() => netvers() === 4, 5000, "four keep-alives");
    await new Promise((r) => setTimeout(r, 100));
    assertEquals(srv.conns.length, 1);
    answer = false;
    for (let i = 5; i <= 8; i++) w.keepAlive(t + i * 1000);
    await waitFor(() => srv.conns.length >= 2, 5000, "reconnect after silence");
    assertEquals(netvers(), 7, "the fourth call closes instead of sending");
  } finally {
    await w.stop();
    await srv.close();
  }
});

Deno.test("watch: a lost connection is reported as a change of every watched UPS at once", async () => {
  const srv = await startFakeUpsd(watchServer(["a", "b"]));
  const seen: string[] = [];
  const w = new UpsdWatcher("127.0.0.1", srv.port, ["a", "b", "c"], (u) => seen.push(u), {
    log: quiet,
    connect: fast,
    backoffMs: 60_000, // no reconnect during the test
  });
  try {
    w.start();
    await waitFor(() => w.state === "watching", 5000, "watching");
    assert(w.watching("A") && w.watching("b") && !w.watching("c"));
    srv.conns[0].close();
    await waitFor(() => seen.length === 2, 5000, "reports");
    assertEquals(seen, ["a", "b"]);
    assertEquals(w.state, "waiting");
    assert(!w.watching("a"));
  } finally {
    await w.stop();
    await srv.close();
  }
});
