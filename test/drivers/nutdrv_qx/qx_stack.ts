/**
 * A serial UPS stack for integration tests: a simulated Q* unit on a pty
 * (in this process, behind a /dev/serial/by-id-like symlink), a driver
 * started through its bin/ launcher, and upsd (ours or Debian's) on a free
 * loopback port; helpers run bin/upsc, bin/upscmd and bin/upsrw against it.
 * Everything is stopped by PID and the temp dir removed by stop().
 *
 * @module
 */

import {
  BIN,
  DEBIAN,
  exists,
  freePort,
  makeNutDir,
  type NutDir,
  Proc,
  run,
  waitFor,
} from "../../helpers/nut.ts";
import { QxDevice, type QxDeviceOptions } from "../../../lib/sim/qx_device.ts";
import { type LineDevice, SerialSimulator } from "../../../lib/sim/serial_sim.ts";
import type { StreamDevice } from "../../../lib/sim/apc_device.ts";

export interface QxStackOptions extends QxDeviceOptions {
  driver?: "nutdrv_qx" | "blazer_ser";
  /** Extra ups.conf lines for the section. */
  conf?: string;
  upsd?: "ours" | "debian";
}

export interface SerialStack<D> {
  dir: NutDir;
  device: D;
  sim: SerialSimulator;
  driver: Proc;
  upsd: Proc;
  port: number;
  ups: string;
  env: Record<string, string>;
  upsc(variable?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  /** upsc's value of a variable, or its error text. */
  value(variable: string): Promise<string>;
  upscmd(cmd: string, param?: string): Promise<{ code: number; stdout: string; stderr: string }>;
  upsrw(assignment: string): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

const USERS = `[admin]
\tpassword = adminpw
\tactions = SET
\tinstcmds = ALL
`;

export type QxStack = SerialStack<QxDevice>;

export function startQxStack(opts: QxStackOptions): Promise<QxStack> {
  return startSerialStack(new QxDevice(opts), {
    driver: opts.driver ?? "nutdrv_qx",
    conf: opts.conf,
    upsd: opts.upsd,
  });
}

export interface SerialStackOptions {
  driver: string;
  conf?: string;
  upsd?: "ours" | "debian";
}

/** Any simulated serial unit, any serial driver (through its launcher), upsd. */
export async function startSerialStack<D extends LineDevice | StreamDevice>(
  device: D,
  opts: SerialStackOptions,
): Promise<SerialStack<D>> {
  const dir = await makeNutDir("nut-serial-");
  const driverName = opts.driver;
  const sim = SerialSimulator.start(device, { link: `${dir.root}/usb-SIM_UPS-if00-port0` });
  const port = freePort();
  const env = { ...dir.env, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await p.stop();
    await sim.stop();
    await dir.cleanup();
  };
  try {
    dir.write(
      "ups.conf",
      `[qx]\n\tdriver = ${driverName}\n\tport = ${sim.path}\n\tpollinterval = 1\n${
        opts.conf ?? ""
      }`,
    );
    dir.write("upsd.conf", `LISTEN 127.0.0.1 ${port}\n`);
    dir.write("upsd.users", USERS, 0o640);
    const driver = new Proc(`${BIN}/${driverName}`, ["-a", "qx", "-F"], env);
    procs.push(driver);
    await waitFor(
      () => exists(`${dir.state}/${driverName}-qx`) || driver.child.pid === -1,
      20000,
      `driver socket (driver said: ${driver.stderr})`,
    );
    const upsd = opts.upsd === "debian"
      ? new Proc(DEBIAN.upsd, ["-F", "-u", "root"], env)
      : new Proc(`${BIN}/upsd`, ["-F"], env);
    procs.push(upsd);
    const ups = `qx@127.0.0.1:${port}`;
    const upsc = (variable?: string) => run(`${BIN}/upsc`, variable ? [ups, variable] : [ups], env);
    await waitFor(
      async () => {
        const r = await upsc("ups.status");
        return r.code === 0 && !r.stdout.includes("WAIT");
      },
      20000,
      "ups.status served",
    );
    return {
      dir,
      device,
      sim,
      driver,
      upsd,
      port,
      ups,
      env,
      upsc,
      async value(variable: string) {
        const r = await upsc(variable);
        return r.code === 0 ? r.stdout.trim() : r.stderr.trim();
      },
      upscmd: (cmd, param) =>
        run(`${BIN}/upscmd`, [
          "-u",
          "admin",
          "-p",
          "adminpw",
          "-w",
          ups,
          cmd,
          ...(param ? [param] : []),
        ], env),
      upsrw: (assignment) =>
        run(`${BIN}/upsrw`, ["-s", assignment, "-u", "admin", "-p", "adminpw", "-w", ups], env),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** `upsc` output as a map. */
export function parseUpsc(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const i = line.indexOf(": ");
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 2);
  }
  return out;
}
