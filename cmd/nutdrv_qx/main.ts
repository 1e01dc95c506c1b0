/**
 * nutdrv_qx: Q* protocol UPSes (Megatec/Q1, Voltronic, ...) on serial ports
 * (see lib/drivers/nutdrv_qx).
 *
 * @module
 */

import { runDriver } from "../../lib/driver/core.ts";
import { nutdrvQx } from "../../lib/drivers/nutdrv_qx/driver.ts";

Deno.exit(await runDriver(nutdrvQx, Deno.args));
