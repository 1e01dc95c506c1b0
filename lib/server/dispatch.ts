/**
 * upsd's command dispatcher: one request line (already split into words) in,
 * the complete reply text out — every line with its LF, a whole LIST in one
 * string, so the connection writes it at once. The check order of every
 * command follows spec net-protocol.md §4–§10 exactly, and replies echo the
 * client's spelling of UPS, variable and command names.
 *
 * The dispatcher reaches the rest of upsd only through ServerContext, so it
 * can be tested with fakes.
 *
 * @module
 */

import { NUT_URL, NUT_VERSION } from "../conf/paths.ts";
import type { Cmdvartab } from "../conf/cmdvartab.ts";
import { atoi } from "../conf/upsd_conf.ts";
import { encode } from "../protocol/quote.ts";
import { FLAG_RW, FLAG_STRING } from "../state/tree.ts";
import { ErrToken } from "../protocol/errors.ts";
import { hasAction, mayInstcmd, type UserDb } from "./access.ts";
import { quoted, shownValue, typeWords } from "./format.ts";
import type { Session } from "./session.ts";
import type { TrackingTable } from "./tracking.ts";
import type { UpsEntry } from "./ups.ts";

export interface ServerContext {
  now(): number;
  /** Case-insensitive lookup of a configured UPS. */
  findUps(name: string): UpsEntry | undefined;
  /** LIST UPS order. */
  upsList(): readonly UpsEntry[];
  users(): UserDb;
  descriptions(): Cmdvartab;
  readonly tracking: TrackingTable;
  /** Client sessions, most recently connected first. */
  sessions(): Iterable<Session>;
  readonly log: { info(msg: string): void; debug(level: number, msg: string): void };
}

export const PROTOCOL_VERSION = "1.3";
export const VERSION_TEXT = `Network UPS Tools upsd ${NUT_VERSION} - ${NUT_URL}`;
export const HELP_TEXT =
  "Commands: HELP VER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS";

const OK = "OK\n";

function err(token: string): string {
  return `ERR ${token}\n`;
}

const E = {
  invalid: err(ErrToken.InvalidArgument),
  unknownUps: err(ErrToken.UnknownUps),
  notConnected: err(ErrToken.DriverNotConnected),
  stale: err(ErrToken.DataStale),
  varNotSupported: err(ErrToken.VarNotSupported),
  accessDenied: err(ErrToken.AccessDenied),
  unknownCommand: err(ErrToken.UnknownCommand),
};

/** A reply: text, or the bytes of a cached LIST (shared: never modify them). */
export type Reply = string | Uint8Array;

type Handler = (ctx: ServerContext, s: Session, args: string[]) => Reply;

interface Command {
  run: Handler;
  /** USERNAME and PASSWORD must have been given (checked before the arguments). */
  auth?: boolean;
}

/** Handle one request line; returns the whole reply. */
export function dispatch(ctx: ServerContext, s: Session, words: string[]): Reply {
  if (words.length === 0) return E.unknownCommand;
  const cmd = COMMANDS.get(words[0].toUpperCase());
  if (!cmd) return E.unknownCommand;
  if (cmd.auth) {
    if (s.username === undefined) return err(ErrToken.UsernameRequired);
    if (s.password === undefined) return err(ErrToken.PasswordRequired);
  }
  return cmd.run(ctx, s, words.slice(1));
}

/**
 * The UPS availability check (AVAIL): known, driver connected, data fresh.
 * Returns the entry or the error reply.
 */
function avail(ctx: ServerContext, name: string): UpsEntry | string {
  const ups = ctx.findUps(name);
  if (!ups) return E.unknownUps;
  if (!ups.link.connected) return E.notConnected;
  if (ups.link.isStale(ctx.now())) return E.stale;
  return ups;
}

// ---- informational ----

const noArgs = (reply: string): Handler => (_c, _s, args) => args.length !== 0 ? E.invalid : reply;

// ---- GET ----

function get(ctx: ServerContext, s: Session, a: string[]): Reply {
  const n = a.length;
  const sub = n > 0 ? a[0].toUpperCase() : "";
  if (sub === "TRACKING") {
    if (n === 1) return s.tracking ? "ON\n" : "OFF\n";
    if (n === 2) {
      if (!s.tracking) return err(ErrToken.FeatureNotConfigured);
      return ctx.tracking.reply(a[1]) + "\n";
    }
  }
  if (n < 2) return E.invalid;
  if (sub === "NUMLOGINS") {
    const ups = avail(ctx, a[1]);
    if (typeof ups === "string") return ups;
    return `NUMLOGINS ${a[1]} ${ups.numLogins}\n`;
  }
  if (sub === "UPSDESC") {
    const ups = ctx.findUps(a[1]);
    if (!ups) return E.unknownUps;
    return `UPSDESC ${a[1]} ${quoted(ups.def.desc ?? "Unavailable")}\n`;
  }
  if (n < 3) return E.invalid;
  const upsName = a[1];
  const name = a[2];
  switch (sub) {
    case "VAR": {
      if (SERVER_VAR.test(name)) {
        const v = serverVar(name);
        return v === undefined ? E.varNotSupported : `VAR ${upsName} ${name} ${quoted(v)}\n`;
      }
      const ups = avail(ctx, upsName);
      if (typeof ups === "string") return ups;
      const cached = ups.cachedVar(upsName, name);
      if (cached) return cached;
      const node = ups.link.tree.getVar(name);
      if (!node) return E.varNotSupported;
      return ups.cacheVar(
        upsName,
        name,
        `VAR ${upsName} ${name} ${quoted(shownValue(node, ups.fsd))}\n`,
      );
    }
    case "TYPE": {
      const ups = avail(ctx, upsName);
      if (typeof ups === "string") return ups;
      const node = ups.link.tree.getVar(name);
      if (!node) return E.varNotSupported;
      return `TYPE ${upsName} ${name} ${typeWords(node)}\n`;
    }
    case "DESC": {
      const ups = avail(ctx, upsName);
      if (typeof ups === "string") return ups;
      const d = ctx.descriptions().varDesc(name) ?? "Description unavailable";
      return `DESC ${upsName} ${name} ${quoted(d)}\n`;
    }
    case "CMDDESC": {
      const ups = avail(ctx, upsName);
      if (typeof ups === "string") return ups;
      const d = ctx.descriptions().cmdDesc(name) ?? "Description unavailable";
      return `CMDDESC ${upsName} ${name} ${quoted(d)}\n`;
    }
  }
  return E.invalid;
}

const SERVER_VAR = /^server\./i;

/** `server.*` pseudo-variables; undefined for an unknown name. */
function serverVar(name: string): string | undefined {
  switch (name.toLowerCase()) {
    case "server.info":
      return VERSION_TEXT;
    case "server.version":
      return NUT_VERSION;
  }
  return undefined;
}

// ---- LIST ----

function list(ctx: ServerContext, _s: Session, a: string[]): Reply {
  const n = a.length;
  if (n < 1) return E.invalid;
  const sub = a[0].toUpperCase();
  if (sub === "UPS") return listUps(ctx);
  if (n < 2) return E.invalid;
  const upsName = a[1];
  switch (sub) {
    case "VAR":
    case "RW":
    case "CMD": {
      const ups = avail(ctx, upsName);
      if (typeof ups === "string") return ups;
      return ups.cached(sub + " " + upsName, () => buildList(ups, sub, upsName));
    }
    case "CLIENT": {
      const ups = ctx.findUps(upsName);
      if (!ups) return E.unknownUps;
      let out = `BEGIN LIST CLIENT ${upsName}\n`;
      for (const c of ctx.sessions()) {
        if (c.loginUps === ups) out += `CLIENT ${ups.name} ${c.addr}\n`;
      }
      return out + `END LIST CLIENT ${upsName}\n`;
    }
  }
  if (n < 3) return E.invalid;
  const name = a[2];
  if (sub === "ENUM" || sub === "RANGE") {
    const ups = avail(ctx, upsName);
    if (typeof ups === "string") return ups;
    const node = ups.link.tree.getVar(name);
    if (!node) return E.varNotSupported;
    const head = `${sub} ${upsName} ${name}`;
    let out = `BEGIN LIST ${head}\n`;
    if (sub === "ENUM") {
      for (const e of node.enums) out += `${head} ${quoted(e)}\n`;
    } else {
      for (const r of node.ranges) out += `${head} "${r.min}" "${r.max}"\n`;
    }
    return out + `END LIST ${head}\n`;
  }
  return E.invalid;
}

function listUps(ctx: ServerContext): string {
  let out = "BEGIN LIST UPS\n";
  for (const u of ctx.upsList()) {
    out += `UPS ${u.name} ${quoted(u.def.desc ?? "Description unavailable")}\n`;
  }
  return out + "END LIST UPS\n";
}

function buildList(ups: UpsEntry, sub: string, upsName: string): string {
  const tree = ups.link.tree;
  const head = `${sub} ${upsName}`;
  const parts = [`BEGIN LIST ${head}\n`];
  const prefix = `${head} `;
  if (sub === "CMD") {
    for (const c of tree.cmds()) parts.push(prefix + c + "\n");
  } else {
    const rwOnly = sub === "RW";
    for (const v of tree.vars()) {
      if (rwOnly && !(v.flags & FLAG_RW)) continue;
      const value = rwOnly ? v.value : shownValue(v, ups.fsd);
      parts.push(prefix + v.name + " " + quoted(value) + "\n");
    }
  }
  parts.push(`END LIST ${head}\n`);
  return parts.join("");
}

// ---- session ----

function username(_c: ServerContext, s: Session, a: string[]): string {
  if (a.length !== 1) return E.invalid;
  if (s.username !== undefined) return err(ErrToken.AlreadySetUsername);
  s.username = a[0];
  return OK;
}

function password(_c: ServerContext, s: Session, a: string[]): string {
  if (a.length !== 1) return E.invalid;
  if (s.password !== undefined) return err(ErrToken.AlreadySetPassword);
  s.password = a[0];
  return OK;
}

function logout(_c: ServerContext, s: Session, a: string[]): string {
  if (a.length !== 0) return E.invalid;
  s.closing = true;
  return "OK Goodbye\n";
}

function login(ctx: ServerContext, s: Session, a: string[]): string {
  if (a.length !== 1) return E.invalid;
  if (s.loginUps) return err(ErrToken.AlreadyLoggedIn);
  const ups = ctx.findUps(a[0]);
  if (!ups) return E.unknownUps;
  if (!hasAction(ctx.users(), s.username, s.password, "LOGIN")) return E.accessDenied;
  ups.numLogins++;
  s.loginUps = ups;
  ctx.log.info(`User ${s.who} logged into UPS [${ups.name}]`);
  return OK;
}

const primary = (word: "PRIMARY" | "MASTER"): Handler => (ctx, s, a) => {
  if (a.length !== 1) return E.invalid;
  if (!ctx.findUps(a[0])) return E.unknownUps;
  if (!hasAction(ctx.users(), s.username, s.password, "PRIMARY", "MASTER")) return E.accessDenied;
  return `OK ${word}-GRANTED\n`;
};

function fsd(ctx: ServerContext, s: Session, a: string[]): string {
  if (a.length !== 1) return E.invalid;
  const ups = ctx.findUps(a[0]);
  if (!ups) return E.unknownUps;
  if (!hasAction(ctx.users(), s.username, s.password, "FSD")) return E.accessDenied;
  ctx.log.info(`Client ${s.who} set FSD on UPS [${ups.name}]`);
  if (!ups.fsd) {
    ups.fsd = true;
    ups.invalidate();
  }
  return "OK FSD-SET\n";
}

// ---- writes ----

function set(ctx: ServerContext, s: Session, a: string[]): string {
  const n = a.length;
  if (n < 2) return E.invalid;
  const sub = a[0].toUpperCase();
  if (sub === "TRACKING" && n === 2) {
    const v = a[1].toUpperCase();
    if (v === "ON") s.tracking = true;
    else if (v === "OFF") s.tracking = false;
    else return E.invalid;
    return OK;
  }
  if (n < 4 || sub !== "VAR") return E.invalid;
  const [, upsName, name, value] = a;

  const ups = ctx.findUps(upsName);
  if (!ups) return E.unknownUps;
  const ok = avail(ctx, upsName);
  if (typeof ok === "string") return ok;
  if (!hasAction(ctx.users(), s.username, s.password, "SET")) return E.accessDenied;
  const node = ups.link.tree.getVar(name);
  if (!node) return E.varNotSupported;
  if (!(node.flags & FLAG_RW)) return err(ErrToken.Readonly);
  if (node.flags & FLAG_STRING) {
    if (node.aux < 1) {
      ctx.log.info(`UPS [${ups.name}]: auxdata for ${name} is invalid`);
      return err(ErrToken.SetFailed);
    }
    if (value.length > node.aux) return err(ErrToken.TooLong);
  }
  if (node.enums.length > 0 && !node.enums.includes(value)) return err(ErrToken.InvalidValue);
  if (node.ranges.length > 0) {
    const num = atoi(value);
    if (!node.ranges.some((r) => num >= r.min && num <= r.max)) return err(ErrToken.InvalidValue);
  }
  const id = s.tracking ? ctx.tracking.create(ctx.now()) : undefined;
  const line = `SET ${name} "${encode(value)}"${id ? ` TRACKING ${id}` : ""}\n`;
  if (!ups.link.send(line)) return err(ErrToken.SetFailed);
  ctx.log.info(
    `Set variable: ${s.who} set ${name} on ${ups.name} to ${value} (tracking ID: ${
      id ?? "disabled"
    })`,
  );
  return id ? `OK TRACKING ${id}\n` : OK;
}

function instcmd(ctx: ServerContext, s: Session, a: string[]): string {
  const n = a.length;
  if (n < 2) return E.invalid;
  const [upsName, cmd] = a;
  // the parameter counts only when it is the last word (NUT drops it with 4+ words)
  const param = n === 3 ? a[2] : undefined;
  const ups = ctx.findUps(upsName);
  if (!ups) return E.unknownUps;
  const ok = avail(ctx, upsName);
  if (typeof ok === "string") return ok;
  if (!ups.link.tree.hasCmd(cmd)) return err(ErrToken.CmdNotSupported);
  if (!mayInstcmd(ctx.users(), s.username, s.password, cmd)) return E.accessDenied;
  const id = s.tracking ? ctx.tracking.create(ctx.now()) : undefined;
  // Quoted (NUT sends it bare): a parameter with spaces stays one word at the driver.
  // An empty parameter is left out, which is what NUT's driver ends up seeing too.
  const p = param ? ` "${encode(param)}"` : "";
  if (!ups.link.send(`INSTCMD ${cmd}${p}${id ? ` TRACKING ${id}` : ""}\n`)) {
    return err(ErrToken.InstcmdFailed);
  }
  ctx.log.info(
    `Instant command: ${s.who} did ${cmd}${
      param !== undefined ? ` with value ${param}` : ""
    } on ${ups.name}` +
      ` (tracking ID: ${id ?? "disabled"})`,
  );
  return id ? `OK TRACKING ${id}\n` : OK;
}

/**
 * WATCH <ups> (nut-deno extension, not in NUT): answer OK, then push
 * `CHANGED <ups>` on this connection whenever the UPS's status or
 * availability changes, so upsmon can poll at once instead of waiting for
 * POLLFREQ. NUT's upsd answers ERR UNKNOWN-COMMAND, and upsmon then polls.
 */
function watch(ctx: ServerContext, s: Session, a: string[]): string {
  if (a.length !== 1) return E.invalid;
  const ups = ctx.findUps(a[0]);
  if (!ups) return E.unknownUps;
  ups.watch(s, a[0]);
  return OK;
}

const COMMANDS = new Map<string, Command>([
  ["VER", { run: noArgs(VERSION_TEXT + "\n") }],
  ["NETVER", { run: noArgs(PROTOCOL_VERSION + "\n") }],
  ["PROTVER", { run: noArgs(PROTOCOL_VERSION + "\n") }],
  ["HELP", { run: noArgs(HELP_TEXT + "\n") }],
  // TLS is not implemented yet: answer like a NUT built with TLS but without certificates,
  // so stock clients (which send STARTTLS first) carry on in plain text.
  ["STARTTLS", { run: () => err(ErrToken.FeatureNotConfigured) }],
  ["GET", { run: get }],
  ["LIST", { run: list }],
  ["USERNAME", { run: username }],
  ["PASSWORD", { run: password }],
  ["LOGOUT", { run: logout }],
  ["LOGIN", { run: login, auth: true }],
  ["PRIMARY", { run: primary("PRIMARY"), auth: true }],
  ["MASTER", { run: primary("MASTER"), auth: true }],
  ["FSD", { run: fsd, auth: true }],
  ["SET", { run: set, auth: true }],
  ["INSTCMD", { run: instcmd, auth: true }],
  ["WATCH", { run: watch }],
]);
