/**
 * A running NUT data server for integration tests: dummy-ups drivers fed by
 * .dev texts and an upsd listening on a free loopback port, in a temp NUT
 * directory. Debian's binaries by default, ours on request.
 *
 * ```ts
 * const s = await startNutStack({ devices: [{ name: "ups1", dev: "ups.status: OL\n" }] });
 * // ... clients against 127.0.0.1:s.port ...
 * await s.stop();
 * ```
 *
 * @module
 */

import { NutClient } from "../../lib/client/client.ts";
import { BIN, DEBIAN, exists, freePort, makeNutDir, type NutDir, Proc, waitFor } from "./nut.ts";

export interface StackDevice {
  /** UPS name in ups.conf. */
  name: string;
  /** dummy-ups data file contents (ignored when `start` is false). */
  dev?: string;
  /** `desc =` in ups.conf. */
  desc?: string;
  /** Start its driver (default true); false leaves the UPS "driver not connected". */
  start?: boolean;
}

export interface StackOptions {
  devices: StackDevice[];
  /** upsd.users text; default: admin/adminpw (SET, FSD, all instcmds) and mon/monpw (upsmon primary). */
  users?: string;
  /** Extra upsd.conf lines (LISTEN is added). */
  upsdConf?: string;
  driver?: "debian" | "ours";
  upsd?: "debian" | "ours";
}

export interface NutStack {
  dir: NutDir;
  port: number;
  /** `127.0.0.1:<port>` */
  addr: string;
  /** NUT_CONFPATH/NUT_STATEPATH/NUT_ALTPIDPATH plus PATH, for child processes. */
  env: Record<string, string>;
  procs: Proc[];
  stop(): Promise<void>;
}

export const STACK_USERS = `[admin]
\tpassword = adminpw
\tactions = SET FSD
\tinstcmds = ALL
[mon]
\tpassword = monpw
\tupsmon primary
`;

/**
 * Every UPS answers a real status (not WAIT). Reads time out, so a foreign
 * server that grabbed the port cannot hang the test.
 */
async function served(port: number, names: string[]): Promise<boolean> {
  let c: NutClient | undefined;
  try {
    c = await NutClient.connect("127.0.0.1", port, {
      tryTls: false,
      timeoutMs: 2000,
      readTimeoutMs: 2000,
    });
    if (names.length === 0) return (await c.command("VER")).startsWith("Network UPS Tools");
    for (const n of names) {
      const status = await c.getVar(n, "ups.status");
      if (status === "WAIT" || status.endsWith(" WAIT")) return false;
    }
    return true;
  } catch {
    return false;
  } finally {
    await c?.logout();
  }
}

export async function startNutStack(opts: StackOptions): Promise<NutStack> {
  const dir = await makeNutDir("nut-stack-");
  const port = freePort();
  const env = { ...dir.env, PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
  const procs: Proc[] = [];
  const stop = async () => {
    for (const p of [...procs].reverse()) await p.stop();
    await dir.cleanup();
  };
  try {
    let upsConf = "";
    for (const d of opts.devices) {
      if (d.start !== false) dir.write(`${d.name}.dev`, d.dev ?? "ups.status: OL\n");
      upsConf += `[${d.name}]\n\tdriver = dummy-ups\n\tport = ${d.name}.dev\n`;
      if (d.desc !== undefined) upsConf += `\tdesc = "${d.desc}"\n`;
    }
    dir.write("ups.conf", upsConf);
    dir.write("upsd.conf", `LISTEN 127.0.0.1 ${port}\n${opts.upsdConf ?? ""}`);
    dir.write("upsd.users", opts.users ?? STACK_USERS, 0o640);
    const started = opts.devices.filter((d) => d.start !== false);
    for (const d of started) {
      procs.push(
        (opts.driver ?? "debian") === "debian"
          ? new Proc(DEBIAN.dummyUps, ["-a", d.name, "-F", "-u", "root"], env)
          : new Proc(`${BIN}/dummy-ups`, ["-a", d.name, "-F"], env),
      );
    }
    await waitFor(
      () => started.every((d) => exists(`${dir.state}/dummy-ups-${d.name}`)),
      15000,
      "driver sockets",
    );
    procs.push(
      (opts.upsd ?? "debian") === "debian"
        ? new Proc(DEBIAN.upsd, ["-F", "-u", "root"], env)
        : new Proc(`${BIN}/upsd`, ["-F"], env),
    );
    await waitFor(() => served(port, started.map((d) => d.name)), 20000, "all devices served", 200);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir, port, addr: `127.0.0.1:${port}`, env, procs, stop };
}
