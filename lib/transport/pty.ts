/**
 * Pseudo-terminals for device simulators: the simulator keeps the master
 * side, a driver opens the slave path as if it were /dev/ttyS0. Ptys carry
 * bytes like a serial line but have no modem lines (TIOCMGET fails).
 *
 * The simulator also holds the slave open itself: otherwise, while no driver
 * has it open, reads on the master fail with EIO and poll(2) reports a
 * hangup at once (a busy loop).
 *
 * @module
 */

import {
  cString,
  errno,
  libc,
  LibcError,
  O_CLOEXEC,
  O_NOCTTY,
  O_NONBLOCK,
  O_RDWR,
} from "./libc.ts";
import { FdSerialPort } from "./serial.ts";
import { LINE_2400_8N1 } from "./termios.ts";

export class Pty {
  #slaveHold: FdSerialPort;

  private constructor(
    readonly master: FdSerialPort,
    readonly slavePath: string,
    hold: FdSerialPort,
  ) {
    this.#slaveHold = hold;
  }

  /** A new pty pair with the slave in raw 2400 8N1 (the driver sets its own mode anyway). */
  static open(): Pty {
    const c = libc();
    const fd = c.posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) throw new LibcError("posix_openpt", errno());
    const fail = (op: string): never => {
      const err = errno();
      c.close(fd);
      throw new LibcError(op, err);
    };
    if (c.grantpt(fd) !== 0) fail("grantpt");
    if (c.unlockpt(fd) !== 0) fail("unlockpt");
    const name = new Uint8Array(128);
    const rc = c.ptsname_r(fd, name, BigInt(name.length));
    if (rc !== 0) {
      c.close(fd);
      throw new LibcError("ptsname_r", rc);
    }
    const slavePath = new TextDecoder().decode(name.subarray(0, name.indexOf(0)));
    const sfd = c.open(cString(slavePath), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (sfd < 0) fail(`open ${slavePath}`);
    const hold = new FdSerialPort(sfd, slavePath);
    hold.configure(LINE_2400_8N1);
    const master = new FdSerialPort(fd, `pty master of ${slavePath}`);
    return new Pty(master, slavePath, hold);
  }

  /** Close both sides: a driver reading the slave sees the device vanish (EIO). */
  close(): void {
    this.master.close();
    this.#slaveHold.close();
  }
}
