/**
 * A scripted, in-process NUT data server for client tests: it answers each
 * request line with whatever the test's handler returns, records every line
 * it received, and can hand a connection over to TLS after `STARTTLS`.
 *
 * ```ts
 * const srv = await startFakeUpsd((line) =>
 *   line === "GET VAR u ups.status" ? 'VAR u ups.status "OL"' : "ERR UNKNOWN-COMMAND"
 * );
 * // ... run a client against srv.port ...
 * await srv.close();
 * ```
 *
 * @module
 */

import { splitLine } from "../../lib/conf/tokenizer.ts";

/**
 * The answer to one request line: reply lines (sent in ONE write, to prove
 * clients cope with many lines per read), `"close"` to hang up, `"silent"` to
 * say nothing, or `{ chunks }` to send the text in several writes (lines
 * split across reads).
 */
export type FakeReply = string | string[] | "close" | "silent" | { chunks: string[] };

/** Returning undefined: `OK Goodbye` for LOGOUT, nothing otherwise. */
export type FakeHandler = (
  line: string,
  words: string[],
  conn: FakeConn,
) => FakeReply | undefined;

export interface FakeConn {
  /** Lines received on this connection so far. */
  lines: string[];
  /** Per-connection scratch space for stateful scripts. */
  state: Record<string, unknown>;
  /** True once the peer (or the script) closed the connection. */
  closed: boolean;
  /** Send unsolicited text (e.g. `CHANGED ups\n`) on this connection. */
  send(text: string): void;
  /** Hang up this connection. */
  close(): void;
}

export interface FakeUpsd {
  port: number;
  /** Every line received, all connections, in arrival order. */
  lines: string[];
  /** One entry per accepted connection. */
  conns: FakeConn[];
  close(): Promise<void>;
}

export interface FakeOptions {
  /** PEM key and certificate: then `STARTTLS` is answered `OK STARTTLS` and TLS follows. */
  tls?: { key: string; cert: string };
}

/** Start the server on 127.0.0.1 (free port). LOGOUT is answered `OK Goodbye` unless the handler says otherwise. */
export async function startFakeUpsd(
  handler: FakeHandler,
  opts: FakeOptions = {},
): Promise<FakeUpsd> {
  // node:net/tls because Deno has no server-side STARTTLS
  const net = await import("node:net");
  const tls = await import("node:tls");
  const all: string[] = [];
  const conns: FakeConn[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const ctx = opts.tls
    ? tls.createSecureContext({ key: opts.tls.key, cert: opts.tls.cert })
    : undefined;

  const server = net.createServer((raw) => {
    let sock: import("node:net").Socket = raw;
    const fc: FakeConn = {
      lines: [],
      state: {},
      closed: false,
      send: (text) => {
        sock.write(text);
      },
      close: () => {
        sock.destroy();
      },
    };
    sockets.add(raw);
    raw.on("close", () => {
      sockets.delete(raw);
      fc.closed = true;
    });
    raw.on("error", () => {});
    conns.push(fc);
    let pending = "";
    let queue = Promise.resolve();
    const onData = (d: Uint8Array) => {
      pending += new TextDecoder().decode(d);
      let nl: number;
      while ((nl = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, "");
        pending = pending.slice(nl + 1);
        fc.lines.push(line);
        all.push(line);
        const words = splitLine(line) ?? [];
        if (ctx && words[0]?.toUpperCase() === "STARTTLS" && sock === raw) {
          raw.off("data", onData);
          raw.write("OK STARTTLS\n");
          const t = new tls.TLSSocket(raw, { isServer: true, secureContext: ctx });
          t.on("error", () => {});
          t.on("data", onData);
          sock = t;
          return;
        }
        let reply = handler(line, words, fc);
        if (reply === undefined && words[0]?.toUpperCase() === "LOGOUT") reply = "OK Goodbye";
        const s = sock;
        if (reply === "close") {
          s.destroy();
          return;
        }
        if (reply === "silent" || reply === undefined) continue;
        if (typeof reply === "object" && !Array.isArray(reply)) {
          const chunks = reply.chunks;
          queue = queue.then(async () => {
            for (const c of chunks) {
              s.write(c);
              await new Promise((r) => setTimeout(r, 5));
            }
          });
          continue;
        }
        const out = (Array.isArray(reply) ? reply : [reply]).map((l) => l + "\n").join("");
        queue = queue.then(() => {
          s.write(out);
        });
      }
    };
    raw.on("data", onData);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as { port: number }).port;

  return {
    port,
    lines: all,
    conns,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A UPS description for {@link scriptedUpsd}: its variables with types, enums, ranges, commands. */
export interface FakeUps {
  desc?: string;
  vars: Record<
    string,
    {
      value: string;
      type?: string;
      desc?: string;
      enums?: string[];
      ranges?: Array<[string, string]>;
      rw?: boolean;
    }
  >;
  cmds?: Record<string, string | undefined>;
  clients?: string[];
}

const q = (s: string) => `"${s.replace(/[\\"#]/g, (c) => "\\" + c)}"`;

/**
 * A handler answering GET/LIST like upsd for the given UPSes (names are
 * case-insensitive), `ERR UNKNOWN-UPS` / `ERR VAR-NOT-SUPPORTED` otherwise,
 * `ERR FEATURE-NOT-CONFIGURED` to STARTTLS.
 */
export function scriptedUpsd(upses: Record<string, FakeUps>): FakeHandler {
  const find = (name: string | undefined) => {
    const key = Object.keys(upses).find((k) => k.toLowerCase() === (name ?? "").toLowerCase());
    return key === undefined ? undefined : upses[key];
  };
  return (_line, w) => {
    const [verb, sub, ups, name] = [w[0]?.toUpperCase(), w[1]?.toUpperCase(), w[2], w[3]];
    if (verb === "STARTTLS") return "ERR FEATURE-NOT-CONFIGURED";
    if (verb === "LOGOUT") return "OK Goodbye";
    if (verb === "LIST" && sub === "UPS") {
      return [
        "BEGIN LIST UPS",
        ...Object.entries(upses).map(([n, u]) =>
          `UPS ${n} ${q(u.desc ?? "Description unavailable")}`
        ),
        "END LIST UPS",
      ];
    }
    const u = find(ups);
    if (verb !== "GET" && verb !== "LIST") return "ERR UNKNOWN-COMMAND";
    if (!u) return "ERR UNKNOWN-UPS";
    const head = w.slice(1).join(" ");
    const v = name === undefined ? undefined : u.vars[name];
    if (verb === "GET") {
      switch (sub) {
        case "VAR":
          return v ? `VAR ${ups} ${name} ${q(v.value)}` : "ERR VAR-NOT-SUPPORTED";
        case "TYPE":
          return v ? `TYPE ${ups} ${name} ${v.type ?? "NUMBER"}` : "ERR VAR-NOT-SUPPORTED";
        case "DESC":
          return `DESC ${ups} ${name} ${q(v?.desc ?? "Description unavailable")}`;
        case "CMDDESC":
          return `CMDDESC ${ups} ${name} ${q(u.cmds?.[name!] ?? "Description unavailable")}`;
        default:
          return "ERR INVALID-ARGUMENT";
      }
    }
    const items: string[] = [];
    switch (sub) {
      case "VAR":
        for (const [k, x] of Object.entries(u.vars)) items.push(`VAR ${ups} ${k} ${q(x.value)}`);
        break;
      case "RW":
        for (const [k, x] of Object.entries(u.vars)) {
          if (x.rw !== false) items.push(`RW ${ups} ${k} ${q(x.value)}`);
        }
        break;
      case "CMD":
        for (const k of Object.keys(u.cmds ?? {})) items.push(`CMD ${ups} ${k}`);
        break;
      case "CLIENT":
        for (const a of u.clients ?? []) items.push(`CLIENT ${ups} ${a}`);
        break;
      case "ENUM":
        if (!v) return "ERR VAR-NOT-SUPPORTED";
        for (const e of v.enums ?? []) items.push(`ENUM ${ups} ${name} ${q(e)}`);
        break;
      case "RANGE":
        if (!v) return "ERR VAR-NOT-SUPPORTED";
        for (const [a, b] of v.ranges ?? []) items.push(`RANGE ${ups} ${name} ${q(a)} ${q(b)}`);
        break;
      default:
        return "ERR INVALID-ARGUMENT";
    }
    return [`BEGIN LIST ${head}`, ...items, `END LIST ${head}`];
  };
}
