/**
 * dummy-ups: NUT's simulation and repeater driver (see lib/drivers/dummy_ups).
 *
 * @module
 */

import { runDriver } from "../../lib/driver/core.ts";
import { dummyUps } from "../../lib/drivers/dummy_ups/driver.ts";

Deno.exit(await runDriver(dummyUps, Deno.args));
