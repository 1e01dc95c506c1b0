/** The README's first command: the demo runs the whole data path and stops everything it started. */

import { assert, assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { ROOT, run } from "../helpers/nut.ts";

Deno.test("deno task demo: simulated UPS → dummy-ups → upsd → clients, a power cut seen by upsmon, a clean stop", async () => {
  const r = await run("bash", [`${ROOT}/demo/run.sh`], {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
  });
  assertEquals(r.code, 0, r.stderr);
  assertStringIncludes(r.stdout, "demo: nut-deno simulated UPS");
  assertStringIncludes(r.stdout, "ups.model: Simulated LineGuard 1500");
  assertStringIncludes(r.stdout, "ups.status: OL");
  // the simulated power cut reached the driver and came back through upsd
  assertStringIncludes(r.stderr, "SUCCESS\n"); // upsrw prints results on stderr, as NUT does
  assertStringIncludes(r.stdout, "ups.status\x1b[0m\nOB\n");
  // the power cut, narrated by upsmon's notifications, ends in a (pretend) shutdown
  for (const note of ["notifies ONBATT", "notifies LOWBATT", "notifies FSD", "SHUTDOWNCMD runs"]) {
    assertStringIncludes(r.stdout, note);
  }
  assert(r.stdout.indexOf("notifies ONBATT") < r.stdout.indexOf("SHUTDOWNCMD runs"));
  assertStringIncludes(r.stdout, "FSD OB DISCHRG LB\n");
  assertStringIncludes(r.stdout, "Shutdown decision: shutting down");
  assertStringIncludes(r.stdout, "done: all processes stopped, temp dir removed");
});
