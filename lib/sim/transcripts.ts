/**
 * Request → reply pairs from the serial fixture transcripts
 * (../shared/fixtures/serial/*.txt), in the three layouts they come in:
 * a vendor log of USB string-descriptor reads (Megatec MEC0003), a
 * `QGS   -> (...` list (Voltronic QGS family) and `>>>` / `<<<` hex dumps
 * (Voltronic-QS). Pure: give it the text, get the pairs.
 *
 * Replies keep their terminating CR; a request without an answer has
 * `reply: null`.
 *
 * @module
 */

export interface Exchange {
  /** Request without its CR (`Q1`, `QGS`). */
  request: string;
  /** Reply with its CR, or null when the device stays silent. */
  reply: string | null;
}

/** String-descriptor index → Megatec command, as krauler-style bridges map them. */
const DESCRIPTOR_COMMANDS: Record<number, string> = { 0x03: "Q1", 0x0d: "F", 0x0c: "I", 0x07: "Q" };

/**
 * Pairs from any of the three transcript layouts (detected per line).
 * Vendor "No Ack" replies become null.
 */
export function parseTranscript(text: string): Exchange[] {
  const out: Exchange[] = [];
  const lines = text.split("\n");
  let pendingUsb: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, "");
    if (line.startsWith("#") || line.trim() === "") continue;
    // 1. vendor log: "date time,Send,80 06 03 03 09 04 00 66" then "...,Receive,<text>"
    const log = /^[\d.]+ [\d:]+,(Send|Receive),(.*)$/.exec(line);
    if (log) {
      if (log[1] === "Send") {
        const bytes = log[2].trim().split(/\s+/).map((h) => parseInt(h, 16));
        pendingUsb = DESCRIPTOR_COMMANDS[bytes[2]];
      } else if (pendingUsb !== undefined) {
        const reply = log[2] === "UPS No Ack" ? null : log[2] + "\r";
        out.push({ request: pendingUsb, reply });
        pendingUsb = undefined;
      }
      continue;
    }
    // 2. "QGS   -> (220.2 50.0 ..." (a description instead of a reply is skipped)
    const arrow = /^([A-Z][A-Z0-9#]*)\s+->\s+(\(.*)$/.exec(line);
    if (arrow) {
      out.push({ request: arrow[1], reply: arrow[2].trimEnd() + "\r" });
      continue;
    }
    // 3. ">>> 51 53 0D   QS\r" then "<<< 28 32 ..." (hex may continue on indented lines)
    const sent = /^>>>\s+((?:[0-9A-F]{2}\s)+)/.exec(line + " ");
    if (sent) {
      const request = hexText(sent[1]).replace(/\r$/, "");
      let reply: string | null = null;
      if (i + 1 < lines.length && lines[i + 1].startsWith("<<<")) {
        let hex = lines[++i].slice(3);
        while (i + 1 < lines.length && /^\s+([0-9A-F]{2}\s+)+[0-9A-F]{2}\s*$/.test(lines[i + 1])) {
          hex += " " + lines[++i];
        }
        reply = hexText(hex);
        const cr = reply.indexOf("\r");
        reply = cr >= 0 ? reply.slice(0, cr + 1) : reply.replace(/\0+$/, "");
      }
      out.push({ request, reply });
    }
  }
  return out;
}

/** Hex byte words at the start of `s` → Latin-1 text (stops at the first non-hex word). */
function hexText(s: string): string {
  let text = "";
  for (const w of s.trim().split(/\s+/)) {
    if (!/^[0-9A-F]{2}$/.test(w)) break;
    text += String.fromCharCode(parseInt(w, 16));
  }
  return text;
}

/** The replies per request, in transcript order (for a device replaying them in turn). */
export function replyTable(pairs: readonly Exchange[]): Map<string, Array<string | null>> {
  const table = new Map<string, Array<string | null>>();
  for (const p of pairs) {
    const list = table.get(p.request) ?? [];
    list.push(p.reply);
    table.set(p.request, list);
  }
  return table;
}
