/**
 * Our upsd as a real process (bin/upsd), driven over loopback: the spec's
 * worked examples replayed against scripted driver sockets, start-up
 * messages and exit codes, staleness, and the driver connection's life.
 */
import { assert, assertEquals, assertMatch, assertStringIncludes } from "../helpers/assert.ts";
import { DEBIAN, makeNutDir, Proc, run, waitFor } from "../helpers/nut.ts";
import { FakeDriver } from "../helpers/fake_driver.ts";
import { FAKE_DUMP, LineClient, startUpsd, USERS } from "./upsd_harness.ts";

const haveCmdvartab = (() => {
  try {
    return Deno.statSync(DEBIAN.cmdvartab).isFile;
  } catch {
    return false;
  }
})();

const SPEC_UPS = `[dummy]
  driver = dummy-ups
  port = dummy.dev
  desc = "Test \\"quoted\\" \\#UPS"
[fake]
  driver = fake
  port = none
  desc = "Fake python driver"
[Dummy2]
  driver = dummy-ups
  port = dummy.dev
`;

async function specServer() {
  const dir = await makeNutDir("upsd-spec-");
  const fake = new FakeDriver(`${dir.state}/fake-fake`, FAKE_DUMP);
  const dummy = new FakeDriver(`${dir.state}/dummy-ups-dummy`, [
    'SETINFO ups.status "OL"',
    "DATAOK",
  ]);
  const upsd = await startUpsd({
    dir,
    ups: SPEC_UPS,
    conf: haveCmdvartab ? "DATAPATH /usr/share/nut\n" : "",
  });
  const c = await LineClient.open(upsd.port);
  await waitFor(
    async () => (await c.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
    10000,
  );
  return {
    upsd,
    fake,
    dummy,
    c,
    async stop() {
      c.close();
      await upsd.stop();
      fake.close();
      dummy.close();
      await dir.cleanup();
    },
  };
}

async function transcript(c: LineClient, pairs: Array<[string, string]>): Promise<void> {
  for (const [request, reply] of pairs) assertEquals(await c.req(request), reply, `C: ${request}`);
}

Deno.test("upsd process: spec §5-§7 worked examples over TCP", async () => {
  const s = await specServer();
  try {
    const c = s.c;
    await transcript(c, [
      ["VER", "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/"],
      ["NETVER", "1.3"],
      ["STARTTLS", "ERR FEATURE-NOT-CONFIGURED"],
      ["GET VAR FAKE ups.id", 'VAR FAKE ups.id "Fake \\"one\\" \\\\ x"'],
      ["GET VAR fake no.such", "ERR VAR-NOT-SUPPORTED"],
      ["GET VAR nosuch ups.status", "ERR UNKNOWN-UPS"],
      ["GET VAR Dummy2 ups.status", "ERR DRIVER-NOT-CONNECTED"],
      ["GET VAR nosuch server.version", 'VAR nosuch server.version "2.8.0"'],
      ["GET TYPE fake input.transfer.low", "TYPE fake input.transfer.low RW ENUM NUMBER"],
      ["GET TYPE fake input.transfer.high", "TYPE fake input.transfer.high RW RANGE NUMBER"],
      ["GET TYPE fake ups.id", "TYPE fake ups.id RW STRING:12"],
      ["GET TYPE fake ups.contact", "TYPE fake ups.contact RW STRING:0"],
      ["GET TYPE fake ups.ro", "TYPE fake ups.ro NUMBER"],
      ["GET DESC fake nope.nope", 'DESC fake nope.nope "Description unavailable"'],
      ["GET UPSDESC dummy", 'UPSDESC dummy "Test \\"quoted\\" \\#UPS"'],
      ["GET UPSDESC Dummy2", 'UPSDESC Dummy2 "Unavailable"'],
      ["GET TRACKING", "OFF"],
      ["GET TRACKING abc", "ERR FEATURE-NOT-CONFIGURED"],
      [
        "LIST UPS",
        [
          "BEGIN LIST UPS",
          'UPS dummy "Test \\"quoted\\" \\#UPS"',
          'UPS fake "Fake python driver"',
          'UPS Dummy2 "Description unavailable"',
          "END LIST UPS",
        ].join("\n"),
      ],
      [
        "LIST VAR fake",
        [
          "BEGIN LIST VAR fake",
          'VAR fake battery.charge "95"',
          'VAR fake input.transfer.high "130"',
          'VAR fake input.transfer.low "100"',
          'VAR fake output.voltage "230.5"',
          'VAR fake ups.contact "nobody"',
          'VAR fake ups.id "Fake \\"one\\" \\\\ x"',
          'VAR fake Ups.MixedCase "mc"',
          'VAR fake ups.ro "readonly"',
          'VAR fake ups.status "OL"',
          "END LIST VAR fake",
        ].join("\n"),
      ],
      [
        "LIST RW fake",
        [
          "BEGIN LIST RW fake",
          'RW fake input.transfer.high "130"',
          'RW fake input.transfer.low "100"',
          'RW fake ups.contact "nobody"',
          'RW fake ups.id "Fake \\"one\\" \\\\ x"',
          "END LIST RW fake",
        ].join("\n"),
      ],
      [
        "LIST CMD fake",
        [
          "BEGIN LIST CMD fake",
          "CMD fake beeper.toggle",
          "CMD fake load.off",
          "CMD fake Load.On",
          "CMD fake test.battery.start",
          "END LIST CMD fake",
        ].join("\n"),
      ],
      [
        "LIST ENUM fake input.transfer.low",
        [
          "BEGIN LIST ENUM fake input.transfer.low",
          'ENUM fake input.transfer.low "100"',
          'ENUM fake input.transfer.low "103"',
          'ENUM fake input.transfer.low "a\\"b"',
          "END LIST ENUM fake input.transfer.low",
        ].join("\n"),
      ],
      [
        "LIST RANGE fake input.transfer.high",
        [
          "BEGIN LIST RANGE fake input.transfer.high",
          'RANGE fake input.transfer.high "120" "140"',
          'RANGE fake input.transfer.high "150" "160"',
          "END LIST RANGE fake input.transfer.high",
        ].join("\n"),
      ],
      ["LIST VAR Dummy2", "ERR DRIVER-NOT-CONNECTED"],
      ["LIST ENUM fake", "ERR INVALID-ARGUMENT"],
      ["LIST FOO", "ERR INVALID-ARGUMENT"],
    ]);
    if (haveCmdvartab) {
      await transcript(c, [
        ["GET DESC fake ups.status", 'DESC fake ups.status "UPS status"'],
        ["GET CMDDESC fake load.off", 'CMDDESC fake load.off "Turn off the load immediately"'],
      ]);
    }
  } finally {
    await s.stop();
  }
});

Deno.test("upsd process: tokenizer on the wire (pipelining, CRLF, comments, # in quotes)", async () => {
  const s = await specServer();
  try {
    const c = s.c;
    await c.send("VER\r\nNETVER\n\tGET\tVAR fake ups.status # comment\n");
    assertMatch((await c.line())!, /^Network UPS Tools upsd/);
    assertEquals(await c.line(), "1.3");
    assertEquals(await c.line(), 'VAR fake ups.status "OL"');
    // parse error: no reply at all; the next line is answered
    await c.send('GET VAR fake "a#b"\nNETVER\n');
    assertEquals(await c.line(), "1.3");
    // escapes, non-printables dropped, words over 512 chars cut
    await c.send("GET VAR fa\\ke ups.st\x01atus\n");
    assertEquals(await c.line(), 'VAR fake ups.status "OL"');
    assertEquals(await c.req("USERNAME a=b"), "ERR INVALID-ARGUMENT");
    assertEquals(await c.req(""), "ERR UNKNOWN-COMMAND");
    // a request split over many segments
    for (const ch of "GET VAR fake ups.status\n") await c.send(ch);
    assertEquals(await c.line(), 'VAR fake ups.status "OL"');
    // LOGOUT answers and closes
    await c.send("LOGOUT\n");
    assertEquals(await c.line(), "OK Goodbye");
    assertEquals(await c.line(), null);
  } finally {
    await s.stop();
  }
});

Deno.test("upsd process: sessions, FSD latch, SET/INSTCMD forwarding and tracking (spec §8-§10)", async () => {
  const s = await specServer();
  try {
    const mon = await LineClient.open(s.upsd.port);
    const mon2 = await LineClient.open(s.upsd.port);
    const admin = await LineClient.open(s.upsd.port);
    try {
      await transcript(mon, [
        ["FSD", "ERR USERNAME-REQUIRED"],
        ["USERNAME mon", "OK"],
        ["PASSWORD pass", "OK"],
        ["LOGIN FAKE", "OK"],
        ["LOGIN fake", "ERR ALREADY-LOGGED-IN"],
        ["MASTER fake", "OK MASTER-GRANTED"],
        ["PRIMARY FAKE", "OK PRIMARY-GRANTED"],
      ]);
      await transcript(mon2, [["USERNAME mon", "OK"], ["PASSWORD pass", "OK"], [
        "LOGIN fake",
        "OK",
      ]]);
      await transcript(mon, [
        ["GET NUMLOGINS fake", "NUMLOGINS fake 2"],
        [
          "LIST CLIENT FAKE",
          "BEGIN LIST CLIENT FAKE\nCLIENT fake 127.0.0.1\nCLIENT fake 127.0.0.1\nEND LIST CLIENT FAKE",
        ],
        ["FSD fake", "OK FSD-SET"],
        ["GET VAR fake ups.status", 'VAR fake ups.status "FSD OL"'],
      ]);
      mon2.close();
      await waitFor(async () => (await mon.req("GET NUMLOGINS fake")) === "NUMLOGINS fake 1", 5000);

      await transcript(admin, [
        ["USERNAME admin", "OK"],
        ["PASSWORD secret", "OK"],
        ['SET VAR fake ups.id "abc"', "OK"],
        ['SET VAR fake ups.id "a\\"b\\\\"', "OK"],
        ['SET VAR fake ups.id "0123456789012"', "ERR TOO-LONG"],
        ["SET VAR fake ups.ro x", "ERR READONLY"],
        ["SET VAR fake input.transfer.low 104", "ERR INVALID-VALUE"],
        ["SET VAR fake input.transfer.high 145", "ERR INVALID-VALUE"],
        ['SET VAR fake ups.contact "x"', "ERR SET-FAILED"],
        ["INSTCMD fake load.off", "OK"],
        ["INSTCMD fake LOAD.OFF", "OK"],
        ["INSTCMD fake nope.cmd", "ERR CMD-NOT-SUPPORTED"],
        ["INSTCMD fake load.off 10", "OK"],
        ["INSTCMD Dummy2 load.off", "ERR DRIVER-NOT-CONNECTED"],
        ["SET TRACKING on", "OK"],
        ["GET TRACKING", "ON"],
      ]);
      const r = await admin.req("INSTCMD fake test.battery.start");
      const m = /^OK TRACKING ([0-9A-F-]{36})$/.exec(r);
      assert(m, r);
      const id = m[1];
      assertEquals(await admin.req(`GET TRACKING ${id}`), "PENDING");
      await waitFor(
        () => s.fake.received.includes(`INSTCMD test.battery.start TRACKING ${id}`),
        5000,
      );
      s.fake.broadcast(`TRACKING ${id} 0`);
      await waitFor(
        async () => (await admin.req(`GET TRACKING ${id.toLowerCase()}`)) === "SUCCESS",
        5000,
      );
      const got = s.fake.received.filter((l) => l.startsWith("SET ") || l.startsWith("INSTCMD "));
      assertEquals(got, [
        'SET ups.id "abc"',
        'SET ups.id "a\\"b\\\\"',
        "INSTCMD load.off",
        "INSTCMD LOAD.OFF",
        'INSTCMD load.off "10"',
        `INSTCMD test.battery.start TRACKING ${id}`,
      ]);
      // the stored value changes only when the driver says so
      assertEquals(
        await admin.req("GET VAR fake ups.id"),
        'VAR fake ups.id "Fake \\"one\\" \\\\ x"',
      );
      s.fake.broadcast('SETINFO ups.id "abc"');
      await waitFor(
        async () => (await admin.req("GET VAR fake ups.id")) === 'VAR fake ups.id "abc"',
        5000,
      );
    } finally {
      mon.close();
      mon2.close();
      admin.close();
    }
    const log = s.upsd.proc.stderr;
    assertStringIncludes(log, "User mon@127.0.0.1 logged into UPS [fake]");
    assertStringIncludes(log, "Client mon@127.0.0.1 set FSD on UPS [fake]");
    assertStringIncludes(
      log,
      "Set variable: admin@127.0.0.1 set ups.id on fake to abc (tracking ID: disabled)",
    );
    assertStringIncludes(
      log,
      "Instant command: admin@127.0.0.1 did load.off with value 10 on fake",
    );
  } finally {
    await s.stop();
  }
});

Deno.test("upsd process: WAIT during the dump, DATASTALE/DATAOK, silence makes data stale", async () => {
  const dir = await makeNutDir("upsd-stale-");
  const d = new FakeDriver(`${dir.state}/fake-fake`, null);
  const upsd = await startUpsd({ dir, conf: "MAXAGE 3\n" });
  const c = await LineClient.open(upsd.port);
  try {
    await waitFor(() => d.received.includes("DUMPALL"), 10000, "DUMPALL");
    assertEquals(await c.req("GET VAR fake ups.status"), 'VAR fake ups.status "WAIT"');
    assertEquals(await c.req("GET VAR fake battery.charge"), "ERR VAR-NOT-SUPPORTED");
    d.broadcast('SETINFO ups.status "OL"', "DATASTALE", "DUMPDONE");
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === "ERR DATA-STALE",
      5000,
      "DATASTALE",
    );
    const count = (m: string) => upsd.proc.stderr.split(m).length - 1;
    const STALE = "Data for UPS [fake] is stale - check driver";
    const FRESH = "UPS [fake] data is no longer stale";
    await waitFor(() => count(STALE) === 1, 5000, "stale logged");
    d.broadcast("DATAOK");
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
      5000,
      "DATAOK",
    );
    await waitFor(() => count(FRESH) === 1, 5000, "fresh logged");
    // a driver that stops answering PING goes stale after MAXAGE+1 s of silence
    d.answerPing = false;
    const t0 = Date.now();
    await waitFor(
      async () => (await c.req("LIST VAR fake")) === "ERR DATA-STALE",
      12000,
      "stale",
      200,
    );
    const took = Date.now() - t0;
    assert(took >= 3000, `stale too early (${took} ms)`);
    assert(d.received.includes("PING"), "upsd should have sent PING");
    await waitFor(() => count(STALE) === 2, 5000, "stale logged again");
    d.answerPing = true;
    d.broadcast("PONG");
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
      5000,
      "PONG",
    );
    await waitFor(() => count(FRESH) === 2, 5000, "fresh logged again");
  } finally {
    c.close();
    await upsd.stop();
    d.close();
    await dir.cleanup();
  }
});

Deno.test("upsd process: driver goes away and comes back (data wiped, reconnect, FSD kept)", async () => {
  const dir = await makeNutDir("upsd-reconnect-");
  let d = new FakeDriver(`${dir.state}/fake-fake`, FAKE_DUMP);
  const upsd = await startUpsd({ dir });
  const c = await LineClient.open(upsd.port);
  try {
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
      10000,
    );
    await transcript(c, [["USERNAME mon", "OK"], ["PASSWORD pass", "OK"], ["LOGIN fake", "OK"], [
      "FSD fake",
      "OK FSD-SET",
    ]]);
    d.close();
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === "ERR DRIVER-NOT-CONNECTED",
      5000,
    );
    await transcript(c, [
      ["LIST CMD fake", "ERR DRIVER-NOT-CONNECTED"],
      ["GET UPSDESC fake", 'UPSDESC fake "Unavailable"'],
      ["LIST CLIENT fake", "BEGIN LIST CLIENT fake\nCLIENT fake 127.0.0.1\nEND LIST CLIENT fake"],
    ]);
    d = new FakeDriver(`${dir.state}/fake-fake`, ['SETINFO ups.status "OB"', "DATAOK"]);
    const t0 = Date.now();
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === 'VAR fake ups.status "FSD OB"',
      8000,
    );
    assert(Date.now() - t0 < 4000, "reconnect should take about 1-2 s");
    assertEquals(await c.req("GET VAR fake battery.charge"), "ERR VAR-NOT-SUPPORTED");
    assertStringIncludes(upsd.proc.stderr, "Connected to UPS [fake]: fake-fake");
  } finally {
    c.close();
    await upsd.stop();
    d.close();
    await dir.cleanup();
  }
});

Deno.test("upsd process: start-up messages, foreground, clean exit", async () => {
  const dir = await makeNutDir("upsd-start-");
  const upsd = await startUpsd({ dir, ups: SPEC_UPS });
  await waitFor(() => upsd.proc.stderr.includes("Running as foreground process"), 5000);
  const st = await upsd.stop();
  assertEquals(st.code, 0);
  assertEquals(upsd.proc.stdout, "Network UPS Tools upsd 2.8.0\n");
  const err = upsd.proc.stderr;
  const order = [
    `Could not find PID file '${dir.state}/upsd.pid' to see if previous upsd instance is already running!`,
    `listening on 127.0.0.1 port ${upsd.port}`,
    `${dir.state} is world readable`,
    `Can't connect to UPS [dummy] (dummy-ups-dummy): No such file or directory`,
    `Can't connect to UPS [Dummy2] (dummy-ups-Dummy2): No such file or directory`,
    "Running as foreground process, not saving a PID file",
    "Signal 15: exiting",
  ];
  let at = -1;
  for (const line of order) {
    const i = err.indexOf(line);
    assert(i > at, `expected in order: ${line}\n--- stderr:\n${err}`);
    at = i;
  }
  await dir.cleanup();
});

Deno.test("upsd process: fatal start-up errors and their exit codes", async () => {
  const dir = await makeNutDir("upsd-fatal-");
  const upsd = `${Deno.cwd()}/bin/upsd`;
  const env = {
    ...dir.env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/",
  };
  try {
    let r = await run(upsd, ["-F"], env);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, `stat ${dir.conf}/upsd.conf: No such file or directory`);

    const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    dir.write("upsd.conf", `LISTEN 127.0.0.1 ${(busy.addr as Deno.NetAddr).port}\nMAXAGE abc\n`);
    dir.write("ups.conf", "# nothing\n");
    dir.write("upsd.users", USERS);
    r = await run(upsd, ["-F"], env);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, `${dir.conf}/upsd.conf:2: MAXAGE has non numeric value (abc)!`);
    assertStringIncludes(r.stderr, "no listening interface available");
    busy.close();

    dir.write("upsd.conf", "LISTEN 127.0.0.1 0\n");
    r = await run(upsd, ["-F"], env);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "Warning: no UPS definitions in ups.conf");
    assertStringIncludes(r.stderr, "Fatal error: at least one UPS must be defined in ups.conf");

    r = await run(upsd, ["-p", "3493"], env);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, "'-i <address>' and '-p <port>' is deprecated");
    r = await run(upsd, ["-h"], env);
    assertEquals(r.code, 0);
    assertStringIncludes(r.stdout, "usage: upsd [OPTIONS]");
    r = await run(upsd, ["-V"], env);
    assertEquals([r.code, r.stdout], [0, "Network UPS Tools upsd 2.8.0\n"]);
    r = await run(upsd, ["-c", "reload"], env);
    assertEquals(r.code, 1);
    assertStringIncludes(r.stderr, `fopen ${dir.state}/upsd.pid: No such file or directory`);

    // ALLOW_NO_DEVICE (environment) lets it start with no UPS
    const p = new Proc(upsd, ["-F"], { ...env, ALLOW_NO_DEVICE: "true" });
    await waitFor(() => p.stderr.includes("Running as foreground process"), 15000, "start", 100);
    assertStringIncludes(p.stderr, "Normally at least one UPS must be defined in ups.conf");
    assertEquals((await p.stop()).code, 0);
  } finally {
    await dir.cleanup();
  }
});

Deno.test("upsd process: PID file, second instance refused, -c reload and -c stop", async () => {
  const dir = await makeNutDir("upsd-pid-");
  const bin = `${Deno.cwd()}/bin/upsd`;
  const upsd = await startUpsd({ dir, args: ["-FF"] });
  try {
    await waitFor(() => upsd.proc.stderr.includes("saving a PID file anyway"), 5000);
    const pidFile = `${dir.state}/upsd.pid`;
    // the launcher execs deno, so the PID in the file is the process we started
    await waitFor(() => Deno.readTextFileSync(pidFile) === `${upsd.proc.pid}\n`, 5000, "PID file");
    const second = await run(bin, ["-F"], upsd.env);
    assertEquals(second.code, 1);
    assertStringIncludes(
      second.stdout,
      "Fatal error: A previous upsd instance is already running!",
    );
    const rel = await run(bin, ["-c", "rel"], upsd.env);
    assertEquals(rel.code, 0, rel.stderr);
    await waitFor(() => upsd.proc.stderr.includes("SIGHUP: reloading configuration"), 5000);
    const stop = await run(bin, ["-c", "stop"], upsd.env);
    assertEquals(stop.code, 0, stop.stderr);
    const st = await upsd.proc.wait();
    assertEquals(st.code, 0);
    assertStringIncludes(upsd.proc.stderr, "Signal 15: exiting");
    let gone = false;
    try {
      Deno.statSync(pidFile);
    } catch {
      gone = true;
    }
    assert(gone, "PID file removed at exit");
  } finally {
    await upsd.stop();
    await dir.cleanup();
  }
});

Deno.test("upsd process: background start through the launcher, then -c stop", async () => {
  const dir = await makeNutDir("upsd-bg-");
  const d = new FakeDriver(`${dir.state}/fake-fake`, FAKE_DUMP);
  const bin = `${Deno.cwd()}/bin/upsd`;
  const port = (() => {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const p = (l.addr as Deno.NetAddr).port;
    l.close();
    return p;
  })();
  dir.write("ups.conf", "[fake]\n  driver = fake\n  port = x\n");
  dir.write("upsd.conf", `LISTEN 127.0.0.1 ${port}\n`, 0o640);
  dir.write("upsd.users", USERS, 0o640);
  const env = {
    ...dir.env,
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/",
  };
  const pidFile = `${dir.state}/upsd.pid`;
  try {
    const r = await run(bin, [], env); // returns once upsd is ready
    assertEquals(r.code, 0, r.stderr);
    const pid = Number(Deno.readTextFileSync(pidFile).trim());
    assert(pid > 1);
    const c = await LineClient.open(port);
    await waitFor(
      async () => (await c.req("GET VAR fake ups.status")) === 'VAR fake ups.status "OL"',
      10000,
    );
    c.close();
    const stop = await run(bin, ["-c", "stop"], env);
    assertEquals(stop.code, 0, stop.stderr);
    await waitFor(
      () => {
        try {
          Deno.statSync(pidFile);
          return false;
        } catch {
          return true;
        }
      },
      5000,
      "PID file removed",
    );
  } finally {
    d.close();
    try {
      Deno.kill(Number(Deno.readTextFileSync(pidFile).trim()), "SIGTERM");
    } catch {
      // already stopped
    }
    await dir.cleanup();
  }
});
