import { upsrwMain } from "../../lib/clients/upsrw.ts";
import { assertEquals } from "../helpers/assert.ts";
import { type FakeHandler, scriptedUpsd, startFakeUpsd } from "../helpers/fake_upsd.ts";
import { fakeIO } from "./tool_io.ts";
import { TYPED_LISTING, TYPED_UPS } from "./typed_fixture.ts";

async function upsrw(
  args: string[],
  handler: FakeHandler,
  stdin?: string,
): Promise<{ code: number; out: string; err: string; lines: string[] }> {
  const srv = await startFakeUpsd(handler);
  try {
    const f = fakeIO({ argv0: "/usr/bin/upsrw", stdin, login: "root" });
    const code = await upsrwMain(args.map((a) => a.replace("PORT", String(srv.port))), f.io);
    return { code, out: f.stdout(), err: f.stderr(), lines: srv.lines };
  } finally {
    await srv.close();
  }
}

Deno.test("upsrw: type blocks for NUMBER, STRING:n, ENUM (plain/STRING/NUMBER), RANGE, unknown words", async () => {
  const r = await upsrw(["fake@127.0.0.1:PORT"], scriptedUpsd(TYPED_UPS));
  assertEquals([r.code, r.err], [0, ""]);
  assertEquals(r.out, TYPED_LISTING);
  // NUT's request sequence per variable
  assertEquals(r.lines.slice(0, 6), [
    "STARTTLS",
    "LIST RW fake",
    "GET DESC fake battery.charge",
    "GET TYPE fake battery.charge",
    "GET VAR fake battery.charge",
    "GET DESC fake device.mfr",
  ]);
  assertEquals(
    r.lines.filter((l) => l.includes("input.sensitivity")),
    [
      "GET DESC fake input.sensitivity",
      "GET TYPE fake input.sensitivity",
      "GET VAR fake input.sensitivity",
      "LIST ENUM fake input.sensitivity",
    ],
  );
});

Deno.test("upsrw: failures inside a block", async () => {
  const base = scriptedUpsd(TYPED_UPS);
  // TYPE refused → "Unknown type"; VAR refused for a STRING → fatal do_string
  const handler: FakeHandler = (line, w, c) => {
    if (line === "GET TYPE fake battery.charge") return "ERR DATA-STALE";
    if (line === "GET VAR fake device.mfr") return "ERR DATA-STALE";
    return base(line, w, c);
  };
  const r = await upsrw(["fake@127.0.0.1:PORT"], handler);
  assertEquals(r.code, 1);
  assertEquals(
    r.out,
    "[battery.charge]\nBattery charge (percent of full)\nUnknown type\n\n[device.mfr]\nDescription unavailable\n",
  );
  assertEquals(r.err, "do_string: can't get current value of device.mfr\n");
});

Deno.test("upsrw -s: prompts, escaping of the value, raw error reply", async () => {
  const seen: string[] = [];
  const handler: FakeHandler = (line, w) => {
    seen.push(line);
    if (w[0] === "STARTTLS") return "ERR FEATURE-NOT-CONFIGURED";
    if (w[0] === "USERNAME" || w[0] === "PASSWORD") return "OK";
    if (w[0] === "SET") return w[3] === "ups.id" ? "OK" : "ERR READONLY";
    return undefined;
  };
  let r = await upsrw(["-s", "ups.id", "fake@127.0.0.1:PORT"], handler, '\nsecret\nsay "hi" #1\n');
  assertEquals([r.code, r.out, r.err], [
    0,
    "Username (root): Enter new value for ups.id: ",
    "Password: OK\n",
  ]);
  assertEquals(r.lines.slice(1, 4), [
    "USERNAME root",
    "PASSWORD secret",
    'SET VAR fake ups.id "say \\"hi\\" \\#1"',
  ]);
  r = await upsrw(["-s", "ups.status=OB", "-u", "a", "-p", "b", "fake@127.0.0.1:PORT"], handler);
  assertEquals([r.code, r.out, r.err], [1, "", "Unexpected response from upsd: ERR READONLY\n"]);
  r = await upsrw(["-s", "x=1", "-l", "-V", "fake@127.0.0.1:PORT"], handler);
  assertEquals([r.code, r.out, r.err], [
    0,
    "Network UPS Tools upsrw 2.8.0\n",
    "Listing mode requested, overriding setvar specified earlier!\n",
  ]);
});
