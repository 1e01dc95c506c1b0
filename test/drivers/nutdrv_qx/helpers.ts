/**
 * Test doubles for the Q* driver: a DriverContext with a real DState and a
 * captured log, a link straight to a simulated unit (QxDevice), and a fake
 * serial port answering like one.
 *
 * @module
 */

import { DState } from "../../../lib/driver/dstate.ts";
import { StatusBuilder } from "../../../lib/driver/status.ts";
import type { DriverContext } from "../../../lib/driver/types.ts";
import { Logger } from "../../../lib/daemon/log.ts";
import type { QxLink } from "../../../lib/drivers/nutdrv_qx/link.ts";
import { QxDevice, type QxDeviceOptions } from "../../../lib/sim/qx_device.ts";
import { FakeSerialPort } from "../../../lib/transport/fake_serial.ts";
import { parseTranscript, replyTable } from "../../../lib/sim/transcripts.ts";

export const FIXTURES = new URL("../../../../shared/fixtures", import.meta.url).pathname;
export const SERIAL_FIXTURES = `${FIXTURES}/serial`;
export const DDL = `${FIXTURES}/ddl`;

export function haveFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** Replies of a fixture transcript, or undefined (with a message) when the fixtures are absent. */
export function transcript(name: string): ReturnType<typeof replyTable> | undefined {
  const path = `${SERIAL_FIXTURES}/${name}`;
  if (!haveFile(path)) {
    console.log(`fixture ${path} not present: test uses only its own samples`);
    return undefined;
  }
  return replyTable(parseTranscript(Deno.readTextFileSync(path)));
}

export class CaptureLogger extends Logger {
  lines: string[] = [];
  constructor() {
    super("test");
    this.level = 3;
  }
  override debug(lvl: number, msg: string): void {
    if (lvl <= this.level) this.lines.push(`[D${lvl}] ${msg}`);
  }
  override info(msg: string): void {
    this.lines.push(msg);
  }
  override warn(msg: string): void {
    this.lines.push(msg);
  }
  override error(msg: string): void {
    this.lines.push(msg);
  }
}

export interface TestContext {
  ctx: DriverContext;
  state: DState;
  log: CaptureLogger;
  /** Published variables as `name: value` lines, sorted (like a -d dump). */
  dump(): Record<string, string>;
}

/** A context with `settings` (value strings, or true for flags), as the core would give. */
export function testContext(
  settings: Record<string, string | true> = {},
  port = "/dev/ttyS0",
): TestContext {
  const log = new CaptureLogger();
  const state = new DState(log);
  const status = new StatusBuilder();
  const lower = new Map(Object.entries(settings).map(([k, v]) => [k.toLowerCase(), v]));
  const ctx: DriverContext = {
    upsName: "test",
    port,
    confPath: "/etc/nut",
    pollInterval: 2,
    getval: (n) => {
      const v = lower.get(n.toLowerCase());
      return typeof v === "string" ? v : undefined;
    },
    testvar: (n) => lower.has(n.toLowerCase()),
    state,
    status,
    commitStatus: () => state.setInfo("ups.status", status.statusText()),
    commitAlarm: () => {
      const t = status.alarmText();
      if (t === undefined) state.delInfo("ups.alarm");
      else state.setInfo("ups.alarm", t);
    },
    log,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    stopping: false,
  };
  return {
    ctx,
    state,
    log,
    dump: () => Object.fromEntries(state.tree.vars().map((v) => [v.name, v.value])),
  };
}

/** A link straight into a simulated unit; `silent` makes it stop answering. */
export class DeviceLink implements QxLink {
  silent = false;
  /** Replace the next replies (garbage tests). */
  override: ((request: string) => string | null) | undefined;
  constructor(readonly device: QxDevice) {}
  exchange(request: string): Promise<string | null> {
    if (this.silent) {
      this.device.received.push(request);
      return Promise.resolve(null);
    }
    if (this.override) {
      this.device.received.push(request);
      return Promise.resolve(this.override(request));
    }
    return Promise.resolve(this.device.handle(request));
  }
}

export function device(opts: QxDeviceOptions): QxDevice {
  return new QxDevice(opts);
}

/** A fake serial port wired to a simulated unit (answers after each CR). */
export function devicePort(
  dev: QxDevice,
  path = "/dev/ttyS0",
): FakeSerialPort & { silent: boolean } {
  const port = new FakeSerialPort(path, (written, p) => {
    for (const req of written.split("\r").slice(0, -1)) {
      const reply = dev.handle(req);
      if (reply !== null && !(p as FakeSerialPort & { silent: boolean }).silent) {
        queueMicrotask(() => p.feed(reply));
      }
    }
  }) as FakeSerialPort & { silent: boolean };
  port.silent = false;
  return port;
}
