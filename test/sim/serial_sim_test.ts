/** The simulator on a pty: answers through a symlink, and its faults (silent, garbage, truncated, slow, vanish). */

import { assert, assertEquals } from "../helpers/assert.ts";
import { QxDevice } from "../../lib/sim/qx_device.ts";
import { SerialSimulator } from "../../lib/sim/serial_sim.ts";
import { openSerial, SerialError } from "../../lib/transport/serial.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "serial sim: answers on a pty behind a symlink; faults on demand",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir();
    const device = new QxDevice({ family: "q1" });
    const sim = SerialSimulator.start(device, { link: `${dir}/ttyUPS` });
    const port = openSerial(`${dir}/ttyUPS`);
    const ask = async (q: string, ms = 1000) => {
      port.flushInput();
      await port.write(q + "\r");
      return await port.readLine(ms);
    };
    try {
      assertEquals((await ask("Q1")).text, device.statusLine());
      sim.mode = "silent";
      assertEquals(await ask("Q1", 300), { text: "", complete: false });
      sim.mode = "garbage";
      const g = await ask("Q1");
      assert(g.complete && g.text !== device.statusLine(), "noise instead of a reply");
      sim.mode = "truncated";
      assertEquals((await ask("Q1")).text.length, 24);
      sim.mode = "normal";
      sim.delayMs = 400;
      assertEquals((await ask("Q1", 200)).complete, false, "slow: not within 200 ms");
      sim.delayMs = 0;
      await port.readLine(500); // the late reply
      assertEquals(device.received.filter((r) => r === "Q1").length, 5, "every request was heard");
      await sim.vanish();
      let err: unknown;
      try {
        await port.readLine(1000);
      } catch (e) {
        err = e;
      }
      assert(err instanceof SerialError, "the driver side sees the port go");
      sim.reappear();
      const again = openSerial(`${dir}/ttyUPS`);
      await again.write("Q1\r");
      assertEquals((await again.readLine(1000)).complete, true);
      again.close();
    } finally {
      port.close();
      await sim.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
