/**
 * upsmon: the UPS monitor and shutdown controller (see lib/monitor/main.ts).
 * bin/upsmon starts the privileged part through this entry; that part
 * starts the unprivileged monitor through it too (hidden `--monitor-child`
 * first argument).
 *
 * @module
 */

import { upsmonMain } from "../../lib/monitor/main.ts";

Deno.exit(await upsmonMain(Deno.args));
