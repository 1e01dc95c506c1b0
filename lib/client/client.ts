/**
 * NutClient: one connection to a NUT data server (upsd), with the request
 * helpers NUT's clients use. Mirrors upsclient's semantics:
 *
 * - connect with a timeout (env NUT_DEFAULT_CONNECT_TIMEOUT, seconds, default 10),
 *   then try `STARTTLS` and carry on in plain text on any other answer;
 * - one request line per write; replies read through a buffered line reader
 *   with a 5 s read timeout (NUT's DEFAULT_NETWORK_TIMEOUT: silence is
 *   reported as "Server disconnected");
 * - GET/LIST replies checked against the request (else "Protocol error"),
 *   `ERR <token>` turned into NutError.
 *
 * Raw sendLine/readLine are there for tools that must reproduce NUT's exact
 * wire behaviour (upscmd and upsrw send USERNAME/PASSWORD/INSTCMD unquoted and
 * print the raw reply).
 *
 * @module
 */

import { NUT_PORT } from "../conf/paths.ts";
import { errorFromLine, NutClientError, osErrorText } from "./errors.ts";
import { LineReader } from "./line_reader.ts";
import { type TlsOptions, type Transport, upgradeToTls, writeAll } from "./transport.ts";
import { buildCommand, encodeArg, splitReply } from "./words.ts";
import { quote } from "../protocol/quote.ts";

export { NutClientError, NutError } from "./errors.ts";

/** NUT's DEFAULT_NETWORK_TIMEOUT. */
export const DEFAULT_READ_TIMEOUT_MS = 5000;
/** NUT master's default connect timeout. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10000;

export interface ConnectOptions {
  /** Connect timeout; default from NUT_DEFAULT_CONNECT_TIMEOUT or 10 s. */
  timeoutMs?: number;
  /** Try STARTTLS first and fall back to plain text (default true). */
  tryTls?: boolean;
  /** Refuse to continue without TLS (upsmon FORCESSL). */
  requireTls?: boolean;
  /** Certificate handling once the server agrees to STARTTLS. */
  tls?: TlsOptions;
  /** Default timeout for each reply line. */
  readTimeoutMs?: number;
  /** Receives the notices NUT's library logs (TLS state); default: ignored. */
  log?: (msg: string) => void;
}

/** Connect timeout from NUT_DEFAULT_CONNECT_TIMEOUT (seconds), else 10 s. */
export function defaultConnectTimeoutMs(): number {
  let v: string | undefined;
  try {
    v = Deno.env.get("NUT_DEFAULT_CONNECT_TIMEOUT");
  } catch {
    v = undefined; // no env permission
  }
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n * 1000 : DEFAULT_CONNECT_TIMEOUT_MS;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A reader for one `LIST` reply, item by item (NUT prints items as they arrive). */
export interface ListReader {
  /** Next item line split into words, or null after `END LIST`. */
  next(): Promise<string[] | null>;
}

export class NutClient {
  #t: Transport | undefined;
  #reader: LineReader;
  #tls = false;
  /** How long a reply may take (ms); may be changed between requests. */
  readTimeoutMs: number;

  private constructor(
    readonly host: string,
    readonly port: number,
    t: Transport,
    readTimeoutMs: number,
  ) {
    this.#t = t;
    this.#reader = new LineReader(t);
    this.readTimeoutMs = readTimeoutMs;
  }

  /** Open a connection (and try STARTTLS unless `tryTls: false`). */
  static async connect(
    host: string,
    port: number = NUT_PORT,
    opts: ConnectOptions = {},
  ): Promise<NutClient> {
    const timeoutMs = opts.timeoutMs ?? defaultConnectTimeoutMs();
    const signal = AbortSignal.timeout(timeoutMs);
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: host, port, signal });
    } catch (e) {
      throw connectError(e, signal.aborted);
    }
    const client = new NutClient(host, port, conn, opts.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS);
    if (opts.tryTls !== false || opts.requireTls) {
      await client.#startTls(conn, opts);
    }
    return client;
  }

  async #startTls(conn: Deno.TcpConn, opts: ConnectOptions): Promise<void> {
    const log = opts.log ?? (() => {});
    let reply: string;
    try {
      await this.sendLine("STARTTLS");
      reply = await this.readLine();
    } catch (e) {
      log(`Error while connecting to NUT server ${this.host}, disconnect`);
      this.close();
      throw e;
    }
    if (!reply.startsWith("OK STARTTLS")) {
      if (opts.requireTls) {
        log(`Can not connect to NUT server ${this.host} in SSL, disconnect`);
        this.close();
        throw new NutClientError("sslfail", "SSL is not available");
      }
      return;
    }
    try {
      this.#t = await upgradeToTls(conn, this.host, opts.tls);
    } catch (e) {
      log(`Error while connecting to NUT server ${this.host}, disconnect`);
      this.#t = undefined;
      try {
        conn.close();
      } catch {
        // already closed by the TLS layer
      }
      throw new NutClientError("ssl", `SSL error: ${osErrorText(e)}`);
    }
    this.#reader = new LineReader(this.#t);
    this.#tls = true;
    log(`Connected to NUT server ${this.host} in SSL`);
    if (!opts.tls?.verify) log("Certificate verification is disabled");
  }

  /** True after a successful STARTTLS. */
  get tls(): boolean {
    return this.#tls;
  }

  /** True until closed (by us, or after a read/write failure). */
  get connected(): boolean {
    return this.#t !== undefined;
  }

  // ---- raw line I/O ----

  /** Send one line (LF appended) in one write. */
  async sendLine(line: string): Promise<void> {
    const t = this.#t;
    if (!t) throw new NutClientError("notconnected", "Driver not connected");
    try {
      await writeAll(t, encoder.encode(line + "\n"));
    } catch (e) {
      this.close();
      throw new NutClientError("write", `Write error: ${osErrorText(e)}`);
    }
  }

  /** Read one reply line as bytes (no ERR check). */
  async readLineBytes(timeoutMs = this.readTimeoutMs): Promise<Uint8Array> {
    if (!this.#t) throw new NutClientError("notconnected", "Driver not connected");
    let r;
    try {
      r = await this.#reader.readLine(timeoutMs);
    } catch (e) {
      this.close();
      throw new NutClientError("read", `Read error: ${osErrorText(e)}`);
    }
    if (r instanceof Uint8Array) return r;
    this.close();
    if (r === "toolong") throw new NutClientError("protocol", "Protocol error");
    throw new NutClientError("srvdisc", "Server disconnected");
  }

  /** Read one reply line as text (no ERR check). */
  async readLine(timeoutMs = this.readTimeoutMs): Promise<string> {
    return decoder.decode(await this.readLineBytes(timeoutMs));
  }

  /** Send a line, read one reply line; throws NutError on `ERR ...`. */
  async command(line: string): Promise<string> {
    await this.sendLine(line);
    const reply = await this.readLine();
    const err = errorFromLine(reply);
    if (err) throw err;
    return reply;
  }

  async #readWords(): Promise<string[]> {
    const bytes = await this.readLineBytes();
    const text = decoder.decode(bytes);
    const err = errorFromLine(text);
    if (err) throw err;
    const r = splitReply(bytes);
    if ("error" in r) throw this.#desync("parse", `Parse error: ${r.error}`);
    return r.words;
  }

  /**
   * After an unexpected reply the position in the reply stream is unknown;
   * NUT carries on regardless (and misreads later replies), we hang up.
   */
  #desync(kind: "protocol" | "parse" = "protocol", msg = "Protocol error"): NutClientError {
    this.close();
    return new NutClientError(kind, msg);
  }

  // ---- GET / LIST (upscli_get, upscli_list_*) ----

  /** `GET <words>`; returns the reply words (which start with the query words). */
  async get(words: readonly string[]): Promise<string[]> {
    await this.sendLine(buildCommand("GET", words));
    const reply = await this.#readWords();
    if (reply.length < words.length || !sameWords(words, reply)) throw this.#desync();
    return reply;
  }

  /** `LIST <words>`; checks `BEGIN LIST`, then yields item lines one by one. */
  async openList(words: readonly string[]): Promise<ListReader> {
    await this.sendLine(buildCommand("LIST", words));
    const first = await this.#readWords();
    if (
      first.length < 2 || first[0].toUpperCase() !== "BEGIN" ||
      first[1].toUpperCase() !== "LIST" || !sameWords(words, first.slice(2))
    ) {
      throw this.#desync();
    }
    let done = false;
    return {
      next: async () => {
        if (done) return null;
        const item = await this.#readWords();
        if (item.length < 1) throw this.#desync();
        if (item.length >= 2 && item[0] === "END" && item[1] === "LIST") {
          done = true;
          return null;
        }
        if (!sameWords(words, item)) throw this.#desync();
        return item;
      },
    };
  }

  /** `LIST <words>`; all item lines split into words. */
  async list(words: string[]): Promise<string[][]> {
    const r = await this.openList(words);
    const items: string[][] = [];
    for (let it = await r.next(); it; it = await r.next()) items.push(it);
    return items;
  }

  // ---- typed helpers ----

  async getVar(ups: string, name: string): Promise<string> {
    return field(await this.get(["VAR", ups, name]), 3);
  }

  async getType(ups: string, name: string): Promise<string[]> {
    return (await this.get(["TYPE", ups, name])).slice(3);
  }

  async getDesc(ups: string, name: string): Promise<string> {
    return field(await this.get(["DESC", ups, name]), 3);
  }

  async getCmdDesc(ups: string, cmd: string): Promise<string> {
    return field(await this.get(["CMDDESC", ups, cmd]), 3);
  }

  async getUpsDesc(ups: string): Promise<string> {
    return field(await this.get(["UPSDESC", ups]), 2);
  }

  async getNumLogins(ups: string): Promise<number> {
    return Number(field(await this.get(["NUMLOGINS", ups]), 2));
  }

  async listVar(ups: string): Promise<Array<{ name: string; value: string }>> {
    return (await this.list(["VAR", ups])).map((w) => ({ name: field(w, 2), value: field(w, 3) }));
  }

  async listRw(ups: string): Promise<Array<{ name: string; value: string }>> {
    return (await this.list(["RW", ups])).map((w) => ({ name: field(w, 2), value: field(w, 3) }));
  }

  async listUps(): Promise<Array<{ name: string; desc: string }>> {
    return (await this.list(["UPS"])).map((w) => ({ name: field(w, 1), desc: field(w, 2) }));
  }

  async listCmd(ups: string): Promise<string[]> {
    return (await this.list(["CMD", ups])).map((w) => field(w, 2));
  }

  async listEnum(ups: string, name: string): Promise<string[]> {
    return (await this.list(["ENUM", ups, name])).map((w) => field(w, 3));
  }

  async listRange(ups: string, name: string): Promise<Array<{ min: string; max: string }>> {
    return (await this.list(["RANGE", ups, name])).map((w) => ({
      min: field(w, 3),
      max: field(w, 4),
    }));
  }

  async listClient(ups: string): Promise<string[]> {
    return (await this.list(["CLIENT", ups])).map((w) => field(w, 2));
  }

  async username(name: string): Promise<string> {
    return await this.command(`USERNAME ${encodeArg(name)}`);
  }

  async password(pw: string): Promise<string> {
    return await this.command(`PASSWORD ${encodeArg(pw)}`);
  }

  async login(ups: string): Promise<string> {
    return await this.command(`LOGIN ${encodeArg(ups)}`);
  }

  /** `PRIMARY <ups>`, retried as `MASTER` when refused (older servers), like upsmon. */
  async primary(ups: string): Promise<string> {
    await this.sendLine(`PRIMARY ${encodeArg(ups)}`);
    const reply = await this.readLine();
    if (reply.startsWith("OK")) return reply;
    return await this.command(`MASTER ${encodeArg(ups)}`);
  }

  async fsd(ups: string): Promise<string> {
    return await this.command(`FSD ${encodeArg(ups)}`);
  }

  /** `SET VAR`; returns `OK` or `OK TRACKING <id>`. */
  async setVar(ups: string, name: string, value: string): Promise<string> {
    return await this.command(`SET VAR ${encodeArg(ups)} ${encodeArg(name)} ${quote(value)}`);
  }

  /** `INSTCMD`; returns `OK` or `OK TRACKING <id>`. */
  async instCmd(ups: string, cmd: string, param?: string): Promise<string> {
    const p = param === undefined ? "" : ` ${quote(param)}`;
    return await this.command(`INSTCMD ${encodeArg(ups)} ${encodeArg(cmd)}${p}`);
  }

  async setTracking(on: boolean): Promise<string> {
    return await this.command(`SET TRACKING ${on ? "ON" : "OFF"}`);
  }

  /**
   * `GET TRACKING [id]`. With an id the reply is a result, not an error:
   * `PENDING`, `SUCCESS`, `ERR UNKNOWN`, ... are returned as text.
   */
  async getTracking(id?: string): Promise<string> {
    if (id === undefined) return await this.command("GET TRACKING");
    await this.sendLine(`GET TRACKING ${encodeArg(id)}`);
    const reply = await this.readLine();
    if (reply.startsWith("ERR FEATURE-NOT-CONFIGURED")) throw errorFromLine(reply)!;
    return reply;
  }

  /** Send `LOGOUT` (as NUT does, without waiting for `OK Goodbye`) and close. */
  async logout(): Promise<void> {
    const t = this.#t;
    if (!t) return;
    try {
      await writeAll(t, encoder.encode("LOGOUT\n"));
    } catch {
      // the server is gone: nothing to say goodbye to
    }
    this.close();
  }

  /** Close the connection without a word. */
  close(): void {
    const t = this.#t;
    this.#t = undefined;
    try {
      t?.close();
    } catch {
      // already closed
    }
  }
}

/** NUT's verify_resp: the reply starts with the query words (case-insensitive). */
function sameWords(query: readonly string[], reply: readonly string[]): boolean {
  if (reply.length < query.length) return false;
  for (let i = 0; i < query.length; i++) {
    if (query[i].toLowerCase() !== reply[i].toLowerCase()) return false;
  }
  return true;
}

function field(words: string[], i: number): string {
  if (i >= words.length) throw new NutClientError("protocol", "Protocol error");
  return words[i];
}

function connectError(e: unknown, timedOut: boolean): NutClientError {
  if (timedOut) {
    return new NutClientError("connfailure", "Connection failure: Connection timed out");
  }
  const msg = e instanceof Error ? e.message : String(e);
  if (/failed to lookup address|Name or service not known|No address associated/i.test(msg)) {
    return new NutClientError("nosuchhost", "No such host");
  }
  return new NutClientError("connfailure", `Connection failure: ${osErrorText(e)}`);
}
