/**
 * The texts every driver prints: banner, `-h` help (with the driver's own
 * `-x` settings) and the `-L` list, worded as NUT 2.8.0 prints them.
 *
 * @module
 */

import { NUT_VERSION } from "../conf/paths.ts";
import type { DriverInfo } from "./types.ts";

/** `Network UPS Tools - <desc> <version> (<NUT version>)` */
export function banner(info: DriverInfo): string {
  return `Network UPS Tools - ${info.desc} ${info.version} (${NUT_VERSION})`;
}

/** Printed after the banner by drivers marked experimental (as NUT does). */
export const EXPERIMENTAL_WARNING =
  "Warning: This is an experimental driver.\nSome features may not function correctly.\n";

/** `-h` output after the banner. */
export function helpText(info: DriverInfo): string {
  const lines = [
    "",
    `usage: ${info.name} (-a <id>|-s <id>) [OPTIONS]`,
    "  -a <id>        - autoconfig using ups.conf section <id>",
    "                 - note: -x after -a overrides ups.conf settings",
    "",
    "  -s <id>        - configure directly from cmd line arguments",
    "                 - note: must specify all driver parameters with successive -x",
    "                 - note: at least 'port' variable should be set",
    "                 - note: to explore the current values on a device from an",
    "                   unprivileged user account (with sufficient media access in",
    "                   the OS - e.g. to query networked devices), you can specify",
    "                   '-d 1' argument and `export NUT_STATEPATH=/tmp` beforehand",
    "",
    "  -V             - print version, then exit",
    "  -L             - print parseable list of driver variables",
    "  -D             - raise debugging level (and stay foreground by default)",
    "  -d <count>     - dump data to stdout after 'count' updates loop and exit",
    "  -F             - stay foregrounded even if no debugging is enabled",
    "  -B             - stay backgrounded even if debugging is bumped",
    "  -q             - raise log level threshold",
    "  -h             - display this help",
    "  -k             - force shutdown",
    "  -i <int>       - poll interval",
    "  -r <dir>       - chroot to <dir>",
    "  -u <user>      - switch to <user> (if started as root)",
    "  -g <group>     - set pipe access to <group> (if started as root)",
    "  -x <var>=<val> - set driver variable <var> to <val>",
    "                 - example: -x cable=940-0095B",
    "",
  ];
  const vars = info.vars ?? [];
  const flags = info.flags ?? [];
  if (vars.length || flags.length) {
    lines.push("Acceptable values for -x or ups.conf in this driver:", "");
    // descriptions are right-aligned in 40 columns, as NUT prints them
    for (const v of vars) lines.push(`${v.desc.padStart(40)} : -x ${v.name}=<value>`);
    for (const f of flags) lines.push(`${f.desc.padStart(40)} : -x ${f.name}`);
  }
  return lines.join("\n") + "\n";
}

/** `-L` output after the banner: `VALUE <name> "<desc>"` / `FLAG <name> "<desc>"`. */
export function listText(info: DriverInfo): string {
  const lines = [
    ...(info.vars ?? []).map((v) => `VALUE ${v.name} "${v.desc}"`),
    ...(info.flags ?? []).map((f) => `FLAG ${f.name} "${f.desc}"`),
  ];
  return lines.map((l) => l + "\n").join("");
}
