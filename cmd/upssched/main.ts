/**
 * upssched: upsmon's timer helper (see lib/sched/cli.ts). bin/upssched also
 * starts the timer daemon through this entry (hidden `--timer-daemon` mode).
 *
 * @module
 */

import { upsschedMain } from "../../lib/sched/cli.ts";

Deno.exit(await upsschedMain(Deno.args));
