import { compileFormat, DEFAULT_FORMAT, renderRecord } from "../../lib/clients/upslog_format.ts";
import type { Tm } from "../../lib/clients/strftime.ts";
import { assertEquals } from "../helpers/assert.ts";

Deno.test("compileFormat: literals, %%, %t, commands by case-insensitive prefix", () => {
  assertEquals(compileFormat("a%%b%tc"), [{ kind: "text", text: "a%b\tc" }]);
  assertEquals(compileFormat("%var ups.load%|%VARIABLE x.y%|%hostname%|%UPSHOST%|%pid%|%ETIME%"), [
    { kind: "var", name: "ups.load" },
    { kind: "text", text: "|" },
    { kind: "var", name: "x.y" },
    { kind: "text", text: "|" },
    { kind: "host" },
    { kind: "text", text: "|" },
    { kind: "upshost" },
    { kind: "text", text: "|" },
    { kind: "pid" },
    { kind: "text", text: "|" },
    { kind: "etime" },
  ]);
  assertEquals(compileFormat("%TIME @Y-@m@@%"), [{ kind: "time", format: "%Y-%m%%" }]);
});

Deno.test("compileFormat: INVALID rules", () => {
  // unknown command, a name shorter than a command, empty/dotless VAR
  assertEquals(compileFormat("%FOO%%VA x.y%%VAR%%VAR %%VAR status%"), [
    { kind: "text", text: "INVALIDINVALIDINVALIDINVALIDINVALID" },
  ]);
  // no closing %: INVALID, then the rest is plain text (and still parsed)
  assertEquals(compileFormat("x%VAR ups.load"), [{ kind: "text", text: "xINVALIDVAR ups.load" }]);
  // "%ab%" is unknown, then the last "%" has no partner
  assertEquals(compileFormat("%ab%%"), [{ kind: "text", text: "INVALIDINVALID" }]);
});

const TM: Tm = {
  year: 2026,
  mon: 10,
  mday: 21,
  hour: 9,
  min: 33,
  sec: 33,
  wday: 6,
  yday: 324,
  epoch: 1795253613,
  gmtoffMin: 0,
  zone: "UTC",
};

function ctx(vars: Record<string, string>) {
  return {
    now: new Date(1795253613_000),
    hostname: () => "vm",
    upshost: "dummy@127.0.0.1:34930",
    pid: 16155,
    getVar: (n: string) => Promise.resolve(vars[n] ?? "NA"),
    tm: () => TM,
  };
}

Deno.test("renderRecord: the spec's captured 2.8.0 record (with master's %t)", async () => {
  const steps = compileFormat(
    "%%|%TIME @Y-@m-@d@T%|%ETIME%|%HOST%|%UPSHOST%|%PID%|%VAR ups.status%|%VAR nope.var%|%VAR status%|%FOO%|%var ups.load%|%VAR ups.load",
  );
  assertEquals(
    await renderRecord(steps, ctx({ "ups.status": "OL", "ups.load": "23" })),
    "%|2026-11-2109:33:33|1795253613|vm|dummy@127.0.0.1:34930|16155|OL|NA|INVALID|INVALID|23|INVALIDVAR ups.load",
  );
  assertEquals(
    await renderRecord(
      compileFormat(DEFAULT_FORMAT),
      ctx({
        "battery.charge": "77",
        "input.voltage": "230.0",
        "ups.load": "23",
        "ups.status": "OL",
        "ups.temperature": "30.5",
        "input.frequency": "50.0",
      }),
    ),
    "20261121 093333 77 230.0 23 [OL] 30.5 50.0",
  );
  assertEquals(
    await renderRecord(compileFormat("%UPSHOST%%t%VAR a.b%"), ctx({})),
    "dummy@127.0.0.1:34930\tNA",
  );
});

Deno.test("renderRecord: records are cut at NUT's 4095-byte buffer", async () => {
  const long = "x".repeat(5000);
  assertEquals((await renderRecord(compileFormat(long), ctx({}))).length, 4095);
});
