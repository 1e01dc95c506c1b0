/**
 * Reloading a driver process started through its launcher: SIGHUP and
 * `-c reload` (over the socket, which the sandboxed launcher allows) adopt
 * a new poll interval; a changed port is refused with 2 by
 * `-c reload-or-error`; `-c exit` stops it.
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import { BIN, makeNutDir, Proc, run, waitFor } from "../helpers/nut.ts";
import { sockTalk } from "../helpers/sock.ts";
import { pingDriver } from "../../lib/driver/query.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";

Deno.test({
  name: "driver reload in a real process: SIGHUP, -c reload, -c reload-or-error, -c exit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("reload-proc-");
    const env = { ...dir.env, PATH };
    const conf = (poll: number, file: string) =>
      dir.write(
        "ups.conf",
        `pollinterval = ${poll}\n[r]\n\tdriver = dummy-ups\n\tport = ${file}\n`,
      );
    dir.write("r.dev", "ups.status: OL\n");
    conf(2, "r.dev");
    const p = new Proc(`${BIN}/dummy-ups`, ["-a", "r", "-F"], env);
    const sock = `${dir.state}/dummy-ups-r`;
    const poll = async () =>
      (await sockTalk(sock, "DUMPVALUE driver.parameter.pollinterval\n", (l) => l === "DUMPDONE"))
        .find((l) => l.startsWith("SETINFO"));
    try {
      await waitFor(() => pingDriver(sock), 15000, "driver up");
      assertEquals(await poll(), 'SETINFO driver.parameter.pollinterval "2"');

      conf(3, "r.dev");
      p.child.kill("SIGHUP");
      await waitFor(async () => (await poll())?.endsWith('"3"'), 5000, "SIGHUP reload");

      conf(4, "r.dev");
      const r = await run(`${BIN}/dummy-ups`, ["-a", "r", "-c", "reload"], env);
      assertEquals(r.code, 0, r.stderr);
      assertEquals(r.stderr, "Request for driver to reload returned code 0\n");
      assertEquals(await poll(), 'SETINFO driver.parameter.pollinterval "4"');

      conf(4, "other.dev");
      const e = await run(`${BIN}/dummy-ups`, ["-a", "r", "-c", "reload-or-error"], env);
      assertEquals(e.code, 2, e.stderr);
      assert(p.stderr.includes("Setting 'port' was changed"), p.stderr);

      const x = await run(`${BIN}/dummy-ups`, ["-a", "r", "-c", "exit"], env);
      assertEquals(x.code, 0, x.stderr);
      assertEquals((await p.wait()).code, 0);
    } finally {
      await p.stop();
      await dir.cleanup();
    }
  },
});
