/** AT matching and the action each AT command asks for. */
import { assertEquals } from "../helpers/assert.ts";
import type { AtRule } from "../../lib/sched/conf.ts";
import { actionFor, atMatches, type SchedEvent } from "../../lib/sched/match.ts";

const ev: SchedEvent = { upsName: "myups@localhost", notifyType: "ONBATT", message: "on battery" };

function rule(notifyType: string, upsName: string, command = "EXECUTE", args = ["x"]): AtRule {
  return { notifyType, upsName, command, args };
}

Deno.test("match: UPS name exact (case-sensitive) or *, notify type ignoring case", () => {
  assertEquals(atMatches(rule("ONBATT", "*"), ev), true);
  assertEquals(atMatches(rule("onbatt", "myups@localhost"), ev), true);
  assertEquals(atMatches(rule("OnBatt", "*"), ev), true);
  assertEquals(atMatches(rule("ONBATT", "MyUps@localhost"), ev), false);
  assertEquals(atMatches(rule("ONBATT", "myups"), ev), false);
  assertEquals(atMatches(rule("ONLINE", "*"), ev), false);
  assertEquals(atMatches(rule("ONBATT", "**"), ev), false);
  // SHUTDOWN and NOPARENT come with an empty UPSNAME
  const shutdown = { upsName: "", notifyType: "SHUTDOWN", message: "" };
  assertEquals(atMatches(rule("SHUTDOWN", "*"), shutdown), true);
  assertEquals(atMatches(rule("SHUTDOWN", "ups"), shutdown), false);
});

Deno.test("match: timer commands become daemon requests carrying the event", () => {
  const origin = { notifyType: "ONBATT", upsName: "myups@localhost", message: "on battery" };
  assertEquals(actionFor(rule("ONBATT", "*", "START-TIMER", ["warn", "30"]), ev), {
    kind: "request",
    request: { verb: "START", name: "warn", arg: "30", ...origin },
  });
  assertEquals(actionFor(rule("ONBATT", "*", "START-TIMER-SHARED", ["warn", "5"]), ev), {
    kind: "request",
    request: { verb: "START-SHARED", name: "warn", arg: "5", ...origin },
  });
  assertEquals(actionFor(rule("ONBATT", "*", "CANCEL-TIMER", ["warn"]), ev), {
    kind: "request",
    request: { verb: "CANCEL", name: "warn", arg: "", ...origin },
  });
  assertEquals(actionFor(rule("ONBATT", "*", "CANCEL-TIMER-MATCHED", ["warn", "late"]), ev), {
    kind: "request",
    request: { verb: "CANCEL-MATCHED", name: "warn", arg: "late", ...origin },
  });
  // no seconds given: sent empty, read as 0 by the daemon as NUT's strtol does
  assertEquals(actionFor(rule("ONBATT", "*", "START-TIMER", ["now"]), ev), {
    kind: "request",
    request: { verb: "START", name: "now", arg: "", ...origin },
  });
});

Deno.test("match: EXECUTE, empty EXECUTE, and unknown (case-sensitive) commands", () => {
  assertEquals(actionFor(rule("ONBATT", "*", "EXECUTE", ["go"]), ev), {
    kind: "execute",
    cmd: "go",
  });
  assertEquals(actionFor(rule("ONBATT", "*", "EXECUTE", [""]), ev), {
    kind: "log",
    message: "Empty EXECUTE command argument",
  });
  assertEquals(actionFor(rule("ONBATT", "*", "execute", ["go"]), ev), {
    kind: "log",
    message: "Invalid command: execute\t[go]",
  });
  assertEquals(actionFor(rule("ONBATT", "*", "BOGUS-CMD", ["a", "b"]), ev), {
    kind: "log",
    message: "Invalid command: BOGUS-CMD\t[a] [b]",
  });
});
