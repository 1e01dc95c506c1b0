/** The CLI ⇄ daemon line protocol: encoding, parsing, offsets, listing rows. */
import { assertEquals } from "../helpers/assert.ts";
import { splitLine } from "../../lib/conf/tokenizer.ts";
import {
  encodeRequest,
  formatG,
  formatListRow,
  parseOffset,
  parseRequest,
  type Request,
} from "../../lib/sched/protocol.ts";

const req: Request = {
  verb: "START",
  name: 'odd "name" #1',
  arg: "30",
  notifyType: "ONBATT",
  upsName: "ups@host",
  message: "UPS ups@host on battery \\ backslash",
};

Deno.test("protocol: requests survive encoding and NUT tokenizing", () => {
  const line = encodeRequest(req);
  assertEquals(
    line,
    'START "odd \\"name\\" \\#1" "30" "ONBATT" "ups@host" "UPS ups@host on battery \\\\ backslash"\n',
  );
  assertEquals(parseRequest(splitLine(line.trimEnd())!), req);
});

Deno.test("protocol: NUT 2.8.0's shorter requests still parse, missing fields empty", () => {
  assertEquals(parseRequest(["START", "t", "5"]), {
    verb: "START",
    name: "t",
    arg: "5",
    notifyType: "",
    upsName: "",
    message: "",
  });
  assertEquals(parseRequest(["CANCEL", "t"])?.arg, "");
  assertEquals(parseRequest(["CANCEL", "t", "late"])?.arg, "late");
  assertEquals(parseRequest(["LIST-TIMERS"])?.verb, "LIST-TIMERS");
});

Deno.test("protocol: unknown verbs and missing words are rejected", () => {
  assertEquals(parseRequest(["START", "t"]), null);
  assertEquals(parseRequest(["START-SHARED", "t"]), null);
  assertEquals(parseRequest(["CANCEL"]), null);
  assertEquals(parseRequest(["start", "t", "5"]), null);
  assertEquals(parseRequest(["toString", "a", "b"]), null);
  assertEquals(parseRequest([]), null);
});

Deno.test("protocol: offsets read like C strtol", () => {
  assertEquals(parseOffset("30"), 30);
  assertEquals(parseOffset("  +7x"), 7);
  assertEquals(parseOffset("-5"), -5);
  assertEquals(parseOffset("1.9"), 1);
  assertEquals(parseOffset(""), 0);
  assertEquals(parseOffset("abc"), 0);
});

Deno.test("protocol: %g formatting", () => {
  const cases: Array<[number, string]> = [
    [0, "0"],
    [28, "28"],
    [1.5, "1.5"],
    [1.956, "1.956"],
    [0.001, "0.001"],
    [123456, "123456"],
    [1234567, "1.23457e+06"],
    [0.00001, "1e-05"],
    [-2.25, "-2.25"],
  ];
  for (const [x, want] of cases) assertEquals(formatG(x), want, String(x));
});

Deno.test('protocol: listing rows are TAB-separated, empty fields as ""', () => {
  const now = 1_700_000_000_000;
  const row = formatListRow({
    id: 1,
    name: "warn",
    expiresAt: now + 28_500,
    notifyTypes: ["ONBATT", "LOWBATT"],
    upsNames: ["a@h", "b@h"],
    messages: ["one", "two"],
  }, now);
  assertEquals(row, "warn\t1700000028\t28.5\tONBATT,LOWBATT\ta@h,b@h\tone.\ttwo");
  const empty = formatListRow({
    id: 2,
    name: "old",
    expiresAt: now + 3000,
    notifyTypes: [""],
    upsNames: [""],
    messages: [""],
  }, now);
  assertEquals(empty, 'old\t1700000003\t3\t""\t""\t""');
});
