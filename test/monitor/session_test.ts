/**
 * One MONITOR entry's upsd session (lib/monitor/session.ts) against a
 * scripted fake upsd: the login sequence, PRIMARY→MASTER fallback, polls,
 * errors, reconnects, FSD and NUMLOGINS.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { type FakeConn, startFakeUpsd } from "../helpers/fake_upsd.ts";
import { waitFor } from "../helpers/nut.ts";
import { parseUpsmonConf } from "../../lib/conf/upsmon_conf.ts";
import { UpsSession } from "../../lib/monitor/session.ts";

const fast = { tryTls: false, timeoutMs: 2000, readTimeoutMs: 2000 };

function entry(port: number, role = "primary", ups = "ups1") {
  return parseUpsmonConf(`MONITOR ${ups}@127.0.0.1:${port} 1 mon "p w" ${role}`, "t").config
    .monitors[0];
}

/** upsd-like replies; `status` may be changed by the test. */
function server(opts: { status: () => string; primary?: "ok" | "old" | "denied" }) {
  return (_line: string, w: string[], _c: FakeConn) => {
    const v = w[0]?.toUpperCase();
    switch (v) {
      case "USERNAME":
      case "PASSWORD":
      case "LOGIN":
        return "OK";
      case "PRIMARY":
        return opts.primary === "ok" || opts.primary === undefined
          ? "OK PRIMARY-GRANTED"
          : "ERR UNKNOWN-COMMAND";
      case "MASTER":
        return opts.primary === "denied" ? "ERR ACCESS-DENIED" : "OK MASTER-GRANTED";
      case "FSD":
        return "OK FSD-SET";
      case "GET":
        if (w[1] === "NUMLOGINS") return `NUMLOGINS ${w[2]} 3`;
        if (w[3] === "ups.status") {
          const s = opts.status();
          return s.startsWith("ERR") ? s : `VAR ${w[2]} ups.status "${s}"`;
        }
        if (w[3] === "ups.alarm") return `VAR ${w[2]} ups.alarm "Fan failure"`;
        return "ERR VAR-NOT-SUPPORTED";
      default:
        return "ERR UNKNOWN-COMMAND";
    }
  };
}

Deno.test("session: login sequence of a primary, then polls on the same connection", async () => {
  const srv = await startFakeUpsd(server({ status: () => "OL" }));
  const logs: string[] = [];
  const s = new UpsSession(entry(srv.port), { connect: fast, log: (_l, m) => logs.push(m) });
  try {
    assertEquals(await s.poll(), { ok: { status: "OL", buzzwords: undefined } });
    // no buzzwords here: not asked again for a while (one request per poll)
    assertEquals(await s.poll(), { ok: { status: "OL" } });
    assertEquals(srv.conns.length, 1);
    assertEquals(srv.conns[0].lines, [
      "USERNAME mon",
      'PASSWORD "p w"',
      "LOGIN ups1",
      "PRIMARY ups1",
      "GET VAR ups1 ups.status",
      "GET VAR ups1 ups.mode.buzzwords",
      "GET VAR ups1 ups.status",
    ]);
    assert(logs.includes("Logged into UPS ups1@127.0.0.1:" + srv.port));
  } finally {
    await s.close();
    await srv.close();
  }
});

Deno.test("session: a secondary does not ask for PRIMARY", async () => {
  const srv = await startFakeUpsd(server({ status: () => "OL" }));
  const s = new UpsSession(entry(srv.port, "secondary"), { connect: fast, log: () => {} });
  try {
    await s.poll();
    assertEquals(srv.conns[0].lines.slice(0, 4), [
      "USERNAME mon",
      'PASSWORD "p w"',
      "LOGIN ups1",
      "GET VAR ups1 ups.status",
    ]);
  } finally {
    await s.close();
    await srv.close();
  }
});

Deno.test("session: PRIMARY refused falls back to MASTER; both refused is logged, polling goes on", async () => {
  const srv = await startFakeUpsd(server({ status: () => "OL", primary: "old" }));
  const s = new UpsSession(entry(srv.port), { connect: fast, log: () => {} });
  try {
    await s.poll();
    assertEquals(srv.conns[0].lines.slice(3, 5), ["PRIMARY ups1", "MASTER ups1"]);
  } finally {
    await s.close();
    await srv.close();
  }
  const srv2 = await startFakeUpsd(server({ status: () => "OB", primary: "denied" }));
  const logs: string[] = [];
  const s2 = new UpsSession(entry(srv2.port), { connect: fast, log: (_l, m) => logs.push(m) });
  try {
    assertEquals(await s2.poll(), { ok: { status: "OB", buzzwords: undefined } });
    assert(
      logs.includes(
        `Primary managerial privileges unavailable on UPS [ups1@127.0.0.1:${srv2.port}]`,
      ),
    );
    assert(logs.includes("Reason: Access denied"));
  } finally {
    await s2.close();
    await srv2.close();
  }
});

Deno.test("session: error replies become poll failures with their token; ALARM reads ups.alarm", async () => {
  let status = "ERR DATA-STALE";
  const srv = await startFakeUpsd(server({ status: () => status }));
  const s = new UpsSession(entry(srv.port), { connect: fast, log: () => {} });
  try {
    assertEquals(await s.poll(), {
      fail: { stage: "poll", message: "Data stale", token: "DATA-STALE" },
    });
    status = "OL ALARM";
    assertEquals(await s.poll(), {
      ok: { status: "OL ALARM", buzzwords: undefined, alarm: "Fan failure" },
    });
    assertEquals(srv.conns.length, 1, "an error reply keeps the connection");
  } finally {
    await s.close();
    await srv.close();
  }
});

Deno.test("session: refused connection, refused login, dropped connection and reconnect", async () => {
  const dead = new UpsSession(entry(1), { connect: fast, log: () => {} });
  const r = await dead.poll();
  assert("fail" in r && r.fail.stage === "connect", JSON.stringify(r));
  assert("fail" in r && r.fail.message.startsWith("Connection failure: "));

  const denied = await startFakeUpsd((_l, w) => w[0] === "LOGIN" ? "ERR ACCESS-DENIED" : "OK");
  const s1 = new UpsSession(entry(denied.port), { connect: fast, log: () => {} });
  try {
    assertEquals(await s1.poll(), {
      fail: {
        stage: "auth",
        message: `Login on UPS [ups1@127.0.0.1:${denied.port}] failed - got [ERR ACCESS-DENIED]`,
      },
    });
  } finally {
    await s1.close();
    await denied.close();
  }

  let drop = false;
  const srv = await startFakeUpsd((line, w, c) => {
    if (drop && w[0] === "GET") {
      drop = false;
      return "close";
    }
    return server({ status: () => "OL" })(line, w, c);
  });
  const s = new UpsSession(entry(srv.port), { connect: fast, log: () => {} });
  try {
    await s.poll();
    drop = true;
    const f = await s.poll();
    assert("fail" in f && f.fail.message === "Server disconnected", JSON.stringify(f));
    assert(!s.connected);
    assertEquals(await s.poll(), { ok: { status: "OL", buzzwords: undefined } });
    assertEquals(srv.conns.length, 2);
  } finally {
    await s.close();
    await srv.close();
  }
});

Deno.test("session: FSD and NUMLOGINS", async () => {
  const srv = await startFakeUpsd(server({ status: () => "OB LB" }));
  const s = new UpsSession(entry(srv.port), { connect: fast, log: () => {} });
  try {
    assertEquals(await s.numLogins(), undefined, "no connection yet: unknown");
    await s.poll();
    assertEquals(await s.setFsd(), undefined);
    assertEquals(await s.numLogins(), 3);
    assert(srv.lines.includes("FSD ups1"));
    assert(srv.lines.includes("GET NUMLOGINS ups1"));
    await s.close();
    await waitFor(() => srv.lines.at(-1) === "LOGOUT", 3000, "LOGOUT");
  } finally {
    await s.close();
    await srv.close();
  }
});

Deno.test("session: a UPS with buzzwords is asked for them at every poll", async () => {
  const srv = await startFakeUpsd((line, w, c) =>
    w[3] === "ups.mode.buzzwords"
      ? `VAR ${w[2]} ups.mode.buzzwords "vendor:eco"`
      : server({ status: () => "OL" })(line, w, c)
  );
  const s = new UpsSession(entry(srv.port), { connect: fast, log: () => {} });
  try {
    for (let i = 0; i < 2; i++) {
      assertEquals(await s.poll(), { ok: { status: "OL", buzzwords: "vendor:eco" } });
    }
    assertEquals(srv.lines.filter((l) => l.endsWith("ups.mode.buzzwords")).length, 2);
  } finally {
    await s.close();
    await srv.close();
  }
});

Deno.test("session: poll(replyTimeoutMs) bounds that poll only", async () => {
  let silent = false;
  const srv = await startFakeUpsd((line, w, c) =>
    silent && w[0] === "GET" ? "silent" : server({ status: () => "OL" })(line, w, c)
  );
  const s = new UpsSession(entry(srv.port), { connect: fast, log: () => {} });
  try {
    await s.poll();
    silent = true;
    const t0 = Date.now();
    const f = await s.poll(300);
    const took = Date.now() - t0;
    assert("fail" in f, JSON.stringify(f));
    assert(took >= 250 && took < 1500, `the poll took ${took} ms`);
  } finally {
    await s.close();
    await srv.close();
  }
});

Deno.test("session: missing buzzwords are asked again every 12th poll and after a change report", async () => {
  const srv = await startFakeUpsd(server({ status: () => "OL" }));
  const s = new UpsSession(entry(srv.port), { connect: fast, log: () => {} });
  const asked = () => srv.lines.filter((l) => l.endsWith("ups.mode.buzzwords")).length;
  try {
    for (let i = 0; i < 14; i++) await s.poll();
    assertEquals(asked(), 2, "at the first poll and 12 polls later");
    s.changed();
    await s.poll();
    assertEquals(asked(), 3, "the change report makes the next poll ask");
    await s.poll();
    assertEquals(asked(), 3);
  } finally {
    await s.close();
    await srv.close();
  }
});
