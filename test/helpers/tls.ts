/**
 * Test certificates made with the openssl CLI: a CA and a server certificate
 * for localhost/127.0.0.1 signed by it (rustls refuses a self-signed CA used
 * as the server certificate). Undefined when openssl is not installed.
 *
 * @module
 */

export interface TestCerts {
  caCert: string;
  cert: string;
  key: string;
}

let cached: Promise<TestCerts | undefined> | undefined;

export function makeTestCerts(): Promise<TestCerts | undefined> {
  return cached ??= generate();
}

async function openssl(args: string[], cwd: string): Promise<boolean> {
  try {
    const r = await new Deno.Command("openssl", { args, cwd, stdout: "null", stderr: "piped" })
      .output();
    return r.success;
  } catch {
    return false; // no openssl
  }
}

async function generate(): Promise<TestCerts | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "nut-tls-" });
  try {
    const ok = await openssl([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "3650",
      "-subj",
      "/CN=nut-deno test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=keyCertSign",
    ], dir) &&
      await openssl([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "srv.key",
        "-out",
        "srv.csr",
        "-subj",
        "/CN=localhost",
      ], dir);
    if (!ok) return undefined;
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    );
    if (
      !await openssl([
        "x509",
        "-req",
        "-in",
        "srv.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "srv.pem",
        "-days",
        "3650",
        "-extfile",
        "ext.cnf",
      ], dir)
    ) return undefined;
    return {
      caCert: await Deno.readTextFile(`${dir}/ca.pem`),
      cert: await Deno.readTextFile(`${dir}/srv.pem`),
      key: await Deno.readTextFile(`${dir}/srv.key`),
    };
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}
