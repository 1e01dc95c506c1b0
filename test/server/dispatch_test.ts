import { assertEquals, assertMatch } from "../helpers/assert.ts";
import { splitLine } from "../../lib/conf/tokenizer.ts";
import type { Session } from "../../lib/server/session.ts";
import { FakeContext, req } from "./fake_context.ts";

/** Run `[request, reply]` pairs on one session; replies without their final LF, lines joined by LF. */
function transcript(ctx: FakeContext, s: Session, pairs: Array<[string, string]>): void {
  for (const [request, expected] of pairs) {
    assertEquals(req(ctx, s, request, splitLine).replace(/\n$/, ""), expected, `C: ${request}`);
  }
}

function login(ctx: FakeContext, user: string, pw: string): Session {
  const s = ctx.session();
  transcript(ctx, s, [[`USERNAME ${user}`, "OK"], [`PASSWORD ${pw}`, "OK"]]);
  return s;
}

Deno.test("VER, NETVER, PROTVER, HELP, STARTTLS, unknown commands", () => {
  const ctx = new FakeContext();
  transcript(ctx, ctx.session(), [
    ["VER", "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/"],
    ["ver extra", "ERR INVALID-ARGUMENT"],
    ["NETVER", "1.3"],
    ["PROTVER", "1.3"],
    ["NETVER x", "ERR INVALID-ARGUMENT"],
    ["HELP", "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS"],
    ["HELP me", "ERR INVALID-ARGUMENT"],
    ["STARTTLS", "ERR FEATURE-NOT-CONFIGURED"],
    ["STARTTLS x", "ERR FEATURE-NOT-CONFIGURED"],
    ["", "ERR UNKNOWN-COMMAND"],
    ["# only a comment", "ERR UNKNOWN-COMMAND"],
    ["FOO", "ERR UNKNOWN-COMMAND"],
    ["GET VAR u v # x", "ERR UNKNOWN-UPS"],
  ]);
});

Deno.test("GET: worked examples of spec §6", () => {
  const ctx = new FakeContext();
  transcript(ctx, ctx.session(), [
    ["GET VAR fake ups.status", 'VAR fake ups.status "OL"'],
    ["GET VAR FAKE ups.id", 'VAR FAKE ups.id "Fake \\"one\\" \\\\ x"'],
    ["GET VAR fake UPS.STATUS", 'VAR fake UPS.STATUS "OL"'],
    ["GET VAR fake no.such", "ERR VAR-NOT-SUPPORTED"],
    ["GET VAR nosuch ups.status", "ERR UNKNOWN-UPS"],
    ["GET VAR Dummy2 ups.status", "ERR DRIVER-NOT-CONNECTED"],
    [
      "GET VAR fake server.info",
      'VAR fake server.info "Network UPS Tools upsd 2.8.0 - http://www.networkupstools.org/"',
    ],
    ["GET VAR nosuch server.version", 'VAR nosuch server.version "2.8.0"'],
    ["GET VAR x server.foo", "ERR VAR-NOT-SUPPORTED"],
    ["GET VAR fake", "ERR INVALID-ARGUMENT"],
    ["GET VAR fake ups.status junk", 'VAR fake ups.status "OL"'],
    ["GET", "ERR INVALID-ARGUMENT"],
    ["GET FOO a b", "ERR INVALID-ARGUMENT"],
    ["GET TYPE fake input.transfer.low", "TYPE fake input.transfer.low RW ENUM NUMBER"],
    ["GET TYPE fake input.transfer.high", "TYPE fake input.transfer.high RW RANGE NUMBER"],
    ["GET TYPE fake ups.id", "TYPE fake ups.id RW STRING:12"],
    ["GET TYPE fake ups.contact", "TYPE fake ups.contact RW STRING:0"],
    ["GET TYPE fake ups.ro", "TYPE fake ups.ro NUMBER"],
    ["GET TYPE fake nope", "ERR VAR-NOT-SUPPORTED"],
    ["GET DESC fake ups.status", 'DESC fake ups.status "UPS status"'],
    ["GET DESC fake nope.nope", 'DESC fake nope.nope "Description unavailable"'],
    ["GET DESC Dummy2 ups.status", "ERR DRIVER-NOT-CONNECTED"],
    ["GET CMDDESC fake load.off", 'CMDDESC fake load.off "Turn off the load immediately"'],
    ["GET CMDDESC fake nope", 'CMDDESC fake nope "Description unavailable"'],
    ["GET UPSDESC dummy", 'UPSDESC dummy "Test \\"quoted\\" \\#UPS"'],
    ["GET UPSDESC Dummy2", 'UPSDESC Dummy2 "Unavailable"'],
    ["GET UPSDESC nosuch", "ERR UNKNOWN-UPS"],
    ["GET UPSDESC", "ERR INVALID-ARGUMENT"],
    ["GET NUMLOGINS fake", "NUMLOGINS fake 0"],
    ["GET NUMLOGINS Dummy2", "ERR DRIVER-NOT-CONNECTED"],
    ["GET NUMLOGINS", "ERR INVALID-ARGUMENT"],
    ["GET TRACKING", "OFF"],
    ["GET TRACKING abc", "ERR FEATURE-NOT-CONFIGURED"],
    ["GET TRACKING a b", "ERR INVALID-ARGUMENT"],
  ]);
});

Deno.test("AVAIL order: unknown, then not connected, then stale", () => {
  const ctx = new FakeContext();
  ctx.links.fake.stale = true;
  const s = ctx.session();
  transcript(ctx, s, [
    ["GET VAR fake ups.status", "ERR DATA-STALE"],
    ["LIST VAR fake", "ERR DATA-STALE"],
    ["GET UPSDESC fake", 'UPSDESC fake "Fake python driver"'],
    ["GET VAR fake server.version", 'VAR fake server.version "2.8.0"'],
  ]);
  ctx.links.fake.connected = false;
  transcript(ctx, s, [["GET VAR fake ups.status", "ERR DRIVER-NOT-CONNECTED"]]);
});

Deno.test("LIST: worked examples of spec §7", () => {
  const ctx = new FakeContext();
  const s = ctx.session();
  transcript(ctx, s, [
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
      "list ups extra",
      "BEGIN LIST UPS\n" + req(ctx, s, "LIST UPS", splitLine).split("\n").slice(1, -1).join("\n"),
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
      "list cmd FAKE",
      [
        "BEGIN LIST CMD FAKE",
        "CMD FAKE beeper.toggle",
        "CMD FAKE load.off",
        "CMD FAKE Load.On",
        "CMD FAKE test.battery.start",
        "END LIST CMD FAKE",
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
    ["LIST ENUM fake ups.status", "BEGIN LIST ENUM fake ups.status\nEND LIST ENUM fake ups.status"],
    ["LIST CLIENT fake", "BEGIN LIST CLIENT fake\nEND LIST CLIENT fake"],
    ["LIST VAR nosuch", "ERR UNKNOWN-UPS"],
    ["LIST VAR Dummy2", "ERR DRIVER-NOT-CONNECTED"],
    ["LIST ENUM fake no.such", "ERR VAR-NOT-SUPPORTED"],
    ["LIST ENUM fake", "ERR INVALID-ARGUMENT"],
    ["LIST CLIENT", "ERR INVALID-ARGUMENT"],
    ["LIST CLIENT nosuch", "ERR UNKNOWN-UPS"],
    ["LIST CLIENT Dummy2", "BEGIN LIST CLIENT Dummy2\nEND LIST CLIENT Dummy2"],
    ["LIST FOO", "ERR INVALID-ARGUMENT"],
    ["LIST FOO a b", "ERR INVALID-ARGUMENT"],
    ["LIST", "ERR INVALID-ARGUMENT"],
  ]);
});

Deno.test("LIST VAR is cached per spelling and invalidated on change", () => {
  const ctx = new FakeContext();
  const s = ctx.session();
  const first = req(ctx, s, "LIST VAR fake", splitLine);
  assertEquals(req(ctx, s, "LIST VAR fake", splitLine), first);
  assertMatch(req(ctx, s, "LIST VAR Fake", splitLine), /^BEGIN LIST VAR Fake\nVAR Fake battery/);
  ctx.links.fake.tree.set("battery.charge", "50");
  const fakeUps = ctx.findUps("fake")!;
  fakeUps.invalidate(); // the driver link does this on every change
  assertMatch(req(ctx, s, "LIST VAR fake", splitLine), /VAR fake battery.charge "50"/);
});

Deno.test("values: escaping and the 255-character cap", () => {
  const ctx = new FakeContext();
  const t = ctx.links.fake.tree;
  t.set("long.value", "x".repeat(300));
  t.set("long.escaped", "y".repeat(254) + '"z');
  const s = ctx.session();
  assertEquals(
    req(ctx, s, "GET VAR fake long.value", splitLine),
    `VAR fake long.value "${"x".repeat(255)}"\n`,
  );
  // a cut inside an escape drops the lone backslash so the closing quote stays a quote
  assertEquals(
    req(ctx, s, "GET VAR fake long.escaped", splitLine),
    `VAR fake long.escaped "${"y".repeat(254)}"\n`,
  );
});

Deno.test("USERNAME / PASSWORD: no validation, one each", () => {
  const ctx = new FakeContext();
  transcript(ctx, ctx.session(), [
    ["USERNAME", "ERR INVALID-ARGUMENT"],
    ["USERNAME a b", "ERR INVALID-ARGUMENT"],
    ["USERNAME a=b", "ERR INVALID-ARGUMENT"],
    ["USERNAME nobody", "OK"],
    ["USERNAME admin", "ERR ALREADY-SET-USERNAME"],
    ["PASSWORD wrong", "OK"],
    ["PASSWORD secret", "ERR ALREADY-SET-PASSWORD"],
    ["INSTCMD fake load.off", "ERR ACCESS-DENIED"],
  ]);
  transcript(ctx, ctx.session(), [['USERNAME "a=b"', "OK"]]);
});

Deno.test("auth is checked before arguments", () => {
  const ctx = new FakeContext();
  const s = ctx.session();
  transcript(ctx, s, [
    ["FSD", "ERR USERNAME-REQUIRED"],
    ["LOGIN", "ERR USERNAME-REQUIRED"],
    ["SET", "ERR USERNAME-REQUIRED"],
    ["INSTCMD", "ERR USERNAME-REQUIRED"],
    ["PRIMARY x", "ERR USERNAME-REQUIRED"],
    ["USERNAME mon", "OK"],
    ["MASTER", "ERR PASSWORD-REQUIRED"],
    ["SET TRACKING ON", "ERR PASSWORD-REQUIRED"],
  ]);
});

Deno.test("LOGIN, PRIMARY/MASTER, FSD and the latch (spec §8)", () => {
  const ctx = new FakeContext();
  const other = login(ctx, "mon", "pass");
  transcript(ctx, other, [["LOGIN fake", "OK"]]);
  const s = login(ctx, "mon", "pass");
  transcript(ctx, s, [
    ["LOGIN", "ERR INVALID-ARGUMENT"],
    ["LOGIN nosuch", "ERR UNKNOWN-UPS"],
    ["LOGIN FAKE", "OK"],
    ["LOGIN fake", "ERR ALREADY-LOGGED-IN"],
    ["GET NUMLOGINS fake", "NUMLOGINS fake 2"],
    [
      "LIST CLIENT FAKE",
      "BEGIN LIST CLIENT FAKE\nCLIENT fake 127.0.0.1\nCLIENT fake 127.0.0.1\nEND LIST CLIENT FAKE",
    ],
    ["MASTER fake", "OK MASTER-GRANTED"],
    ["PRIMARY FAKE", "OK PRIMARY-GRANTED"],
    ["MASTER nosuch", "ERR UNKNOWN-UPS"],
    ["MASTER", "ERR INVALID-ARGUMENT"],
    ["PRIMARY Dummy2", "OK PRIMARY-GRANTED"],
    ["GET VAR fake ups.status", 'VAR fake ups.status "OL"'],
    ["FSD fake", "OK FSD-SET"],
    ["FSD fake", "OK FSD-SET"],
    ["GET VAR fake ups.status", 'VAR fake ups.status "FSD OL"'],
    ["FSD nosuch", "ERR UNKNOWN-UPS"],
    ["FSD Dummy2", "OK FSD-SET"],
    ["SET VAR fake ups.id y", "ERR ACCESS-DENIED"],
    ["INSTCMD fake load.off", "ERR ACCESS-DENIED"],
  ]);
  assertMatch(req(ctx, s, "LIST VAR fake", splitLine), /VAR fake ups.status "FSD OL"/);
  assertMatch(req(ctx, s, "LIST RW fake", splitLine), /^BEGIN LIST RW fake\n/);
  assertEquals(ctx.logs.filter((l) => l.includes("set FSD")), [
    "Client mon@127.0.0.1 set FSD on UPS [fake]",
    "Client mon@127.0.0.1 set FSD on UPS [fake]",
    "Client mon@127.0.0.1 set FSD on UPS [Dummy2]",
  ]);
  const sec = login(ctx, "sec", "s");
  transcript(ctx, sec, [
    ["PRIMARY fake", "ERR ACCESS-DENIED"],
    ["FSD fake", "ERR ACCESS-DENIED"],
    ["LOGIN fake", "OK"],
  ]);
  const admin = login(ctx, "admin", "secret");
  transcript(ctx, admin, [["LOGIN fake", "ERR ACCESS-DENIED"], [
    "PRIMARY fake",
    "ERR ACCESS-DENIED",
  ]]);
  const wrong = login(ctx, "mon", "nope");
  transcript(ctx, wrong, [["LOGIN fake", "ERR ACCESS-DENIED"]]);
});

Deno.test("LOGOUT", () => {
  const ctx = new FakeContext();
  const s = ctx.session();
  transcript(ctx, s, [["LOGOUT x", "ERR INVALID-ARGUMENT"]]);
  assertEquals(s.closing, false);
  transcript(ctx, s, [["LOGOUT", "OK Goodbye"]]);
  assertEquals(s.closing, true);
});

Deno.test("SET VAR: check order and errors (spec §9.1)", () => {
  const ctx = new FakeContext();
  const s = login(ctx, "admin", "secret");
  const sent = ctx.links.fake.sent;
  transcript(ctx, s, [
    ['SET VAR fake ups.id "abc"', "OK"],
    ['SET VAR fake ups.id "0123456789012"', "ERR TOO-LONG"],
    ["SET VAR fake ups.ro x", "ERR READONLY"],
    ["SET VAR fake no.such x", "ERR VAR-NOT-SUPPORTED"],
    ["SET VAR fake input.transfer.low 104", "ERR INVALID-VALUE"],
    ["SET VAR fake input.transfer.low 103", "OK"],
    ['SET VAR fake input.transfer.low "a\\"b"', "OK"],
    ["SET VAR fake input.transfer.high 145", "ERR INVALID-VALUE"],
    ["SET VAR fake input.transfer.high 155abc", "OK"],
    ['SET VAR fake ups.contact "x"', "ERR SET-FAILED"],
    ["SET VAR fake ups.id", "ERR INVALID-ARGUMENT"],
    ["SET FOO bar", "ERR INVALID-ARGUMENT"],
    ["SET VAR", "ERR INVALID-ARGUMENT"],
    ["SET", "ERR INVALID-ARGUMENT"],
    ["SET VAR nosuch v x", "ERR UNKNOWN-UPS"],
    ["SET VAR Dummy2 v x", "ERR DRIVER-NOT-CONNECTED"],
    ['SET VAR fake ups.id "a\\"b\\\\"', "OK"],
    ["SET VAR fake UPS.ID a b", "OK"],
  ]);
  assertEquals(sent, [
    'SET ups.id "abc"\n',
    'SET input.transfer.low "103"\n',
    'SET input.transfer.low "a\\"b"\n',
    'SET input.transfer.high "155abc"\n',
    'SET ups.id "a\\"b\\\\"\n',
    'SET UPS.ID "a"\n',
  ]);
  assertEquals(
    ctx.logs[0],
    "Set variable: admin@127.0.0.1 set ups.id on fake to abc (tracking ID: disabled)",
  );
  assertEquals(ctx.logs.includes("UPS [fake]: auxdata for ups.contact is invalid"), true);
  // stale data is refused before permissions are looked at
  ctx.links.fake.stale = true;
  transcript(ctx, login(ctx, "mon", "pass"), [["SET VAR fake ups.id y", "ERR DATA-STALE"]]);
  ctx.links.fake.stale = false;
  transcript(ctx, login(ctx, "mon", "pass"), [["SET VAR fake ups.id y", "ERR ACCESS-DENIED"]]);
  transcript(ctx, login(ctx, "nopw", "x"), [["SET VAR fake ups.id y", "ERR ACCESS-DENIED"]]);
  // a failed write to the driver
  ctx.links.fake.failWrites = true;
  transcript(ctx, s, [["SET VAR fake ups.id q", "ERR SET-FAILED"], [
    "INSTCMD fake load.off",
    "ERR INSTCMD-FAILED",
  ]]);
});

Deno.test("INSTCMD: check order, parameter, forwarding (spec §9.2)", () => {
  const ctx = new FakeContext();
  const s = login(ctx, "admin", "secret");
  transcript(ctx, s, [
    ["INSTCMD fake load.off", "OK"],
    ["INSTCMD fake LOAD.OFF", "OK"],
    ["INSTCMD fake nope.cmd", "ERR CMD-NOT-SUPPORTED"],
    ["INSTCMD fake load.off 10", "OK"],
    ["INSTCMD fake load.off 10 extra", "OK"],
    ['INSTCMD fake load.off "a b"', "OK"],
    ['INSTCMD fake load.off ""', "OK"],
    ["INSTCMD fake", "ERR INVALID-ARGUMENT"],
    ["INSTCMD nosuch load.off", "ERR UNKNOWN-UPS"],
    ["INSTCMD Dummy2 load.off", "ERR DRIVER-NOT-CONNECTED"],
  ]);
  assertEquals(ctx.links.fake.sent, [
    "INSTCMD load.off\n",
    "INSTCMD LOAD.OFF\n",
    'INSTCMD load.off "10"\n',
    "INSTCMD load.off\n",
    'INSTCMD load.off "a b"\n',
    "INSTCMD load.off\n",
  ]);
  assertEquals(
    ctx.logs[2],
    "Instant command: admin@127.0.0.1 did load.off with value 10 on fake (tracking ID: disabled)",
  );
  const tester = login(ctx, "tester", "t");
  transcript(ctx, tester, [
    ["INSTCMD fake test.battery.start", "OK"],
    ["INSTCMD fake BEEPER.TOGGLE", "OK"],
    ["INSTCMD fake load.off", "ERR ACCESS-DENIED"],
    // existence is checked before permission
    ["INSTCMD fake nope.cmd", "ERR CMD-NOT-SUPPORTED"],
  ]);
});

Deno.test("TRACKING (spec §10)", () => {
  const ctx = new FakeContext();
  const s = login(ctx, "admin", "secret");
  transcript(ctx, s, [
    ["SET TRACKING", "ERR INVALID-ARGUMENT"],
    ["SET TRACKING maybe", "ERR INVALID-ARGUMENT"],
    ["SET TRACKING on", "OK"],
    ["GET TRACKING", "ON"],
  ]);
  const r1 = req(ctx, s, "INSTCMD fake test.battery.start", splitLine);
  const r2 = req(ctx, s, "INSTCMD fake beeper.toggle", splitLine);
  const r3 = req(ctx, s, 'SET VAR fake ups.id "zz"', splitLine);
  const uuid =
    /^OK TRACKING ([0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12})\n$/;
  const [id1, id2, id3] = [r1, r2, r3].map((r) => {
    assertMatch(r, uuid);
    return uuid.exec(r)![1];
  });
  assertEquals(ctx.links.fake.sent, [
    `INSTCMD test.battery.start TRACKING ${id1}\n`,
    `INSTCMD beeper.toggle TRACKING ${id2}\n`,
    `SET ups.id "zz" TRACKING ${id3}\n`,
  ]);
  transcript(ctx, s, [[`GET TRACKING ${id1}`, "PENDING"]]);
  ctx.tracking.resolve(id1, 0);
  ctx.tracking.resolve(id2.toLowerCase(), 2);
  ctx.tracking.resolve(id3, 3);
  transcript(ctx, s, [
    [`GET TRACKING ${id1}`, "SUCCESS"],
    [`GET TRACKING ${id2}`, "ERR INVALID-ARGUMENT"],
    [`get tracking ${id1.toLowerCase()}`, "SUCCESS"],
    [`GET TRACKING ${id3}`, "ERR FAILED"],
    ["GET TRACKING 00000000-0000-0000-0000-000000000000", "ERR UNKNOWN"],
  ]);
  // another tracking-enabled connection may query any ID; a non-tracking one may not
  const other = login(ctx, "mon", "pass");
  transcript(ctx, other, [[`GET TRACKING ${id1}`, "ERR FEATURE-NOT-CONFIGURED"], [
    "SET TRACKING ON",
    "OK",
  ], [
    `GET TRACKING ${id1}`,
    "SUCCESS",
  ]]);
  transcript(ctx, s, [["SET TRACKING OFF", "OK"], ["INSTCMD fake test.battery.start", "OK"]]);
  // purge after TRACKINGDELAY
  ctx.tracking.purge(ctx.t + 3601_000, 3600);
  transcript(ctx, other, [[`GET TRACKING ${id1}`, "ERR UNKNOWN"]]);
});

Deno.test("GET VAR is cached per spelling and invalidated on change", () => {
  const ctx = new FakeContext();
  const s = ctx.session();
  assertEquals(req(ctx, s, "GET VAR fake ups.status", splitLine), 'VAR fake ups.status "OL"\n');
  assertEquals(req(ctx, s, "GET VAR FAKE UPS.Status", splitLine), 'VAR FAKE UPS.Status "OL"\n');
  const fakeUps = ctx.findUps("fake")!;
  ctx.links.fake.tree.set("ups.status", "OB");
  fakeUps.invalidate(); // the driver link does this on every change
  assertEquals(req(ctx, s, "GET VAR fake ups.status", splitLine), 'VAR fake ups.status "OB"\n');
  ctx.links.fake.stale = true; // checked before the cache
  assertEquals(req(ctx, s, "GET VAR fake ups.status", splitLine), "ERR DATA-STALE\n");
  ctx.links.fake.stale = false;
  fakeUps.fsd = true;
  fakeUps.invalidate();
  assertEquals(req(ctx, s, "GET VAR fake ups.status", splitLine), 'VAR fake ups.status "FSD OB"\n');
  assertEquals(req(ctx, s, "GET VAR fake no.such", splitLine), "ERR VAR-NOT-SUPPORTED\n");
});
