/**
 * The Upsd class in-process with fake driver links: idle timeout, MAXCONN,
 * unread-output bound, LOGIN counts on disconnect, reload atomicity.
 */
import { assert, assertEquals } from "../helpers/assert.ts";
import { makeNutDir, waitFor } from "../helpers/nut.ts";
import { Cmdvartab } from "../../lib/conf/cmdvartab.ts";
import { parseUpsdUsers } from "../../lib/conf/upsd_users.ts";
import { type UpsdConf } from "../../lib/conf/upsd_conf.ts";
import { Upsd } from "../../lib/server/server.ts";
import { FakeLink, fakeTree, USERS } from "./fake_context.ts";
import { LineClient } from "./upsd_harness.ts";

function quietLog() {
  const lines: string[] = [];
  return {
    lines,
    level: 0,
    info: (m: string) => void lines.push(m),
    error: (m: string) => void lines.push(m),
    debug: () => {},
  };
}

async function inProcess(conf: Partial<UpsdConf> = {}) {
  const log = quietLog();
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  const links: FakeLink[] = [];
  const server = new Upsd({
    log,
    confDir: "/nonexistent",
    conf: {
      listen: [{ addr: "127.0.0.1", port, lineNo: 1 }],
      maxAge: 15,
      trackingDelay: 3600,
      ...conf,
    },
    users: parseUpsdUsers(USERS, "upsd.users").users,
    descriptions: new Cmdvartab(),
    makeLink: () => {
      const f = new FakeLink();
      f.tree = fakeTree();
      links.push(f);
      return f;
    },
  });
  await server.connectAll(server.setUpsDefs([{ name: "fake", driver: "fake", port: "x" }], true));
  assertEquals(await server.listen(undefined, false), undefined);
  return { server, port, log, links };
}

Deno.test("server: idle clients are dropped after 60 s without a complete line", async () => {
  const { server, port } = await inProcess();
  const c = await LineClient.open(port);
  const busy = await LineClient.open(port);
  try {
    assertEquals(await c.req("NETVER"), "1.3");
    await busy.send("GET VAR fake"); // partial line: does not count as activity
    await waitFor(() => server.clientCount === 2, 2000);
    server.tick(Date.now() + 30_000);
    assertEquals(server.clientCount, 2);
    server.tick(Date.now() + 61_000);
    assertEquals(await c.line(), null);
    assertEquals(await busy.line(), null);
    await waitFor(() => server.clientCount === 0, 2000);
  } finally {
    c.close();
    busy.close();
    await server.stop();
  }
});

Deno.test("server: MAXCONN refuses the newest connections, LOGIN count drops on disconnect", async () => {
  const { server, port, log } = await inProcess({ maxConn: 3 }); // one driver + two clients
  const a = await LineClient.open(port);
  const b = await LineClient.open(port);
  try {
    for (const l of ["USERNAME mon", "PASSWORD pass", "LOGIN fake"]) {
      assertEquals(await a.req(l), "OK");
    }
    assertEquals(await b.req("GET NUMLOGINS fake"), "NUMLOGINS fake 1");
    const c = await LineClient.open(port);
    assertEquals(await c.line(), null); // closed at once
    c.close();
    assert(log.lines.some((l) => l.includes("MAXCONN (3) reached")));
    a.close();
    await waitFor(async () => (await b.req("GET NUMLOGINS fake")) === "NUMLOGINS fake 0", 2000);
    assert(log.lines.includes("User mon@127.0.0.1 logged out from UPS [fake]"));
    const d = await LineClient.open(port);
    assertEquals(await d.req("NETVER"), "1.3"); // a slot is free again
    d.close();
  } finally {
    a.close();
    b.close();
    await server.stop();
  }
});

Deno.test("server: a client that never reads is dropped once 1 MiB of replies piles up", async () => {
  const { server, port, log } = await inProcess();
  const c = await LineClient.open(port);
  try {
    const burst = "LIST VAR fake\n".repeat(2000); // ~1 MB of replies per burst
    let writeFailed = false;
    for (let i = 0; i < 20 && !writeFailed; i++) {
      await c.send(burst).catch(() => writeFailed = true);
    }
    await waitFor(() => log.lines.some((l) => l.startsWith("Dropping client 127.0.0.1")), 5000);
    await waitFor(() => server.clientCount === 0, 5000);
    const ok = await LineClient.open(port);
    assertEquals(await ok.req("NETVER"), "1.3");
    ok.close();
  } finally {
    c.close();
    await server.stop();
  }
});

Deno.test("server: reload is all-or-nothing and needs a UPS unless ALLOW_NO_DEVICE", async () => {
  const dir = await makeNutDir("upsd-inproc-");
  const log = quietLog();
  const server = new Upsd({
    log,
    confDir: dir.conf,
    conf: { listen: [], maxAge: 15, trackingDelay: 3600 },
    users: parseUpsdUsers(USERS, "upsd.users").users,
    descriptions: new Cmdvartab(),
    makeLink: () => new FakeLink(),
  });
  try {
    server.setUpsDefs([{ name: "fake", driver: "fake", port: "x" }], true);
    dir.write("upsd.conf", "MAXAGE 30\n");
    dir.write("ups.conf", "# none\n");
    dir.write("upsd.users", "[x]\n  password = y\n");
    assertEquals(await server.reload(), false);
    assert(log.lines.some((l) => l.includes("no UPS definitions in ups.conf")));
    assertEquals(server.conf.maxAge, 15);
    assertEquals(server.upsList().map((u) => u.name), ["fake"]);
    dir.write("upsd.conf", "MAXAGE 30\nALLOW_NO_DEVICE yes\n");
    assertEquals(await server.reload(), true);
    assertEquals(server.conf.maxAge, 30);
    assertEquals(server.upsList().length, 0);
    assertEquals(server.users().has("x"), true);
    assert(log.lines.includes("Deleting UPS [fake]"));
  } finally {
    await server.stop();
    await dir.cleanup();
  }
});

Deno.test("server: WATCH pushes CHANGED on the watcher's connection", async () => {
  const { server, port, links } = await inProcess();
  const w = await LineClient.open(port);
  try {
    assertEquals(await w.req("WATCH FAKE"), "OK");
    links[0].tree.set("ups.status", "OB");
    server.findUps("fake")!.invalidate(); // what the driver link does on a change
    assertEquals(await w.line(), "CHANGED FAKE");
    assertEquals(await w.req("GET VAR fake ups.status"), 'VAR fake ups.status "OB"');
    // a change made by the watcher's own request comes before that request's reply
    await w.send("USERNAME admin\nPASSWORD secret\nFSD fake\nNETVER\n");
    for (const want of ["OK", "OK", "CHANGED FAKE", "OK FSD-SET", "1.3"]) {
      assertEquals(await w.line(), want);
    }
  } finally {
    w.close();
    await server.stop();
  }
});

Deno.test("server: LOGOUT answers, then closes; pipelined lines after it are ignored", async () => {
  const { server, port } = await inProcess();
  const c = await LineClient.open(port);
  try {
    await c.send("NETVER\nLOGOUT\nNETVER\n");
    assertEquals(await c.line(), "1.3");
    assertEquals(await c.line(), "OK Goodbye");
    assertEquals(await c.line(), null);
    await waitFor(() => server.clientCount === 0, 2000);
  } finally {
    c.close();
    await server.stop();
  }
});
