import { NutClient, NutClientError, NutError } from "../../lib/client/mod.ts";
import { assert, assertEquals, assertRejects } from "../helpers/assert.ts";
import { type FakeHandler, scriptedUpsd, startFakeUpsd } from "../helpers/fake_upsd.ts";
import { freePort, waitFor } from "../helpers/nut.ts";
import { makeTestCerts } from "../helpers/tls.ts";

const UPS = {
  dummy: {
    desc: 'Test "quoted" #UPS',
    vars: {
      "battery.charge": { value: "100" },
      "ups.id": { value: 'Fake "one" \\ x', type: "RW STRING:12" },
      "ups.status": { value: "OL" },
    },
    cmds: { "load.off": "Turn off the load immediately", "beeper.toggle": undefined },
    clients: ["127.0.0.1", "::1"],
  },
};

async function withServer(
  handler: FakeHandler,
  fn: (port: number, lines: string[]) => Promise<void>,
): Promise<string[]> {
  const srv = await startFakeUpsd(handler);
  try {
    await fn(srv.port, srv.lines);
    // a LOGOUT is written just before the client hangs up: let the server read it
    if (srv.lines.length) await waitFor(() => srv.conns.every((c) => c.closed), 2000, "hang-ups");
  } finally {
    await srv.close();
  }
  return srv.lines;
}

const isNutError = (token: string, text: string) => (e: unknown) =>
  e instanceof NutError && e.token === token && e.message === text;
const isClientError = (kind: string, text: string) => (e: unknown) =>
  e instanceof NutClientError && e.kind === kind && e.message === text;

Deno.test("NutClient: typed GET/LIST helpers decode quoting; STARTTLS refusal falls back to plain text", async () => {
  const lines = await withServer(scriptedUpsd(UPS), async (port) => {
    const c = await NutClient.connect("127.0.0.1", port);
    assertEquals(c.tls, false);
    assertEquals(await c.getVar("dummy", "ups.status"), "OL");
    assertEquals(await c.getVar("DUMMY", "ups.id"), 'Fake "one" \\ x');
    assertEquals(await c.getType("dummy", "ups.id"), ["RW", "STRING:12"]);
    assertEquals(await c.listUps(), [{ name: "dummy", desc: 'Test "quoted" #UPS' }]);
    assertEquals(await c.listVar("dummy"), [
      { name: "battery.charge", value: "100" },
      { name: "ups.id", value: 'Fake "one" \\ x' },
      { name: "ups.status", value: "OL" },
    ]);
    assertEquals(await c.listCmd("dummy"), ["load.off", "beeper.toggle"]);
    assertEquals(await c.getCmdDesc("dummy", "load.off"), "Turn off the load immediately");
    assertEquals(await c.listClient("dummy"), ["127.0.0.1", "::1"]);
    assertEquals(await c.list(["VAR", "dummy"]), [
      ["VAR", "dummy", "battery.charge", "100"],
      ["VAR", "dummy", "ups.id", 'Fake "one" \\ x'],
      ["VAR", "dummy", "ups.status", "OL"],
    ]);
    await c.logout();
    assertEquals(c.connected, false);
  });
  // one request per line, STARTTLS first, LOGOUT last
  assertEquals(lines[0], "STARTTLS");
  assertEquals(lines[1], "GET VAR dummy ups.status");
  assertEquals(lines.at(-1), "LOGOUT");
});

Deno.test("NutClient: ERR replies become NutError with NUT's text", async () => {
  await withServer(scriptedUpsd(UPS), async (port) => {
    const c = await NutClient.connect("127.0.0.1", port, { tryTls: false });
    await assertRejects(
      () => c.getVar("nosuch", "ups.status"),
      isNutError("UNKNOWN-UPS", "Unknown UPS"),
    );
    await assertRejects(
      () => c.getVar("dummy", "no.such"),
      isNutError("VAR-NOT-SUPPORTED", "Variable not supported by UPS"),
    );
    await assertRejects(() => c.list(["VAR", "nosuch"]), isNutError("UNKNOWN-UPS", "Unknown UPS"));
    await assertRejects(
      () => c.command("FOO"),
      isNutError("UNKNOWN-COMMAND", "Unknown command"),
    );
    // still usable after errors
    assertEquals(await c.getVar("dummy", "battery.charge"), "100");
    c.close();
  });
});

Deno.test("NutClient: many lines in one read, one line split over many reads", async () => {
  const handler: FakeHandler = (line) => {
    if (line === "LIST VAR u") {
      // one write holding the whole list (plus the next reply is not sent early)
      return [
        "BEGIN LIST VAR u",
        ...Array.from({ length: 50 }, (_, i) => `VAR u v.${i} "${i}"`),
        "END LIST VAR u",
      ];
    }
    if (line === "GET VAR u slow.var") {
      return { chunks: ["VA", "R u slow.v", 'ar "a b', ' c"', "\n"] };
    }
    return "ERR UNKNOWN-COMMAND";
  };
  await withServer(handler, async (port) => {
    const c = await NutClient.connect("127.0.0.1", port, { tryTls: false });
    const vars = await c.listVar("u");
    assertEquals(vars.length, 50);
    assertEquals(vars[49], { name: "v.49", value: "49" });
    assertEquals(await c.getVar("u", "slow.var"), "a b c");
    c.close();
  });
});

Deno.test("NutClient: replies that do not match the request are a protocol error", async () => {
  const handler: FakeHandler = (line) => {
    if (line === "GET VAR u a.b") return 'VAR other a.b "x"';
    if (line === "LIST VAR u") return ["BEGIN LIST VAR other", "END LIST VAR other"];
    if (line === "LIST RW u") return ["BEGIN LIST RW u", 'VAR u x.y "1"', "END LIST RW u"];
    if (line === "GET VAR u bad.quote") return 'VAR u bad.quote "x#y"';
    return "ERR UNKNOWN-COMMAND";
  };
  await withServer(handler, async (port) => {
    const fresh = () => NutClient.connect("127.0.0.1", port, { tryTls: false });
    const protocolError = isClientError("protocol", "Protocol error");
    const cases: Array<[(c: NutClient) => Promise<unknown>, (e: unknown) => boolean]> = [
      [(c) => c.getVar("u", "a.b"), protocolError],
      [(c) => c.listVar("u"), protocolError],
      [(c) => c.listRw("u"), protocolError],
      [
        (c) => c.getVar("u", "bad.quote"),
        isClientError("parse", "Parse error: Unbalanced word due to unescaped # in quotes"),
      ],
    ];
    for (const [call, check] of cases) {
      const c = await fresh();
      await assertRejects(() => call(c), check);
      // the stream position is unknown now: the client has hung up
      assertEquals(c.connected, false);
    }
  });
});

Deno.test("NutClient: a server that hangs up or stays silent is 'Server disconnected'", async () => {
  const handler: FakeHandler = (line) => {
    if (line.startsWith("GET VAR u gone")) return "close";
    if (line.startsWith("GET VAR u mute")) return "silent";
    return "ERR UNKNOWN-COMMAND";
  };
  await withServer(handler, async (port) => {
    const c = await NutClient.connect("127.0.0.1", port, { tryTls: false, readTimeoutMs: 300 });
    await assertRejects(
      () => c.getVar("u", "mute.x"),
      isClientError("srvdisc", "Server disconnected"),
    );
    assertEquals(c.connected, false);
    await assertRejects(
      () => c.getVar("u", "x.y"),
      isClientError("notconnected", "Driver not connected"),
    );
    const d = await NutClient.connect("127.0.0.1", port, { tryTls: false });
    await assertRejects(
      () => d.getVar("u", "gone.x"),
      isClientError("srvdisc", "Server disconnected"),
    );
  });
});

Deno.test("NutClient.connect: refused, unknown host, timeout", async () => {
  const port = freePort();
  await assertRejects(
    () => NutClient.connect("127.0.0.1", port),
    isClientError("connfailure", "Connection failure: Connection refused"),
  );
  await assertRejects(
    () => NutClient.connect("nosuchhost.invalid", 3493),
    isClientError("nosuchhost", "No such host"),
  );
  // a listener that never accepts still completes the TCP handshake; an
  // unroutable address is needed for a connect timeout (TEST-NET-1)
  const t0 = Date.now();
  await assertRejects(
    () => NutClient.connect("192.0.2.1", 3493, { timeoutMs: 300 }),
    (e) => e instanceof NutClientError && e.kind === "connfailure",
  );
  assert(Date.now() - t0 < 5000, "connect timeout honoured");
});

Deno.test("NutClient: write helpers quote values; primary falls back to MASTER; tracking results are not errors", async () => {
  const handler: FakeHandler = (_line, w) => {
    switch (w[0]) {
      case "USERNAME":
      case "PASSWORD":
      case "LOGIN":
        return "OK";
      case "PRIMARY":
        return "ERR UNKNOWN-COMMAND";
      case "MASTER":
        return "OK MASTER-GRANTED";
      case "SET":
        return w[1] === "TRACKING" ? "OK" : "OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263";
      case "INSTCMD":
        return "OK";
      case "GET":
        return w[1] === "TRACKING" ? (w[2] ? "ERR INVALID-ARGUMENT" : "ON") : "NUMLOGINS u 2";
      case "FSD":
        return "OK FSD-SET";
    }
    return "ERR UNKNOWN-COMMAND";
  };
  const lines = await withServer(handler, async (port) => {
    const c = await NutClient.connect("127.0.0.1", port, { tryTls: false });
    assertEquals(await c.username("mon"), "OK");
    assertEquals(await c.password('p w"#'), "OK");
    assertEquals(await c.login("u"), "OK");
    assertEquals(await c.primary("u"), "OK MASTER-GRANTED");
    assertEquals(await c.setTracking(true), "OK");
    assertEquals(await c.getTracking(), "ON");
    assertEquals(
      await c.setVar("u", "ups.id", 'a"b\\c#d e'),
      "OK TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263",
    );
    assertEquals(
      await c.getTracking("2DDC5036-F665-4D29-BE4C-0374D091D263"),
      "ERR INVALID-ARGUMENT",
    );
    assertEquals(await c.instCmd("u", "load.off", "10 s"), "OK");
    assertEquals(await c.getNumLogins("u"), 2);
    assertEquals(await c.fsd("u"), "OK FSD-SET");
    await c.logout();
  });
  assertEquals(lines, [
    "USERNAME mon",
    'PASSWORD "p w\\"\\#"',
    "LOGIN u",
    "PRIMARY u",
    "MASTER u",
    "SET TRACKING ON",
    "GET TRACKING",
    'SET VAR u ups.id "a\\"b\\\\c\\#d e"',
    "GET TRACKING 2DDC5036-F665-4D29-BE4C-0374D091D263",
    'INSTCMD u load.off "10 s"',
    "GET NUMLOGINS u",
    "FSD u",
    "LOGOUT",
  ]);
});

Deno.test({
  name:
    "NutClient: STARTTLS accepted → TLS without verification (NUT default), or verified with a CA",
  async fn(t) {
    const certs = await makeTestCerts();
    if (!certs) {
      console.log("openssl not installed: TLS test skipped");
      return;
    }
    const srv = await startFakeUpsd(scriptedUpsd(UPS), {
      tls: { key: certs.key, cert: certs.cert },
    });
    try {
      await t.step("no verification", async () => {
        const notes: string[] = [];
        const c = await NutClient.connect("127.0.0.1", srv.port, { log: (m) => notes.push(m) });
        assertEquals(c.tls, true);
        assertEquals(await c.getVar("dummy", "ups.status"), "OL");
        assertEquals(await c.listCmd("dummy"), ["load.off", "beeper.toggle"]);
        await c.logout();
        assertEquals(notes, [
          "Connected to NUT server 127.0.0.1 in SSL",
          "Certificate verification is disabled",
        ]);
      });
      await t.step("verification against our CA", async () => {
        const c = await NutClient.connect("127.0.0.1", srv.port, {
          tls: { verify: true, caCerts: [certs.caCert] },
        });
        assertEquals(await c.getVar("dummy", "battery.charge"), "100");
        await c.logout();
      });
      await t.step("verification without the CA fails", async () => {
        await assertRejects(
          () => NutClient.connect("127.0.0.1", srv.port, { tls: { verify: true } }),
          (e) =>
            e instanceof NutClientError && e.kind === "ssl" && e.message.startsWith("SSL error: "),
        );
      });
      await t.step("requireTls against a server without TLS", async () => {
        const plain = await startFakeUpsd(scriptedUpsd(UPS));
        try {
          await assertRejects(
            () => NutClient.connect("127.0.0.1", plain.port, { requireTls: true }),
            isClientError("sslfail", "SSL is not available"),
          );
        } finally {
          await plain.close();
        }
      });
    } finally {
      await srv.close();
    }
  },
});
