/**
 * upsmon end to end: our dummy-ups and upsd on loopback, one primary and
 * secondaries (bin/upsmon, split into privileged part and monitor), status
 * changes through upsd (SET VAR ups.status), NOTIFYCMD and SHUTDOWNCMD
 * writing to a shared event log. Who shuts down, when, and in what order.
 * Timers: POLLFREQ 1, HOSTSYNC 3, FINALDELAY 1, DEADTIME 3. Scenarios run
 * three at a time (separate stacks, ports and directories).
 */
import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import {
  exited,
  FAST,
  scenarioPool,
  sleep,
  startMon,
  startScene,
  upsmonCmd,
  waitEvent,
  waitLogins,
} from "./scenario_kit.ts";
import { waitFor } from "../helpers/nut.ts";

const scenario = scenarioPool(3);

function before(list: string[], a: string, b: string): boolean {
  const i = list.indexOf(a);
  const j = list.indexOf(b);
  return i >= 0 && j >= 0 && i < j;
}

scenario(
  "scenario: power lost and back before LB: everybody notified, nobody shuts down",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      const sec1 = await startMon(s, "sec1", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      const sec2 = await startMon(s, "sec2", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await waitLogins(s, "ups", 3);
      await s.setStatus("ups", "OB DISCHRG");
      for (const m of ["pri", "sec1", "sec2"]) await waitEvent(s, m, "ONBATT");
      await s.setStatus("ups", "OL CHRG");
      for (const m of ["pri", "sec1", "sec2"]) await waitEvent(s, m, "ONLINE");
      await sleep(4000); // longer than HOSTSYNC + FINALDELAY
      for (const m of ["pri", "sec1", "sec2"]) assertEquals(s.of(m), ["ONBATT", "ONLINE"], m);
      for (const m of [pri, sec1, sec2]) {
        assertEquals(
          await exited(m.proc, 0),
          undefined,
          `${m.name} still runs`,
        );
      }
      assertEquals(await s.status("ups"), "OL CHRG");
    } finally {
      await s.stop();
    }
  },
);

scenario(
  "scenario: OB LB: secondaries shut down first, the primary after they logged out, then FINALDELAY",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      const sec1 = await startMon(s, "sec1", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      const sec2 = await startMon(s, "sec2", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await waitLogins(s, "ups", 3);
      await s.setStatus("ups", "OB");
      for (const m of ["pri", "sec1", "sec2"]) await waitEvent(s, m, "ONBATT");
      await s.setStatus("ups", "OB LB");
      const done = await waitEvent(s, "pri", "SHUTDOWNCMD", 20000);
      for (const m of [pri, sec1, sec2]) {
        const st = await exited(m.proc, 5000);
        assertEquals(st?.code, 0, `${m.name} exited after its shutdown: ${m.proc.stderr}`);
      }
      const ev = s.events();
      const sd = (who: string) => ev.find((e) => e.who === who && e.what === "SHUTDOWNCMD")!;
      assert(sd("sec1") && sd("sec2"), "both secondaries ran SHUTDOWNCMD");
      const lastSec = Math.max(sd("sec1").t, sd("sec2").t);
      assert(
        done.t > lastSec + 1.0 - 0.2,
        `primary (${done.t}) not FINALDELAY after the secondaries (${lastSec})`,
      );
      const priShutdownNote = ev.find((e) => e.who === "pri" && e.what === "SHUTDOWN")!;
      assert(
        priShutdownNote.t >= lastSec - 0.2,
        "primary began its own shutdown only once the secondaries were gone",
      );
      // notifications in order
      const p = s.of("pri");
      assertEquals(p.filter((x) => x !== "SHUTDOWN_HOSTSYNC"), [
        "ONBATT",
        "LOWBATT",
        "FSD",
        "SHUTDOWN",
        "SHUTDOWNCMD",
      ]);
      assert(
        p.includes("SHUTDOWN_HOSTSYNC"),
        "the primary announced that it waits for the secondaries",
      );
      for (const m of ["sec1", "sec2"]) {
        const l = s.of(m);
        assertEquals(l[0], "ONBATT", m);
        assert(before(l, "LOWBATT", "SHUTDOWN") && before(l, "FSD", "SHUTDOWN"), `${m}: ${l}`);
        assertEquals(l.slice(-2), ["SHUTDOWN", "SHUTDOWNCMD"], m);
      }
      // SHUTDOWNCMD ran with upsmon's own privileges (root here), POWERDOWNFLAG is not configured
      assertEquals(ev.filter((e) => e.what === "SHUTDOWNCMD").map((e) => e.ups), ["0", "0", "0"]);
      assertStringIncludes(
        pri.proc.stderr,
        "Shutdown decision: shutting down: Too few UPS(es) are healthy (0<1)",
      );
      assertEquals(await s.status("ups"), "FSD OB LB");
    } finally {
      await s.stop();
    }
  },
);

scenario(
  "scenario: a secondary that never logs out: the primary waits HOSTSYNC, then goes",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      await s.stuckSecondary("ups");
      await waitLogins(s, "ups", 2);
      await s.setStatus("ups", "OB LB");
      const fsd = await waitEvent(s, "pri", "FSD");
      await waitEvent(s, "pri", "SHUTDOWN_HOSTSYNC");
      const shut = await waitEvent(s, "pri", "SHUTDOWN", 15000);
      const cmd = await waitEvent(s, "pri", "SHUTDOWNCMD");
      assert(shut.t - fsd.t >= 3 - 0.3, `waited only ${shut.t - fsd.t}s (HOSTSYNC 3)`);
      assert(shut.t - fsd.t < 6, `waited ${shut.t - fsd.t}s`);
      assert(cmd.t - shut.t >= 1 - 0.2, "FINALDELAY");
      assertStringIncludes(pri.proc.stderr, "Host sync timer expired, forcing shutdown");
      assertEquals((await exited(pri.proc, 5000))?.code, 0);
    } finally {
      await s.stop();
    }
  },
);

scenario("scenario: driver dies while on line: COMMBAD, NOCOMM, COMMOK, no shutdown", async () => {
  const s = await startScene(["ups"]);
  try {
    const u = s.addr("ups");
    const pri = await startMon(s, "pri", {
      lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST, "NOCOMMWARNTIME 2"],
    });
    const sec = await startMon(s, "sec", {
      lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST, "NOCOMMWARNTIME 2"],
    });
    await waitLogins(s, "ups", 2);
    await s.killDriver("ups");
    await waitEvent(s, "pri", "COMMBAD");
    await waitEvent(s, "sec", "COMMBAD");
    await waitEvent(s, "pri", "NOCOMM");
    await sleep(4500); // past DEADTIME and HOSTSYNC
    assertEquals(s.events().filter((e) => e.what === "SHUTDOWN" || e.what === "SHUTDOWNCMD"), []);
    await s.startDriver("ups");
    await waitEvent(s, "pri", "COMMOK");
    await waitEvent(s, "sec", "COMMOK");
    for (const m of [pri, sec]) assertEquals(await exited(m.proc, 0), undefined);
    assertStringIncludes(pri.proc.stderr, "Poll UPS [" + u + "] failed - Driver not connected");
    assertStringIncludes(
      pri.proc.stderr,
      "cannot be reached, last seen on line power - counted as healthy",
    );
  } finally {
    await s.stop();
  }
});

scenario(
  "scenario: upsd dies while on line: COMMBAD at once, NOCOMM, COMMOK, no shutdown",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const lines = [...FAST, "NOCOMMWARNTIME 2"];
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...lines],
      });
      const sec = await startMon(s, "sec", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...lines],
      });
      await waitLogins(s, "ups", 2);
      await sleep(2500); // both watched and calm: regular polls are 50 s apart now
      const killed = Date.now() / 1000;
      await s.killUpsd();
      // the closed WATCH connection makes them poll at once
      const p = await waitEvent(s, "pri", "COMMBAD");
      const q = await waitEvent(s, "sec", "COMMBAD");
      assert(
        p.t - killed < 5 && q.t - killed < 5,
        `COMMBAD after ${p.t - killed} / ${q.t - killed} s`,
      );
      await waitEvent(s, "pri", "NOCOMM");
      await sleep(4500); // past DEADTIME and HOSTSYNC
      assertEquals(s.events().filter((e) => e.what === "SHUTDOWN" || e.what === "SHUTDOWNCMD"), []);
      await s.startUpsd();
      await waitEvent(s, "pri", "COMMOK");
      await waitEvent(s, "sec", "COMMOK");
      for (const m of [pri, sec]) assertEquals(await exited(m.proc, 0), undefined);
      assertStringIncludes(pri.proc.stderr, "Connection refused");
    } finally {
      await s.stop();
    }
  },
);

scenario("scenario: upsd dies while on battery: shutdown once DEADTIME has passed", async () => {
  const s = await startScene(["ups"]);
  try {
    const u = s.addr("ups");
    await startMon(s, "pri", { lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST] });
    await startMon(s, "sec", { lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST] });
    await waitLogins(s, "ups", 2);
    await s.setStatus("ups", "OB");
    await waitEvent(s, "pri", "ONBATT");
    await waitEvent(s, "sec", "ONBATT");
    const killed = Date.now() / 1000;
    await s.killUpsd();
    await waitEvent(s, "pri", "COMMBAD");
    const p = await waitEvent(s, "pri", "SHUTDOWNCMD", 20000);
    const q = await waitEvent(s, "sec", "SHUTDOWNCMD", 20000);
    assert(p.t - killed >= 3 - 0.5, `primary went after ${p.t - killed}s, before DEADTIME`);
    assert(q.t - killed >= 3 - 0.5, `secondary went after ${q.t - killed}s`);
  } finally {
    await s.stop();
  }
});

scenario("scenario: driver dies while on battery: shutdown once DEADTIME has passed", async () => {
  const s = await startScene(["ups"]);
  try {
    const u = s.addr("ups");
    const pri = await startMon(s, "pri", { lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST] });
    const sec = await startMon(s, "sec", {
      lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
    });
    await waitLogins(s, "ups", 2);
    await s.setStatus("ups", "OB");
    await waitEvent(s, "pri", "ONBATT");
    await waitEvent(s, "sec", "ONBATT");
    const killed = Date.now() / 1000;
    await s.killDriver("ups");
    await waitEvent(s, "pri", "COMMBAD");
    const p = await waitEvent(s, "pri", "SHUTDOWNCMD", 20000);
    const q = await waitEvent(s, "sec", "SHUTDOWNCMD", 20000);
    assert(p.t - killed >= 3 - 0.5, `primary went after ${p.t - killed}s, before DEADTIME`);
    assert(q.t - killed >= 3 - 0.5, `secondary went after ${q.t - killed}s`);
    assertStringIncludes(pri.proc.stderr, `Promoting dead UPS: ${u}`);
    for (const m of [pri, sec]) assertEquals((await exited(m.proc, 5000))?.code, 0);
  } finally {
    await s.stop();
  }
});

scenario(
  "scenario: MINSUPPLIES 2 over two UPSes: one critical is survivable, both are not",
  async () => {
    const s = await startScene(["ua", "ub"]);
    try {
      const pri = await startMon(s, "pri", {
        lines: [
          `MONITOR ${s.addr("ua")} 2 mon monpw primary`,
          `MONITOR ${s.addr("ub")} 2 mon monpw primary`,
          "MINSUPPLIES 2",
          ...FAST,
        ],
      });
      await waitLogins(s, "ua", 1);
      await waitLogins(s, "ub", 1);
      await s.setStatus("ua", "OB LB");
      await waitEvent(s, "pri", "LOWBATT");
      await waitFor(
        () => pri.proc.stderr.includes("not shutting down: healthy power value 2 >= MINSUPPLIES 2"),
        5000,
        "decision",
      );
      await sleep(2500);
      assert(!s.of("pri").includes("SHUTDOWN"), "no shutdown with one of two UPSes critical");
      assertEquals(await s.status("ua"), "OB LB", "no FSD set");
      await s.setStatus("ub", "OB LB");
      await waitEvent(s, "pri", "SHUTDOWNCMD");
      assertStringIncludes(pri.proc.stderr, "Too few UPS(es) are healthy (0<2)");
      assertEquals(await s.status("ua"), "FSD OB LB");
      assertEquals(await s.status("ub"), "FSD OB LB");
    } finally {
      await s.stop();
    }
  },
);

scenario("scenario: LB flapping while on line power never shuts down", async () => {
  const s = await startScene(["ups"]);
  try {
    const u = s.addr("ups");
    const pri = await startMon(s, "pri", { lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST] });
    await waitLogins(s, "ups", 1);
    for (let i = 0; i < 3; i++) {
      await s.setStatus("ups", "OL LB");
      await waitFor(
        () => s.of("pri").filter((x) => x === "LOWBATT").length === i + 1,
        5000,
        `LOWBATT ${i + 1}`,
      );
      await s.setStatus("ups", "OL");
      await sleep(1300);
    }
    await sleep(3000);
    assertEquals(s.of("pri"), ["LOWBATT", "LOWBATT", "LOWBATT"]);
    assertEquals(await exited(pri.proc, 0), undefined);
    assertStringIncludes(pri.proc.stderr, "low battery while on line power - counted as healthy");
  } finally {
    await s.stop();
  }
});

scenario(
  "scenario: power back during the shutdown: FSD stays latched, everybody still goes down",
  async () => {
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      // this secondary shuts down but stays logged in (SHUTDOWNEXIT no): the primary waits HOSTSYNC
      const sec = await startMon(s, "sec", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST, "SHUTDOWNEXIT no"],
      });
      await waitLogins(s, "ups", 2);
      await s.setStatus("ups", "OB LB");
      await waitEvent(s, "pri", "SHUTDOWN_HOSTSYNC");
      await s.setStatus("ups", "OL"); // power is back while the primary waits
      // SET VAR answers once forwarded; the driver's new value arrives just after
      await waitFor(async () => (await s.status("ups")) === "FSD OL", 5000, "FSD OL");
      await waitEvent(s, "pri", "SHUTDOWNCMD", 15000);
      await waitEvent(s, "sec", "SHUTDOWNCMD");
      assert(!s.of("pri").includes("ONLINE"), "the primary no longer looks at the status");
      // a host that starts now sees the latched FSD and goes down at once
      await startMon(s, "late", { lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST] });
      await waitEvent(s, "late", "SHUTDOWNCMD", 20000);
      assertEquals(s.of("late").slice(0, 1), ["FSD"]);
      assertEquals((await exited(pri.proc, 5000))?.code, 0);
      assertEquals(await exited(sec.proc, 0), undefined, "SHUTDOWNEXIT no: the secondary lingers");
    } finally {
      await s.stop();
    }
  },
);

scenario("scenario: upsmon -c fsd on the primary shuts everything down", async () => {
  const s = await startScene(["ups"]);
  try {
    const u = s.addr("ups");
    const pri = await startMon(s, "pri", { lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST] });
    await startMon(s, "sec", { lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST] });
    await waitLogins(s, "ups", 2);
    const r = await upsmonCmd(pri, ["-c", "fsd"]);
    assertEquals(r.code, 0, r.stderr);
    await waitEvent(s, "sec", "SHUTDOWNCMD");
    await waitEvent(s, "pri", "SHUTDOWNCMD");
    assertEquals(s.of("sec").slice(0, 1), ["FSD"]);
    assertStringIncludes(pri.proc.stderr, "Signal 10: User requested FSD");
    assertStringIncludes(pri.proc.stderr, "Got an FSD signal, initiating forced shutdown");
    assertEquals(await s.status("ups"), "FSD OL");
    // nothing left to signal
    const again = await upsmonCmd(pri, ["-c", "stop"]);
    assertEquals(again.code, 1);
    assertStringIncludes(again.stderr, "Failed to signal the currently running daemon (if any)");
  } finally {
    await s.stop();
  }
});

scenario("scenario: reload with a broken upsmon.conf keeps running on the old one", async () => {
  const s = await startScene(["ups"]);
  try {
    const u = s.addr("ups");
    const pri = await startMon(s, "pri", { lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST] });
    await waitLogins(s, "ups", 1);
    Deno.writeTextFileSync(pri.conf, "MONITOR garbage\nMINSUPPLIES 5\n");
    assertEquals((await upsmonCmd(pri, ["-c", "reload"])).code, 0);
    await waitFor(
      () => pri.proc.stderr.includes("keeping the running configuration"),
      5000,
      "reload refused",
    );
    assertStringIncludes(pri.proc.stderr, `${pri.conf}:1: invalid directive MONITOR garbage`);
    await s.setStatus("ups", "OB");
    await waitEvent(s, "pri", "ONBATT");
    await s.setStatus("ups", "OB LB");
    await waitEvent(s, "pri", "SHUTDOWNCMD");
    assertEquals((await exited(pri.proc, 5000))?.code, 0);
  } finally {
    await s.stop();
  }
});
