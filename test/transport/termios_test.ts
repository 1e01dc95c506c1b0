/** The termios byte layout: line settings in, the same settings out; speed codes. */

import { assertEquals, assertThrows } from "../helpers/assert.ts";
import {
  applyRawSettings,
  BAUD_CODES,
  baudCode,
  baudOf,
  LINE_2400_8N1,
  type LineSettings,
  readSettings,
  TERMIOS_SIZE,
} from "../../lib/transport/termios.ts";

function cooked(): Uint8Array {
  // a typical cooked tty: ICRNL IXON | OPOST | CS8 CREAD B38400 | ISIG ICANON ECHO
  const t = new Uint8Array(TERMIOS_SIZE);
  const v = new DataView(t.buffer);
  v.setUint32(0, 0o400 | 0o2000, true);
  v.setUint32(4, 0o1, true);
  v.setUint32(8, 0o60 | 0o200 | 0o17, true);
  v.setUint32(12, 0o1 | 0o2 | 0o10, true);
  return t;
}

Deno.test("termios: every framing survives a write/read of the struct", () => {
  for (const dataBits of [5, 6, 7, 8] as const) {
    for (const parity of ["none", "even", "odd"] as const) {
      for (const stopBits of [1, 2] as const) {
        const line: LineSettings = {
          ...LINE_2400_8N1,
          dataBits,
          parity,
          stopBits,
          rtscts: stopBits === 2,
        };
        const t = cooked();
        applyRawSettings(t, line);
        const s = readSettings(t);
        assertEquals(
          [s.dataBits, s.parity, s.stopBits, s.rtscts, s.xonxoff, s.raw],
          [dataBits, parity, stopBits, stopBits === 2, false, true],
        );
      }
    }
  }
});

Deno.test("termios: raw mode clears canonical input, echo, signals, CR mapping; VMIN 1 VTIME 0", () => {
  const t = cooked();
  applyRawSettings(t, { ...LINE_2400_8N1, xonxoff: true });
  const v = new DataView(t.buffer);
  assertEquals(v.getUint32(0, true) & 0o400, 0, "ICRNL off (a CR stays a CR)");
  assertEquals(v.getUint32(0, true) & 0o2000, 0o2000, "IXON on when asked");
  assertEquals(v.getUint32(4, true) & 0o1, 0, "OPOST off");
  assertEquals(v.getUint32(12, true) & (0o1 | 0o2 | 0o10), 0, "ISIG ICANON ECHO off");
  assertEquals(v.getUint32(8, true) & 0o4000, 0o4000, "CLOCAL on");
  assertEquals([t[17 + 6], t[17 + 5]], [1, 0]);
});

Deno.test("termios: speed codes", () => {
  assertEquals(baudCode(2400), 0o13);
  assertEquals(baudCode(9600), 0o15);
  assertEquals(baudCode(115200), 0o10002);
  assertEquals(baudOf(0o16), 19200);
  assertEquals(baudOf(0o7777), undefined);
  assertThrows(
    () => baudCode(2401),
    (e) => e instanceof RangeError && /unsupported serial speed 2401/.test(e.message),
  );
  for (const [baud, code] of BAUD_CODES) assertEquals(baudOf(code), baud);
});
