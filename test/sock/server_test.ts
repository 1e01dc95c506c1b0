import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/nut.ts";
import { SockPeer as Peer } from "../helpers/sock.ts";
import { type SockHandler, SockServer } from "../../lib/sock/server.ts";

class MemLog {
  lines: string[] = [];
  debug(_l: number, m: string): void {
    this.lines.push(m);
  }
  info(m: string): void {
    this.lines.push(m);
  }
  warn(m: string): void {
    this.lines.push(m);
  }
}

interface Fixture {
  dir: string;
  path: string;
  server: SockServer;
  log: MemLog;
  calls: string[];
  [Symbol.asyncDispose](): Promise<void>;
}

async function start(opts: { maxPendingBytes?: number } = {}): Promise<Fixture> {
  const dir = await Deno.makeTempDir({ prefix: "sock-test-" });
  const path = `${dir}/dummy-ups-test`;
  const log = new MemLog();
  const calls: string[] = [];
  // deno-lint-ignore prefer-const
  let server: SockServer;
  const handler: SockHandler = {
    dumpAll: () => 'SETINFO ups.status "OL"\nDATAOK\nDUMPDONE\n',
    dumpStatus: () => "DUMPDONE\n",
    dumpValue: (name) => `SETINFO ${name} "v"\nDUMPDONE\n`,
    set(name, value) {
      calls.push(`SET ${name}=${value}`);
      server.broadcast(`SETINFO ${name} "${value}"`);
      return name === "bad.var" ? 2 : 0;
    },
    async instcmd(cmd, param) {
      calls.push(`INSTCMD ${cmd} ${param ?? "-"}`);
      await new Promise((r) => setTimeout(r, 5));
      if (cmd === "crash.now") throw new Error("boom");
      return 1;
    },
  };
  server = new SockServer(path, handler, { log, maxPendingBytes: opts.maxPendingBytes });
  server.listen();
  return {
    dir,
    path,
    server,
    log,
    calls,
    async [Symbol.asyncDispose]() {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test("socket: stale file replaced, mode 0660, removed on close", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sock-test-" });
  const path = `${dir}/drv-ups`;
  Deno.writeTextFileSync(path, "stale");
  const log = new MemLog();
  const s = new SockServer(path, {
    dumpAll: () => "",
    dumpStatus: () => "",
    dumpValue: () => "",
    set: () => 0,
    instcmd: () => 0,
  }, { log });
  s.listen();
  const st = Deno.statSync(path);
  assertEquals(st.isSocket, true);
  assertEquals(st.mode! & 0o777, 0o660);
  assertEquals(log.lines, [`Listening on socket ${path}`]);
  await s.close();
  assertEquals(
    (() => {
      try {
        Deno.statSync(path);
        return true;
      } catch {
        return false;
      }
    })(),
    false,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("socket: too long a path is refused with NUT's message", () => {
  const s = new SockServer("/tmp/" + "x".repeat(120), {
    dumpAll: () => "",
    dumpStatus: () => "",
    dumpValue: () => "",
    set: () => 0,
    instcmd: () => 0,
  }, { log: new MemLog() });
  let msg = "";
  try {
    s.listen();
  } catch (e) {
    msg = (e as Error).message;
  }
  assert(msg.startsWith("Can't create a unix domain socket: pathname '/tmp/xxx"), msg);
});

Deno.test("socket: DUMPALL, PING, GETPID, DUMPVALUE, LOGOUT", async () => {
  await using f = await start();
  const p = await Peer.open(f.path);
  await p.send("DUMPALL\nping\n\n# comment\nGETPID\nDUMPVALUE ups.id\n");
  assertEquals(await p.lines(7), [
    'SETINFO ups.status "OL"',
    "DATAOK",
    "DUMPDONE",
    "PONG",
    `PID ${Deno.pid}`,
    'SETINFO ups.id "v"',
    "DUMPDONE",
  ]);
  await p.send("LOGOUT\n");
  assertEquals(await p.lines(1), ["OK Goodbye"]);
  assert(await p.eof(), "closed after LOGOUT");
  p.close();
  await waitFor(() => f.server.peerCount === 0, 2000, "peer forgotten");
});

Deno.test("socket: SET/INSTCMD broadcast to all, TRACKING only to the requester", async () => {
  await using f = await start();
  const a = await Peer.open(f.path);
  const b = await Peer.open(f.path);
  await waitFor(() => f.server.peerCount === 2, 2000, "two peers");
  await a.send('SET ups.id "x y" TRACKING t-1\n');
  assertEquals(await a.lines(2), ['SETINFO ups.id "x y"', "TRACKING t-1 0"]);
  assertEquals(await b.lines(1), ['SETINFO ups.id "x y"']);
  await a.send("INSTCMD load.off 5 TRACKING t-2\nSET bad.var 1 TRACKING t-3\n");
  assertEquals(await a.lines(3), ["TRACKING t-2 1", 'SETINFO bad.var "1"', "TRACKING t-3 2"]);
  assertEquals(await b.lines(1), ['SETINFO bad.var "1"']);
  // a handler that throws answers "failed" and the peer stays served
  await a.send("INSTCMD crash.now TRACKING t-4\nPING\n");
  assertEquals(await a.lines(2), ["TRACKING t-4 3", "PONG"]);
  assertEquals(f.calls, [
    "SET ups.id=x y",
    "INSTCMD load.off 5",
    "SET bad.var=1",
    "INSTCMD crash.now -",
  ]);
  // b asked nothing: it saw no TRACKING line
  await b.send("PING\n");
  assertEquals(await b.lines(1), ["PONG"]);
  a.close();
  b.close();
});

Deno.test("socket: NOBROADCAST / BROADCAST", async () => {
  await using f = await start();
  const a = await Peer.open(f.path);
  const b = await Peer.open(f.path);
  await b.send("NOBROADCAST\nPING\n");
  assertEquals(await b.lines(1), ["PONG"]);
  await a.send("SET one 1\nPING\n");
  assertEquals(await a.lines(2), ['SETINFO one "1"', "PONG"]);
  await b.send("BROADCAST 1\nPING\n");
  assertEquals(await b.lines(1), ["PONG"], "no broadcast while disabled");
  await a.send("SET two 2\n");
  assertEquals(await b.lines(1), ['SETINFO two "2"']);
  a.close();
  b.close();
});

Deno.test("socket: hostile input is logged, the peer and others stay served", async () => {
  await using f = await start();
  const a = await Peer.open(f.path);
  const b = await Peer.open(f.path);
  await a.send('SET ups.id "a#b"\nFOO bar\nINSTCMD a b c d e\n');
  // a line far beyond the tokenizer's limits, sent without LF in pieces
  const big = "X".repeat(100000);
  await a.send(`SET ${big} ${big}`);
  await a.send(" more\nPING\n"); // 4 words: a plain SET, the extra word ignored
  const echo = `SETINFO ${"X".repeat(512)} "${"X".repeat(512)}"`;
  assertEquals(await a.lines(2), [echo, "PONG"], f.log.lines.join("\n"));
  await b.send("PING\n");
  assertEquals(await b.lines(2), [echo, "PONG"]);
  assert(f.log.lines.includes("Parse error on sock: Unbalanced word due to unescaped # in quotes"));
  assert(f.log.lines.includes("Unknown command on socket: "));
  assert(f.log.lines.includes("arg 0: FOO"));
  assert(f.log.lines.includes("Malformed INSTCMD request"));
  // the oversized SET reached the handler with words cut at 512 characters
  const set = f.calls.find((c) => c.startsWith("SET X"))!;
  assertEquals(set, `SET ${"X".repeat(512)}=${"X".repeat(512)}`);
  a.close();
  b.close();
});

Deno.test("socket: a peer that never reads is dropped, memory stays bounded", async () => {
  await using f = await start({ maxPendingBytes: 64 * 1024 });
  const lazy = await Peer.open(f.path);
  const good = await Peer.open(f.path);
  await waitFor(() => f.server.peerCount === 2, 2000, "two peers");
  const value = "v".repeat(200);
  // broadcasts pile up for `lazy` (it never reads) once the kernel buffer is
  // full; `good` reads everything
  let sent = 0;
  let seen = 0;
  while (f.server.peerCount === 2 && sent < 100000) {
    for (let i = 0; i < 100; i++) f.server.broadcast(`SETINFO x.y "${value}${sent++}"`);
    seen += (await good.lines(100, 2000)).length;
  }
  assertEquals(f.server.peerCount, 1, "lazy peer dropped");
  assert(
    f.log.lines.some((l) => /^Dropping socket peer #1: it does not read/.test(l)),
    f.log.lines.join("\n"),
  );
  assertEquals(seen, sent, "the reading peer got every line");
  await good.send("PING\n");
  assertEquals(await good.lines(1), ["PONG"]);
  lazy.close();
  good.close();
});

Deno.test("socket: EOF closes the peer", async () => {
  await using f = await start();
  const a = await Peer.open(f.path);
  await waitFor(() => f.server.peerCount === 1, 2000, "peer connected");
  a.close();
  await waitFor(() => f.server.peerCount === 0, 2000, "peer closed on EOF");
});
