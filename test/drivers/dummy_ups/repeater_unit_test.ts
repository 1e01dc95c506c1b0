import { assertEquals, assertRejects } from "../../helpers/assert.ts";
import {
  Repeater,
  type RepeaterSink,
  type UpstreamClient,
} from "../../../lib/drivers/dummy_ups/repeater.ts";

/** An upstream that can be switched off, or made to answer an ERR. */
class FakeUpstream {
  up = true;
  err: string | undefined;
  vars: Array<{ name: string; value: string }> = [];
  connects = 0;

  connect = (_host: string, _port: number): Promise<UpstreamClient> => {
    this.connects++;
    if (!this.up) return Promise.reject(new Error("Connection failure: Connection refused"));
    let open = true;
    return Promise.resolve({
      listVar: (ups: string) => {
        if (!open || !this.up) return Promise.reject(new Error("Server disconnected"));
        if (this.err) {
          const e = new Error(this.err);
          e.name = "NutError";
          return Promise.reject(e);
        }
        if (ups !== "src") {
          return Promise.reject(Object.assign(new Error("Unknown UPS"), { name: "NutError" }));
        }
        return Promise.resolve(this.vars.map((v) => ({ ...v })));
      },
      close: () => {
        open = false;
      },
    });
  };
}

function sink(): RepeaterSink & { events: string[]; vals: Map<string, string> } {
  const events: string[] = [];
  const vals = new Map<string, string>();
  return {
    events,
    vals,
    set: (n, v) => vals.set(n, v),
    remove: (n) => {
      vals.delete(n);
      events.push(`remove ${n}`);
    },
    dataOk: () => events.push("ok"),
    dataStale: () => events.push("stale"),
    log: () => {},
  };
}

Deno.test("repeater mirrors variables except driver.*, removes vanished ones", async () => {
  const up = new FakeUpstream();
  up.vars = [
    { name: "ups.status", value: "OL" },
    { name: "driver.name", value: "usbhid-ups" },
    { name: "battery.charge", value: "90" },
  ];
  const s = sink();
  const r = new Repeater("src", "h", 1, up.connect, s, { minBackoffMs: 1000, maxBackoffMs: 8000 });
  await r.start();
  assertEquals([...s.vals.entries()], [["ups.status", "OL"], ["battery.charge", "90"]]);
  up.vars = [{ name: "ups.status", value: "OB" }];
  assertEquals(await r.poll(1000), true);
  assertEquals(s.vals.get("ups.status"), "OB");
  assertEquals(s.events, ["ok", "remove battery.charge", "ok"]);
});

Deno.test("repeater: strict start, stale on loss, backoff, fresh again", async () => {
  const up = new FakeUpstream();
  up.up = false;
  const s = sink();
  const r = new Repeater("src", "h", 1, up.connect, s, { minBackoffMs: 1000, maxBackoffMs: 4000 });
  await assertRejects(
    () => r.start(),
    (e) => (e as Error).message === "Connection failure: Connection refused",
  );
  up.up = true;
  up.vars = [{ name: "ups.status", value: "OL" }];
  await r.start();
  up.up = false;
  // every failure marks stale; retries: next poll, then 1 s, 2 s, 4 s, 4 s
  const attempts: number[] = [];
  for (let t = 0; t <= 16000; t += 500) {
    const before = up.connects;
    await r.poll(t);
    if (up.connects > before || t === 0) attempts.push(t);
  }
  assertEquals(attempts, [0, 500, 1500, 3500, 7500, 11500, 15500]);
  assertEquals(s.events.filter((e) => e === "stale").length, attempts.length);
  up.up = true;
  assertEquals(await r.poll(20000), true);
  assertEquals(s.events.at(-1), "ok");
  assertEquals(r.failures, 0);
});

Deno.test("repeater: an ERR answer marks stale but keeps the connection", async () => {
  const up = new FakeUpstream();
  up.vars = [{ name: "ups.status", value: "OL" }];
  const s = sink();
  const r = new Repeater("src", "h", 1, up.connect, s, { minBackoffMs: 1000, maxBackoffMs: 4000 });
  await r.start();
  up.err = "Data stale";
  assertEquals(await r.poll(0), false);
  assertEquals(await r.poll(100), false);
  assertEquals(r.connected, true);
  up.err = undefined;
  assertEquals(await r.poll(200), true);
  assertEquals(up.connects, 1);
  assertEquals(s.events, ["ok", "stale", "stale", "ok"]);
});
