import { assertEquals } from "../../helpers/assert.ts";
import { parseDevFile } from "../../../lib/drivers/dummy_ups/devfile.ts";
import { selectMode } from "../../../lib/drivers/dummy_ups/mode.ts";

Deno.test(".dev parsing: names up to the first colon, words re-joined", () => {
  const dev = parseDevFile(
    [
      "# comment",
      "ups.mfr: Test Mfr \\\\ back",
      "ups.time: 12:34:56",
      'multi:  a   b    "c  d"',
      'quoted: "Quoted  two  spaces"',
      "nocolon value here",
      "ups.serial:nospace",
      "ups.alarm:",
      "driver.parameter.port: /dev/ttyS0",
      "Driver.Name: x",
      "ups.status: OL CHRG",
      "TIMER 5",
      "ALARM [Replace battery]",
      "ALARM",
      "value.with.hash: abc #trailing comment",
    ].join("\n"),
    "t.dev",
  );
  assertEquals(dev.errors, []);
  assertEquals(
    dev.directives.map((d) =>
      d.kind === "set"
        ? [d.name, d.value]
        : d.kind === "timer"
        ? ["TIMER", d.seconds]
        : ["ALARM", d.text]
    ),
    [
      ["ups.mfr", "Test Mfr \\ back"],
      ["ups.time", "12:34:56"],
      ["multi", "a b c  d"],
      ["quoted", "Quoted  two  spaces"],
      ["nocolon", "value here"],
      // 2.8.0 lost this value (bug): we keep it
      ["ups.serial", "nospace"],
      // 2.8.0 reused the previous value (bug): an empty value stays empty
      ["ups.alarm", ""],
      ["ups.status", "OL CHRG"],
      ["TIMER", 5],
      ["ALARM", "[Replace battery]"],
      ["ALARM", ""],
      ["value.with.hash", "abc"],
    ],
  );
  assertEquals(dev.directives[0].lineNo, 2);
});

Deno.test(".dev parsing: errors name file and line, other lines survive", () => {
  const dev = parseDevFile('a: 1\nb: "x # y"\nTIMER soon\n:x 1\nc: 3\n', "bad.seq");
  assertEquals(dev.errors, [
    "bad.seq:2: Unbalanced word due to unescaped # in quotes",
    "bad.seq:3: TIMER needs a number of seconds",
    "bad.seq:4: missing variable name",
  ]);
  assertEquals(dev.directives.map((d) => d.kind === "set" ? d.name : d.kind), ["a", "c"]);
});

Deno.test("mode selection as Debian's 2.8.0 dummy-ups", () => {
  const cases: Array<[string, string | undefined, string, string]> = [
    ["test.dev", undefined, "once", "dummy-once"],
    ["test.seq", undefined, "loop", "dummy-loop"],
    ["test.xyz", undefined, "loop", "dummy"],
    ["ups@host:3493", undefined, "repeater", "repeater"],
    ["ups@host", "foo", "repeater", "repeater"],
    ["/x/test.dev", "repeater", "repeater", "repeater"],
    ["test.dev", "dummy", "loop", "dummy-loop"],
    ["test.xyz", "dummy", "loop", "dummy-loop"],
    ["test.xyz", "dummy-loop", "loop", "dummy-loop"],
    ["test.seq", "dummy-once", "once", "dummy-once"],
    ["test.dev", "foo", "once", "dummy-once"],
    ["test.xyz", "foo", "loop", "dummy"],
    // case-sensitive match; the guess keeps the user's spelling when equal ignoring case
    ["test.dev", "DUMMY-ONCE", "once", "DUMMY-ONCE"],
    ["test.xyz", "Dummy", "loop", "Dummy"],
    ["test.dev", "Dummy-Loop", "once", "dummy-once"],
  ];
  for (const [port, mode, want, published] of cases) {
    assertEquals(selectMode(port, mode), { mode: want, published }, `${port} ${mode}`);
  }
});
