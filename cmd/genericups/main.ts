/**
 * genericups: contact-closure UPSes on serial ports (see lib/drivers/genericups).
 *
 * @module
 */

import { runDriver } from "../../lib/driver/core.ts";
import { genericups } from "../../lib/drivers/genericups/driver.ts";

Deno.exit(await runDriver(genericups, Deno.args));
