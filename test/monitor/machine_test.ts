/**
 * The monitor state machine, rule by rule: status events and clock values
 * in, actions out. No sockets, no timers, no real time.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { parseUpsmonConf } from "../../lib/conf/upsmon_conf.ts";
import type { Action } from "../../lib/monitor/actions.ts";
import { buzzwordsSayEco, MonitorMachine, type PollFailure } from "../../lib/monitor/machine.ts";

const T0 = 1_000_000;
const S = 1000;

const BASE = [
  "POLLFREQ 5",
  "POLLFREQALERT 1",
  "DEADTIME 15",
  "HOSTSYNC 15",
  "FINALDELAY 5",
  "NOCOMMWARNTIME 300",
  "RBWARNTIME 43200",
];

function machine(...lines: string[]): MonitorMachine {
  const r = parseUpsmonConf([...BASE, ...lines].join("\n"), "upsmon.conf");
  assertEquals(r.errors.map((e) => e.message), []);
  return new MonitorMachine(r.config, T0);
}

const PRIMARY = "MONITOR ups@h 1 mon pw primary";
const SECONDARY = "MONITOR ups@h 1 mon pw secondary";
const U = "ups@h";

/** Notifications as "TYPE ups" strings. */
function notes(actions: Action[]): string[] {
  return actions.flatMap((a) => a.kind === "notify" ? [`${a.type} ${a.ups}`.trim()] : []);
}

function kinds(actions: Action[]): string[] {
  return actions.filter((a) => a.kind !== "log").map((a) => a.kind);
}

function logs(actions: Action[]): string[] {
  return actions.flatMap((a) => a.kind === "log" ? [a.message] : []);
}

function decisions(actions: Action[]) {
  return actions.flatMap((a) => a.kind === "decision" ? [a] : []);
}

const lost: PollFailure = {
  stage: "poll",
  message: "Driver not connected",
  token: "DRIVER-NOT-CONNECTED",
};

/** Poll then recalc, as one loop of the daemon does. */
function loop(m: MonitorMachine, status: string | PollFailure, now: number, system = U): Action[] {
  const a = typeof status === "string"
    ? m.pollOk(system, { status }, now)
    : m.pollFailed(system, status, now);
  return [...a, ...m.recalc(now)];
}

// ------------------------------------------------------------------ status notifications

Deno.test("machine: first OL is silent, later line changes notify", () => {
  const m = machine(PRIMARY);
  assertEquals(notes(loop(m, "OL", T0)), []);
  assertEquals(notes(loop(m, "OB DISCHRG", T0 + S)), ["ONBATT ups@h"]);
  assertEquals(notes(loop(m, "OB DISCHRG", T0 + 2 * S)), []);
  assertEquals(notes(loop(m, "OL CHRG", T0 + 3 * S)), ["ONLINE ups@h"]);
  assertEquals(notes(loop(m, "OL", T0 + 4 * S)), []);
});

Deno.test("machine: ONBATT fires at start when already on battery", () => {
  const m = machine(PRIMARY);
  assertEquals(notes(loop(m, "OB", T0)), ["ONBATT ups@h"]);
  assertEquals(notes(loop(m, "OL", T0 + S)), ["ONLINE ups@h"]);
});

Deno.test("machine: stock messages, NOTIFYMSG override and delivery flags", () => {
  const m = machine(
    PRIMARY,
    'NOTIFYMSG ONLINE "back: %s (%%)"',
    "NOTIFYFLAG ONBATT SYSLOG+EXEC",
    "NOTIFYFLAG ONLINE IGNORE",
  );
  loop(m, "OL", T0);
  const ob = loop(m, "OB", T0 + S).find((a) => a.kind === "notify");
  assertEquals(ob, {
    kind: "notify",
    type: "ONBATT",
    ups: U,
    message: "UPS ups@h on battery",
    delivery: { syslog: true, wall: false, exec: true },
  });
  const ol = loop(m, "OL", T0 + 2 * S).find((a) => a.kind === "notify");
  assertEquals(ol?.kind === "notify" && ol.message, "back: ups@h (%)");
  assertEquals(ol?.kind === "notify" && ol.delivery, { syslog: false, wall: false, exec: false });
  const lb = loop(m, "OL LB", T0 + 3 * S).find((a) => a.kind === "notify");
  assertEquals(lb?.kind === "notify" && lb.delivery, { syslog: true, wall: true, exec: false });
});

Deno.test("machine: LOWBATT once per episode, status words are case-insensitive", () => {
  const m = machine(PRIMARY, "MINSUPPLIES 0");
  loop(m, "OL", T0);
  assertEquals(notes(loop(m, "ol lb", T0 + S)), ["LOWBATT ups@h"]);
  assertEquals(notes(loop(m, "OL LB", T0 + 2 * S)), []);
  assertEquals(notes(loop(m, "OL", T0 + 3 * S)), []);
  assertEquals(notes(loop(m, "OL LB", T0 + 4 * S)), ["LOWBATT ups@h"]);
});

Deno.test("machine: REPLBATT at once, then every RBWARNTIME", () => {
  const m = machine(PRIMARY, "RBWARNTIME 60");
  assertEquals(notes(loop(m, "OL RB", T0)), ["REPLBATT ups@h"]);
  assertEquals(notes(loop(m, "OL RB", T0 + 30 * S)), []);
  assertEquals(notes(loop(m, "OL RB", T0 + 61 * S)), ["REPLBATT ups@h"]);
});

Deno.test("machine: CAL/NOTCAL, OFF/NOTOFF, BYPASS, TRIM, BOOST, OVER pairs", () => {
  const m = machine(PRIMARY, "OFFDURATION -1");
  loop(m, "OL", T0);
  assertEquals(notes(loop(m, "OL CAL", T0 + S)), ["CAL ups@h"]);
  assertEquals(notes(loop(m, "OL", T0 + 2 * S)), ["NOTCAL ups@h"]);
  assertEquals(notes(loop(m, "OFF", T0 + 3 * S)), ["OFF ups@h"]);
  assertEquals(notes(loop(m, "OL", T0 + 4 * S)), ["NOTOFF ups@h"]);
  assertEquals(notes(loop(m, "OL BYPASS", T0 + 5 * S)), ["BYPASS ups@h"]);
  assertEquals(notes(loop(m, "OL TRIM", T0 + 6 * S)), ["NOTBYPASS ups@h", "TRIM ups@h"]);
  assertEquals(notes(loop(m, "OL BOOST", T0 + 7 * S)), ["NOTTRIM ups@h", "BOOST ups@h"]);
  assertEquals(notes(loop(m, "OL OVER", T0 + 8 * S)), ["NOTBOOST ups@h", "OVER ups@h"]);
  assertEquals(notes(loop(m, "OL", T0 + 9 * S)), ["NOTOVER ups@h"]);
});

Deno.test("machine: ECO from the token or from buzzwords", () => {
  const m = machine(PRIMARY);
  loop(m, "OL", T0);
  assertEquals(notes(loop(m, "OL ECO", T0 + S)), ["ECO ups@h"]);
  assertEquals(notes(loop(m, "OL", T0 + 2 * S)), ["NOTECO ups@h"]);
  assertEquals(notes(m.pollOk(U, { status: "OL", buzzwords: "vendor:apc:HE" }, T0 + 3 * S)), [
    "ECO ups@h",
  ]);
  // any other non-empty buzzwords do not mean ECO (NUT master's inverted test is not copied)
  assertEquals(notes(m.pollOk(U, { status: "OL", buzzwords: "vendor:x:online" }, T0 + 4 * S)), [
    "NOTECO ups@h",
  ]);
  assert(buzzwordsSayEco("a:ESS") && buzzwordsSayEco("x:smart") && !buzzwordsSayEco(""));
});

Deno.test("machine: ALARM with the alarm text, again when it changes, NOTALARM", () => {
  const m = machine(PRIMARY);
  loop(m, "OL", T0);
  const a = m.pollOk(U, { status: "OL ALARM", alarm: "Fan failure" }, T0 + S);
  assertEquals(a.flatMap((x) => x.kind === "notify" ? [x.message] : []), [
    "UPS ups@h: one or more active alarms: [Fan failure]",
  ]);
  assertEquals(notes(m.pollOk(U, { status: "OL ALARM", alarm: "Fan failure" }, T0 + 2 * S)), []);
  const b = m.pollOk(U, { status: "OL ALARM" }, T0 + 3 * S);
  assertEquals(b.flatMap((x) => x.kind === "notify" ? [x.message] : []), [
    "UPS ups@h: one or more active alarms: [n/a]",
  ]);
  assertEquals(notes(m.pollOk(U, { status: "OL" }, T0 + 4 * S)), ["NOTALARM ups@h"]);
});

Deno.test("machine: OTHER lists unknown tokens in order, NOTOTHER when gone", () => {
  const m = machine(PRIMARY);
  loop(m, "OL", T0);
  const a = m.pollOk(U, { status: "OL HB WAIT Strange CHRG" }, T0 + S);
  assertEquals(a.flatMap((x) => x.kind === "notify" ? [x.message] : []), [
    "UPS ups@h: has at least one unclassified status token: [WAIT Strange]",
  ]);
  assertEquals(notes(m.pollOk(U, { status: "OL WAIT Strange" }, T0 + 2 * S)), []);
  assertEquals(notes(m.pollOk(U, { status: "OL WAIT" }, T0 + 3 * S)), ["OTHER ups@h"]);
  assertEquals(notes(m.pollOk(U, { status: "OL" }, T0 + 4 * S)), ["NOTOTHER ups@h"]);
});

// ------------------------------------------------------------------ communications

Deno.test("machine: COMMBAD once, COMMOK on return, none at first contact", () => {
  const m = machine(PRIMARY);
  assertEquals(notes(loop(m, "OL", T0)), []);
  assertEquals(notes(loop(m, lost, T0 + 5 * S)), ["COMMBAD ups@h"]);
  assertEquals(notes(loop(m, lost, T0 + 10 * S)), []);
  assertEquals(notes(loop(m, "OL", T0 + 15 * S)), ["COMMOK ups@h"]);
});

Deno.test("machine: NOCOMM after NOCOMMWARNTIME without a good poll, then every NOCOMMWARNTIME", () => {
  const m = machine(PRIMARY, "NOCOMMWARNTIME 30");
  loop(m, "OL", T0);
  assertEquals(notes(loop(m, lost, T0 + 5 * S)), ["COMMBAD ups@h"]);
  assertEquals(notes(loop(m, lost, T0 + 29 * S)), []);
  assertEquals(notes(loop(m, lost, T0 + 30 * S)), ["NOCOMM ups@h"]);
  assertEquals(notes(loop(m, lost, T0 + 45 * S)), []);
  assertEquals(notes(loop(m, lost, T0 + 61 * S)), ["NOCOMM ups@h"]);
});

Deno.test("machine: a UPS never reached gets COMMBAD, then NOCOMM at the next failure", () => {
  const m = machine(PRIMARY);
  const refused: PollFailure = {
    stage: "connect",
    message: "Connection failure: Connection refused",
  };
  const a = loop(m, refused, T0);
  assertEquals(notes(a), ["COMMBAD ups@h"]);
  assertEquals(logs(a)[0], "UPS [ups@h]: connect failed: Connection failure: Connection refused");
  assertEquals(notes(loop(m, refused, T0 + 5 * S)), ["NOCOMM ups@h"]);
  // never heard from: counted as healthy, no shutdown
  assertEquals(m.shuttingDown, false);
});

Deno.test("machine: poll failure texts and the empty status", () => {
  const m = machine(PRIMARY);
  loop(m, "OL", T0);
  assertEquals(
    logs(m.pollFailed(U, { stage: "poll", message: "Unknown UPS", token: "UNKNOWN-UPS" }, T0 + S)),
    ["Poll UPS [ups@h] failed - [ups] does not exist on server h"],
  );
  assertEquals(logs(m.pollFailed(U, lost, T0 + 2 * S)), [
    "Poll UPS [ups@h] failed - Driver not connected",
  ]);
  assertEquals(
    logs(m.pollFailed(U, { stage: "poll", message: "x", token: "UNKNOWN-COMMAND" }, T0 + 3 * S)),
    ["UPS [ups@h]: Too old to monitor"],
  );
  assertEquals(
    logs(
      m.pollFailed(U, {
        stage: "auth",
        message: "Login on UPS [ups@h] failed - got [ERR ACCESS-DENIED]",
      }, T0 + 4 * S),
    ),
    ["Login on UPS [ups@h] failed - got [ERR ACCESS-DENIED]"],
  );
  const m2 = machine(PRIMARY);
  loop(m2, "OL", T0);
  assertEquals(notes(m2.pollOk(U, { status: "  " }, T0 + S)), ["COMMBAD ups@h"]);
});

Deno.test("machine: POLLFAIL_LOG_THROTTLE_MAX limits repeated failure logs", () => {
  const m = machine(PRIMARY, "POLLFAIL_LOG_THROTTLE_MAX 3");
  loop(m, "OL", T0);
  const counts = [1, 2, 3, 4, 5, 6, 7].map((i) => logs(m.pollFailed(U, lost, T0 + i * S)).length);
  assertEquals(counts, [2, 0, 0, 1, 0, 0, 1]);
  assertMatch(logs(m.pollOk(U, { status: "OL" }, T0 + 8 * S))[0], /recovered from failure state/);
  const quiet = machine(PRIMARY, "POLLFAIL_LOG_THROTTLE_MAX 0");
  loop(quiet, "OL", T0);
  const q = [1, 2, 3, 4].map((i) => logs(quiet.pollFailed(U, lost, T0 + i * S)).length);
  assertEquals(q, [2, 0, 0, 0]);
});

// ------------------------------------------------------------------ criticality

Deno.test("machine: LB while on line power is no reason to shut down, and the decision says so", () => {
  const m = machine(PRIMARY);
  assertEquals(decisions(loop(m, "OL", T0)), []);
  const a = loop(m, "OL LB", T0 + S);
  assert(!m.shuttingDown);
  const d = decisions(a);
  assertEquals(d.length, 1);
  assertEquals(d[0].decision.shutdown, false);
  assertEquals(d[0].decision.ups[0].rule, "low-battery-online");
  assertStringIncludes(
    d[0].text,
    "Shutdown decision: not shutting down: healthy power value 1 >= MINSUPPLIES 1",
  );
  assertStringIncludes(d[0].text, "[ups@h] OL LB, comms ok");
  assertStringIncludes(d[0].text, "low battery while on line power - counted as healthy");
  // the same situation is not logged again every loop
  assertEquals(decisions(loop(m, "OL LB", T0 + 2 * S)), []);
  // flapping: each change is recorded, the all-clear too
  const clear = decisions(loop(m, "OL", T0 + 3 * S));
  assertEquals(clear.length, 1);
  assertStringIncludes(clear[0].text, "nothing to consider any more");
  assertEquals(decisions(loop(m, "OL", T0 + 4 * S)), []);
  assertEquals(decisions(loop(m, "OL LB", T0 + 5 * S)).length, 1);
  assert(!m.shuttingDown);
});

Deno.test("machine: on battery without LB is considered, not taken", () => {
  const m = machine(PRIMARY);
  loop(m, "OL", T0);
  const d = decisions(loop(m, "OB DISCHRG", T0 + S));
  assertEquals(d[0].decision.ups[0].rule, "on-battery");
  assert(!m.shuttingDown);
});

Deno.test("machine: primary on OB LB: FSD, wait for secondaries, FINALDELAY, SHUTDOWNCMD, exit", () => {
  const m = machine(PRIMARY);
  loop(m, "OL", T0);
  const t1 = T0 + 5 * S;
  const a = loop(m, "OB LB", t1);
  assertEquals(notes(a), ["ONBATT ups@h", "LOWBATT ups@h"]);
  const d = decisions(a);
  assertEquals(d.length, 1);
  assertEquals(d[0].decision.shutdown, true);
  assertEquals(d[0].decision.ups[0].rule, "oblb-primary");
  assertStringIncludes(
    d[0].text,
    "Shutdown decision: shutting down: Too few UPS(es) are healthy (0<1)",
  );
  assertEquals(kinds(a), ["notify", "notify", "decision", "setFsd"]);
  assert(m.shuttingDown);
  // upsd confirms FSD: FSD notification, then the first login count
  const b = m.fsdResult(U, undefined, t1 + 10);
  assertEquals(notes(b), ["FSD ups@h"]);
  assertEquals(kinds(b), ["notify", "queryLogins"]);
  // two secondaries still logged in
  const c = m.logins(3, t1 + 20);
  assertEquals(notes(c), ["SHUTDOWN_HOSTSYNC"]);
  assertEquals(m.nextWakeup(), t1 + 270);
  assertEquals(kinds(m.tick(t1 + 200)), []);
  assertEquals(kinds(m.tick(t1 + 270)), ["queryLogins"]);
  assertEquals(kinds(m.logins(2, t1 + 280)), []); // no second SHUTDOWN_HOSTSYNC
  m.tick(t1 + 530);
  // the last secondary logs out
  const e = m.logins(1, t1 + 2 * S);
  assertEquals(logs(e), ["Executing automatic power-fail shutdown"]);
  assertEquals(kinds(e), ["wall", "notify"]);
  assertEquals(notes(e), ["SHUTDOWN"]);
  assertEquals(m.phase.name, "finaldelay");
  // polls no longer change anything (power back: FSD stays, shutdown goes on)
  assertEquals(m.pollOk(U, { status: "FSD OL" }, t1 + 3 * S), []);
  assertEquals(m.recalc(t1 + 3 * S), []);
  assertEquals(kinds(m.tick(t1 + 6 * S)), []);
  const f = m.tick(t1 + 7 * S);
  assertEquals(kinds(f), ["shutdown", "exit"]);
  assertEquals(logs(f), ["Exiting upsmon program after initiating shutdown"]);
});

Deno.test("machine: primary waits at most HOSTSYNC for secondaries", () => {
  const m = machine(PRIMARY, "HOSTSYNC 3", "FINALDELAY 0");
  loop(m, "OB LB", T0);
  m.fsdResult(U, undefined, T0);
  m.logins(2, T0);
  let t = T0;
  let last: Action[] = [];
  while (!m.phase.name.match(/done/) && t < T0 + 10 * S) {
    t += 250;
    const q = m.tick(t);
    if (q.some((a) => a.kind === "queryLogins")) last = m.logins(2, t);
  }
  assertEquals(logs(last).slice(0, 2), [
    "Host sync timer expired, forcing shutdown",
    "Executing automatic power-fail shutdown",
  ]);
  assert(t > T0 + 3 * S && t <= T0 + 3 * S + 500, `gave up at ${t - T0} ms`);
  assert(kinds(last).includes("shutdown"));
});

Deno.test("machine: FSD refused by upsd is logged and the shutdown goes on", () => {
  const m = machine(PRIMARY);
  loop(m, "OB LB", T0);
  const a = m.fsdResult(U, "Access denied", T0);
  assertEquals(logs(a), ["FSD set on UPS ups@h failed: Access denied"]);
  assertEquals(notes(a), []);
  assertEquals(kinds(m.logins(0, T0)), ["wall", "notify"]);
});

Deno.test("machine: several primary UPSes: every FSD answered before the login wait", () => {
  const m = machine("MONITOR a@h 1 u p primary", "MONITOR b@h 1 u p primary", "MINSUPPLIES 2");
  m.pollOk("a@h", { status: "OL" }, T0);
  const a = loop(m, "OB LB", T0, "b@h");
  assertEquals(a.filter((x) => x.kind === "setFsd").map((x) => x.kind === "setFsd" && x.system), [
    "a@h",
    "b@h",
  ]);
  assertEquals(kinds(m.fsdResult("a@h", undefined, T0)), ["notify"]);
  assertEquals(kinds(m.fsdResult("a@h", undefined, T0)), []); // duplicate answer ignored
  assertEquals(kinds(m.fsdResult("b@h", undefined, T0)), ["notify", "queryLogins"]);
});

Deno.test("machine: secondary shuts down at once when it sees FSD", () => {
  const m = machine(SECONDARY);
  loop(m, "OL", T0);
  const a = loop(m, "FSD OB LB", T0 + S);
  assertEquals(notes(a), ["FSD ups@h", "ONBATT ups@h", "LOWBATT ups@h", "SHUTDOWN"]);
  assertEquals(decisions(a)[0].decision.ups[0].rule, "fsd");
  assertEquals(kinds(a).filter((k) => k === "setFsd"), []);
  assertEquals(m.phase.name, "finaldelay");
});

Deno.test("machine: secondary sees FSD while power is back (FSD OL) and still shuts down", () => {
  const m = machine(SECONDARY, "FINALDELAY 0");
  loop(m, "OL", T0);
  const a = loop(m, "FSD OL", T0 + S);
  assertEquals(notes(a), ["FSD ups@h", "SHUTDOWN"]);
  assert(kinds(a).includes("shutdown"));
});

Deno.test("machine: secondary on OB LB waits HOSTSYNC for the primary's FSD, then gives up", () => {
  const m = machine(SECONDARY, "HOSTSYNC 10");
  loop(m, "OL", T0);
  let a = loop(m, "OB LB", T0 + S);
  assertEquals(decisions(a)[0].decision.ups[0].rule, "oblb-secondary-waiting");
  assert(!m.shuttingDown);
  a = loop(m, "OB LB", T0 + 11 * S);
  assert(!m.shuttingDown);
  a = loop(m, "OB LB", T0 + 11 * S + 1);
  assert(m.shuttingDown);
  assertStringIncludes(
    logs(a).join("\n"),
    "Giving up on the primary for UPS [ups@h] after 10 sec since last comms",
  );
  assertEquals(decisions(a)[0].decision.ups[0].rule, "oblb-secondary-gave-up");
});

Deno.test("machine: a secondary started during OB LB also waits HOSTSYNC", () => {
  const m = machine(SECONDARY, "HOSTSYNC 10");
  loop(m, "OB LB", T0 + S);
  assert(!m.shuttingDown);
  loop(m, "OB LB", T0 + 11 * S);
  assert(!m.shuttingDown);
  loop(m, "OB LB", T0 + 11 * S + 1);
  assert(m.shuttingDown);
});

Deno.test("machine: driver gone while on line: COMMBAD/NOCOMM, never a shutdown", () => {
  const m = machine(PRIMARY, "DEADTIME 3", "NOCOMMWARNTIME 10");
  loop(m, "OL", T0);
  const a = loop(m, lost, T0 + S);
  assertEquals(notes(a), ["COMMBAD ups@h"]);
  const d = decisions(a);
  assertEquals(d[0].decision.ups[0].rule, "comm-lost");
  assertStringIncludes(d[0].text, "comms lost");
  assertStringIncludes(d[0].text, "last good poll 1s ago (DEADTIME 3s)");
  const all: Action[] = [];
  for (let i = 2; i < 30; i++) all.push(...loop(m, lost, T0 + i * S));
  assert(!m.shuttingDown);
  assertEquals(notes(all), ["NOCOMM ups@h", "NOCOMM ups@h"]);
});

Deno.test("machine: driver gone while on battery: LB assumed after DEADTIME, then shutdown", () => {
  const m = machine(PRIMARY, "DEADTIME 3");
  loop(m, "OL", T0);
  loop(m, "OB", T0 + S);
  assertEquals(notes(loop(m, lost, T0 + 2 * S)), ["COMMBAD ups@h"]);
  loop(m, lost, T0 + 4 * S);
  assert(!m.shuttingDown, "not before DEADTIME");
  const a = loop(m, lost, T0 + 4 * S + 1);
  assert(m.shuttingDown);
  assertEquals(logs(a)[1], "Promoting dead UPS: ups@h");
  const d = decisions(a)[0];
  assertEquals(d.decision.ups[0].rule, "oblb-primary");
  assertEquals(d.decision.ups[0].status, "OB LB");
  assertStringIncludes(d.text, "LB assumed: silent while on battery for longer than DEADTIME");
  assertStringIncludes(d.text, "on battery for 3s");
});

Deno.test("machine: secondary with a dead UPS on battery gives up after HOSTSYNC counted from the last good poll", () => {
  const m = machine(SECONDARY, "DEADTIME 3", "HOSTSYNC 5");
  loop(m, "OB", T0);
  for (let i = 1; i <= 5; i++) loop(m, lost, T0 + i * S);
  assert(!m.shuttingDown);
  loop(m, lost, T0 + 5 * S + 1);
  assert(m.shuttingDown);
});

Deno.test("machine: MINSUPPLIES 2 with two UPSes of power value 2: one critical is not enough", () => {
  const m = machine(
    "MONITOR a@h 2 u p primary",
    "MONITOR b@h 2 u p primary",
    "MINSUPPLIES 2",
  );
  m.pollOk("a@h", { status: "OL" }, T0);
  m.pollOk("b@h", { status: "OL" }, T0);
  m.recalc(T0);
  m.pollOk("a@h", { status: "OB LB" }, T0 + S);
  m.pollOk("b@h", { status: "OL" }, T0 + S);
  const a = m.recalc(T0 + S);
  assert(!m.shuttingDown);
  const d = decisions(a)[0];
  assertEquals(d.decision.healthy, 2);
  assertEquals(d.decision.ups.map((u) => [u.system, u.critical]), [["a@h", true], ["b@h", false]]);
  assertStringIncludes(d.text, "not shutting down: healthy power value 2 >= MINSUPPLIES 2");
  m.pollOk("a@h", { status: "OB LB" }, T0 + 2 * S);
  m.pollOk("b@h", { status: "OB LB" }, T0 + 2 * S);
  m.recalc(T0 + 2 * S);
  assert(m.shuttingDown);
});

Deno.test("machine: MINSUPPLIES 2 with power values 1: one critical UPS is enough to shut down", () => {
  const m = machine("MONITOR a@h 1 u p primary", "MONITOR b@h 1 u p primary", "MINSUPPLIES 2");
  m.pollOk("a@h", { status: "OB LB" }, T0);
  m.pollOk("b@h", { status: "OL" }, T0);
  m.recalc(T0);
  assert(m.shuttingDown);
});

Deno.test("machine: MINSUPPLIES 0 (monitoring only) never shuts down", () => {
  const m = machine("MONITOR a@h 0 u p secondary", "MINSUPPLIES 0");
  loop(m, "FSD OB LB", T0, "a@h");
  assert(!m.shuttingDown);
});

Deno.test("machine: OBLBDURATION delays the critical state and polls faster", () => {
  const m = machine(PRIMARY, "OBLBDURATION 4", "POLLFREQALERT 6");
  loop(m, "OL", T0);
  assertEquals(m.pollInterval, 5);
  const a = loop(m, "OB LB", T0 + S);
  assertEquals(decisions(a)[0].decision.ups[0].rule, "oblb-waiting");
  assertEquals(m.pollInterval, 2); // gcd(6, 4)
  loop(m, "OB LB", T0 + 4 * S);
  assert(!m.shuttingDown);
  loop(m, "OB LB", T0 + 5 * S);
  assert(m.shuttingDown);
});

Deno.test("machine: OB+LB that ends within OBLBDURATION is logged as returned", () => {
  const m = machine(PRIMARY, "OBLBDURATION 10");
  loop(m, "OB LB", T0);
  const a = loop(m, "OB", T0 + 3 * S);
  assertStringIncludes(
    logs(a).join("\n"),
    "returned from OB+LB state now after spending 3 seconds in it",
  );
  assert(!m.shuttingDown);
});

Deno.test("machine: OB LB while calibrating is not critical; CAL clears later (2.8.0 kept it)", () => {
  const m = machine(PRIMARY);
  loop(m, "OL CAL", T0);
  const a = loop(m, "OB LB CAL", T0 + S);
  assert(!m.shuttingDown);
  assertEquals(decisions(a)[0].decision.ups[0].rule, "oblb-calibrating");
  loop(m, "OB LB", T0 + 2 * S);
  assert(m.shuttingDown);
});

Deno.test("machine: OFF counts after OFFDURATION, at once with 0, never with -1", () => {
  const m = machine(PRIMARY, "OFFDURATION 10");
  loop(m, "OL", T0);
  let a = loop(m, "OFF", T0 + S);
  assertEquals(decisions(a)[0].decision.ups[0].rule, "off-waiting");
  loop(m, "OFF", T0 + 11 * S);
  assert(!m.shuttingDown);
  a = loop(m, "OFF", T0 + 11 * S + 1);
  assert(m.shuttingDown);
  assertStringIncludes(
    logs(a).join("\n"),
    "is in state OFF for 10 sec, assuming the line is not fed",
  );

  const now0 = machine(PRIMARY, "OFFDURATION 0");
  loop(now0, "OFF", T0);
  assert(now0.shuttingDown);

  const never = machine(PRIMARY, "OFFDURATION -1");
  loop(never, "OFF", T0);
  loop(never, "OFF", T0 + 1000 * S);
  loop(never, lost, T0 + 1001 * S);
  assert(!never.shuttingDown);
});

Deno.test("machine: OFF then lost comms is critical (OFFDURATION >= 0)", () => {
  const m = machine(PRIMARY, "OFFDURATION 30");
  loop(m, "OFF", T0);
  const a = loop(m, lost, T0 + S);
  assert(m.shuttingDown);
  assertEquals(decisions(a)[0].decision.ups[0].rule, "off-lost");
});

Deno.test("machine: OVER with lost comms: OVERDURATION -1 never, 0 at once, N after N seconds", () => {
  const never = machine(PRIMARY);
  loop(never, "OL OVER", T0);
  loop(never, lost, T0 + S);
  loop(never, lost, T0 + 100 * S);
  assert(!never.shuttingDown);

  const now0 = machine(PRIMARY, "OVERDURATION 0");
  loop(now0, "OL OVER", T0);
  assert(!now0.shuttingDown, "OVER with comms is fine");
  loop(now0, lost, T0 + S);
  assert(now0.shuttingDown);

  const n = machine(PRIMARY, "OVERDURATION 5");
  loop(n, "OL OVER", T0);
  loop(n, lost, T0 + S);
  loop(n, lost, T0 + 4 * S);
  assert(!n.shuttingDown);
  const a = loop(n, lost, T0 + 5 * S);
  assert(n.shuttingDown);
  assertEquals(decisions(a)[0].decision.ups[0].rule, "over-lost");
});

Deno.test("machine: ALARM with lost comms is critical unless ALARMCRITICAL 0", () => {
  const m = machine(PRIMARY);
  loop(m, "OL ALARM", T0);
  assert(!m.shuttingDown);
  loop(m, lost, T0 + S);
  assert(m.shuttingDown);

  const off = machine(PRIMARY, "ALARMCRITICAL 0");
  loop(off, "OL ALARM", T0);
  loop(off, lost, T0 + S);
  assert(!off.shuttingDown);
});

Deno.test("machine: CAL or BYPASS with lost comms is critical; TRIM/BOOST is not", () => {
  for (
    const [status, critical] of [["OL CAL", true], ["OL BYPASS", true], ["OL TRIM", false], [
      "OL BOOST",
      false,
    ]] as const
  ) {
    const m = machine(PRIMARY);
    loop(m, status, T0);
    loop(m, lost, T0 + S);
    assertEquals(m.shuttingDown, critical, status);
  }
});

Deno.test("machine: poll interval follows alert conditions", () => {
  const m = machine(PRIMARY, "POLLFREQ 7", "POLLFREQALERT 2");
  assertEquals(m.pollInterval, 7);
  loop(m, "OB", T0);
  assertEquals(m.pollInterval, 2);
  loop(m, "OL", T0 + S);
  assertEquals(m.pollInterval, 7);
  loop(m, "OL BYPASS", T0 + 2 * S);
  assertEquals(m.pollInterval, 2);
  loop(m, "OL OVER", T0 + 3 * S);
  assertEquals(m.pollInterval, 7, "OVER is an alert only with OVERDURATION >= 0");
});

Deno.test("machine: calm only while every UPS answers and none needs POLLFREQALERT", () => {
  const m = machine(PRIMARY, "POLLFREQ 7", "POLLFREQALERT 7");
  assert(!m.calm, "never polled yet");
  loop(m, "OL", T0);
  assert(m.calm);
  loop(m, "OL CHRG RB", T0 + S);
  assert(m.calm, "charging or replace-battery is no alert");
  // POLLFREQALERT equal to POLLFREQ must not hide the alert
  for (const status of ["OB", "OL OFF", "OL BYPASS", "OL ALARM"]) {
    loop(m, status, T0 + 2 * S);
    assert(!m.calm, status);
    loop(m, "OL", T0 + 3 * S);
    assert(m.calm, `back from ${status}`);
  }
  loop(m, lost, T0 + 4 * S);
  assert(!m.calm, "a UPS that does not answer");
  loop(m, "OL", T0 + 5 * S);
  assert(m.calm);
  const over = machine(PRIMARY, "OVERDURATION 30");
  loop(over, "OL OVER", T0);
  assert(!over.calm, "OVER counts with OVERDURATION >= 0");
  const fsd = machine(PRIMARY);
  loop(fsd, "OB LB", T0);
  assert(fsd.shuttingDown && !fsd.calm, "never calm once shutting down");
});

Deno.test("machine: FSD notification is not repeated while FSD stays", () => {
  const m = machine(SECONDARY, "MINSUPPLIES 0");
  assertEquals(notes(loop(m, "FSD OL", T0)), ["FSD ups@h"]);
  assertEquals(notes(loop(m, "FSD OL", T0 + S)), []);
  assertEquals(notes(loop(m, "OL", T0 + 2 * S)), []);
  assertEquals(notes(loop(m, "FSD OL", T0 + 3 * S)), ["FSD ups@h"]);
});

Deno.test("machine: user FSD shuts down even when every UPS is fine", () => {
  const m = machine(PRIMARY, "FINALDELAY 1");
  loop(m, "OL", T0);
  const a = m.userFsd(T0 + S);
  assertEquals(logs(a)[0], "Got an FSD signal, initiating forced shutdown");
  const d = decisions(a)[0];
  assertEquals(d.decision.shutdown, true);
  assertStringIncludes(d.text, "the user requested a forced shutdown");
  assertEquals(d.decision.ups[0].rule, "healthy");
  assertEquals(kinds(a), ["decision", "setFsd"]);
  assertEquals(m.userFsd(T0 + 2 * S), [], "only once");
});

Deno.test("machine: FINALDELAY 0 runs the shutdown in the same step", () => {
  const m = machine(SECONDARY, "FINALDELAY 0");
  const a = loop(m, "FSD OB LB", T0);
  assertEquals(kinds(a).slice(-4), ["wall", "notify", "shutdown", "exit"]);
});

Deno.test("machine: SHUTDOWNEXIT N lingers N seconds keeping sessions alive; -1 until a signal", () => {
  const m = machine(SECONDARY, "FINALDELAY 0", "SHUTDOWNEXIT 3");
  const a = loop(m, "FSD OB LB", T0);
  assertEquals(kinds(a).slice(-2), ["notify", "shutdown"]);
  assertStringIncludes(
    logs(a).join("\n"),
    "Configured to only exit upsmon SHUTDOWNEXIT=3 sec after initiating shutdown",
  );
  assert(m.exitAllowed);
  assertEquals(kinds(m.tick(T0 + S)), ["keepAlive"]);
  assertEquals(kinds(m.tick(T0 + 2 * S)), ["keepAlive"]);
  assertEquals(kinds(m.tick(T0 + 3 * S)), ["exit"]);

  const forever = machine(SECONDARY, "FINALDELAY 0", "SHUTDOWNEXIT no");
  loop(forever, "FSD OB LB", T0);
  assertEquals(kinds(forever.tick(T0 + 1000 * S)), ["keepAlive"]);
  assertEquals(kinds(forever.stopLingering()), ["exit"]);
});

Deno.test("machine: SIGTERM is refused while the shutdown sequence runs", () => {
  const m = machine(PRIMARY);
  assert(m.exitAllowed);
  loop(m, "OB LB", T0);
  assert(!m.exitAllowed);
});

Deno.test("machine: reload keeps the state of UPSes that stay and logs what changed", () => {
  const m = machine("MONITOR a@h 1 u p primary", "MONITOR b@h 1 u p primary");
  m.pollOk("a@h", { status: "OB" }, T0);
  const next = parseUpsmonConf(
    [...BASE, "MONITOR a@h 2 u2 p2 secondary", "MONITOR c@h 1 u p primary"].join("\n"),
    "upsmon.conf",
  ).config;
  const a = m.reconfigure(next, T0 + S);
  assertEquals(logs(a), [
    "UPS [a@h]: redefined power value to 2",
    "UPS [a@h]: redefined username",
    "UPS [a@h]: redefined password",
    "UPS [a@h]: redefined as a secondary",
    "No longer monitoring UPS [b@h]",
  ]);
  assertEquals(m.states.map((u) => u.entry.system), ["a@h", "c@h"]);
  assert(m.state("a@h")!.flags.has("OB"));
  assertEquals(m.state("a@h")!.entry.role, "secondary");
  // no ONBATT again: the state survived
  assertEquals(notes(m.pollOk("a@h", { status: "OB" }, T0 + 2 * S)), []);
});
