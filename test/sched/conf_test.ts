/** upssched.conf parsing: entries in file order, errors located as file:line. */
import { assertEquals } from "../helpers/assert.ts";
import { type ConfEntry, errorText, globalsOf, parseUpsschedConf } from "../../lib/sched/conf.ts";

const FILE = "/etc/nut/upssched.conf";

function errors(entries: ConfEntry[]): string[] {
  return entries.flatMap((e) => e.kind === "error" ? [errorText(e)] : []);
}

Deno.test("conf: directives in file order with their line numbers", () => {
  const text = [
    "# comment",
    'CMDSCRIPT "/usr/local/bin/ups cmd" --flag',
    "PIPEFN /run/nut/upssched/upssched.pipe",
    "",
    "LOCKFN /run/nut/upssched/upssched.lock",
    "debug_min 2",
    "AT ONBATT * START-TIMER onbattwarn 30",
    "AT ONLINE ups@host CANCEL-TIMER onbattwarn late extra words",
  ].join("\n");
  assertEquals(parseUpsschedConf(text, FILE), [
    { kind: "CMDSCRIPT", lineNo: 2, argv: ["/usr/local/bin/ups cmd", "--flag"] },
    { kind: "PIPEFN", lineNo: 3, path: "/run/nut/upssched/upssched.pipe" },
    { kind: "LOCKFN", lineNo: 5, path: "/run/nut/upssched/upssched.lock" },
    { kind: "DEBUG_MIN", lineNo: 6, level: 2 },
    {
      kind: "AT",
      lineNo: 7,
      rule: {
        notifyType: "ONBATT",
        upsName: "*",
        command: "START-TIMER",
        args: ["onbattwarn", "30"],
      },
    },
    {
      kind: "AT",
      lineNo: 8,
      rule: {
        notifyType: "ONLINE",
        upsName: "ups@host",
        command: "CANCEL-TIMER",
        args: ["onbattwarn", "late"],
      },
    },
  ]);
});

Deno.test("conf: unknown or short lines are invalid directives named by file:line", () => {
  const text = [
    "BOGUS foo bar",
    "cmdscript /lower/case/keyword",
    "AT ONLINE * EXECUTE",
    "PIPEFN",
    'LOCKFN ""',
    "DEBUG_MIN -1",
    "DEBUG_MIN two",
    "AT ONLINE * EXECUTE ok",
  ].join("\n");
  const entries = parseUpsschedConf(text, FILE);
  assertEquals(errors(entries), [
    `${FILE}:1: invalid directive BOGUS foo bar`,
    `${FILE}:2: invalid directive cmdscript /lower/case/keyword`,
    `${FILE}:3: invalid directive AT ONLINE * EXECUTE`,
    `${FILE}:4: invalid directive PIPEFN`,
    `${FILE}:5: invalid directive LOCKFN `,
    `${FILE}:6: invalid directive DEBUG_MIN -1`,
    `${FILE}:7: invalid directive DEBUG_MIN two`,
  ]);
  assertEquals(entries.at(-1)?.kind, "AT");
  const first = entries[0];
  assertEquals(first.kind === "error" && [first.error.file, first.error.lineNo], [FILE, 1]);
});

Deno.test("conf: tokenizer errors come out as Parse error lines in order", () => {
  const text = 'CMDSCRIPT /bin/x\nAT ONLINE * EXECUTE "a#b"\nPIPEFN /p\nLOCKFN "/unterminated\n';
  const entries = parseUpsschedConf(text, FILE);
  assertEquals(entries.map((e) => [e.kind, e.lineNo]), [
    ["CMDSCRIPT", 1],
    ["error", 2],
    ["PIPEFN", 3],
    ["error", 4],
  ]);
  assertEquals(errors(entries), [
    `Parse error: ${FILE}:2: Unbalanced word due to unescaped # in quotes`,
    `Parse error: ${FILE}:4: Unbalanced word due to missing closing quote at end of file`,
  ]);
});

Deno.test("conf: quoting and escapes reach the values", () => {
  const entries = parseUpsschedConf(
    'AT "ON BATT" "my ups@h" EXECUTE "say \\"hi\\""\nPIPEFN /a\\ b\n',
    FILE,
  );
  assertEquals(entries[0].kind === "AT" && entries[0].rule, {
    notifyType: "ON BATT",
    upsName: "my ups@h",
    command: "EXECUTE",
    args: ['say "hi"'],
  });
  assertEquals(entries[1], { kind: "PIPEFN", lineNo: 2, path: "/a b" });
});

Deno.test("conf: globals for -l: last value wins, AT lines ignored", () => {
  const entries = parseUpsschedConf(
    "PIPEFN /one\nAT X * EXECUTE y\nCMDSCRIPT /c a\nPIPEFN /two\n",
    FILE,
  );
  assertEquals(globalsOf(entries), { pipefn: "/two", cmdscript: ["/c", "a"] });
  assertEquals(globalsOf([]), {});
});
