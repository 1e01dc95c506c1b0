import { jsonEscape } from "../../lib/clients/json.ts";
import { upscMain } from "../../lib/clients/upsc.ts";
import { assertEquals } from "../helpers/assert.ts";
import {
  type FakeHandler,
  type FakeUps,
  scriptedUpsd,
  startFakeUpsd,
} from "../helpers/fake_upsd.ts";
import { fakeIO } from "./tool_io.ts";

Deno.test("jsonEscape: named escapes, other control characters as \\u00xx, the rest as is", () => {
  assertEquals(jsonEscape('a"b\\c'), 'a\\"b\\\\c');
  assertEquals(jsonEscape("\b\f\n\r\t"), "\\b\\f\\n\\r\\t");
  assertEquals(jsonEscape("\x01\x1f\x7f"), "\\u0001\\u001f\x7f");
  assertEquals(jsonEscape("é/€ plain"), "é/€ plain");
});

const UPSES: Record<string, FakeUps> = {
  dummy: {
    desc: "Test dummy UPS",
    vars: {
      "battery.charge": { value: "100" },
      "device.mfr": { value: 'ACME "Power" \\ Co' },
      "ups.status": { value: "OL" },
    },
    clients: ["127.0.0.1", "::1"],
  },
  second: { desc: "Second dummy", vars: {} },
};

async function upsc(
  args: string[],
  handler: FakeHandler = scriptedUpsd(UPSES),
): Promise<[number, string, string]> {
  const srv = await startFakeUpsd(handler);
  try {
    const f = fakeIO({ argv0: "upsc" });
    const code = await upscMain(args.map((a) => a.replace("PORT", String(srv.port))), f.io);
    return [code, f.stdout(), f.stderr()];
  } finally {
    await srv.close();
  }
}

Deno.test("upsc -j: NUT 2.8.5 layouts", async () => {
  assertEquals(await upsc(["-j", "dummy@127.0.0.1:PORT"]), [
    0,
    '{\n  "battery.charge": "100",\n  "device.mfr": "ACME \\"Power\\" \\\\ Co",\n  "ups.status": "OL"\n}\n',
    "",
  ]);
  assertEquals(await upsc(["-j", "second@127.0.0.1:PORT"]), [0, "{\n\n}\n", ""]);
  assertEquals(await upsc(["-j", "dummy@127.0.0.1:PORT", "ups.status"]), [0, '"OL"\n', ""]);
  assertEquals(await upsc(["-j", "-l", "127.0.0.1:PORT"]), [
    0,
    '[\n  "dummy",\n  "second"\n]\n',
    "",
  ]);
  assertEquals(await upsc(["-j", "-L", "127.0.0.1:PORT"]), [
    0,
    '{\n  "dummy": "Test dummy UPS",\n  "second": "Second dummy"\n}\n',
    "",
  ]);
  assertEquals(await upsc(["-j", "-c", "dummy@127.0.0.1:PORT"]), [
    0,
    '[\n  "127.0.0.1",\n  "::1"\n]\n',
    "",
  ]);
  assertEquals(await upsc(["-j", "-c", "second@127.0.0.1:PORT"]), [0, "[\n\n]\n", ""]);
  assertEquals(
    await upsc(["-j", "-l", "127.0.0.1:PORT"], scriptedUpsd({})),
    [0, "[\n\n]\n", ""],
  );
});

Deno.test("upsc -j: errors on stdout as JSON and on stderr as text", async () => {
  assertEquals(await upsc(["-j", "nosuch@127.0.0.1:PORT"]), [
    1,
    '{\n  "error": "Unknown UPS"\n}\n',
    "Error: Unknown UPS\n",
  ]);
  assertEquals(await upsc(["-j", "nosuch@127.0.0.1:PORT", "ups.status"]), [
    1,
    '{"error": "Unknown UPS"}\n',
    "Error: Unknown UPS\n",
  ]);
  assertEquals(await upsc(["-j", "dummy@127.0.0.1:PORT", "nodot"]), [
    1,
    '{"error": "old-style variable names are not supported"}\n',
    "Error: old-style variable names are not supported\n",
  ]);
  assertEquals(await upsc(["-j"]), [
    1,
    '{"error": "invalid UPS definition.\\nRequired format: upsname[@hostname[:port]]"}\n',
    "Error: invalid UPS definition.\nRequired format: upsname[@hostname[:port]]\n",
  ]);
  assertEquals(await upsc(["-j", "-l", "127.0.0.1:0"]), [
    1,
    '{"error": "invalid hostname.\\nRequired format: [hostname[:port]]"}\n',
    "upscli_splitaddr: no port specified after ':' separator\n" +
    "Error: invalid hostname.\nRequired format: [hostname[:port]]\n",
  ]);
});

Deno.test("upsc: old upsd and short replies", async () => {
  const old: FakeHandler = (_l, w) =>
    w[0] === "STARTTLS" ? "ERR UNKNOWN-COMMAND" : "ERR UNKNOWN-COMMAND";
  assertEquals(await upsc(["u@127.0.0.1:PORT"], old), [
    1,
    "",
    "Error: upsd is too old to support this query\n",
  ]);
  assertEquals(await upsc(["u@127.0.0.1:PORT", "a.b"], old), [
    1,
    "",
    "Error: variable unknown (old upsd detected)\n",
  ]);
  const short: FakeHandler = (l) =>
    l === "LIST VAR u"
      ? ["BEGIN LIST VAR u", "VAR u a.b", "END LIST VAR u"]
      : "ERR UNKNOWN-COMMAND";
  assertEquals(await upsc(["u@127.0.0.1:PORT"], short), [
    1,
    "",
    "Error: insufficient data (got 3 args, need at least 4)\n",
  ]);
  // a failure in mid-list ends the output quietly, as NUT's loop does
  const cut: FakeHandler = (l) =>
    l === "LIST VAR u"
      ? ["BEGIN LIST VAR u", 'VAR u a.b "1"', "ERR DATA-STALE"]
      : "ERR FEATURE-NOT-CONFIGURED";
  assertEquals(await upsc(["u@127.0.0.1:PORT"], cut), [0, "a.b: 1\n", ""]);
});

Deno.test("upsc: -V on stderr, getopt errors print usage and exit 0", async () => {
  assertEquals(await upsc(["-V"]), [0, "", "Network UPS Tools upsc 2.8.0\n"]);
  const [code, out, err] = await upsc(["-x"]);
  assertEquals([code, err], [0, "upsc: invalid option -- 'x'\n"]);
  assertEquals(out.split("\n").slice(0, 3), [
    "Network UPS Tools upsc 2.8.0",
    "",
    "usage: upsc [-j] -l | -L [<hostname>[:port]]",
  ]);
});
