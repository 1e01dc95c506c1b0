/**
 * Reloading a running driver's settings (SIGHUP, `-c reload`, INSTCMD
 * driver.reload*; NUT master semantics): compare the running settings with
 * freshly read ones, adopt what may change at run time, and list what
 * needs a restart. Pure: the core publishes the results.
 *
 * May change at run time: pollinterval, synchronous, debug_min,
 * reconnect_max_tries, reconnect_report_freq, the ignorelb flag,
 * default.* and override.*, and the driver's own settings and flags that
 * it declares `reloadable`. Need a restart: port, user, group, the nolock
 * flag and the driver's other settings and flags.
 *
 * @module
 */

import type { DriverSettings, Preset } from "./settings.ts";

export interface ReloadResult {
  /** Names of the settings adopted (for the log). */
  changed: string[];
  /** Names of settings whose new value needs a driver restart (the old value stays). */
  restartNeeded: string[];
  /** Variables to publish (driver.parameter.*, driver.flag.*). */
  publish: Array<[string, string]>;
  /** Variables to remove. */
  unpublish: string[];
  /** override.* settings to (re)apply, default.* settings to apply where the variable is missing. */
  presets: Preset[];
  /** Variables whose override.* was removed: they become writable by the driver again. */
  released: string[];
}

export interface ReloadOptions {
  /** `-u` was given: ups.conf `user` is not in effect anyway. */
  userFromCli?: boolean;
  /** `-g` was given. */
  groupFromCli?: boolean;
}

/** Settings and flags any driver may change at run time. */
const CORE_RELOADABLE_FLAGS = new Set(["ignorelb"]);

function findPublished(list: Array<[string, string]>, name: string): [string, string] | undefined {
  const k = name.toLowerCase();
  return list.find(([n]) => n.toLowerCase() === k);
}

function setPublished(list: Array<[string, string]>, name: string, value: string | undefined) {
  const k = name.toLowerCase();
  const i = list.findIndex(([n]) => n.toLowerCase() === k);
  if (value === undefined) {
    if (i >= 0) list.splice(i, 1);
  } else if (i >= 0) list[i] = [list[i][0], value];
  else list.push([name, value]);
}

function presetMap(presets: readonly Preset[], kind: Preset["kind"]): Map<string, Preset> {
  const m = new Map<string, Preset>();
  for (const p of presets) if (p.kind === kind) m.set(p.name.toLowerCase(), p);
  return m;
}

/**
 * Adopt the reloadable part of `next` into `cur` (mutated) and report what
 * changed. `next` is not modified.
 */
export function reloadSettings(
  cur: DriverSettings,
  next: DriverSettings,
  opts: ReloadOptions = {},
): ReloadResult {
  const r: ReloadResult = {
    changed: [],
    restartNeeded: [],
    publish: [],
    unpublish: [],
    presets: [],
    released: [],
  };

  if (next.pollInterval !== cur.pollInterval) {
    cur.pollInterval = next.pollInterval;
    r.changed.push("pollinterval");
    r.publish.push(["driver.parameter.pollinterval", String(next.pollInterval)]);
  }
  if (next.synchronous !== cur.synchronous) {
    cur.synchronous = next.synchronous;
    r.changed.push("synchronous");
    r.publish.push(["driver.parameter.synchronous", next.synchronous]);
  }
  if (next.debugMin !== cur.debugMin) {
    cur.debugMin = next.debugMin;
    r.changed.push("debug_min");
  }
  if (next.reconnectMaxTries !== cur.reconnectMaxTries) {
    cur.reconnectMaxTries = next.reconnectMaxTries;
    r.changed.push("reconnect_max_tries");
  }
  if (next.reconnectReportFreq !== cur.reconnectReportFreq) {
    cur.reconnectReportFreq = next.reconnectReportFreq;
    r.changed.push("reconnect_report_freq");
  }
  if (next.port !== cur.port) r.restartNeeded.push("port");
  if (!opts.userFromCli && next.confUser !== cur.confUser) r.restartNeeded.push("user");
  if (!opts.groupFromCli && next.confGroup !== cur.confGroup) r.restartNeeded.push("group");
  cur.desc = next.desc;

  // the driver's own settings
  const keys = new Set([...cur.vars.keys(), ...next.vars.keys()]);
  for (const k of keys) {
    const before = cur.vars.get(k);
    const after = next.vars.get(k);
    if (before === after) continue;
    if (!cur.isReloadable(k)) {
      r.restartNeeded.push(k);
      continue;
    }
    r.changed.push(k);
    const spelled = findPublished(next.published, `driver.parameter.${k}`)?.[0] ??
      findPublished(cur.published, `driver.parameter.${k}`)?.[0] ?? `driver.parameter.${k}`;
    if (after === undefined) {
      cur.vars.delete(k);
      r.unpublish.push(spelled);
    } else {
      cur.vars.set(k, after);
      r.publish.push([spelled, after]);
    }
    setPublished(cur.published, spelled, after);
  }

  // flags (core and the driver's)
  const flags = new Set([...cur.flags, ...next.flags]);
  for (const f of flags) {
    const before = cur.flags.has(f);
    const after = next.flags.has(f);
    if (before === after) continue;
    if (!CORE_RELOADABLE_FLAGS.has(f) && !cur.isReloadable(f)) {
      r.restartNeeded.push(f);
      continue;
    }
    r.changed.push(f);
    const spelled = findPublished(next.published, `driver.flag.${f}`)?.[0] ??
      findPublished(cur.published, `driver.flag.${f}`)?.[0] ?? `driver.flag.${f}`;
    if (after) {
      cur.flags.add(f);
      r.publish.push([spelled, "enabled"]);
      setPublished(cur.published, spelled, "enabled");
    } else {
      cur.flags.delete(f);
      r.unpublish.push(spelled);
      setPublished(cur.published, spelled, undefined);
    }
  }

  // default.* and override.*
  const oldOverrides = presetMap(cur.presets, "override");
  const newOverrides = presetMap(next.presets, "override");
  const oldDefaults = presetMap(cur.presets, "default");
  for (const [k, p] of newOverrides) {
    if (oldOverrides.get(k)?.value !== p.value) {
      r.presets.push(p);
      r.changed.push(`override.${p.name}`);
    }
  }
  for (const [k, p] of oldOverrides) {
    if (!newOverrides.has(k)) {
      r.released.push(p.name);
      r.changed.push(`override.${p.name}`);
    }
  }
  for (const [k, p] of presetMap(next.presets, "default")) {
    if (oldDefaults.get(k)?.value !== p.value) {
      r.presets.push(p);
      r.changed.push(`default.${p.name}`);
    }
  }
  cur.presets.splice(0, cur.presets.length, ...next.presets);
  return r;
}
