/** upsc entry point (see lib/clients/upsc.ts). */
import { runTool } from "../../lib/clients/io.ts";
import { upscMain } from "../../lib/clients/upsc.ts";

await runTool("upsc", upscMain);
