/**
 * A simulated serial UPS on a pty, as a program (demos, manual tests with
 * any driver, Debian's included): a Q-family unit, or with `--family
 * apcsmart` an APC Smart-UPS:
 *
 * ```sh
 * deno run --allow-ffi --allow-read --allow-write lib/sim/qx_sim_cli.ts \
 *   --family megatec [--transcript FILE] [--link /tmp/ups-tty] [--verbose]
 * ```
 *
 * Prints `PORT <path>` once ready, then reads commands on stdin, one per
 * line: `mains on|off`, `lowbatt on|off`, `set <field> <number>` (fields of
 * QxChanges, e.g. `set batteryVoltage 22.1`), `mode normal|silent|garbage|truncated`,
 * `delay <ms>`, `vanish`, `reappear`, `received` (prints the requests so far),
 * `quit`. Ends on SIGTERM/SIGINT or end of stdin.
 *
 * @module
 */

import { ApcDevice } from "./apc_device.ts";
import { QX_FAMILIES, type QxChanges, QxDevice, type QxFamily } from "./qx_device.ts";
import { SerialSimulator, type SimMode } from "./serial_sim.ts";
import { parseTranscript, replyTable } from "./transcripts.ts";

function usage(msg: string): never {
  console.error(
    `${msg}\nusage: qx_sim_cli.ts --family ${QX_FAMILIES.join("|")}|apcsmart ` +
      "[--transcript FILE] [--link PATH] [--unknown echo|nak|silent] [--verbose]",
  );
  Deno.exit(2);
}

const args = [...Deno.args];
let family: QxFamily | "apcsmart" = "megatec";
let transcript: string | undefined;
let link: string | undefined;
let unknown: "echo" | "nak" | "silent" | undefined;
let verbose = false;
while (args.length) {
  const a = args.shift()!;
  const val = () => args.shift() ?? usage(`${a} needs a value`);
  if (a === "--family") {
    const f = val();
    if (!QX_FAMILIES.includes(f as QxFamily) && f !== "apcsmart") usage(`unknown family ${f}`);
    family = f as QxFamily | "apcsmart";
  } else if (a === "--transcript") transcript = val();
  else if (a === "--link") link = val();
  else if (a === "--unknown") unknown = val() as typeof unknown;
  else if (a === "--verbose") verbose = true;
  else usage(`unknown argument ${a}`);
}

const replies = transcript
  ? replyTable(parseTranscript(Deno.readTextFileSync(transcript)))
  : undefined;
const apc = family === "apcsmart" ? new ApcDevice() : undefined;
const qx = family === "apcsmart" ? undefined : new QxDevice({ family, replies, unknown });
const device = apc ?? qx!;
const sim = SerialSimulator.start(device, {
  link,
  onExchange: verbose
    ? (req, rep) => console.error(`<- ${JSON.stringify(req)}  -> ${JSON.stringify(rep)}`)
    : undefined,
});
console.log(`PORT ${sim.path}`);

let done = false;
const quit = async () => {
  if (done) return;
  done = true;
  await sim.stop();
  Deno.exit(0);
};
for (const sig of ["SIGTERM", "SIGINT"] as const) Deno.addSignalListener(sig, quit);

const decoder = new TextDecoder();
let buf = "";
for await (const chunk of Deno.stdin.readable) {
  buf += decoder.decode(chunk, { stream: true });
  let nl: number;
  while ((nl = buf.indexOf("\n")) >= 0) {
    const [cmd, a1, a2] = buf.slice(0, nl).trim().split(/\s+/);
    buf = buf.slice(nl + 1);
    switch (cmd) {
      case "mains":
        device.set({ mains: a1 === "on" });
        break;
      case "lowbatt":
        device.set({ lowBattery: a1 === "on" });
        break;
      case "set":
        if (qx) qx.set({ [a1 as keyof QxChanges]: Number(a2) } as QxChanges);
        else apc!.values[a1] = a2;
        break;
      case "mode":
        sim.mode = a1 as SimMode;
        break;
      case "delay":
        sim.delayMs = Number(a1);
        break;
      case "vanish":
        await sim.vanish();
        break;
      case "reappear":
        sim.reappear();
        console.log(`PORT ${sim.path}`);
        break;
      case "received":
        console.log(JSON.stringify(device.received));
        break;
      case "quit":
        await quit();
        break;
      case undefined:
      case "":
        break;
      default:
        console.error(`unknown command ${cmd}`);
    }
  }
}
await quit();
