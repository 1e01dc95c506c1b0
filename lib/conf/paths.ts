/**
 * Where NUT keeps things: config, state (driver sockets), PID files, data.
 * Same environment variables and defaults as Debian's NUT, so existing
 * /etc/nut setups work unchanged.
 *
 * @module
 */

function env(name: string): string | undefined {
  try {
    const v = Deno.env.get(name);
    return v === undefined || v === "" ? undefined : v;
  } catch {
    return undefined; // no env permission: use defaults
  }
}

export const DEFAULT_CONFPATH = "/etc/nut";
export const DEFAULT_STATEPATH = "/run/nut";
export const NUT_PORT = 3493;

/** Version of NUT whose behaviour we reproduce (reported by VER, driver.version). */
export const NUT_VERSION = "2.8.0";
export const NUT_URL = "http://www.networkupstools.org/";

export function confPath(): string {
  return env("NUT_CONFPATH") ?? DEFAULT_CONFPATH;
}

export function statePath(): string {
  return env("NUT_STATEPATH") ?? DEFAULT_STATEPATH;
}

export function pidPath(): string {
  return env("NUT_ALTPIDPATH") ?? env("NUT_STATEPATH") ?? DEFAULT_STATEPATH;
}

/** Directory of this project's shipped data files (cmdvartab). */
export function dataPath(): string {
  return env("NUT_DATAPATH") ?? new URL("../../share", import.meta.url).pathname;
}
