/** The in-memory serial port: responder, buffered reads, modem lines, vanishing. */

import { assert, assertEquals } from "../helpers/assert.ts";
import { FakeSerialPort } from "../../lib/transport/fake_serial.ts";
import { SerialError } from "../../lib/transport/serial.ts";

Deno.test("fake serial: a responder answers writes; reads wait for data or time out", async () => {
  const port = new FakeSerialPort("/dev/fake", (req, p) => {
    if (req === "Q1\r") {
      setTimeout(() => p.feed("(230.0"), 20), setTimeout(() => p.feed(" 1\r"), 40);
    }
  });
  await port.write("Q1\r");
  assertEquals(await port.readLine(1000), { text: "(230.0 1\r", complete: true });
  assertEquals(await port.readLine(50), { text: "", complete: false });
  assertEquals(port.writes, ["Q1\r"]);
});

Deno.test("fake serial: modem lines as a contact-closure UPS shows them", () => {
  const port = new FakeSerialPort();
  port.lines.cts = true;
  port.lines.dcd = true;
  assert(port.setModemLines({ dtr: true, rts: false }));
  assertEquals(port.modemLines(), {
    dtr: true,
    rts: false,
    cts: true,
    dcd: true,
    dsr: false,
    ri: false,
  });
  assert(port.setOutputLines({ dtr: true, rts: true }));
  assertEquals(port.lineLog, [{ dtr: true, rts: false }, { dtr: true, rts: true }]);
  port.hasModemLines = false; // like a pty
  assertEquals(port.modemLines(), undefined);
  assertEquals(port.setModemLines({ dtr: false }), false);
});

Deno.test("fake serial: vanish() fails pending and later calls", async () => {
  const port = new FakeSerialPort();
  const pending = port.readLine(5000);
  port.vanish();
  let err: unknown;
  try {
    await pending;
  } catch (e) {
    err = e;
  }
  assert(err instanceof SerialError);
  let werr: unknown;
  try {
    await port.write("x");
  } catch (e) {
    werr = e;
  }
  assert(werr instanceof SerialError);
});
