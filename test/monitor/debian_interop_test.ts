/**
 * Key upsmon scenarios with Debian's upsmon 2.8.0 against our upsd, alone
 * and mixed with ours (a Debian primary with our secondary and the other
 * way round). Debian's upsmon keeps its PID file in /run/nut, so it runs in
 * a private mount namespace with its own /run (needs root and unshare).
 *
 * Known 2.8.0 behaviour that the assertions allow for: the first polls
 * happen every 5 s whatever POLLFREQ says (until a status was parsed),
 * notifications are forked so their order across events is not guaranteed,
 * and SHUTDOWN_HOSTSYNC does not exist yet (it warns about the NOTIFYFLAG
 * line). Its sticky CAL flag is not exercised here.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { DEBIAN, haveDebianNut, NO_DEBIAN_NUT, run } from "../helpers/nut.ts";
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

let haveUpsmon = false;
try {
  haveUpsmon = Deno.statSync(DEBIAN.upsmon).isFile;
} catch {
  haveUpsmon = false;
}
const canUnshare = haveDebianNut && haveUpsmon && Deno.uid() === 0 &&
  (await run("unshare", ["--mount", "--propagation", "private", "--", "true"]).catch(() => ({
      code: 1,
    })
    )).code === 0;
if (!haveDebianNut || !haveUpsmon) console.log(NO_DEBIAN_NUT);
else if (!canUnshare) console.log("upsmon interop skipped: needs root and unshare --mount");

const scenario = scenarioPool(2);
const ignore = !canUnshare;

scenario(
  "debian: 2.8.0 primary and secondary, power lost and back: nobody shuts down",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        impl: "debian",
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      const sec = await startMon(s, "sec", {
        impl: "debian",
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await waitLogins(s, "ups", 2);
      await sleep(5500); // 2.8.0 polls every 5 s until it parsed a status
      await s.setStatus("ups", "OB");
      await waitEvent(s, "pri", "ONBATT");
      await waitEvent(s, "sec", "ONBATT");
      await s.setStatus("ups", "OL");
      await waitEvent(s, "pri", "ONLINE");
      await waitEvent(s, "sec", "ONLINE");
      await sleep(4000);
      assert(!s.events().some((e) => e.what === "SHUTDOWNCMD"));
      for (const m of [pri, sec]) assertEquals(await exited(m.proc, 0), undefined);
    } finally {
      await s.stop();
    }
  },
  { ignore },
);

scenario(
  "debian: 2.8.0 primary with our secondary and a 2.8.0 secondary: secondaries first, then the primary",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      await startMon(s, "pri", {
        impl: "debian",
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      const ours = await startMon(s, "ours", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await startMon(s, "deb", {
        impl: "debian",
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await waitLogins(s, "ups", 3);
      await sleep(5500);
      await s.setStatus("ups", "OB LB");
      const p = await waitEvent(s, "pri", "SHUTDOWNCMD", 25000);
      const o = await waitEvent(s, "ours", "SHUTDOWNCMD");
      const d = await waitEvent(s, "deb", "SHUTDOWNCMD");
      assert(p.t > Math.max(o.t, d.t), "the primary went last");
      assert(s.of("ours").includes("FSD"), `our secondary saw FSD: ${s.of("ours")}`);
      assertEquals((await exited(ours.proc, 5000))?.code, 0);
      assertEquals(await s.status("ups"), "FSD OB LB");
    } finally {
      await s.stop();
    }
  },
  { ignore },
);

scenario(
  "debian: our primary with a 2.8.0 secondary: it sees our FSD, we wait for its logout",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      await startMon(s, "deb", {
        impl: "debian",
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await waitLogins(s, "ups", 2);
      await sleep(5500);
      await s.setStatus("ups", "OB LB");
      const d = await waitEvent(s, "deb", "SHUTDOWNCMD", 20000);
      const p = await waitEvent(s, "pri", "SHUTDOWNCMD", 20000);
      assert(s.of("deb").includes("FSD"), `${s.of("deb")}`);
      assert(p.t > d.t, "our primary waited for the 2.8.0 secondary");
      assertEquals((await exited(pri.proc, 5000))?.code, 0);
    } finally {
      await s.stop();
    }
  },
  { ignore },
);

scenario(
  "debian: 2.8.0 primary, driver dies while on battery: shutdown after DEADTIME",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      await startMon(s, "pri", {
        impl: "debian",
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      await waitLogins(s, "ups", 1);
      await sleep(5500);
      await s.setStatus("ups", "OB");
      await waitEvent(s, "pri", "ONBATT");
      const killed = Date.now() / 1000;
      await s.killDriver("ups");
      await waitEvent(s, "pri", "COMMBAD");
      const p = await waitEvent(s, "pri", "SHUTDOWNCMD", 20000);
      assert(p.t - killed >= 3 - 0.5, `went after ${p.t - killed}s`);
    } finally {
      await s.stop();
    }
  },
  { ignore },
);
