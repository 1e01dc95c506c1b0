/** The privileged part's request decoder: only well-formed, known requests pass. */
import { assertEquals } from "../helpers/assert.ts";
import {
  decodeRequest,
  encodeRequest,
  MAX_REQUEST_LINE,
  type PrivRequest,
  RequestLines,
} from "../../lib/monitor/pipe.ts";

Deno.test("pipe: every request survives encode/decode", () => {
  const reqs: PrivRequest[] = [
    { op: "ready" },
    { op: "reload" },
    { op: "shutdown" },
    { op: "wall", message: "Executing automatic power-fail shutdown" },
    {
      op: "notify",
      type: "ONBATT",
      ups: "u@h",
      message: 'UPS u@h on "battery" $(x)',
      wall: true,
      exec: false,
    },
  ];
  for (const r of reqs) {
    const line = encodeRequest(r);
    assertEquals(line.endsWith("\n") && line.indexOf("\n") === line.length - 1, true);
    assertEquals(decodeRequest(line.slice(0, -1)), r);
  }
});

Deno.test("pipe: hostile requests are refused with a reason", () => {
  const bad: Array<[string, string]> = [
    ["not json", "request is not JSON"],
    ["[1]", "request is not an object"],
    ["null", "request is not an object"],
    ['{"op":"exec","cmd":"rm -rf /"}', 'unknown request "exec"'],
    [
      '{"op":"notify","type":"NOPE","ups":"","message":"","wall":true,"exec":true}',
      "bad notify type",
    ],
    [
      '{"op":"notify","type":"ONBATT","ups":1,"message":"","wall":true,"exec":true}',
      "bad notify text",
    ],
    [
      '{"op":"notify","type":"ONBATT","ups":"","message":"a\\u0000b","wall":true,"exec":true}',
      "bad notify text",
    ],
    [
      '{"op":"notify","type":"ONBATT","ups":"","message":"","wall":"yes","exec":true}',
      "bad notify flags",
    ],
    ['{"op":"wall"}', "bad wall message"],
    [`{"op":"wall","message":"${"x".repeat(3000)}"}`, "bad wall message"],
    ["x".repeat(MAX_REQUEST_LINE + 1), "request line too long"],
  ];
  for (const [line, why] of bad) {
    assertEquals(decodeRequest(line), { error: why }, line.slice(0, 60));
  }
  // extra fields are dropped, never passed on
  assertEquals(decodeRequest('{"op":"shutdown","cmd":"evil"}'), { op: "shutdown" });
});

Deno.test("pipe: line splitting across chunks; overlong lines are skipped, not buffered", () => {
  const l = new RequestLines();
  const enc = new TextEncoder();
  assertEquals(l.push(enc.encode('{"op":"pi')), []);
  assertEquals(l.push(enc.encode('ng"}\n{"op":"ready"}\n{')), ['{"op":"ping"}', '{"op":"ready"}']);
  assertEquals(l.push(enc.encode('"op":"reload"}\n')), ['{"op":"reload"}']);
  const huge = "y".repeat(MAX_REQUEST_LINE + 10);
  assertEquals(l.push(enc.encode(huge)), [null]);
  assertEquals(l.push(enc.encode(huge)), []);
  assertEquals(l.push(enc.encode('tail\n{"op":"ping"}\n')), ['{"op":"ping"}']);
});
