/**
 * Serial ports: the SerialPort interface drivers use (write, read up to a
 * terminator with a timeout, modem lines, close) and its two bindings:
 * a real one over libc (open/termios/poll/ioctl through FFI, see libc.ts)
 * and, in fake_serial.ts, an in-memory one for tests.
 *
 * Waiting never blocks the event loop and never spins: the descriptor is
 * non-blocking, and poll(2) runs on Deno's blocking-thread pool for at most
 * POLL_SLICE_MS at a time (so close() is noticed soon after).
 *
 * Bytes travel as Latin-1 strings where text is handier (one char = one byte).
 *
 * @module
 */

import {
  cString,
  ERRNO,
  errno,
  libc,
  LibcError,
  O_CLOEXEC,
  O_NOCTTY,
  O_NONBLOCK,
  O_RDWR,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  strerror,
  TCIFLUSH,
  TCSANOW,
  TIOCM_CAR,
  TIOCM_CTS,
  TIOCM_DSR,
  TIOCM_DTR,
  TIOCM_RNG,
  TIOCM_RTS,
  TIOCMBIC,
  TIOCMBIS,
  TIOCMGET,
  TIOCMSET,
} from "./libc.ts";
import {
  applyRawSettings,
  baudCode,
  LINE_2400_8N1,
  type LineSettings,
  TERMIOS_SIZE,
} from "./termios.ts";

/** Longest single poll(2); bounds how long close() waits for a pending read. */
export const POLL_SLICE_MS = 200;

/** The RS-232 control lines: outputs DTR/RTS, inputs CTS/DCD/DSR/RI. */
export interface ModemLines {
  dtr: boolean;
  rts: boolean;
  cts: boolean;
  dcd: boolean;
  dsr: boolean;
  ri: boolean;
}

/** What a read up to a terminator gave: the bytes, and whether the terminator came. */
export interface ReadResult {
  /** Latin-1 text read, terminator included when `complete`. */
  text: string;
  complete: boolean;
}

/** The port stopped working (unplugged, hung up, closed): reopen it. */
export class SerialError extends Error {
  constructor(readonly path: string, message: string, readonly code = "EIO") {
    super(`${path}: ${message}`);
    this.name = "SerialError";
  }
}

/** What drivers use; bindings: FdSerialPort (libc) and FakeSerialPort (tests). */
export interface SerialPort {
  /** Device path as opened (symlinks resolved). */
  readonly path: string;
  /** Write all bytes (Latin-1 text or bytes). */
  write(data: string | Uint8Array): Promise<void>;
  /**
   * Read until one of the characters in `ends` arrives or `timeoutMs`
   * passes (then `complete` is false and `text` holds what came). Bytes after
   * the terminator stay for the next read. At most `maxBytes` are taken.
   */
  readUntil(ends: string, timeoutMs: number, maxBytes?: number): Promise<ReadResult>;
  /** `readUntil("\r", ...)`. */
  readLine(timeoutMs: number): Promise<ReadResult>;
  /** Whatever arrives within `timeoutMs` (at most `maxBytes`), "" if nothing. */
  read(timeoutMs: number, maxBytes?: number): Promise<string>;
  /** Drop unread input (buffered here and in the kernel). */
  flushInput(): void;
  /** Set or clear DTR / RTS (others untouched); false when the port has no modem lines. */
  setModemLines(lines: { dtr?: boolean; rts?: boolean }): boolean;
  /** Set exactly these output lines (TIOCMSET); false when unsupported. */
  setOutputLines(lines: { dtr: boolean; rts: boolean }): boolean;
  /** Current modem lines; undefined when the port has none (a pty). */
  modemLines(): ModemLines | undefined;
  /** Send a BREAK (about `durationMs`, Linux rounds as it likes). */
  sendBreak(durationMs?: number): Promise<void>;
  close(): void;
  readonly closed: boolean;
}

/** Latin-1 text → bytes (chars above 0xff are cut to their low byte). */
export function toBytes(data: string | Uint8Array): Uint8Array<ArrayBuffer> {
  if (typeof data !== "string") return new Uint8Array(data);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data.charCodeAt(i) & 0xff;
  return out;
}

/** Bytes → Latin-1 text. */
export function toText(bytes: Uint8Array): string {
  // not TextDecoder("latin1"): that is windows-1252 and remaps 0x80-0x9f
  let s = "";
  for (let i = 0; i < bytes.length; i += 4096) {
    s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return s;
}

/**
 * readUntil/readLine/read on top of one primitive, `fill(timeoutMs)`, which
 * appends what arrived to the buffer (false = nothing came in time).
 */
export abstract class BufferedPort {
  protected buf = "";

  /** Wait up to `timeoutMs` for more input; append it to `buf`. Throws SerialError when the port is gone. */
  protected abstract fill(timeoutMs: number): Promise<boolean>;

  async readUntil(ends: string, timeoutMs: number, maxBytes = 4096): Promise<ReadResult> {
    const deadline = Date.now() + timeoutMs;
    let scanned = 0;
    for (;;) {
      for (let i = scanned; i < this.buf.length && i < maxBytes; i++) {
        if (ends.includes(this.buf[i])) {
          const text = this.buf.slice(0, i + 1);
          this.buf = this.buf.slice(i + 1);
          return { text, complete: true };
        }
      }
      scanned = this.buf.length;
      const left = deadline - Date.now();
      if (this.buf.length >= maxBytes || left <= 0) {
        const text = this.buf.slice(0, maxBytes);
        this.buf = this.buf.slice(text.length);
        return { text, complete: false };
      }
      await this.fill(left);
    }
  }

  readLine(timeoutMs: number): Promise<ReadResult> {
    return this.readUntil("\r", timeoutMs);
  }

  async read(timeoutMs: number, maxBytes = 4096): Promise<string> {
    if (this.buf.length === 0) await this.fill(timeoutMs);
    const text = this.buf.slice(0, maxBytes);
    this.buf = this.buf.slice(text.length);
    return text;
  }
}

function modemBits(bits: number): ModemLines {
  return {
    dtr: (bits & TIOCM_DTR) !== 0,
    rts: (bits & TIOCM_RTS) !== 0,
    cts: (bits & TIOCM_CTS) !== 0,
    dcd: (bits & TIOCM_CAR) !== 0,
    dsr: (bits & TIOCM_DSR) !== 0,
    ri: (bits & TIOCM_RNG) !== 0,
  };
}

/** A serial port (or pty side) open on a file descriptor, driven through libc. */
export class FdSerialPort extends BufferedPort implements SerialPort {
  #fd: number;
  #closed = false;
  #chunk = new Uint8Array(1024);

  constructor(readonly fd: number, readonly path: string) {
    super();
    this.#fd = fd;
  }

  get closed(): boolean {
    return this.#closed;
  }

  #gone(why: string, code = "EIO"): SerialError {
    return new SerialError(this.path, why, code);
  }

  /** poll(2) for `events`, at most one slice; revents (0 on timeout). */
  async #poll(events: number, timeoutMs: number): Promise<number> {
    const pfd = new Uint8Array(8);
    const v = new DataView(pfd.buffer);
    v.setInt32(0, this.#fd, true);
    v.setInt16(4, events, true);
    const ms = Math.max(0, Math.min(POLL_SLICE_MS, Math.ceil(timeoutMs)));
    const n = await libc().poll(pfd, 1n, ms);
    // errno of a call run on another thread is not ours to read: treat as EINTR
    return n > 0 ? v.getInt16(6, true) : 0;
  }

  protected async fill(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const c = libc();
    let troubled = false;
    for (;;) {
      if (this.#closed) throw this.#gone("port closed", "EBADF");
      const n = Number(c.read(this.#fd, this.#chunk, BigInt(this.#chunk.length)));
      if (n > 0) {
        this.buf += toText(this.#chunk.subarray(0, n));
        return true;
      }
      if (n === 0) throw this.#gone("hangup (end of file)", "EOF");
      const err = errno();
      if (err !== ERRNO.EAGAIN && err !== ERRNO.EINTR) {
        throw this.#gone(`read: ${strerror(err)}`, new LibcError("read", err).code);
      }
      // poll said hangup/error but read has nothing to say: do not spin on it
      if (troubled) throw this.#gone("hangup or error on the line", "EIO");
      const left = deadline - Date.now();
      if (left <= 0) return false;
      const rev = await this.#poll(POLLIN, left);
      if (rev & POLLNVAL) throw this.#gone("descriptor no longer valid", "EBADF");
      // POLLHUP/POLLERR: the next read reports why
      troubled = (rev & (POLLHUP | POLLERR)) !== 0 && (rev & POLLIN) === 0;
      if ((rev & (POLLIN | POLLHUP | POLLERR)) === 0 && Date.now() >= deadline) return false;
    }
  }

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = toBytes(data);
    const c = libc();
    let off = 0;
    const deadline = Date.now() + 5000;
    while (off < bytes.length) {
      if (this.#closed) throw this.#gone("port closed", "EBADF");
      const n = Number(c.write(this.#fd, bytes.subarray(off), BigInt(bytes.length - off)));
      if (n > 0) {
        off += n;
        continue;
      }
      const err = n < 0 ? errno() : ERRNO.EAGAIN;
      if (err !== ERRNO.EAGAIN && err !== ERRNO.EINTR) {
        throw this.#gone(`write: ${strerror(err)}`, new LibcError("write", err).code);
      }
      if (Date.now() > deadline) throw this.#gone("write timed out (output stuck)", "ETIMEDOUT");
      await this.#poll(POLLOUT, deadline - Date.now());
    }
  }

  flushInput(): void {
    this.buf = "";
    if (!this.#closed) libc().tcflush(this.#fd, TCIFLUSH);
  }

  #ioctlBits(request: number, bits: number): boolean {
    const b = new Int32Array([bits]);
    return libc().ioctl(this.#fd, BigInt(request), new Uint8Array(b.buffer)) === 0;
  }

  setModemLines(lines: { dtr?: boolean; rts?: boolean }): boolean {
    let ok = true;
    const set = (on: boolean | undefined, bit: number) => {
      if (on === undefined) return;
      if (!this.#ioctlBits(on ? TIOCMBIS : TIOCMBIC, bit)) ok = false;
    };
    set(lines.dtr, TIOCM_DTR);
    set(lines.rts, TIOCM_RTS);
    return ok;
  }

  setOutputLines(lines: { dtr: boolean; rts: boolean }): boolean {
    return this.#ioctlBits(TIOCMSET, (lines.dtr ? TIOCM_DTR : 0) | (lines.rts ? TIOCM_RTS : 0));
  }

  modemLines(): ModemLines | undefined {
    const b = new Int32Array(1);
    if (libc().ioctl(this.#fd, BigInt(TIOCMGET), new Uint8Array(b.buffer)) !== 0) return undefined;
    return modemBits(b[0]);
  }

  async sendBreak(durationMs = 250): Promise<void> {
    // Linux takes the argument as a duration in milliseconds when non-zero
    await libc().tcsendbreak(this.#fd, Math.max(0, Math.round(durationMs)));
  }

  /** Set speed and framing, raw mode, no flow control unless asked. */
  configure(line: LineSettings): void {
    const c = libc();
    const t = new Uint8Array(TERMIOS_SIZE);
    if (c.tcgetattr(this.#fd, t) !== 0) {
      const err = errno();
      throw new LibcError("tcgetattr", err, this.path);
    }
    c.cfmakeraw(t);
    applyRawSettings(t, line);
    const code = baudCode(line.baud);
    c.cfsetispeed(t, code);
    c.cfsetospeed(t, code);
    if (c.tcsetattr(this.#fd, TCSANOW, t) !== 0) {
      throw new LibcError("tcsetattr", errno(), this.path);
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const c = libc();
    // input only: output still queued (a last command before exit) must go out
    c.tcflush(this.#fd, TCIFLUSH);
    c.close(this.#fd);
  }
}

export interface OpenOptions {
  line?: LineSettings;
  /** Reader of /etc/passwd and /etc/group style files for error texts (tests). */
  names?: NameLookup;
}

/** uid/gid → name, for error messages; undefined when unknown or unreadable. */
export interface NameLookup {
  user(uid: number): string | undefined;
  group(gid: number): string | undefined;
}

function lookupIn(file: string, id: number): string | undefined {
  try {
    for (const line of Deno.readTextFileSync(file).split("\n")) {
      const f = line.split(":");
      if (f.length > 2 && Number(f[2]) === id && f[2] !== "") return f[0];
    }
  } catch {
    // not readable in this sandbox: numbers only
  }
  return undefined;
}

export const systemNames: NameLookup = {
  user: (uid) => lookupIn("/etc/passwd", uid),
  group: (gid) => lookupIn("/etc/group", gid),
};

function named(id: number, name: string | undefined): string {
  return name ? `${name} (${id})` : String(id);
}

/** Opening failed; `message` says why and what to try, as NUT does (owner, group, mode). */
export class SerialOpenError extends Error {
  constructor(message: string, readonly path: string, readonly code: string) {
    super(message);
    this.name = "SerialOpenError";
  }
}

/**
 * The explanation for a port that could not be opened: the reason, then
 * (when the file exists) who we are and who owns it with which mode.
 */
export function openErrorText(
  port: string,
  reason: string,
  info: { uid?: number; stat?: Deno.FileInfo },
  names: NameLookup = systemNames,
): string {
  const lines = [`Unable to open ${port}: ${reason}`, ""];
  const st = info.stat;
  if (!st) {
    lines.push(
      "Things to try:",
      " - check 'port =' in ups.conf (or -x port=...)",
      " - check the owner and permissions of every directory on the path",
    );
    return lines.join("\n");
  }
  if (info.uid !== undefined) {
    lines.push(`  Current user id: ${named(info.uid, names.user(info.uid))}`);
  }
  if (st.uid !== null) lines.push(`Serial port owner: ${named(st.uid, names.user(st.uid))}`);
  if (st.gid !== null) lines.push(`Serial port group: ${named(st.gid, names.group(st.gid))}`);
  if (st.mode !== null) {
    lines.push(`     Mode of port: ${(st.mode & 0o7777).toString(8).padStart(4, "0")}`);
  }
  lines.push(
    "",
    "Things to try:",
    " - use another port (one this user may read and write)",
    " - fix the owner, group or mode of this port (e.g. a udev rule, or the group 'dialout')",
    " - run the driver as another user ('user =' in ups.conf, or -u)",
  );
  return lines.join("\n");
}

function fsReason(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.NotCapable) {
    return "not allowed by this program's sandbox (the launcher grants the 'port =' path only)";
  }
  return (e as Error).message.replace(/ \(os error \d+\)$/, "");
}

/**
 * Open a serial device read/write, without becoming its controlling tty,
 * non-blocking; resolve symlinks (e.g. /dev/serial/by-id/...) first; set
 * the line (default 2400 8N1, raw). Throws SerialOpenError with NUT-style
 * advice when it cannot.
 */
export function openSerial(port: string, opts: OpenOptions = {}): FdSerialPort {
  const names = opts.names ?? systemNames;
  let path: string;
  try {
    path = Deno.realPathSync(port);
  } catch (e) {
    // The sandbox may grant the symlink and the target it had at start, not
    // the one a re-plugged adapter gets: open() follows the link anyway.
    if (e instanceof Deno.errors.NotCapable) return openResolved(port, port, opts, names);
    let stat: Deno.FileInfo | undefined;
    try {
      stat = Deno.lstatSync(port);
    } catch {
      // nothing there
    }
    throw new SerialOpenError(
      openErrorText(port, fsReason(e), { stat: stat?.isSymlink ? undefined : stat }, names) +
        (stat?.isSymlink ? `\n(${port} is a symbolic link whose target is missing)` : ""),
      port,
      e instanceof Deno.errors.NotFound ? "ENOENT" : "EACCES",
    );
  }
  return openResolved(port, path, opts, names);
}

function openResolved(
  port: string,
  path: string,
  opts: OpenOptions,
  names: NameLookup,
): FdSerialPort {
  const c = libc();
  const fd = c.open(cString(path), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const err = errno();
    let stat: Deno.FileInfo | undefined;
    try {
      stat = Deno.statSync(path);
    } catch {
      // vanished meanwhile, or outside the sandbox
    }
    const shown = path === port ? port : `${port} (${path})`;
    throw new SerialOpenError(
      openErrorText(shown, strerror(err), { uid: c.getuid(), stat }, names),
      path,
      new LibcError("open", err).code,
    );
  }
  const sp = new FdSerialPort(fd, path);
  if (c.isatty(fd) !== 1) {
    sp.close();
    throw new SerialOpenError(`Unable to use ${port}: not a serial port (tty)`, path, "ENOTTY");
  }
  try {
    sp.configure(opts.line ?? LINE_2400_8N1);
  } catch (e) {
    sp.close();
    throw new SerialOpenError(`Unable to set up ${port}: ${(e as Error).message}`, path, "EIO");
  }
  return sp;
}
