/**
 * The monitor loop (lib/monitor/daemon.ts) in-process against a scripted
 * fake upsd, with a recording channel instead of the privileged part:
 * WATCH-driven polls, plain polling with servers that lack WATCH, reload
 * (kept on a broken file), exit, PID file, user FSD.
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { startFakeUpsd } from "../helpers/fake_upsd.ts";
import { waitFor } from "../helpers/nut.ts";
import { parseUpsmonConf } from "../../lib/conf/upsmon_conf.ts";
import type { PrivChannel } from "../../lib/monitor/channel.ts";
import { Monitor } from "../../lib/monitor/daemon.ts";

class RecordingChannel implements PrivChannel {
  events: string[] = [];
  notify(type: string, ups: string) {
    this.events.push(`${type} ${ups}`.trim());
  }
  wall(message: string) {
    this.events.push(`wall ${message}`);
  }
  shutdown() {
    this.events.push("shutdown");
    return Promise.resolve();
  }
  reloaded(cmd: string | undefined) {
    this.events.push(`reloaded ${cmd ?? ""}`.trim());
  }
  ready() {
    this.events.push("ready");
  }
  alive() {
    return true;
  }
  flush() {
    return Promise.resolve();
  }
}

interface FakeUpsdState {
  status: string;
  watch: boolean;
  logins: number;
}

/** A fake upsd for one UPS `u1`, with WATCH when `st.watch`. */
async function fakeUpsd(st: FakeUpsdState) {
  return await startFakeUpsd((_line, w) => {
    const v = w[0]?.toUpperCase();
    switch (v) {
      case "USERNAME":
      case "PASSWORD":
      case "LOGIN":
        return "OK";
      case "PRIMARY":
        return "OK PRIMARY-GRANTED";
      case "FSD":
        st.status = `FSD ${st.status}`;
        return "OK FSD-SET";
      case "WATCH":
        return st.watch ? "OK" : "ERR UNKNOWN-COMMAND";
      case "NETVER":
        return "1.3";
      case "GET":
        if (w[1] === "NUMLOGINS") return `NUMLOGINS u1 ${st.logins}`;
        if (w[3] === "ups.status") return `VAR u1 ups.status "${st.status}"`;
        return "ERR VAR-NOT-SUPPORTED";
      default:
        return "ERR UNKNOWN-COMMAND";
    }
  });
}

const logSink = (into: string[]) => ({
  log: (_l: string, m: string) => into.push(m),
  setDebugLevel: () => {},
});

async function setup(
  st: FakeUpsdState,
  extra: string[] = [],
  pidFile?: string,
  watchedPollFreq?: number,
) {
  const srv = await fakeUpsd(st);
  const dir = await Deno.makeTempDir({ prefix: "upsmon-mon-" });
  const path = `${dir}/upsmon.conf`;
  const text = [
    `MONITOR u1@127.0.0.1:${srv.port} 1 mon pw primary`,
    "POLLFREQ 30",
    "POLLFREQALERT 30",
    "FINALDELAY 0",
    "HOSTSYNC 2",
    ...extra,
  ].join("\n");
  Deno.writeTextFileSync(path, text);
  const r = parseUpsmonConf(text, path);
  assertEquals(r.errors, []);
  const channel = new RecordingChannel();
  const logs: string[] = [];
  const mon = new Monitor({
    configPath: path,
    config: r.config,
    channel,
    log: logSink(logs),
    cliDebug: 0,
    connect: { tryTls: false, timeoutMs: 2000, readTimeoutMs: 2000 },
    signals: false,
    pidFile,
    watchedPollFreq,
  });
  const done = mon.run();
  const cleanup = async () => {
    await srv.close();
    await Deno.remove(dir, { recursive: true });
  };
  return { srv, dir, path, channel, logs, mon, done, cleanup };
}

/** The watch connection is the one that sent WATCH. */
function watchConn(srv: Awaited<ReturnType<typeof fakeUpsd>>) {
  return srv.conns.find((c) => c.lines.some((l) => l.startsWith("WATCH")));
}

Deno.test("monitor: a WATCH report makes upsmon poll at once (POLLFREQ 30)", async () => {
  const st = { status: "OL", watch: true, logins: 1 };
  const t = await setup(st);
  try {
    await waitFor(() => t.channel.events.includes("ready"), 5000, "ready");
    await waitFor(
      () => watchConn(t.srv) !== undefined && t.srv.lines.includes("GET VAR u1 ups.status"),
      5000,
      "first poll and watch",
    );
    await new Promise((r) => setTimeout(r, 100));
    st.status = "OB";
    const t0 = Date.now();
    watchConn(t.srv)!.send("CHANGED u1\n");
    await waitFor(
      () => t.logs.includes(`UPS u1@127.0.0.1:${t.srv.port} on battery`),
      3000,
      "ONBATT",
    );
    assert(Date.now() - t0 < 1000, `reaction took ${Date.now() - t0} ms`);
    t.mon.requestExit();
    assertEquals(await t.done, 0);
  } finally {
    await t.cleanup();
  }
});

/** GET VAR ups.status requests seen by the fake upsd so far. */
const polls = (t: { srv: { lines: string[] } }) =>
  t.srv.lines.filter((l) => l === "GET VAR u1 ups.status").length;

Deno.test("monitor: watched and calm, polls are spaced out; on battery, POLLFREQALERT again", async () => {
  const st = { status: "OL", watch: true, logins: 1 };
  const t = await setup(st, ["POLLFREQ 1", "POLLFREQALERT 1"], undefined, 3);
  const ups = `u1@127.0.0.1:${t.srv.port}`;
  try {
    await waitFor(() => watchConn(t.srv)?.lines.includes("WATCH u1"), 5000, "watching");
    await new Promise((r) => setTimeout(r, 1200)); // the next poll sees the watch
    const quiet0 = polls(t);
    await new Promise((r) => setTimeout(r, 2500));
    assert(polls(t) - quiet0 <= 1, `quiet: ${polls(t) - quiet0} polls in 2.5 s`);
    st.status = "OB";
    watchConn(t.srv)!.send("CHANGED u1\n");
    await waitFor(() => t.logs.includes(`UPS ${ups} on battery`), 3000, "ONBATT");
    const alert0 = polls(t);
    await waitFor(() => polls(t) - alert0 >= 2, 3500, "POLLFREQALERT polls while on battery");
    t.mon.requestExit();
    assertEquals(await t.done, 0);
  } finally {
    await t.cleanup();
  }
});

Deno.test("monitor: losing the WATCH connection polls at once", async () => {
  const st = { status: "OL", watch: true, logins: 1 };
  const t = await setup(st);
  try {
    await waitFor(() => watchConn(t.srv)?.lines.includes("WATCH u1"), 5000, "watching");
    await waitFor(() => polls(t) >= 1, 5000, "first poll");
    const before = polls(t);
    watchConn(t.srv)!.close();
    await waitFor(() => polls(t) > before, 2000, "a poll right after the loss (POLLFREQ 30)");
    t.mon.requestExit();
    assertEquals(await t.done, 0);
  } finally {
    await t.cleanup();
  }
});

Deno.test("monitor: a upsd without WATCH is simply polled (POLLFREQ)", async () => {
  const st = { status: "OL", watch: false, logins: 1 };
  const t = await setup(st, ["POLLFREQ 1", "POLLFREQALERT 1"]);
  try {
    await waitFor(() => t.srv.lines.includes("WATCH u1"), 5000, "WATCH attempt");
    st.status = "OB";
    await waitFor(
      () => t.logs.includes(`UPS u1@127.0.0.1:${t.srv.port} on battery`),
      3000,
      "ONBATT",
    );
    assertEquals(
      t.srv.lines.filter((l) => l === "WATCH u1").length,
      1,
      "no retry against a upsd without WATCH",
    );
    const p0 = polls(t);
    await waitFor(() => polls(t) - p0 >= 2, 3500, "polls every POLLFREQALERT");
    t.mon.requestExit();
    assertEquals(await t.done, 0);
  } finally {
    await t.cleanup();
  }
});

Deno.test("monitor: reload with a broken upsmon.conf keeps the running configuration", async () => {
  const st = { status: "OL", watch: false, logins: 1 };
  const t = await setup(st);
  try {
    await waitFor(() => t.channel.events.includes("ready"), 5000, "ready");
    const before = t.mon.config;
    Deno.writeTextFileSync(t.path, "MONITOR broken\nPOLLFREQ 2\n");
    assertEquals(await t.mon.reload(), false);
    assertEquals(t.mon.config, before);
    assertStringIncludes(t.logs.join("\n"), `${t.path}:1: invalid directive MONITOR broken`);
    assertStringIncludes(t.logs.join("\n"), "keeping the running configuration");
    await Deno.remove(t.path);
    assertEquals(await t.mon.reload(), false);
    assertStringIncludes(t.logs.join("\n"), "Reload failed: stat");
    // a good file is taken, SHUTDOWNCMD changes are refused
    Deno.writeTextFileSync(
      t.path,
      `MONITOR u1@127.0.0.1:${t.srv.port} 1 mon pw primary\nPOLLFREQ 7\nSHUTDOWNCMD "rm -rf /"\nNOTIFYCMD /bin/true\n`,
    );
    assertEquals(await t.mon.reload(), true);
    assertEquals(t.mon.config.pollFreq, 7);
    assertEquals(t.mon.config.shutdownCmd, undefined);
    assertStringIncludes(
      t.logs.join("\n"),
      "Warning: SHUTDOWNCMD redefined in split-process mode!",
    );
    assert(t.channel.events.includes("reloaded /bin/true"));
    t.mon.requestExit();
    assertEquals(await t.done, 0);
  } finally {
    await t.cleanup();
  }
});

Deno.test("monitor: PID file while running, LOGOUT and removal at exit", async () => {
  const st = { status: "OL", watch: false, logins: 1 };
  const pidDir = await Deno.makeTempDir();
  const pidFile = `${pidDir}/upsmon.pid`;
  const t = await setup(st, [], pidFile);
  try {
    await waitFor(() => t.channel.events.includes("ready"), 5000, "ready");
    assertEquals(Deno.readTextFileSync(pidFile), `${Deno.pid}\n`);
    await waitFor(() => t.srv.lines.includes("GET VAR u1 ups.status"), 5000, "poll");
    t.mon.requestExit(15);
    assertEquals(await t.done, 0);
    assert(t.logs.includes("Signal 15: exiting"));
    assert(t.srv.lines.includes("LOGOUT"));
    let gone = false;
    try {
      Deno.statSync(pidFile);
    } catch {
      gone = true;
    }
    assert(gone, "PID file removed");
  } finally {
    await t.cleanup();
    await Deno.remove(pidDir, { recursive: true });
  }
});

Deno.test("monitor: user FSD sets FSD, waits for the other logins, shuts down and exits", async () => {
  const st = { status: "OL", watch: false, logins: 2 };
  const t = await setup(st);
  try {
    await waitFor(() => t.srv.lines.includes("GET VAR u1 ups.status"), 5000, "poll");
    t.mon.requestFsd();
    await waitFor(() => t.srv.lines.includes("FSD u1"), 3000, "FSD sent");
    await waitFor(() => t.channel.events.includes("SHUTDOWN_HOSTSYNC"), 3000, "hostsync");
    assert(!t.channel.events.includes("shutdown"));
    st.logins = 1; // the secondary logged out
    assertEquals(await t.done, 0);
    assertEquals(t.channel.events.filter((e) => !e.startsWith("ready")), [
      `FSD u1@127.0.0.1:${t.srv.port}`,
      "SHUTDOWN_HOSTSYNC",
      "wall Executing automatic power-fail shutdown",
      "SHUTDOWN",
      "shutdown",
    ]);
    assertStringIncludes(t.logs.join("\n"), "Shutdown decision: shutting down: the user requested");
  } finally {
    await t.cleanup();
  }
});

Deno.test("monitor: SIGTERM during the shutdown sequence does not stop it", async () => {
  const st = { status: "OB LB", watch: false, logins: 2 };
  const t = await setup(st, ["HOSTSYNC 1"]);
  try {
    await waitFor(() => t.srv.lines.includes("FSD u1"), 5000, "FSD sent");
    t.mon.requestExit();
    assertEquals(await t.done, 0);
    assert(t.channel.events.includes("shutdown"), "the shutdown still happened");
    assert(t.logs.includes("Host sync timer expired, forcing shutdown"));
  } finally {
    await t.cleanup();
  }
});
