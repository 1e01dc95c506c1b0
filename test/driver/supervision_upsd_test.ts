/**
 * Supervision seen from a client: a driver process whose device vanishes
 * is reported by our upsd to upsc as "Data stale" within a poll or two, and
 * serves fresh values again when the device is back — same process, no
 * restart.
 */

import { assertEquals } from "../helpers/assert.ts";
import { BIN, freePort, makeNutDir, Proc, ROOT, run, waitFor } from "../helpers/nut.ts";

const PATH = Deno.env.get("PATH") ?? "/usr/bin:/bin";
const DENO = `${ROOT}/node_modules/.bin/deno`;

Deno.test({
  name:
    "supervision through upsd: Data stale when the device vanishes, values again without restart",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await makeNutDir("sup-upsd-");
    const port = freePort();
    const env = { ...dir.env, PATH };
    const procs: Proc[] = [];
    try {
      const dev = dir.write("f1.txt", "ups.status: OL\nbattery.charge: 80\n");
      dir.write("ups.conf", "pollinterval = 1\n[f1]\n\tdriver = file-drv\n\tport = f1.txt\n");
      dir.write("upsd.conf", `LISTEN 127.0.0.1 ${port}\n`);
      dir.write("upsd.users", "", 0o640);
      const driver = new Proc(DENO, [
        "run",
        "--quiet",
        "-A",
        `${ROOT}/test/driver/fixtures/file_driver.ts`,
        "-a",
        "f1",
        "-F",
      ], env);
      procs.push(driver);
      procs.push(new Proc(`${BIN}/upsd`, ["-F"], env));
      const upsc = (v: string) => run(`${BIN}/upsc`, [`f1@127.0.0.1:${port}`, v], env);
      await waitFor(async () => (await upsc("battery.charge")).stdout === "80\n", 20000, "served");

      Deno.removeSync(dev);
      const t0 = Date.now();
      const stale = await waitFor(
        async () => {
          const r = await upsc("battery.charge");
          return r.code !== 0 && r.stderr.includes("Data stale") ? r : undefined;
        },
        5000,
        "Data stale",
        100,
      );
      assertEquals(stale.stderr, "Error: Data stale\n");
      const took = Date.now() - t0;
      if (took > 4000) throw new Error(`stale only after ${took} ms (poll interval 1 s)`);
      // the data stays stale while the device is away
      await new Promise((r) => setTimeout(r, 1500));
      assertEquals((await upsc("ups.status")).stderr, "Error: Data stale\n");

      dir.write("f1.txt", "ups.status: OB\nbattery.charge: 55\n");
      await waitFor(async () => (await upsc("battery.charge")).stdout === "55\n", 15000, "fresh");
      assertEquals((await upsc("ups.status")).stdout, "OB\n");
      const exited = await Promise.race([
        driver.status.then(() => true),
        new Promise((r) => setTimeout(() => r(false), 100)),
      ]);
      assertEquals(exited, false, "the same driver process serves again");
    } finally {
      for (const p of procs.reverse()) await p.stop();
      await dir.cleanup();
    }
  },
});
