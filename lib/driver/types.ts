/**
 * How a driver plugs into the driver core: a description (name, version,
 * the `-x` settings it accepts) and a factory for one instance per UPS.
 * The core owns options, ups.conf, the socket, the PID file and the poll loop;
 * the instance owns the device.
 *
 * @module
 */

import type { Logger } from "../daemon/log.ts";
import type { DState } from "./dstate.ts";
import type { StatusBuilder } from "./status.ts";

/** A `-x name=value` / ups.conf setting or a one-word flag the driver declares. */
export interface DriverOption {
  name: string;
  desc: string;
  /**
   * May change while the driver runs (reload via SIGHUP or `-c reload`);
   * a changed value of any other setting needs a restart.
   */
  reloadable?: boolean;
}

/** The static description of a driver program. */
export interface DriverInfo {
  /** Program name, as in ups.conf `driver =` and the socket name (`dummy-ups`). */
  name: string;
  /** Description for the banner (`Device simulation and repeater driver`). */
  desc: string;
  /** The driver's own version (`driver.version.internal`). */
  version: string;
  /** Settings accepted as `-x name=value` or `name = value` (matched case-insensitively). */
  vars?: readonly DriverOption[];
  /** Flags accepted as `-x name` or a one-word line. */
  flags?: readonly DriverOption[];
  /** Print NUT's "experimental driver" warning after the banner. */
  experimental?: boolean;
  /** Make the instance that serves one UPS. */
  create(ctx: DriverContext): DriverInstance;
}

/**
 * One running driver: the device side. Every method may throw DriverExit.
 *
 * Failures while running (see lib/driver/supervisor.ts): updateinfo()
 * throws DeviceError when the device vanished or stopped answering; the
 * core then marks the data stale at once and calls reconnect() with
 * backoff until it succeeds and a poll works again. Any other error from
 * updateinfo() marks the data stale and the next poll is tried as usual.
 */
export interface DriverInstance {
  /** Open or find the device (upsdrv_initups). A failure here at start-up is fatal. */
  initups(): void | Promise<void>;
  /** Publish the static information (upsdrv_initinfo). */
  initinfo(): void | Promise<void>;
  /** Poll the device once (upsdrv_updateinfo); call ctx.state.dataOk()/dataStale(). */
  updateinfo(): void | Promise<void>;
  /**
   * Re-open the device after a DeviceError (default: initups() again).
   * Throw (DeviceError or any error) if it is still not there.
   */
  reconnect?(): void | Promise<void>;
  /** Settings were reloaded (reloadable ones may have new values: read them again). */
  reload?(): void | Promise<void>;
  /** `-k`: switch the load off. Throw DriverExit to report failure. */
  shutdown(): void | Promise<void>;
  /** SET from a socket peer; resolves to a tracking code (0 handled, 1 unknown, 2 invalid, 3 failed). */
  setvar?(name: string, value: string): number | Promise<number>;
  /** INSTCMD from a socket peer; resolves to a tracking code. */
  instcmd?(cmd: string, param: string | undefined): number | Promise<number>;
  /** Release the device at exit (upsdrv_cleanup). */
  cleanup?(): void | Promise<void>;
}

/** What the core gives an instance. */
export interface DriverContext {
  /** ups.conf section name (or the `-s` id). */
  readonly upsName: string;
  /** The `port` setting (device path, file name, address...). */
  readonly port: string;
  /** Config directory (NUT_CONFPATH): relative file names are resolved against it. */
  readonly confPath: string;
  /** Seconds between polls (may change on reload). */
  readonly pollInterval: number;
  /** Value of a declared setting (case-insensitive name). */
  getval(name: string): string | undefined;
  /** True if a declared setting or flag was given. */
  testvar(name: string): boolean;
  /** The published state; changes are broadcast at once. */
  readonly state: DState;
  /** Status/alarm builder; publish with commitStatus()/commitAlarm(). */
  readonly status: StatusBuilder;
  /** Publish ups.status from the status builder (honours `ignorelb`). */
  commitStatus(): void;
  /** Publish ups.alarm from the status builder (deleted when no alarm). */
  commitAlarm(): void;
  readonly log: Logger;
  /** Resolves after `ms` milliseconds, or early when the driver is stopping. */
  sleep(ms: number): Promise<void>;
  /** True once the core is shutting down. */
  readonly stopping: boolean;
}

/**
 * Ends the driver: `message` (if any) goes to stderr (stdout when `toStdout`,
 * as NUT prints a few messages), `code` is the exit status.
 */
export class DriverExit extends Error {
  constructor(readonly code: number, message = "", readonly toStdout = false) {
    super(message);
    this.name = "DriverExit";
  }
}

/**
 * Thrown by a driver when its device vanished or stopped answering: the
 * core marks the data stale and reconnects (see DriverInstance).
 */
export class DeviceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DeviceError";
  }
}
