/**
 * No false shutdown: a bounded soak of random status flapping on line power
 * (statuses that are never critical, including LB while OL and short OB
 * spells without LB) against a primary and a secondary upsmon. It must end
 * with zero SHUTDOWNCMD runs and both monitors still running. The seed is
 * printed so a failure can be replayed (NUT_SOAK_SEED).
 */

import { assert, assertEquals } from "../helpers/assert.ts";
import {
  exited,
  FAST,
  sleep,
  startMon,
  startScene,
  waitEvent,
  waitLogins,
} from "./scenario_kit.ts";

/** Never critical for upsmon: no OB together with LB, nothing that is critical when comms drop. */
const HARMLESS = [
  "OL",
  "OL CHRG",
  "OL DISCHRG",
  "OL LB",
  "OL CHRG LB",
  "OL TRIM",
  "OL BOOST",
  "OL RB",
  "OL HB",
  "OB",
  "OB DISCHRG",
  "OB RB",
];

/** Small deterministic PRNG (mulberry32) so a failing run can be repeated. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SOAK_MS = 20_000;

Deno.test({
  name: "soak: random status flapping on line power never shuts anybody down",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const seed = Number(Deno.env.get("NUT_SOAK_SEED") ?? Date.now() % 1_000_000);
    console.log(`soak seed ${seed} (replay with NUT_SOAK_SEED=${seed})`);
    const rnd = prng(seed);
    const s = await startScene(["ups"]);
    try {
      const u = s.addr("ups");
      const pri = await startMon(s, "pri", {
        lines: [`MONITOR ${u} 1 mon monpw primary`, ...FAST],
      });
      const sec = await startMon(s, "sec", {
        lines: [`MONITOR ${u} 1 sec secpw secondary`, ...FAST],
      });
      await waitLogins(s, "ups", 2);
      let flips = 0;
      const end = Date.now() + SOAK_MS;
      while (Date.now() < end) {
        const status = HARMLESS[Math.floor(rnd() * HARMLESS.length)];
        await s.setStatus("ups", status);
        flips++;
        await sleep(20 + Math.floor(rnd() * 600));
      }
      // Finish on battery then on line, so both monitors provably followed along.
      await s.setStatus("ups", "OB DISCHRG");
      await waitEvent(s, "pri", "ONBATT");
      await s.setStatus("ups", "OL");
      await waitEvent(s, "pri", "ONLINE");
      await sleep(4000); // longer than HOSTSYNC + FINALDELAY
      const shutdowns = s.events().filter((e) => e.what === "SHUTDOWNCMD" || e.what === "FSD");
      assertEquals(shutdowns, [], `seed ${seed}: a shutdown happened during the soak`);
      for (const m of [pri, sec]) {
        assertEquals(await exited(m.proc, 0), undefined, `${m.name} must still be running`);
      }
      assert(flips > 20, `only ${flips} status changes`);
      assert(s.of("sec").includes("ONBATT"), "the secondary saw the power changes");
    } finally {
      await s.stop();
    }
  },
});
