/**
 * upslog's format language, compiled once into steps and rendered per record.
 *
 * `%%` → `%`; `%t` → TAB; `%<cmd>[ <arg>]%` where cmd is matched
 * case-insensitively by prefix against HOST, UPSHOST, PID, TIME, VAR, ETIME
 * (in that order, so `%HOSTNAME%` is HOST and `%var x.y%` is VAR); an unknown
 * command gives `INVALID`; a `%` without a closing one gives `INVALID` and
 * the characters after it are then read as ordinary text. `%VAR%` with an
 * empty name or a name without a dot is `INVALID`.
 *
 * @module
 */

import { localTm, strftime, type Tm } from "./strftime.ts";

export type Step =
  | { kind: "text"; text: string }
  | { kind: "time"; format: string }
  | { kind: "etime" }
  | { kind: "host" }
  | { kind: "upshost" }
  | { kind: "pid" }
  | { kind: "var"; name: string };

export const DEFAULT_FORMAT =
  "%TIME @Y@m@d @H@M@S% %VAR battery.charge% %VAR input.voltage% %VAR ups.load% [%VAR ups.status%] %VAR ups.temperature% %VAR input.frequency%";

/** upslog's record buffer is LARGEBUF (4096) bytes including the NUL. */
export const MAX_RECORD = 4095;

const COMMANDS: Array<[string, (arg: string | undefined) => Step]> = [
  ["HOST", () => ({ kind: "host" })],
  ["UPSHOST", () => ({ kind: "upshost" })],
  ["PID", () => ({ kind: "pid" })],
  ["TIME", (arg) => ({ kind: "time", format: (arg ?? "").replaceAll("@", "%") })],
  [
    "VAR",
    (arg) =>
      arg === undefined || arg === "" || !arg.includes(".")
        ? { kind: "text", text: "INVALID" }
        : { kind: "var", name: arg },
  ],
  ["ETIME", () => ({ kind: "etime" })],
];

/** Compile a format string into steps (adjacent text merged). */
export function compileFormat(format: string): Step[] {
  const steps: Step[] = [];
  const text = (t: string) => {
    const last = steps[steps.length - 1];
    if (last?.kind === "text") last.text += t;
    else steps.push({ kind: "text", text: t });
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i];
    if (c !== "%") {
      text(c);
      continue;
    }
    const next = format[i + 1];
    if (next === "%") {
      text("%");
      i++;
      continue;
    }
    if (next === "t") {
      text("\t");
      i++;
      continue;
    }
    const close = format.indexOf("%", i + 1);
    if (close < 0) {
      text("INVALID");
      continue; // the rest is read as plain text
    }
    const body = format.slice(i + 1, close);
    const sp = body.indexOf(" ");
    const cmd = sp >= 0 ? body.slice(0, sp) : body;
    const arg = sp >= 0 ? body.slice(sp + 1) : undefined;
    const hit = COMMANDS.find(([name]) => cmd.slice(0, name.length).toUpperCase() === name);
    if (hit) {
      const step = hit[1](arg);
      if (step.kind === "text") text(step.text);
      else steps.push(step);
    } else {
      text("INVALID");
    }
    i = close;
  }
  return steps;
}

/** What a record needs from the outside world. */
export interface RecordContext {
  /** The moment the record is made. */
  now: Date;
  hostname(): string;
  /** The device as given (`ups@host:port`). */
  upshost: string;
  pid: number;
  /** A variable's value; "NA" on any failure. */
  getVar(name: string): Promise<string>;
  /** Broken-down local time (tests pin the time zone). */
  tm?: (d: Date) => Tm;
}

/** Expand the steps into one record (without the trailing newline). */
export async function renderRecord(steps: Step[], ctx: RecordContext): Promise<string> {
  let out = "";
  for (const s of steps) {
    switch (s.kind) {
      case "text":
        out += s.text;
        break;
      case "time":
        out += strftime(s.format, (ctx.tm ?? localTm)(ctx.now));
        break;
      case "etime":
        out += String(Math.floor(ctx.now.getTime() / 1000));
        break;
      case "host":
        out += ctx.hostname();
        break;
      case "upshost":
        out += ctx.upshost;
        break;
      case "pid":
        out += String(ctx.pid);
        break;
      case "var":
        out += await ctx.getVar(s.name);
        break;
    }
  }
  return out.length > MAX_RECORD ? out.slice(0, MAX_RECORD) : out;
}
