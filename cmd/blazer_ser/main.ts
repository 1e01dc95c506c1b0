/**
 * blazer_ser: the legacy Megatec/Q1 serial driver (see lib/drivers/blazer).
 *
 * @module
 */

import { runDriver } from "../../lib/driver/core.ts";
import { blazerSer } from "../../lib/drivers/blazer/driver.ts";

Deno.exit(await runDriver(blazerSer, Deno.args));
