/**
 * The byte stream under a NUT client connection: a plain TCP connection, or
 * the same connection after STARTTLS.
 *
 * NUT's clients do not verify the server certificate unless configured to
 * (CERTVERIFY 0 is the default). Deno.startTls always verifies, so the
 * non-verifying upgrade goes through node:tls over the existing connection;
 * node:tls is imported only when a server actually agrees to STARTTLS, which
 * keeps the common plain-text start-up fast.
 *
 * @module
 */

/** A bidirectional byte stream (Deno.Conn satisfies it). */
export interface Transport {
  read(buf: Uint8Array): Promise<number | null>;
  write(data: Uint8Array): Promise<number>;
  close(): void;
}

/** How to upgrade to TLS. */
export interface TlsOptions {
  /** Verify the server certificate chain and name (NUT CERTVERIFY 1). Default false. */
  verify?: boolean;
  /** Extra PEM CA certificates for verification. */
  caCerts?: string[];
  /** Name to check in the certificate (default: the host connected to). */
  serverName?: string;
}

/** Write all of `data` (a single write may be partial). */
export async function writeAll(t: Transport, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await t.write(data.subarray(off));
}

/** Upgrade a plain connection to TLS after the server said `OK STARTTLS`. */
export async function upgradeToTls(
  conn: Deno.TcpConn,
  host: string,
  opts: TlsOptions = {},
): Promise<Transport> {
  if (opts.verify) {
    const t = await Deno.startTls(conn, {
      hostname: opts.serverName ?? host,
      caCerts: opts.caCerts,
    });
    try {
      await t.handshake(); // a bad certificate fails here, not at the first request
    } catch (e) {
      t.close();
      throw e;
    }
    return t;
  }
  return await nodeTlsNoVerify(conn, opts.serverName ?? host);
}

async function nodeTlsNoVerify(conn: Deno.TcpConn, host: string): Promise<Transport> {
  const [{ Duplex }, tls] = await Promise.all([import("node:stream"), import("node:tls")]);
  // Bridge the Deno connection to a node stream for node:tls.
  const raw = new Duplex({
    read() {},
    write(chunk: Uint8Array, _enc: string, cb: (e?: Error | null) => void) {
      writeAll(conn, chunk).then(() => cb(), (e) => cb(e));
    },
    final(cb: (e?: Error | null) => void) {
      cb();
    },
  });
  (async () => {
    const buf = new Uint8Array(16384);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        raw.push(buf.slice(0, n));
      }
    } catch {
      // connection closed under us
    }
    raw.push(null);
  })();
  const isIp = /^[\d.]+$/.test(host) || host.includes(":");
  const sock = tls.connect({
    socket: raw,
    rejectUnauthorized: false,
    servername: isIp ? undefined : host,
  });
  const transport = new NodeStreamTransport(sock, () => {
    sock.destroy();
    raw.destroy();
    try {
      conn.close();
    } catch {
      // already closed
    }
  });
  await new Promise<void>((resolve, reject) => {
    const onErr = (e: Error) => reject(e);
    sock.once("error", onErr);
    sock.once("close", () => reject(new Error("peer disconnected")));
    sock.once("secureConnect", () => {
      sock.off("error", onErr);
      resolve();
    });
  }).catch((e) => {
    transport.close();
    throw e;
  });
  return transport;
}

/** Minimal interface of a node stream used here. */
interface NodeSocket {
  on(ev: "data", fn: (d: Uint8Array) => void): unknown;
  on(ev: "end" | "close", fn: () => void): unknown;
  on(ev: "error", fn: (e: Error) => void): unknown;
  write(d: Uint8Array, cb: (e?: Error | null) => void): unknown;
}

/** Pull-style reads over a push-style node socket. */
class NodeStreamTransport implements Transport {
  #chunks: Uint8Array[] = [];
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(private sock: NodeSocket, private closer: () => void) {
    sock.on("data", (d) => {
      this.#chunks.push(new Uint8Array(d));
      this.#notify();
    });
    sock.on("end", () => {
      this.#ended = true;
      this.#notify();
    });
    sock.on("close", () => {
      this.#ended = true;
      this.#notify();
    });
    sock.on("error", (e) => {
      this.#error = e;
      this.#notify();
    });
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  async read(buf: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error) throw this.#error;
      if (this.#ended) return null;
      await new Promise<void>((r) => this.#wake = r);
    }
    const first = this.#chunks[0];
    const n = Math.min(first.length, buf.length);
    buf.set(first.subarray(0, n));
    if (n === first.length) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    return n;
  }

  write(data: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      this.sock.write(data, (e) => e ? reject(e) : resolve(data.length));
    });
  }

  close(): void {
    this.#ended = true;
    this.#notify();
    this.closer();
  }
}
