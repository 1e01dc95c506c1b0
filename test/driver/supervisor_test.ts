/**
 * The supervision state machine with a fake clock: stale at the first
 * failure, reconnection at once then with doubling backoff, a reopened but
 * silent device counted as a failure, recovery without restart, NUT
 * master's reconnect_max_tries / reconnect_report_freq.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import {
  RECONNECT_COUNT,
  Supervisor,
  type SupervisorConfig,
  type SupervisorEffect,
} from "../../lib/driver/supervisor.ts";
import { DeviceError } from "../../lib/driver/types.ts";

const S = 1000;

function sup(over: Partial<SupervisorConfig> = {}, now = 0): Supervisor {
  return new Supervisor({
    upsName: "u1",
    pollIntervalMs: 2 * S,
    reconnectMaxTries: -1,
    reconnectReportFreq: -1,
    ...over,
  }, now);
}

const logs = (fx: SupervisorEffect[], level?: string) =>
  fx.filter((e) => e.kind === "log" && (!level || e.level === level))
    .map((e) => (e as { text: string }).text);
const stale = (fx: SupervisorEffect[]) => fx.some((e) => e.kind === "stale");

Deno.test("supervisor: polls every interval from the start of the previous poll", () => {
  const s = sup();
  assertEquals(s.next(), { kind: "poll", at: 0 });
  assertEquals(s.pollSucceeded(0, 300), []);
  assertEquals(s.phase, "running");
  assertEquals(s.next(), { kind: "poll", at: 2 * S });
  // a poll longer than the interval: the next one is due at once
  s.pollSucceeded(2 * S, 5 * S);
  assertEquals(s.next(), { kind: "poll", at: 5 * S });
});

Deno.test("supervisor: an ordinary poll error marks stale and keeps polling", () => {
  const s = sup();
  s.pollSucceeded(0, 10);
  const fx = s.pollFailed(2 * S, 2 * S + 10, new Error("checksum"));
  assert(stale(fx));
  assertEquals(logs(fx, "error"), ["updateinfo failed: checksum"]);
  assertEquals(s.phase, "stale");
  assertEquals(s.next(), { kind: "poll", at: 4 * S });
  // the same error again is not logged loudly again
  const again = s.pollFailed(4 * S, 4 * S, new Error("checksum"));
  assertEquals(logs(again, "error"), []);
  assert(stale(again));
  assertEquals(s.pollSucceeded(6 * S, 6 * S).length, 1); // "poll works again"
  assertEquals(s.phase, "running");
});

Deno.test("supervisor: device lost → stale at once, reconnect at once, then doubling backoff", () => {
  const s = sup();
  s.pollSucceeded(0, 0);
  const lost = s.pollFailed(2 * S, 2 * S, new DeviceError("USB device vanished"));
  assert(stale(lost), "stale on the very first failure");
  assertEquals(logs(lost), [
    "UPS [u1]: USB device vanished",
    "Driver reconnecting to the device [u1], will try indefinitely",
  ]);
  assertEquals(s.phase, "reconnecting");
  assertEquals(s.next(), { kind: "reconnect", at: 2 * S });

  // failures: next attempts after 2, 4, 8, 16, 30, 30 s
  let t = 2 * S;
  const gaps: number[] = [];
  for (let i = 0; i < 6; i++) {
    const fx = s.reconnectFailed(t, new Error("no device"));
    const next = s.next();
    assertEquals(next.kind, "reconnect");
    gaps.push(((next as { at: number }).at - t) / S);
    t = (next as { at: number }).at;
    assert(
      fx.some((e) => e.kind === "publish" && e.name === RECONNECT_COUNT && e.value === `${i + 1}`),
    );
  }
  assertEquals(gaps, [2, 4, 8, 16, 30, 30]);
  assertEquals(s.failures, 6);

  // it comes back: poll at once; the first good poll recovers
  assertEquals(logs(s.reconnectSucceeded(t), "warn"), []);
  assertEquals(s.next(), { kind: "poll", at: t });
  const ok = s.pollSucceeded(t, t + 5);
  assertEquals(logs(ok, "warn"), ["Communications with UPS [u1] re-established"]);
  assert(ok.some((e) => e.kind === "unpublish" && e.name === RECONNECT_COUNT));
  assertEquals(s.phase, "running");
  assertEquals(s.failures, 0);
  assertEquals(s.next(), { kind: "poll", at: t + 2 * S });
});

Deno.test("supervisor: reopened but silent counts as a failed attempt (no hammering)", () => {
  const s = sup({ pollIntervalMs: 1 * S });
  s.pollFailed(0, 0, new DeviceError("gone")); // lost during the first poll
  assertEquals(s.next(), { kind: "reconnect", at: 0 });
  s.reconnectSucceeded(0);
  assertEquals(s.next(), { kind: "poll", at: 0 });
  const fx = s.pollFailed(0, 10, new DeviceError("no answer"));
  assertEquals(logs(fx, "warn"), [], "no second 'reconnecting' banner");
  assertEquals(s.failures, 1);
  assertEquals(s.next(), { kind: "reconnect", at: 10 + 1 * S });
  s.reconnectSucceeded(1010);
  s.pollFailed(1010, 1020, new Error("garbage"));
  assertEquals(s.failures, 2);
  assertEquals(s.next(), { kind: "reconnect", at: 1020 + 2 * S });
});

Deno.test("supervisor: reconnect_max_tries 0 exits at once, N exits after N failures", () => {
  const now0 = sup({ reconnectMaxTries: 0 });
  const fx = now0.pollFailed(0, 0, new DeviceError("gone"));
  assert(stale(fx));
  assertEquals(
    logs(fx, "warn"),
    ["Driver lost connection to the device [u1] and will exit immediately"],
  );
  assertEquals(now0.next(), { kind: "exit", code: 1 });

  const three = sup({ reconnectMaxTries: 3 });
  assertEquals(
    logs(three.pollFailed(0, 0, new DeviceError("gone")), "warn"),
    ["Driver reconnecting to the device [u1], will try for max 3 attempts, then will exit"],
  );
  three.reconnectFailed(0, new Error("x"));
  three.reconnectFailed(2 * S, new Error("x"));
  assertEquals(three.next().kind, "reconnect");
  const last = three.reconnectFailed(6 * S, new Error("x"));
  assertEquals(logs(last, "warn"), [
    "Driver lost connection to the device [u1] and tried to reconnect for 3 times, now will exit as configured",
  ]);
  assertEquals(three.next(), { kind: "exit", code: 1 });
});

Deno.test("supervisor: reconnect_report_freq reports every N attempts", () => {
  const s = sup({ reconnectReportFreq: 2, pollIntervalMs: 1 });
  s.pollFailed(0, 0, new DeviceError("gone"));
  const reports: string[] = [];
  for (let i = 0; i < 5; i++) reports.push(...logs(s.reconnectFailed(i, new Error("x")), "warn"));
  assertEquals(reports, [
    "Driver still reconnecting to the device [u1] for 2 attempts",
    "Driver still reconnecting to the device [u1] for 4 attempts",
  ]);
});

Deno.test("supervisor: configure() changes the interval and the backoff base", () => {
  const s = sup();
  s.pollSucceeded(0, 0);
  s.configure({ pollIntervalMs: 10 * S });
  s.pollSucceeded(0, 1);
  assertEquals(s.next(), { kind: "poll", at: 10 * S });
  assertEquals(s.backoffMs(1), 10 * S);
  assertEquals(s.backoffMs(3), 30 * S, "capped at 30 s");
  s.configure({ pollIntervalMs: 60 * S });
  assertEquals(s.backoffMs(5), 60 * S, "cap never below one interval");
});

Deno.test("supervisor: a poll that hangs is reported stale after three intervals (≥ 15 s)", () => {
  const s = sup({ pollIntervalMs: 2 * S });
  assertEquals(s.hangAfterMs(), 15 * S);
  s.configure({ pollIntervalMs: 10 * S });
  assertEquals(s.hangAfterMs(), 30 * S);
  const fx = s.pollHanging(0, 30 * S);
  assert(stale(fx));
  assertEquals(logs(fx), ["UPS [u1]: poll has not returned for 30 s, data marked stale"]);
});
