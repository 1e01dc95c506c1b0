import { assert, assertEquals } from "../helpers/assert.ts";
import { waitFor } from "../helpers/nut.ts";
import { FakeDriver } from "../helpers/fake_driver.ts";
import {
  applyDriverLine,
  DriverClient,
  isStale,
  type LinkState,
  pingDue,
} from "../../lib/sock/client.ts";
import { FLAG_RW, FLAG_STRING, StateTree } from "../../lib/state/tree.ts";
import { splitLine } from "../../lib/conf/tokenizer.ts";

function state(): LinkState {
  return { tree: new StateTree(), dumpDone: false, dataOk: false, lastHeard: 0, lastPing: 0 };
}

function apply(st: LinkState, line: string, now = 1000) {
  return applyDriverLine(st, splitLine(line)!, now);
}

Deno.test("driver lines build the mirror", () => {
  const st = state();
  const t = st.tree;
  assertEquals(apply(st, 'SETINFO ups.id "Fake \\"one\\" \\\\ x"'), {
    recognised: true,
    changed: true,
  });
  assertEquals(t.get("ups.id"), 'Fake "one" \\ x');
  apply(st, "SETAUX ups.id 12");
  apply(st, "SETFLAGS ups.id RW STRING BOGUS");
  assertEquals(t.getVar("ups.id")!.aux, 12);
  assertEquals(t.getVar("ups.id")!.flags, FLAG_RW | FLAG_STRING);
  apply(st, 'SETINFO UPS.ID "new"');
  assertEquals(t.getVar("ups.id")!.name, "ups.id");
  assertEquals(t.get("ups.id"), "new");
  apply(st, 'SETINFO input.transfer.low "100"');
  apply(st, 'ADDENUM input.transfer.low "100"');
  apply(st, 'ADDENUM input.transfer.low "a\\"b"');
  apply(st, 'ADDENUM input.transfer.low "100"');
  assertEquals(t.getVar("input.transfer.low")!.enums, ["100", 'a"b']);
  apply(st, 'DELENUM input.transfer.low "A\\"B"');
  assertEquals(t.getVar("input.transfer.low")!.enums, ["100"]);
  apply(st, 'SETINFO input.transfer.high "130"');
  apply(st, "ADDRANGE input.transfer.high 120 140");
  apply(st, "ADDRANGE input.transfer.high 150 160");
  apply(st, "ADDRANGE input.transfer.high 170 165"); // min > max: rejected
  assertEquals(t.getVar("input.transfer.high")!.ranges, [{ min: 120, max: 140 }, {
    min: 150,
    max: 160,
  }]);
  apply(st, "DELRANGE input.transfer.high 120 140");
  assertEquals(t.getVar("input.transfer.high")!.ranges, [{ min: 150, max: 160 }]);
  apply(st, "ADDCMD load.off");
  apply(st, "ADDCMD Load.On");
  apply(st, "DELCMD LOAD.OFF");
  assertEquals(t.cmds(), ["Load.On"]);
  apply(st, "DELINFO ups.id");
  assertEquals(t.get("ups.id"), undefined);
  // flags on a missing variable, enum on a missing variable: ignored
  assertEquals(apply(st, "SETFLAGS nope RW").changed, false);
  assertEquals(apply(st, 'ADDENUM nope "1"').changed, false);
});

Deno.test("driver lines: liveness, tracking, unknown and short lines", () => {
  const st = state();
  assertEquals(apply(st, "DATAOK", 5000).recognised, true);
  assertEquals(st.dataOk, true);
  assertEquals(st.lastHeard, 5000);
  apply(st, "DATASTALE");
  assertEquals(st.dataOk, false);
  apply(st, "dumpdone");
  assertEquals(st.dumpDone, true);
  assertEquals(apply(st, "PONG", 7000), { recognised: true, changed: false });
  assertEquals(st.lastHeard, 7000);
  assertEquals(apply(st, "TRACKING abc-1 2", 8000), {
    recognised: true,
    changed: false,
    tracking: { id: "abc-1", code: 2 },
  });
  // unknown and malformed lines do not count as "heard"
  for (const l of ["FOO bar", "SETINFO x", "SETFLAGS x", "TRACKING x", "ADDRANGE a 1"]) {
    assertEquals(apply(st, l, 9000).recognised, false, l);
  }
  assertEquals(applyDriverLine(st, [], 9000).recognised, false);
  assertEquals(st.lastHeard, 8000);
});

Deno.test("PING and staleness rules (MAXAGE 15, master ≥2.8.5 grace)", () => {
  const st = state();
  st.lastHeard = 0;
  st.lastPing = 0;
  assertEquals(pingDue(st, 5999, 15), false); // 5 s is not more than 15/3
  assertEquals(pingDue(st, 6000, 15), true);
  st.lastPing = 6000;
  assertEquals(pingDue(st, 8000, 15), false); // pinged recently
  assertEquals(pingDue(st, 12000, 15), true);
  assertEquals(isStale(st, 15999, 15), false);
  assertEquals(isStale(st, 16999, 15), false); // exactly MAXAGE+1 whole seconds: one more second
  assertEquals(isStale(st, 17000, 15), true);
  // DATASTALE counts only after DUMPDONE
  st.lastHeard = 18000;
  st.dataOk = false;
  assertEquals(isStale(st, 18000, 15), false);
  st.dumpDone = true;
  assertEquals(isStale(st, 18000, 15), true);
  st.dataOk = true;
  assertEquals(isStale(st, 18000, 15), false);
});

async function withDriver(
  fn: (d: FakeDriver, c: DriverClient, logs: string[], dir: string) => Promise<void>,
  maxAge = 15,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const logs: string[] = [];
  const d = new FakeDriver(`${dir}/fake-u1`, [
    'SETINFO ups.status "OL"',
    'SETINFO ups.id "x"',
    "ADDCMD load.off",
    "DATAOK",
  ]);
  let changes = 0;
  const c = new DriverClient({
    ups: "u1",
    socketName: "fake-u1",
    socketPath: `${dir}/fake-u1`,
    maxAge: () => maxAge,
    log: { info: (m) => void logs.push(m), debug: () => {} },
    onChange: () => void changes++,
  });
  try {
    await fn(d, c, logs, dir);
    assert(changes > 0);
  } finally {
    c.close();
    d.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("DriverClient: connect, DUMPALL, WAIT placeholder, mirror, SET forwarding", async () => {
  await withDriver(async (d, c, logs) => {
    d.dump = null; // hold the dump back: ups.status reads WAIT
    await c.connect();
    assertEquals(c.connected, true);
    assertEquals(logs[0], "Connected to UPS [u1]: fake-u1");
    await waitFor(() => d.received.includes("DUMPALL"), 5000, "DUMPALL");
    assertEquals(c.tree.get("ups.status"), "WAIT");
    assertEquals(c.isStale(), false);
    d.broadcast('SETINFO ups.status "OB"', "SETINFO ups.load 20", "DATASTALE", "DUMPDONE");
    await waitFor(() => c.dumpDone, 5000, "DUMPDONE");
    assertEquals(c.tree.get("ups.status"), "OB");
    assertEquals(c.isStale(), true);
    d.broadcast("DATAOK");
    await waitFor(() => !c.isStale(), 5000, "DATAOK");
    assert(c.send('SET ups.id "y"\n'));
    await waitFor(() => d.received.includes('SET ups.id "y"'), 5000, "SET");
  });
});

Deno.test("DriverClient: wipe on disconnect, reconnect, connect errors logged once", async () => {
  await withDriver(async (d, c, logs, dir) => {
    await c.connect();
    await waitFor(() => c.tree.get("ups.id") === "x" && c.dumpDone, 5000, "dump");
    d.close(); // driver gone, socket file removed
    await waitFor(() => !c.connected, 5000, "disconnect");
    assertEquals(c.tree.size, 0);
    assertEquals(c.tree.cmds().length, 0);
    assertEquals(c.send("PING\n"), false);
    await c.connect();
    await c.connect();
    assertEquals(logs.filter((l) => l.startsWith("Can't connect")), [
      "Can't connect to UPS [u1] (fake-u1): No such file or directory",
    ]);
    const d2 = new FakeDriver(`${dir}/fake-u1`, ['SETINFO ups.status "OL"', "DATAOK"]);
    try {
      c.tick(Date.now() + 5000); // reconnect attempt
      await waitFor(() => c.connected && c.dumpDone, 5000, "reconnect");
      assertEquals(c.tree.get("ups.status"), "OL");
      assertEquals(c.tree.get("ups.id"), undefined);
    } finally {
      d2.close();
    }
  });
});

Deno.test("DriverClient: PING after MAXAGE/3 of silence, stale when unanswered", async () => {
  await withDriver(async (d, c, logs) => {
    await c.connect();
    await waitFor(() => c.dumpDone, 5000, "dump");
    const t0 = Date.now();
    const heard = c.lastHeard;
    await new Promise((r) => setTimeout(r, 5));
    c.tick(t0 + 1500); // 1 s is the MAXAGE/3 threshold: "more than" 1 whole second needed
    assertEquals(d.received.filter((l) => l === "PING").length, 0);
    c.tick(t0 + 2100);
    await waitFor(() => d.received.includes("PING"), 5000, "PING");
    await waitFor(() => c.lastHeard > heard, 5000, "PONG refreshes");
    d.answerPing = false;
    const t1 = Date.now();
    c.tick(t1 + 5100); // MAXAGE 3 + 1 grace: stale after more than 4 s
    assertEquals(c.isStale(t1 + 5100), true);
    assertEquals(logs.at(-1), "Data for UPS [u1] is stale - check driver");
    d.broadcast("PONG");
    await waitFor(() => !c.isStale(), 5000, "fresh again");
    c.tick();
    assertEquals(logs.at(-1), "UPS [u1] data is no longer stale");
  }, 3);
});
