/**
 * Our upsmon against Debian's upsd 2.8.0 (with our dummy-ups under it): the
 * key scenarios again, where behaviour must agree with ours-on-ours. That
 * upsd answers WATCH with ERR UNKNOWN-COMMAND, so upsmon polls every
 * POLLFREQ as NUT's does — these scenarios are the plain-polling path.
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { haveDebianNut, NO_DEBIAN_NUT } from "../helpers/nut.ts";
import {
  exited,
  FAST,
  scenarioPool,
  sleep,
  startMon,
  startScene,
  waitEvent,
  waitLogins,
} from "./scenario_kit.ts";

if (!haveDebianNut) console.log(NO_DEBIAN_NUT);
const scenario = scenarioPool(2);
const ignore = !haveDebianNut;

scenario(
  "debian upsd: power lost and back before LB: notified, nobody shuts down, WATCH refused",
  async () => {
    const s = await startScene(["ups"], "debian");
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
        args: ["-DD"],
      });
      const sec = await startMon(s, "sec", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await waitLogins(s, "ups", 2);
      await s.setStatus("ups", "OB");
      await waitEvent(s, "pri", "ONBATT");
      await waitEvent(s, "sec", "ONBATT");
      await s.setStatus("ups", "OL");
      await waitEvent(s, "pri", "ONLINE");
      await waitEvent(s, "sec", "ONLINE");
      await sleep(4000);
      assert(!s.events().some((e) => e.what === "SHUTDOWNCMD"));
      for (const m of [pri, sec]) assertEquals(await exited(m.proc, 0), undefined);
      assertStringIncludes(pri.proc.stderr, "has no WATCH: polling only");
    } finally {
      await s.stop();
    }
  },
  { ignore },
);

scenario(
  "debian upsd: OB LB: secondaries shut down first, the primary after their logout",
  async () => {
    const s = await startScene(["ups"], "debian");
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      await startMon(s, "sec1", { lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST] });
      await startMon(s, "sec2", { lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST] });
      await waitLogins(s, "ups", 3);
      await s.setStatus("ups", "OB");
      for (const m of ["pri", "sec1", "sec2"]) await waitEvent(s, m, "ONBATT");
      await s.setStatus("ups", "OB LB");
      const p = await waitEvent(s, "pri", "SHUTDOWNCMD", 20000);
      const a = await waitEvent(s, "sec1", "SHUTDOWNCMD", 20000);
      const b = await waitEvent(s, "sec2", "SHUTDOWNCMD", 20000);
      assert(p.t > Math.max(a.t, b.t) + 1 - 0.2, "FINALDELAY after the last secondary");
      assertEquals(s.of("pri").filter((x) => x !== "SHUTDOWN_HOSTSYNC"), [
        "ONBATT",
        "LOWBATT",
        "FSD",
        "SHUTDOWN",
        "SHUTDOWNCMD",
      ]);
      for (const m of ["sec1", "sec2"]) {
        const l = s.of(m);
        assert(l.indexOf("FSD") >= 0 && l.indexOf("FSD") < l.indexOf("SHUTDOWN"), `${m}: ${l}`);
        assertEquals(l.slice(-2), ["SHUTDOWN", "SHUTDOWNCMD"], m);
      }
      assertEquals(await s.status("ups"), "FSD OB LB");
      assertEquals((await exited(pri.proc, 5000))?.code, 0);
    } finally {
      await s.stop();
    }
  },
  { ignore },
);

scenario(
  "debian upsd: driver dies while on battery: shutdown once DEADTIME has passed",
  async () => {
    const s = await startScene(["ups"], "debian");
    try {
      const u = s.addr("ups");
      await startMon(s, "pri", { lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST] });
      await waitLogins(s, "ups", 1);
      await s.setStatus("ups", "OB");
      await waitEvent(s, "pri", "ONBATT");
      const killed = Date.now() / 1000;
      await s.killDriver("ups");
      await waitEvent(s, "pri", "COMMBAD", 20000);
      const p = await waitEvent(s, "pri", "SHUTDOWNCMD", 30000);
      assert(p.t - killed >= 3 - 0.5, `shut down after ${p.t - killed}s, before DEADTIME`);
    } finally {
      await s.stop();
    }
  },
  { ignore },
);

scenario(
  "debian upsd: upsd dies while on line: COMMBAD, NOCOMM, no shutdown, COMMOK when back",
  async () => {
    const s = await startScene(["ups"], "debian");
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST, "NOCOMMWARNTIME 2"],
      });
      await waitLogins(s, "ups", 1);
      await s.killUpsd();
      await waitEvent(s, "pri", "COMMBAD");
      await waitEvent(s, "pri", "NOCOMM");
      await sleep(4000); // past DEADTIME
      assert(!s.events().some((e) => e.what === "SHUTDOWN" || e.what === "SHUTDOWNCMD"));
      await s.startUpsd();
      await waitEvent(s, "pri", "COMMOK", 20000);
      assertEquals(await exited(pri.proc, 0), undefined);
    } finally {
      await s.stop();
    }
  },
  { ignore },
);
