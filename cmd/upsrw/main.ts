/** upsrw entry point (see lib/clients/upsrw.ts). */
import { runTool } from "../../lib/clients/io.ts";
import { upsrwMain } from "../../lib/clients/upsrw.ts";

await runTool("upsrw", upsrwMain);
