/**
 * apcsmart: APC Smart protocol UPSes on serial ports (see lib/drivers/apcsmart).
 *
 * @module
 */

import { runDriver } from "../../lib/driver/core.ts";
import { apcsmart } from "../../lib/drivers/apcsmart/driver.ts";

Deno.exit(await runDriver(apcsmart, Deno.args));
