/** upscmd entry point (see lib/clients/upscmd.ts). */
import { runTool } from "../../lib/clients/io.ts";
import { upscmdMain } from "../../lib/clients/upscmd.ts";

await runTool("upscmd", upscmdMain);
