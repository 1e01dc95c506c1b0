/**
 * clone: a manageable virtual UPS on another driver's socket (see lib/drivers/clone).
 *
 * @module
 */

import { runDriver } from "../../lib/driver/core.ts";
import { clone } from "../../lib/drivers/clone/driver.ts";

Deno.exit(await runDriver(clone, Deno.args));
