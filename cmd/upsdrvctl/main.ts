/**
 * upsdrvctl: start, stop and shut down UPS drivers (see lib/upsdrvctl).
 *
 * @module
 */

import { confPath, pidPath, statePath } from "../../lib/conf/paths.ts";
import { upsdrvctl } from "../../lib/upsdrvctl/ctl.ts";

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined; // not granted: as if unset
  }
}

Deno.exit(
  await upsdrvctl(Deno.args, {
    confPath: confPath(),
    statePath: statePath(),
    pidPath: pidPath(),
    // our drivers' launchers live next to this launcher
    defaultDriverPath: new URL("../../bin", import.meta.url).pathname.replace(/\/$/, ""),
    prog: env("NUT_ARGV0") || "upsdrvctl",
    env,
  }),
);
