/**
 * A serial fault seen end to end: a simulated Megatec/Q1 unit on a pty, our
 * nutdrv_qx started by Debian's upsdrvctl (driverpath = bin/), our upsd with
 * a small MAXAGE and our upsmon with NOTIFYCMD/SHUTDOWNCMD writing to a file.
 * The unit goes silent: upsc shows "Data stale" and upsmon notifies COMMBAD;
 * it answers again: fresh values from the same driver process and COMMOK;
 * the unit stayed on line, so no SHUTDOWNCMD ran. Debian's upsdrvctl stops
 * the driver at the end.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import {
  BIN,
  DEBIAN,
  exists,
  freePort,
  haveDebianNut,
  makeNutDir,
  NO_DEBIAN_NUT,
  Proc,
  run,
  waitFor,
} from "../helpers/nut.ts";
import { QxDevice } from "../../lib/sim/qx_device.ts";
import { SerialSimulator } from "../../lib/sim/serial_sim.ts";
import { stopTree } from "../monitor/scenario_kit.ts";

const haveUpsdrvctl = haveDebianNut && exists(DEBIAN.upsdrvctl);
if (!haveUpsdrvctl) {
  console.log(`${NO_DEBIAN_NUT} (needs ${DEBIAN.upsd}, ${DEBIAN.upsc} and ${DEBIAN.upsdrvctl})`);
}

const USERS = `[mon]
\tpassword = monpw
\tupsmon primary
`;

function alive(pid: number): boolean {
  return exists(`/proc/${pid}`);
}

Deno.test({
  name:
    "integration: silent serial unit → Data stale + upsmon COMMBAD, back → fresh + COMMOK, no shutdown (Debian's upsdrvctl)",
  ignore: !haveUpsdrvctl,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("nut-serial-fault-");
    const device = new QxDevice({ family: "megatec" });
    const sim = SerialSimulator.start(device, { link: `${dir.root}/usb-SIM_UPS-if00-port0` });
    const env = {
      ...dir.env,
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/root",
    };
    const pidFile = `${dir.state}/nutdrv_qx-qx.pid`;
    const events = `${dir.root}/events.log`;
    let driverPid: number | undefined;
    let upsd: Proc | undefined;
    let upsmon: Proc | undefined;
    try {
      const port = freePort();
      const ups = `qx@127.0.0.1:${port}`;
      dir.write(
        "ups.conf",
        `driverpath = ${BIN}\n[qx]\n\tdriver = nutdrv_qx\n\tport = ${sim.path}\n\tpollinterval = 1\n`,
      );
      dir.write("upsd.conf", `LISTEN 127.0.0.1 ${port}\nMAXAGE 5\n`);
      dir.write("upsd.users", USERS, 0o640);
      Deno.writeTextFileSync(events, "");
      Deno.chmodSync(events, 0o666);
      const notify = dir.write(
        "notify.sh",
        `#!/bin/sh\necho "$(date +%s.%N) $NOTIFYTYPE $UPSNAME" >> ${events}\n`,
        0o755,
      );
      const sd = dir.write(
        "shutdown.sh",
        `#!/bin/sh\necho "$(date +%s.%N) SHUTDOWNCMD" >> ${events}\n`,
        0o755,
      );
      dir.write(
        "upsmon.conf",
        [
          `MONITOR ${ups} 1 mon monpw primary`,
          "POLLFREQ 1",
          "POLLFREQALERT 1",
          "DEADTIME 3",
          "FINALDELAY 1",
          `NOTIFYCMD "${notify}"`,
          `SHUTDOWNCMD "${sd}"`,
          ...["ONLINE", "ONBATT", "LOWBATT", "FSD", "COMMOK", "COMMBAD", "SHUTDOWN", "NOCOMM"]
            .map((t) => `NOTIFYFLAG ${t} SYSLOG+EXEC`),
          "",
        ].join("\n"),
      );
      const seen = () =>
        Deno.readTextFileSync(events).split("\n").filter(Boolean).map((l) => l.split(" ")[1]);

      // Debian's upsdrvctl runs <driverpath>/nutdrv_qx, which detaches and exits 0 once ready
      const start = await run(DEBIAN.upsdrvctl, ["-u", "root", "start", "qx"], env);
      assertEquals(start.code, 0, `upsdrvctl start: ${start.stdout}${start.stderr}`);
      driverPid = parseInt(Deno.readTextFileSync(pidFile), 10);
      assert(alive(driverPid), "the detached driver runs on");
      assert(exists(`${dir.state}/nutdrv_qx-qx`), "driver socket present once upsdrvctl returns");

      upsd = new Proc(`${BIN}/upsd`, ["-F"], env);
      const value = async (name: string) => {
        const r = await run(`${BIN}/upsc`, [ups, name], env);
        return r.code === 0 ? r.stdout.trim() : r.stderr.trim();
      };
      await waitFor(async () => (await value("ups.status")) === "OL", 15000, "OL served", 200);
      assertEquals(await value("driver.name"), "nutdrv_qx");
      const firstVoltage = await value("input.voltage");
      assert(/^\d+(\.\d+)?$/.test(firstVoltage), `input.voltage: ${firstVoltage}`);

      upsmon = new Proc(`${BIN}/upsmon`, ["-F"], env);
      // upsmon's first good poll of an OL unit: logged in, no notification yet
      await waitFor(
        async () => {
          const r = await run(`${BIN}/upsc`, ["-c", ups], env);
          return r.code === 0 && r.stdout.includes("127.0.0.1");
        },
        15000,
        "upsmon logged in to upsd",
        200,
      );
      assertEquals(seen().filter((e) => e === "COMMBAD" || e === "SHUTDOWNCMD"), []);

      // the unit goes silent: the driver stops updating, upsd calls it stale
      const silentAt = Date.now();
      sim.mode = "silent";
      await waitFor(
        async () => (await value("ups.status")).includes("Data stale"),
        20000,
        "Data stale from upsc",
        200,
      );
      const staleAfter = Date.now() - silentAt;
      // MAXAGE 5 (not the default 15) bounds it, plus a poll or two of slack
      assert(staleAfter < 12000, `stale only after ${staleAfter} ms (MAXAGE 5)`);
      await waitFor(() => seen().includes("COMMBAD"), 15000, "upsmon COMMBAD", 200);

      // it answers again, with a new reading: fresh values, same driver process
      device.set({ inputVoltage: 219.5 });
      sim.mode = "normal";
      await waitFor(
        async () => (await value("ups.status")) === "OL",
        20000,
        "fresh status after the unit answers",
        200,
      );
      await waitFor(
        async () => (await value("input.voltage")) === "219.5",
        10000,
        "fresh input.voltage",
        200,
      );
      await waitFor(() => seen().includes("COMMOK"), 15000, "upsmon COMMOK", 200);
      assertEquals(parseInt(Deno.readTextFileSync(pidFile), 10), driverPid, "no restart");
      assert(alive(driverPid), "the same driver is still running");

      const ev = seen();
      assert(ev.indexOf("COMMBAD") < ev.lastIndexOf("COMMOK"), `order: ${ev.join(" ")}`);
      for (const never of ["SHUTDOWNCMD", "SHUTDOWN", "ONBATT", "LOWBATT", "FSD"]) {
        assert(!ev.includes(never), `${never} must not happen (unit stayed OL): ${ev.join(" ")}`);
      }
      console.log(`stale seen ${staleAfter} ms after silence; events: ${ev.join(" ")}`);

      // Debian's upsdrvctl stops our driver through its PID file
      const stop = await run(DEBIAN.upsdrvctl, ["-u", "root", "stop", "qx"], env);
      assertEquals(stop.code, 0, `upsdrvctl stop: ${stop.stdout}${stop.stderr}`);
      const stoppedPid = driverPid;
      await waitFor(() => !alive(stoppedPid), 10000, "driver gone after upsdrvctl stop", 100);
      assertEquals(exists(`${dir.state}/nutdrv_qx-qx`), false, "driver socket removed");
    } finally {
      if (upsmon) await stopTree(upsmon);
      if (upsd) await upsd.stop();
      if (driverPid !== undefined && alive(driverPid)) {
        try {
          Deno.kill(driverPid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await sim.stop();
      await dir.cleanup();
    }
  },
});
