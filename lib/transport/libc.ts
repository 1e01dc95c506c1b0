/**
 * The few libc calls a serial port needs, through Deno FFI (Linux, glibc or
 * musl on x86_64 / aarch64). Loaded lazily, once per process.
 *
 * Which file is opened: `NUT_LIBC` when set, else the first of the usual
 * locations that exists and that the sandbox lets us load. Launchers grant
 * `--allow-ffi=<that exact file>`; note that FFI code runs outside Deno's
 * sandbox, so this permission is only as narrow as libc itself.
 *
 * Blocking calls (poll, tcdrain, tcsendbreak) are declared `nonblocking`:
 * they run on Deno's blocking-thread pool and the event loop keeps serving.
 * Everything else is called on a non-blocking descriptor and returns at once;
 * those calls stay synchronous so `errno` can be read right after them on
 * the same thread.
 *
 * @module
 */

const SYMBOLS = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32", nonblocking: true },
  tcgetattr: { parameters: ["i32", "buffer"], result: "i32" },
  tcsetattr: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  cfmakeraw: { parameters: ["buffer"], result: "void" },
  cfsetispeed: { parameters: ["buffer", "u32"], result: "i32" },
  cfsetospeed: { parameters: ["buffer", "u32"], result: "i32" },
  tcflush: { parameters: ["i32", "i32"], result: "i32" },
  tcdrain: { parameters: ["i32"], result: "i32", nonblocking: true },
  tcsendbreak: { parameters: ["i32", "i32"], result: "i32", nonblocking: true },
  ioctl: { parameters: ["i32", "u64", "buffer"], result: "i32" },
  isatty: { parameters: ["i32"], result: "i32" },
  getuid: { parameters: [], result: "u32" },
  posix_openpt: { parameters: ["i32"], result: "i32" },
  grantpt: { parameters: ["i32"], result: "i32" },
  unlockpt: { parameters: ["i32"], result: "i32" },
  ptsname_r: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  strerror: { parameters: ["i32"], result: "pointer" },
  strlen: { parameters: ["pointer"], result: "usize" },
  memcpy: { parameters: ["buffer", "pointer", "usize"], result: "pointer" },
  __errno_location: { parameters: [], result: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;

export type LibcSymbols = Deno.DynamicLibrary<typeof SYMBOLS>["symbols"];

/** Where libc usually lives; the launcher grants FFI for the same file. */
export const LIBC_CANDIDATES = [
  "/lib/x86_64-linux-gnu/libc.so.6",
  "/lib/aarch64-linux-gnu/libc.so.6",
  "/usr/lib/x86_64-linux-gnu/libc.so.6",
  "/usr/lib/aarch64-linux-gnu/libc.so.6",
  "/lib64/libc.so.6",
  "/usr/lib64/libc.so.6",
  "/lib/libc.so.6",
  "/usr/lib/libc.so.6",
  "/lib/ld-musl-x86_64.so.1",
  "/lib/ld-musl-aarch64.so.1",
];

// Linux values (identical on x86_64 and aarch64).
export const O_RDWR = 0o2;
export const O_NOCTTY = 0o400;
export const O_NONBLOCK = 0o4000;
export const O_CLOEXEC = 0o2000000;
export const TCSANOW = 0;
export const TCIFLUSH = 0;
export const TCOFLUSH = 1;
export const TCIOFLUSH = 2;
export const POLLIN = 0x001;
export const POLLOUT = 0x004;
export const POLLERR = 0x008;
export const POLLHUP = 0x010;
export const POLLNVAL = 0x020;
export const TIOCMGET = 0x5415;
export const TIOCMBIS = 0x5416;
export const TIOCMBIC = 0x5417;
export const TIOCMSET = 0x5418;
export const TIOCM_DTR = 0x002;
export const TIOCM_RTS = 0x004;
export const TIOCM_CTS = 0x020;
export const TIOCM_CAR = 0x040;
export const TIOCM_RNG = 0x080;
export const TIOCM_DSR = 0x100;

/** errno numbers this project reacts to, by name (Linux). */
export const ERRNO: Record<string, number> = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EBUSY: 16,
  ENODEV: 19,
  EINVAL: 22,
  ENOTTY: 25,
};

const ERRNO_NAMES = new Map(Object.entries(ERRNO).map(([k, v]) => [v, k]));

export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
}

let lib: Deno.DynamicLibrary<typeof SYMBOLS> | undefined;
let loadError: Error | undefined;

function envLibc(): string | undefined {
  try {
    return Deno.env.get("NUT_LIBC") || undefined;
  } catch {
    return undefined; // no env permission: use the usual places
  }
}

/** The first libc file that exists, as the launcher computes it too. */
export function libcPath(): string | undefined {
  const fromEnv = envLibc();
  if (fromEnv) return fromEnv;
  for (const p of LIBC_CANDIDATES) {
    try {
      Deno.statSync(p);
      return p;
    } catch (e) {
      // not there, or not readable in this sandbox: the FFI grant decides below
      if (!(e instanceof Deno.errors.NotFound)) return p;
    }
  }
  return undefined;
}

/** The libc symbols; throws a clear error when FFI is not granted or libc is not found. */
export function libc(): LibcSymbols {
  if (lib) return lib.symbols;
  if (loadError) throw loadError;
  const tried: string[] = [];
  const fromEnv = envLibc();
  for (const p of fromEnv ? [fromEnv] : LIBC_CANDIDATES) {
    try {
      lib = Deno.dlopen(p, SYMBOLS);
      return lib.symbols;
    } catch (e) {
      tried.push(`${p}: ${(e as Error).message.replace(/\n.*/s, "")}`);
    }
  }
  loadError = new Error(
    `serial ports need libc through FFI (run with --allow-ffi=<libc path>); tried:\n  ${
      tried.join("\n  ")
    }`,
  );
  throw loadError;
}

// Memory is copied out with memcpy rather than Deno.UnsafePointerView: the
// latter needs FFI permission for every library, not just libc.

/** errno of the last failed synchronous call on this thread. */
export function errno(): number {
  const c = libc();
  const p = c.__errno_location();
  if (p === null) return 0;
  const out = new Int32Array(1);
  c.memcpy(new Uint8Array(out.buffer), p, 4n);
  return out[0];
}

/** The C library's text for an errno (`Permission denied`). */
export function strerror(err: number): string {
  const c = libc();
  const p = c.strerror(err);
  if (p === null) return `errno ${err}`;
  const n = Number(c.strlen(p));
  const buf = new Uint8Array(n);
  if (n > 0) c.memcpy(buf, p, BigInt(n));
  return new TextDecoder().decode(buf);
}

/** NUL-terminated C string of `text`. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(text);
  const buf = new Uint8Array(bytes.length + 1);
  buf.set(bytes);
  return buf;
}

/** A failed libc call: `op` names the call, `path` the device when known. */
export class LibcError extends Error {
  readonly code: string;
  constructor(readonly op: string, readonly errno: number, readonly path?: string) {
    super(`${op}${path ? ` ${path}` : ""}: ${strerror(errno)}`);
    this.name = "LibcError";
    this.code = errnoName(errno);
  }
}
