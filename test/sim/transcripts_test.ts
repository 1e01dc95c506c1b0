/** Transcript parsing: the three layouts of ../shared/fixtures/serial, and our own samples. */

import { assertEquals } from "../helpers/assert.ts";
import { parseTranscript, replyTable } from "../../lib/sim/transcripts.ts";

const DIR = new URL("../../../shared/fixtures/serial", import.meta.url).pathname;

function fixture(name: string): string | undefined {
  try {
    return Deno.readTextFileSync(`${DIR}/${name}`);
  } catch {
    console.log(`${DIR}/${name} not present: checked with own samples only`);
    return undefined;
  }
}

Deno.test("transcripts: vendor log of string-descriptor reads (krauler-style)", () => {
  const sample = [
    "# comment",
    "2023.11.29 22:03:55,Send,80 06 03 03 09 04 00 66",
    "2023.11.29 22:03:55,Receive,(232.0 000.0 232.0 000 49.9 13.6 29.0 00001000",
    "2023.11.29 22:03:54,Send,80 06 0d 03 09 04 00 66",
    "2023.11.29 22:03:54,Receive,#   .   .  12.00   . ",
    "2023.11.29 22:03:47,Send,80 06 07 03 09 04 00 66",
    "2023.11.29 22:03:47,Receive,UPS No Ack",
  ].join("\n");
  assertEquals(parseTranscript(sample), [
    { request: "Q1", reply: "(232.0 000.0 232.0 000 49.9 13.6 29.0 00001000\r" },
    { request: "F", reply: "#   .   .  12.00   . \r" },
    { request: "Q", reply: null },
  ]);
  const text = fixture("megatec_q1_mec0003_usb_stringdesc.txt");
  if (!text) return;
  const table = replyTable(parseTranscript(text));
  assertEquals(table.get("I"), ["#                           V3.8      \r"]);
  assertEquals(table.get("Q1")!.length, 6);
});

Deno.test("transcripts: 'QUERY -> reply' lists (descriptions are not replies)", () => {
  const sample = "QPI   -> (PI01\n         fields: a, b\nQMOD  -> one letter, one of P S\n";
  assertEquals(parseTranscript(sample), [{ request: "QPI", reply: "(PI01\r" }]);
  const text = fixture("voltronic_qgs_orion_dc3000rt_serial.txt");
  if (!text) return;
  const table = replyTable(parseTranscript(text));
  assertEquals(table.get("QGS")!.length, 2);
  assertEquals(table.get("QBV"), ["(082.0 06 01 091 342\r"]);
  assertEquals(table.has("QMOD"), false);
});

Deno.test("transcripts: >>> / <<< hex dumps, zero padding dropped, continuation lines joined", () => {
  const sample = [
    ">>> 4D 0D                                   M\\r",
    "<<< 48 0D 00 00 00 00 00 00                 H\\r (variant H)",
    ">>> 46 0D                                   F\\r",
    "<<< 23 32 33 30 2E 30 20 30 30 33 20 31 32 2E 30 30 20 35 30 2E 30 0D 00 00",
    "    #230.0 003 12.00 50.0\\r",
    ">>> 51 0D                                   Q\\r        (toggle beeper)",
  ].join("\n");
  assertEquals(parseTranscript(sample), [
    { request: "M", reply: "H\r" },
    { request: "F", reply: "#230.0 003 12.00 50.0\r" },
    { request: "Q", reply: null },
  ]);
  const text = fixture("voltronic_qs_0665-5161_usbhid.txt");
  if (!text) return;
  const table = replyTable(parseTranscript(text));
  assertEquals(table.get("QS"), [
    "(228.6 228.7 228.6 000 50.0 13.5 --.- 00001000\r",
    "(230.8 230.8 230.8 000 50.0 13.6 --.- 00001000\r",
  ]);
  assertEquals(table.get("S.2R0001"), [null]);
});
