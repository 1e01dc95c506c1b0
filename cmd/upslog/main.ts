/** upslog entry point (see lib/clients/upslog.ts). */
import { runTool } from "../../lib/clients/io.ts";
import { upslogMain } from "../../lib/clients/upslog.ts";

await runTool("upslog", (args, io) => upslogMain(args, io));
