/**
 * clone-outlet: one outlet of another driver's UPS as a UPS of its own (see
 * lib/drivers/clone_outlet).
 *
 * @module
 */

import { runDriver } from "../../lib/driver/core.ts";
import { cloneOutlet } from "../../lib/drivers/clone_outlet/driver.ts";

Deno.exit(await runDriver(cloneOutlet, Deno.args));
