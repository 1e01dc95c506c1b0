/**
 * upsd: the NUT network data server. See lib/server/daemon.ts.
 *
 * @module
 */

import { main } from "../../lib/server/daemon.ts";

Deno.exit(await main(Deno.args));
