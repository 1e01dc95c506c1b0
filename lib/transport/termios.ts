/**
 * Serial line settings (speed, data bits, parity, stop bits, flow control)
 * and how they map onto Linux's `struct termios`. Pure: reads and writes a
 * byte buffer laid out as glibc/musl define the struct on Linux
 * (four 32-bit flag words, c_line, c_cc[32], then two 32-bit speeds).
 *
 * @module
 */

/** Bytes to reserve for a `struct termios` (60 on Linux; rounded up). */
export const TERMIOS_SIZE = 64;

const C_IFLAG = 0;
const C_OFLAG = 4;
const C_CFLAG = 8;
const C_LFLAG = 12;
const C_CC = 17;

// c_cflag bits
const CSIZE = 0o60;
const CS = { 5: 0o0, 6: 0o20, 7: 0o40, 8: 0o60 } as const;
const CSTOPB = 0o100;
const CREAD = 0o200;
const PARENB = 0o400;
const PARODD = 0o1000;
const CLOCAL = 0o4000;
const CRTSCTS = 0o20000000000;
const CBAUD = 0o10017;
// c_iflag bits
const IGNBRK = 0o1;
const BRKINT = 0o2;
const PARMRK = 0o10;
const INPCK = 0o20;
const ISTRIP = 0o40;
const INLCR = 0o100;
const IGNCR = 0o200;
const ICRNL = 0o400;
const IXON = 0o2000;
const IXANY = 0o4000;
const IXOFF = 0o10000;
// c_oflag / c_lflag
const OPOST = 0o1;
const ISIG = 0o1;
const ICANON = 0o2;
const ECHO = 0o10;
const ECHONL = 0o100;
const IEXTEN = 0o100000;
// c_cc indexes
const VTIME = 5;
const VMIN = 6;

/** Linux speed_t codes by baud rate. */
export const BAUD_CODES: ReadonlyMap<number, number> = new Map([
  [50, 0o1],
  [75, 0o2],
  [110, 0o3],
  [134, 0o4],
  [150, 0o5],
  [200, 0o6],
  [300, 0o7],
  [600, 0o10],
  [1200, 0o11],
  [1800, 0o12],
  [2400, 0o13],
  [4800, 0o14],
  [9600, 0o15],
  [19200, 0o16],
  [38400, 0o17],
  [57600, 0o10001],
  [115200, 0o10002],
  [230400, 0o10003],
]);

export type Parity = "none" | "even" | "odd";

export interface LineSettings {
  baud: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: Parity;
  stopBits: 1 | 2;
  /** Hardware (RTS/CTS) flow control. */
  rtscts: boolean;
  /** Software (XON/XOFF) flow control. */
  xonxoff: boolean;
}

/** 2400 baud, 8N1, no flow control: Megatec/Q1 and APC Smart lines. */
export const LINE_2400_8N1: LineSettings = {
  baud: 2400,
  dataBits: 8,
  parity: "none",
  stopBits: 1,
  rtscts: false,
  xonxoff: false,
};

/** The speed_t code for a baud rate; throws for rates Linux has no code for. */
export function baudCode(baud: number): number {
  const code = BAUD_CODES.get(baud);
  if (code === undefined) {
    throw new RangeError(
      `unsupported serial speed ${baud} (use one of ${[...BAUD_CODES.keys()].join(", ")})`,
    );
  }
  return code;
}

/** The baud rate of a speed_t code, or undefined. */
export function baudOf(code: number): number | undefined {
  for (const [baud, c] of BAUD_CODES) if (c === code) return baud;
  return undefined;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Put raw mode and `line` into a termios buffer read with tcgetattr (speed
 * codes are set separately with cfsetispeed/cfsetospeed). VMIN = 1,
 * VTIME = 0: on the non-blocking descriptor a read without data fails with
 * EAGAIN and a read that returns 0 means hangup (with VMIN = 0 Linux returns
 * 0 for both). Waiting is done with poll(2).
 */
export function applyRawSettings(buf: Uint8Array, line: LineSettings): void {
  const v = view(buf);
  const le = true;
  let iflag = v.getUint32(C_IFLAG, le);
  let oflag = v.getUint32(C_OFLAG, le);
  let cflag = v.getUint32(C_CFLAG, le);
  let lflag = v.getUint32(C_LFLAG, le);
  // raw: what cfmakeraw clears, done here so the result does not depend on libc
  iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXANY | IXOFF |
    INPCK);
  oflag &= ~OPOST;
  lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  cflag &= ~(CSIZE | PARENB | PARODD | CSTOPB | CRTSCTS);
  cflag |= CS[line.dataBits] | CREAD | CLOCAL;
  if (line.parity !== "none") {
    cflag |= PARENB;
    iflag |= INPCK;
    if (line.parity === "odd") cflag |= PARODD;
  }
  if (line.stopBits === 2) cflag |= CSTOPB;
  if (line.rtscts) cflag |= CRTSCTS;
  if (line.xonxoff) iflag |= IXON | IXOFF;
  v.setUint32(C_IFLAG, iflag >>> 0, le);
  v.setUint32(C_OFLAG, oflag >>> 0, le);
  v.setUint32(C_CFLAG, cflag >>> 0, le);
  v.setUint32(C_LFLAG, lflag >>> 0, le);
  buf[C_CC + VMIN] = 1;
  buf[C_CC + VTIME] = 0;
}

/** The line settings a termios buffer describes (speed from its c_ospeed field). */
export function readSettings(buf: Uint8Array): LineSettings & { raw: boolean } {
  const v = view(buf);
  const iflag = v.getUint32(C_IFLAG, true);
  const cflag = v.getUint32(C_CFLAG, true);
  const lflag = v.getUint32(C_LFLAG, true);
  const sizes: Array<[number, 5 | 6 | 7 | 8]> = [[CS[5], 5], [CS[6], 6], [CS[7], 7], [CS[8], 8]];
  const dataBits = sizes.find(([bits]) => bits === (cflag & CSIZE))![1];
  return {
    // Linux keeps the output speed code in c_cflag's CBAUD bits too
    baud: baudOf(cflag & CBAUD) ?? 0,
    dataBits,
    parity: (cflag & PARENB) ? ((cflag & PARODD) ? "odd" : "even") : "none",
    stopBits: (cflag & CSTOPB) ? 2 : 1,
    rtscts: (cflag & CRTSCTS) !== 0,
    xonxoff: (iflag & IXON) !== 0,
    raw: (lflag & (ICANON | ECHO | ISIG)) === 0,
  };
}
