/**
 * APC Smart replies and settings, pure: the `a` command-set answer, the
 * ^Z capability list, the status register, alert characters mixed into
 * replies, value conversions, and the shutdown plan from `sdtype` /
 * `advorder`.
 *
 * @module
 */

import {
  ADVORDER_METHODS,
  ALERTS,
  type ApcVar,
  type ShutdownMethod,
  STATUS_BITS,
  TRANSFER_REASONS,
} from "./tables.ts";

export interface CmdSet {
  protocol: string;
  alerts: string;
  commands: string;
  /** Two-byte commands (prefix `:` sub-commands), when listed. */
  extended?: string;
}

/** `3.!$%+?=#|.<commands>[.<extended>]`, or undefined when it does not look like one. */
export function parseCmdSet(reply: string): CmdSet | undefined {
  const m = /^([0-9])\.([^.]*)\.([^.]+)(?:\.([^.]+))?$/.exec(reply);
  if (!m) return undefined;
  return { protocol: m[1], alerts: m[2], commands: m[3], extended: m[4] };
}

/**
 * ^Z: `#` then entries `<cmd><locale><count><width><count × width chars>`
 * (Matrix units put `##` before each). Locale `4` is every locale,
 * otherwise it must be the firmware's last character. Returns the choices
 * per command (duplicates dropped, first occurrence kept).
 */
export function parseCaps(reply: string, locale: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!reply.startsWith("#")) return out;
  let i = 1;
  while (i < reply.length) {
    if (reply[i] === "#") {
      i++;
      continue;
    }
    if (i + 4 > reply.length) break;
    const cmd = reply[i];
    const loc = reply[i + 1];
    const count = reply.charCodeAt(i + 2) - 48;
    const width = reply.charCodeAt(i + 3) - 48;
    if (count < 0 || count > 9 || width < 0 || width > 9) break;
    const start = i + 4;
    const end = start + count * width;
    if (end > reply.length) break;
    if (loc === "4" || loc === locale) {
      const choices: string[] = [];
      for (let k = 0; k < count; k++) {
        const c = reply.slice(start + k * width, start + (k + 1) * width);
        if (!choices.includes(c)) choices.push(c);
      }
      if (!out.has(cmd)) out.set(cmd, choices);
    }
    i = end;
  }
  return out;
}

/** ups.status tokens for the status register; 0 = the output is off. */
export function statusTokens(register: number): string[] {
  if (register === 0) return ["OFF"];
  return STATUS_BITS.filter(([bit]) => register & bit).map(([, t]) => t);
}

/** A reply with the alert characters the unit slipped in taken out. */
export function splitAlerts(text: string): { text: string; alerts: string } {
  let rest = "";
  let alerts = "";
  for (const ch of text) {
    if (ch in ALERTS) alerts += ch;
    else rest += ch;
  }
  return { text: rest, alerts };
}

/** The status after alerts (tokens set and cleared in arrival order). */
export function applyAlerts(tokens: readonly string[], alerts: string): string[] {
  let out = [...tokens];
  for (const ch of alerts) {
    const a = ALERTS[ch];
    if (!a) continue;
    if (a.clear) out = out.filter((t) => !a.clear!.includes(t));
    if (a.set && !out.includes(a.set)) out.push(a.set);
  }
  const order = STATUS_BITS.map(([, t]) => t);
  return out.sort((x, y) => order.indexOf(x) - order.indexOf(y));
}

/** A variable's published name and value for a reply, or undefined when not usable. */
export function convert(v: ApcVar, raw: string): { name: string; value: string } | undefined {
  const text = raw.trim();
  if (text === "" || text === "NA") return undefined;
  switch (v.conv) {
    case "none":
      return { name: v.name, value: text };
    case "hours": {
      const n = Number(text);
      return { name: v.name, value: String(Number.isFinite(n) ? Math.round(n * 3600) : 0) };
    }
    case "minutes": {
      const n = Number(text);
      return Number.isFinite(n) ? { name: v.name, value: String(Math.round(n * 60)) } : undefined;
    }
    case "runtime": {
      const n = Number(text.replace(/:$/, ""));
      return Number.isFinite(n) ? { name: v.name, value: String(Math.round(n * 60)) } : undefined;
    }
    case "reason":
      return { name: v.name, value: TRANSFER_REASONS[text] ?? text };
    case "temperatureOrUptime":
      if (/^\d{2}\.\d{2}$/.test(text)) return { name: "ambient.0.temperature", value: text };
      if (/^\d{3}\.\d$/.test(text)) {
        return { name: "device.uptime", value: String(Math.round(Number(text) * 3600)) };
      }
      return undefined;
  }
}

/** A published value back to what the unit sends (for SET of enumerated values). */
export function toWire(v: ApcVar, value: string, choices: readonly string[]): string | undefined {
  return choices.find((c) => convert(v, c)?.value === value);
}

export interface ShutdownOptions {
  sdtype?: string;
  advorder?: string;
  onBattery: boolean;
}

/** Validation of the shutdown settings (NUT's patterns); a message naming the bad one. */
export function checkShutdownOptions(
  o: { sdtype?: string; advorder?: string; awd?: string; cshdelay?: string },
):
  | string
  | undefined {
  if (o.sdtype !== undefined && !/^[0-5]$/.test(o.sdtype)) return `invalid sdtype [${o.sdtype}]`;
  if (o.advorder !== undefined && !/^([0-4]{1,5}|[Nn][Oo])$/.test(o.advorder)) {
    return `invalid advorder [${o.advorder}]`;
  }
  if (o.awd !== undefined && !/^[0-9]{1,3}$/.test(o.awd)) return `invalid awd [${o.awd}]`;
  if (o.cshdelay !== undefined && !/^([0-9]\.?|[0-9]?\.[0-9])$/.test(o.cshdelay)) {
    return `invalid cshdelay [${o.cshdelay}]`;
  }
  return undefined;
}

/** The shutdown methods to try, in order (hw-serial.md §3.7). */
export function shutdownPlan(o: ShutdownOptions): ShutdownMethod[] {
  if (o.advorder !== undefined && !/^no$/i.test(o.advorder)) {
    return [...o.advorder].map((d) => ADVORDER_METHODS[Number(d)]);
  }
  switch (o.sdtype ?? "0") {
    case "1":
      return o.onBattery ? ["soft", "hibernate"] : ["hibernate"];
    case "2":
      return ["instantOff"];
    case "3":
      return ["delayedOff"];
    case "4":
      return ["csHack"];
    case "5":
      return ["hibernate"];
    default:
      return o.onBattery ? ["soft"] : ["hibernate"];
  }
}

/** `@nnn` (or `@nn` when awd has exactly two digits). */
export function hibernateWire(awd = "000"): string {
  return awd.length === 2 ? `@${awd}` : `@${awd.padStart(3, "0")}`;
}
