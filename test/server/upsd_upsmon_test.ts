/**
 * Debian's upsmon (primary) against our upsd: it logs in, follows status
 * changes, and on OB LB sets FSD through upsd and runs its (harmless)
 * SHUTDOWNCMD. upsmon 2.8.0 keeps its PID file in /run/nut whatever the
 * environment says, so it runs in a private mount namespace with its own
 * empty /run (needs root and unshare; skipped otherwise).
 */
import { assertStringIncludes } from "../helpers/assert.ts";
import {
  DEBIAN,
  haveDebianNut,
  makeNutDir,
  NO_DEBIAN_NUT,
  Proc,
  run,
  waitFor,
} from "../helpers/nut.ts";
import { FakeDriver } from "../helpers/fake_driver.ts";
import { LineClient, startUpsd } from "./upsd_harness.ts";

const canUnshare = haveDebianNut && Deno.uid() === 0 &&
  (await run("unshare", ["--mount", "--propagation", "private", "--", "true"]).catch(() => ({
      code: 1,
    })
    )).code === 0;
if (!haveDebianNut) console.log(NO_DEBIAN_NUT);
else if (!canUnshare) console.log("upsmon interop skipped: needs root and unshare --mount");

Deno.test({
  name: "interop: Debian upsmon as primary against our upsd (login, ONBATT, FSD, shutdown)",
  ignore: !canUnshare,
  async fn() {
    const dir = await makeNutDir("upsd-upsmon-");
    const d = new FakeDriver(`${dir.state}/fake-fake`, ['SETINFO ups.status "OL"', "DATAOK"]);
    const upsd = await startUpsd({ dir });
    const notify = `${dir.root}/notify.log`;
    const marker = `${dir.root}/shutdown-ran`;
    dir.write("notify.sh", `#!/bin/sh\necho "$NOTIFYTYPE $UPSNAME" >> ${notify}\n`, 0o755);
    dir.write(
      "upsmon.conf",
      [
        `MONITOR fake@127.0.0.1:${upsd.port} 1 mon pass primary`,
        "MINSUPPLIES 1",
        `SHUTDOWNCMD "touch ${marker}"`,
        `NOTIFYCMD ${dir.conf}/notify.sh`,
        "NOTIFYFLAG ONLINE EXEC",
        "NOTIFYFLAG ONBATT EXEC",
        "NOTIFYFLAG LOWBATT EXEC",
        "NOTIFYFLAG FSD EXEC",
        "POLLFREQ 1",
        "POLLFREQALERT 1",
        "DEADTIME 5",
        "HOSTSYNC 1",
        "FINALDELAY 0",
        `POWERDOWNFLAG ${dir.root}/killpower`,
        "",
      ].join("\n"),
      0o640,
    );
    const mon = new Proc("unshare", [
      "--mount",
      "--propagation",
      "private",
      "--",
      "sh",
      "-c",
      `mount -t tmpfs tmpfs /run && exec ${DEBIAN.upsmon} -F -p`,
    ], upsd.env);
    const c = await LineClient.open(upsd.port);
    try {
      await waitFor(
        async () => (await c.req("GET NUMLOGINS fake")) === "NUMLOGINS fake 1",
        15000,
        "upsmon login",
        200,
      );
      assertStringIncludes(await c.req("LIST CLIENT fake"), "CLIENT fake 127.0.0.1");
      d.broadcast('SETINFO ups.status "OB"');
      await waitFor(() => readOr(notify).includes("ONBATT fake"), 10000, "ONBATT", 200);
      d.broadcast('SETINFO ups.status "OB LB"');
      await waitFor(
        () => upsd.proc.stderr.includes("Client mon@127.0.0.1 set FSD on UPS [fake]"),
        15000,
        "FSD",
        200,
      );
      await waitFor(() => exists(marker), 15000, "SHUTDOWNCMD", 200);
      assertStringIncludes(await c.req("GET VAR fake ups.status"), '"FSD OB LB"');
    } finally {
      c.close();
      await mon.stop();
      await upsd.stop();
      d.close();
      await dir.cleanup();
    }
  },
});

function readOr(p: string): string {
  try {
    return Deno.readTextFileSync(p);
  } catch {
    return "";
  }
}

function exists(p: string): boolean {
  try {
    Deno.statSync(p);
    return true;
  } catch {
    return false;
  }
}
