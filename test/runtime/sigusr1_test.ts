/**
 * Deno 2.9.2+ starts a V8 inspector on 127.0.0.1:9229 when a process gets
 * SIGUSR1, which would let any local user run code inside our daemons (and
 * SIGUSR1 is part of upslog's and upsmon's interface). package.json pins a
 * Deno without that behaviour; this test fails if the pin is lost.
 */

import { assertEquals } from "../helpers/assert.ts";
import { ROOT } from "../helpers/nut.ts";

Deno.test("SIGUSR1 does not open an inspector in the Deno we ship", async () => {
  const script = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(
    script,
    `Deno.addSignalListener("SIGUSR1", () => console.log("usr1"));\nsetTimeout(() => {}, 2500);\n`,
  );
  const child = new Deno.Command(`${ROOT}/node_modules/.bin/deno`, {
    args: ["run", "--quiet", script],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    await new Promise((r) => setTimeout(r, 900)); // past Deno's 500 ms grace period
    child.kill("SIGUSR1");
    await new Promise((r) => setTimeout(r, 500));
    let inspector = false;
    try {
      const c = await Deno.connect({ hostname: "127.0.0.1", port: 9229 });
      c.close();
      inspector = true;
    } catch {
      // refused: no inspector
    }
    assertEquals(
      inspector,
      false,
      "a debugger port opened on SIGUSR1: do not upgrade past Deno 2.9.1",
    );
  } finally {
    const out = await child.output();
    assertEquals(new TextDecoder().decode(out.stdout), "usr1\n");
    await Deno.remove(script);
  }
});
