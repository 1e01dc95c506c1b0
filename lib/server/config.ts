/**
 * upsd's view of its configuration files: which UPSes ups.conf defines (with
 * NUT's warnings for incomplete and duplicate entries), and reading all three
 * files at once for a reload, which applies only when every file is readable
 * and free of errors.
 *
 * @module
 */

import { ConfigFileError, readConfigFile } from "../conf/errors.ts";
import { parseUpsConf, setting, type UpsConf } from "../conf/ups_conf.ts";
import { parseUpsdConf, type UpsdConf } from "../conf/upsd_conf.ts";
import { parseUpsdUsers, type UserEntry } from "../conf/upsd_users.ts";
import type { UpsDef } from "./ups.ts";

/** The UPS definitions upsd serves, in ups.conf order. */
export function upsDefsFrom(conf: UpsConf): { defs: UpsDef[]; warnings: string[] } {
  const defs: UpsDef[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  for (const sec of conf.sections) {
    const driver = setting(sec, "driver");
    const port = setting(sec, "port");
    if (driver === undefined || port === undefined) {
      warnings.push(`Warning: ignoring incomplete configuration for UPS [${sec.name}]`);
      continue;
    }
    const key = sec.name.toLowerCase();
    if (seen.has(key)) {
      warnings.push(`UPS name [${sec.name}] is already in use!`);
      continue;
    }
    seen.add(key);
    defs.push({ name: sec.name, driver, port, desc: setting(sec, "desc") });
  }
  return { defs, warnings };
}

export interface ConfigSet {
  upsd: UpsdConf;
  defs: UpsDef[];
  users: Map<string, UserEntry>;
}

export interface ConfigRead {
  /** Present only when every file was read and parsed without error. */
  config?: ConfigSet;
  /** `file:line: …` problems and unreadable files. */
  errors: string[];
  warnings: string[];
}

export const CONF_FILES = {
  upsd: "upsd.conf",
  ups: "ups.conf",
  users: "upsd.users",
} as const;

async function read(path: string, errors: string[]): Promise<Uint8Array | undefined> {
  try {
    return await readConfigFile(path);
  } catch (e) {
    errors.push(e instanceof ConfigFileError ? e.message : `Can't open ${path}: ${e}`);
    return undefined;
  }
}

/** Read and check upsd.conf, ups.conf and upsd.users together (for a reload). */
export async function readConfigSet(confDir: string): Promise<ConfigRead> {
  const errors: string[] = [];
  const warnings: string[] = [];
  const paths = {
    upsd: `${confDir}/${CONF_FILES.upsd}`,
    ups: `${confDir}/${CONF_FILES.ups}`,
    users: `${confDir}/${CONF_FILES.users}`,
  };
  const [upsdText, upsText, usersText] = await Promise.all([
    read(paths.upsd, errors),
    read(paths.ups, errors),
    read(paths.users, errors),
  ]);
  if (!upsdText || !upsText || !usersText) return { errors, warnings };

  const upsd = parseUpsdConf(upsdText, paths.upsd);
  const ups = parseUpsConf(upsText, paths.ups);
  const users = parseUpsdUsers(usersText, paths.users);
  const { defs, warnings: defWarnings } = upsDefsFrom(ups);
  for (const r of [upsd, ups, users]) errors.push(...r.errors.map((e) => e.message));
  warnings.push(...upsd.warnings.map((e) => e.message), ...users.warnings.map((e) => e.message));
  warnings.push(...defWarnings);
  if (errors.length > 0) return { errors, warnings };
  return { config: { upsd: upsd.conf, defs, users: users.users }, errors, warnings };
}
