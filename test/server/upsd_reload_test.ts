/**
 * Reload (SIGHUP and `upsd -c reload`): a broken or missing file keeps the
 * running configuration; a good one applies to existing connections; UPSes
 * come and go.
 */
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { makeNutDir, run, waitFor } from "../helpers/nut.ts";
import { FakeDriver } from "../helpers/fake_driver.ts";
import { FAKE_DUMP, LineClient, startUpsd, USERS } from "./upsd_harness.ts";

Deno.test("reload: broken or missing upsd.users keeps the old users; a good one applies", async () => {
  const dir = await makeNutDir("upsd-reload-");
  const d = new FakeDriver(`${dir.state}/fake-fake`, FAKE_DUMP);
  const upsd = await startUpsd({ dir, args: ["-FF"] });
  const admin = await LineClient.open(upsd.port);
  const reloads = () => upsd.proc.stderr.split("SIGHUP: reloading configuration").length - 1;
  const failures = () => upsd.proc.stderr.split("Reload failed").length - 1;
  try {
    await waitFor(
      async () => (await admin.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
      10000,
    );
    assertEquals(await admin.req("USERNAME admin"), "OK");
    assertEquals(await admin.req("PASSWORD secret"), "OK");
    assertEquals(await admin.req("INSTCMD fake load.off"), "OK");

    // 1. syntax error and an unknown setting, by SIGHUP
    dir.write(
      "upsd.users",
      '[admin]\n  password = secret\n  colour = blue\n  actions = "SET#"\n',
      0o640,
    );
    Deno.kill(upsd.proc.pid, "SIGHUP");
    await waitFor(() => failures() === 1, 5000, "reload refused");
    assertStringIncludes(
      upsd.proc.stderr,
      `${dir.conf}/upsd.users:3: Unrecognized user setting colour`,
    );
    assertStringIncludes(
      upsd.proc.stderr,
      `${dir.conf}/upsd.users:4: Unbalanced word due to unescaped # in quotes`,
    );
    assertEquals(await admin.req("INSTCMD fake load.off"), "OK");

    // 2. missing file, by upsd -c reload
    Deno.removeSync(`${dir.conf}/upsd.users`);
    const r = await run(`${Deno.cwd()}/bin/upsd`, ["-c", "reload"], upsd.env);
    assertEquals(r.code, 0, r.stderr);
    await waitFor(() => failures() === 2, 5000, "reload refused again");
    assertStringIncludes(
      upsd.proc.stderr,
      `stat ${dir.conf}/upsd.users: No such file or directory`,
    );
    assertEquals(await admin.req("INSTCMD fake load.off"), "OK");
    assertEquals(reloads(), 2);

    // 3. a broken upsd.conf also keeps everything
    dir.write("upsd.users", USERS.replace("instcmds = ALL", "instcmds = beeper.toggle"), 0o640);
    dir.write("upsd.conf", `LISTEN 127.0.0.1 ${upsd.port}\nMAXAGE soon\n`, 0o640);
    Deno.kill(upsd.proc.pid, "SIGHUP");
    await waitFor(() => failures() === 3, 5000, "reload refused (upsd.conf)");
    assertStringIncludes(
      upsd.proc.stderr,
      `${dir.conf}/upsd.conf:2: MAXAGE has non numeric value (soon)!`,
    );
    assertEquals(await admin.req("INSTCMD fake load.off"), "OK");

    // 4. good files: new rights apply to the open connection at its next command
    dir.write("upsd.conf", `LISTEN 127.0.0.1 ${upsd.port}\n`, 0o640);
    Deno.kill(upsd.proc.pid, "SIGHUP");
    await waitFor(() => reloads() === 4, 5000, "reload");
    await waitFor(
      async () => (await admin.req("INSTCMD fake load.off")) === "ERR ACCESS-DENIED",
      5000,
    );
    assertEquals(await admin.req("INSTCMD fake beeper.toggle"), "OK");
    assertEquals(failures(), 3);
  } finally {
    admin.close();
    await upsd.stop();
    d.close();
    await dir.cleanup();
  }
});

Deno.test("reload: UPSes added (listed first), removed (logged-in clients dropped), FSD latch kept", async () => {
  const dir = await makeNutDir("upsd-reload-ups-");
  const fake = new FakeDriver(`${dir.state}/fake-fake`, FAKE_DUMP);
  const other = new FakeDriver(`${dir.state}/fake-other`, ['SETINFO ups.status "OB"', "DATAOK"]);
  const keep = new FakeDriver(`${dir.state}/fake-keep`, ['SETINFO ups.status "OL"', "DATAOK"]);
  const upsd = await startUpsd({
    dir,
    ups: "[fake]\n  driver = fake\n  port = x\n[keep]\n  driver = fake\n  port = x\n",
  });
  const mon = await LineClient.open(upsd.port);
  const c = await LineClient.open(upsd.port);
  try {
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
      10000,
    );
    for (const l of ["USERNAME mon", "PASSWORD pass", "LOGIN fake", "FSD keep"]) await mon.req(l);
    await waitFor(
      async () => (await c.req("GET VAR keep ups.status")) === 'VAR keep ups.status "FSD OL"',
      5000,
    );
    dir.write(
      "ups.conf",
      '[keep]\n  driver = fake\n  port = x\n  desc = "kept"\n[other]\n  driver = fake\n  port = x\n',
    );
    Deno.kill(upsd.proc.pid, "SIGHUP");
    await waitFor(() => upsd.proc.stderr.includes("Deleting UPS [fake]"), 5000, "delete");
    assertEquals(await mon.line(), null); // the client logged in to [fake] was disconnected
    assertEquals(
      await c.req("LIST UPS"),
      'BEGIN LIST UPS\nUPS other "Description unavailable"\nUPS keep "kept"\nEND LIST UPS',
    );
    assertEquals(await c.req("GET VAR fake ups.status"), "ERR UNKNOWN-UPS");
    await waitFor(
      async () => (await c.req("GET VAR other ups.status")) === 'VAR other ups.status "OB"',
      5000,
    );
    assertEquals(await c.req("GET UPSDESC keep"), 'UPSDESC keep "kept"');
    assertEquals(await c.req("GET VAR keep server.version"), 'VAR keep server.version "2.8.0"');
    // the FSD latch survives the reload
    assertEquals(await c.req("GET VAR keep ups.status"), 'VAR keep ups.status "FSD OL"');
  } finally {
    mon.close();
    c.close();
    await upsd.stop();
    fake.close();
    other.close();
    keep.close();
    await dir.cleanup();
  }
});
