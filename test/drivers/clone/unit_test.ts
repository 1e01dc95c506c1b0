/**
 * The pure parts of clone and clone-outlet: the virtual outlet's timers,
 * what is relayed from the source, the link's liveness rule, number
 * parsing and formatting, clone-outlet's status rule.
 */

import { assert, assertEquals } from "../../helpers/assert.ts";
import { DState } from "../../../lib/driver/dstate.ts";
import { formatG, leadingNumber, wholeSeconds } from "../../../lib/drivers/clone/driver.ts";
import { Relay } from "../../../lib/drivers/clone/relay.ts";
import { CloneOutlet } from "../../../lib/drivers/clone/timers.ts";
import { linkVerdict } from "../../../lib/drivers/clone/upstream.ts";
import { outletStatus } from "../../../lib/drivers/clone_outlet/driver.ts";

const ONLINE = { online: true };
const cfg = { offDelay: 3, onDelay: 2, minCharge: 0, minRuntime: 0 };

Deno.test("clone outlet: shutdown.return switches off after offdelay, on after ondelay on line", () => {
  const o = new CloneOutlet({ ...cfg });
  assertEquals([o.shutdownTimer, o.startTimer, o.fsd], [-1, -1, false]);
  assert(!o.command("load.off", ONLINE), "not one of ours");
  assert(o.command("shutdown.return", ONLINE));
  assertEquals([o.shutdownTimer, o.startTimer, o.fsd], [3, 2, true]);
  assertEquals(o.tick(1, ONLINE).actions, []);
  assertEquals(o.tick(1, ONLINE).actions, []);
  assertEquals(o.tick(1, ONLINE).actions, []);
  assertEquals(o.shutdownTimer, 0);
  assertEquals(o.tick(1, ONLINE).actions, ["load.off"]);
  assertEquals([o.shutdownTimer, o.outlet, o.fsd], [-1, false, true]);
  // on battery the on-timer starts over
  o.tick(1, ONLINE);
  assertEquals(o.startTimer, 1);
  o.tick(1, { online: false });
  assertEquals(o.startTimer, 2);
  o.tick(2, ONLINE);
  assertEquals(o.startTimer, 0);
  assertEquals(o.tick(1, ONLINE).actions, ["load.on"]);
  assertEquals([o.startTimer, o.outlet, o.fsd], [-1, true, false]);
});

Deno.test("clone outlet: stayoff, an outlet already off, a repeated command", () => {
  const o = new CloneOutlet({ ...cfg });
  o.command("shutdown.stayoff", ONLINE);
  assertEquals([o.shutdownTimer, o.startTimer], [3, -1]);
  o.tick(2, ONLINE);
  o.command("shutdown.stayoff", ONLINE);
  assertEquals(o.shutdownTimer, 1, "a running timer is not restarted");
  assertEquals(o.tick(5, ONLINE).actions, ["load.off"]);
  assertEquals([o.outlet, o.fsd], [false, false]);
  assertEquals(o.tick(60, ONLINE).actions, [], "stays off");
  // the real UPS says the outlet is off: no off-timer, only the way back on
  const p = new CloneOutlet({ ...cfg });
  p.command("shutdown.return", { online: true, outletOn: false });
  assertEquals([p.shutdownTimer, p.startTimer, p.fsd], [-1, 2, true]);
});

Deno.test("clone outlet: low charge or runtime on battery starts shutdown.return", () => {
  const o = new CloneOutlet({ ...cfg, minCharge: 20, minRuntime: 300 });
  assertEquals(o.tick(1, { online: false }), { actions: [] }, "no readings, no decision");
  assertEquals(o.tick(1, { online: true, charge: 5 }).reason, undefined, "on line");
  assertEquals(o.tick(1, { online: false, charge: 50, runtime: 900 }).reason, undefined);
  assertEquals(o.tick(1, { online: false, charge: 19 }).reason, "Battery charge low");
  assertEquals(o.shutdownTimer, 3);
  const r = new CloneOutlet({ ...cfg, minRuntime: 300 });
  assertEquals(
    r.tick(1, { online: false, charge: 50, runtime: 200 }).reason,
    "Battery runtime low",
  );
});

Deno.test("clone relay: values and staleness copied, driver.* and the clone's own skipped", () => {
  const lines: string[] = [];
  const st = new DState({ debug() {}, warn() {} });
  st.attach((l) => lines.push(l));
  const own = new Set(["ups.status"]);
  const relay = new Relay(st, { setinfo: (n) => own.has(n) ? "skip" : "relay" });
  relay.connected();
  const feed = (...ls: string[][]) => ls.map((w) => relay.line(w));
  assertEquals(
    feed(
      ["SETINFO", "battery.charge", "90"],
      ["SETINFO", "driver.name", "dummy-ups"],
      ["SETINFO", "ups.status", "OL"],
      ["SETINFO", "old.var", "1"],
      ["SETFLAGS", "battery.charge", "RW"],
      ["ADDCMD", "load.off"],
      ["DATAOK"],
      ["DUMPDONE"],
      ["PONG"],
      ["BOGUS"],
      ["SETINFO", "short"],
    ),
    [true, true, true, true, true, true, true, true, true, false, false],
  );
  assertEquals(lines, ['SETINFO battery.charge "90"', 'SETINFO old.var "1"', "DATAOK"]);
  assertEquals(st.getInfo("driver.name"), undefined);
  // reconnect: a variable missing from the new dump is removed after DUMPDONE
  lines.length = 0;
  relay.connected();
  feed(["DATASTALE"], ["SETINFO", "battery.charge", "88"], ["DUMPDONE"], ["DELINFO", "driver.x"]);
  assertEquals(lines, ["DATASTALE", 'SETINFO battery.charge "88"', "DELINFO old.var"]);
});

Deno.test("clone link: PING after 5 s of silence, dead after 15 s (whole seconds)", () => {
  const t = { lastHeard: 0, lastPing: 0 };
  assertEquals(linkVerdict(t, 5999), { ping: false, dead: false });
  assertEquals(linkVerdict(t, 6000), { ping: true, dead: false });
  assertEquals(linkVerdict({ lastHeard: 0, lastPing: 6000 }, 9000), { ping: false, dead: false });
  assertEquals(linkVerdict(t, 15999).dead, false);
  assertEquals(linkVerdict(t, 16000).dead, true);
});

Deno.test("clone numbers: strtol/strtod prefixes, %g, time_t differences", () => {
  assertEquals(leadingNumber("120s", true), 120);
  assertEquals(leadingNumber(" -3.7", true), -3);
  assertEquals(leadingNumber("x", true), 0);
  assertEquals(leadingNumber("12.5%", false), 12.5);
  assertEquals(leadingNumber(".5", false), 0.5);
  assertEquals(
    [0, 20, 12.5, 1 / 3, 1234567, 0.0001, 0.00001, -7].map(formatG),
    ["0", "20", "12.5", "0.333333", "1.23457e+06", "0.0001", "1e-05", "-7"],
  );
  assertEquals(wholeSeconds(999, 1001), 1);
  assertEquals(wholeSeconds(1000, 1999), 0);
});

Deno.test("clone-outlet status: OFF, FSD while the outlet's timer runs, else the source's", () => {
  assertEquals(outletStatus("OL", { on: false, delay: 30, timer: 5 }), ["OL", "OFF"]);
  assertEquals(outletStatus("OB", { on: true, delay: 30, timer: 5 }), ["FSD", "OB"]);
  assertEquals(outletStatus("OB", { on: true, delay: 30, timer: 0 }), ["FSD", "OB"]);
  assertEquals(outletStatus("OB", { on: true, delay: 30, timer: 31 }), ["OB"]);
  assertEquals(outletStatus("OL", { on: true, delay: -1, timer: -1 }), ["OL"]);
});
