/**
 * Probe for STARTTLS on the server side (not implemented yet): upsd serves
 * Deno.Conn sockets, and the plan is to upgrade one in place by wrapping it
 * in a node:stream Duplex handed to node:tls's TLSSocket({isServer: true}),
 * with node:tls imported only when TLS is configured. This test proves that
 * handshake works on the pinned Deno: plain text first, then TLS on the
 * same connection, with a Deno.startTls client that checks the certificate.
 */
import { assertEquals } from "../helpers/assert.ts";
import { makeTestCerts } from "../helpers/tls.ts";
import type { Duplex } from "node:stream";

const certs = await makeTestCerts();
const enc = new TextEncoder();
const dec = new TextDecoder();

/** A Deno.Conn as a node Duplex (what TLSSocket wraps). */
async function connDuplex(conn: Deno.Conn): Promise<Duplex> {
  const { Duplex } = await import("node:stream");
  const buf = new Uint8Array(16384);
  return new Duplex({
    read() {
      conn.read(buf).then(
        (n) => this.push(n === null ? null : buf.slice(0, n)),
        (e) => this.destroy(e),
      );
    },
    write(chunk: Uint8Array, _enc, cb) {
      (async () => {
        for (let off = 0; off < chunk.length;) off += await conn.write(chunk.subarray(off));
      })().then(() => cb(), cb);
    },
    final(cb) {
      conn.closeWrite().then(() => cb(), cb);
    },
    destroy(err, cb) {
      try {
        conn.close();
      } catch {
        // already closed
      }
      cb(err);
    },
  });
}

async function readLine(conn: Deno.Conn, buf: Uint8Array): Promise<string> {
  const n = await conn.read(buf);
  return n === null ? "" : dec.decode(buf.subarray(0, n));
}

Deno.test({
  name: "STARTTLS probe: node:tls TLSSocket over a Deno.Conn wrapped in a Duplex",
  ignore: certs === undefined,
  async fn() {
    const { key, cert, caCert } = certs!;
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    const server = (async () => {
      const conn = await l.accept();
      const buf = new Uint8Array(64);
      assertEquals(await readLine(conn, buf), "STARTTLS\n");
      await conn.write(enc.encode("OK STARTTLS\n"));
      const tls = await import("node:tls");
      const sock = new tls.TLSSocket(await connDuplex(conn), { isServer: true, key, cert });
      const line = await new Promise<string>((res, rej) => {
        sock.once("data", (d: Uint8Array) => res(dec.decode(d)));
        sock.once("error", rej);
      });
      const protocol = sock.getProtocol();
      await new Promise<void>((res) => sock.end("PONG\n", () => res()));
      return { line, protocol };
    })();
    const c = await Deno.connect({ hostname: "127.0.0.1", port });
    const buf = new Uint8Array(64);
    try {
      await c.write(enc.encode("STARTTLS\n"));
      assertEquals(await readLine(c, buf), "OK STARTTLS\n");
      const tc = await Deno.startTls(c, { hostname: "localhost", caCerts: [caCert] });
      await tc.write(enc.encode("PING\n"));
      assertEquals(await readLine(tc, buf), "PONG\n");
      tc.close();
      const got = await server;
      assertEquals(got.line, "PING\n");
      assertEquals(got.protocol, "TLSv1.3");
    } finally {
      l.close();
    }
  },
});
