/**
 * What a peer (upsd, a tool) asks a driver on its socket (spec
 * driver-socket.md §5), parsed from one tokenized line. Pure: the server
 * decides what to do with each request.
 *
 * Keywords (and the word TRACKING) are case-insensitive; extra words after
 * DUMPALL/PING/... are ignored, as NUT does.
 *
 * @module
 */

export type PeerRequest =
  | { kind: "dumpall" }
  | { kind: "dumpstatus" }
  | { kind: "dumpvalue"; name: string }
  | { kind: "ping" }
  | { kind: "getpid" }
  | { kind: "logout" }
  | { kind: "nobroadcast" }
  | { kind: "broadcast"; enable: boolean }
  | { kind: "set"; name: string; value: string; tracking?: string }
  | { kind: "instcmd"; cmd: string; param?: string; tracking?: string }
  /** Not understood; `note` is logged before the usual "Unknown command" lines. */
  | { kind: "unknown"; words: string[]; note?: string };

function isTracking(word: string): boolean {
  return word.toUpperCase() === "TRACKING";
}

/** C atoi on the leading digits (0 when none). */
function atoi(s: string): number {
  const m = /^\s*([+-]?\d+)/.exec(s);
  return m ? parseInt(m[1], 10) : 0;
}

function parseSet(words: string[]): PeerRequest {
  if (words.length < 3) return { kind: "unknown", words };
  const [, name, value] = words;
  if (words.length === 5) {
    if (isTracking(words[3])) return { kind: "set", name, value, tracking: words[4] };
    return {
      kind: "unknown",
      words,
      note: `Got SET <var> with unsupported parameters (${words[3]}/${words[4]})`,
    };
  }
  // 3, 4 or ≥ 6 words: a plain SET, extra words ignored (NUT 2.8.0 does the same)
  return { kind: "set", name, value };
}

function parseInstcmd(words: string[]): PeerRequest {
  const cmd = words[1];
  switch (words.length) {
    case 2:
      return { kind: "instcmd", cmd };
    case 3:
      return { kind: "instcmd", cmd, param: words[2] };
    case 4:
      if (isTracking(words[2])) return { kind: "instcmd", cmd, tracking: words[3] };
      break;
    case 5:
      if (isTracking(words[3])) {
        return { kind: "instcmd", cmd, param: words[2], tracking: words[4] };
      }
      break;
    default:
      // a bare INSTCMD is simply unknown, without the "Malformed" note
      if (words.length < 2) return { kind: "unknown", words };
  }
  return { kind: "unknown", words, note: "Malformed INSTCMD request" };
}

/** Parse one line's words; null for an empty line (ignored silently). */
export function parseRequest(words: string[]): PeerRequest | null {
  if (words.length === 0) return null;
  switch (words[0].toUpperCase()) {
    case "DUMPALL":
      return { kind: "dumpall" };
    case "DUMPSTATUS":
      return { kind: "dumpstatus" };
    case "DUMPVALUE":
      return words.length >= 2 ? { kind: "dumpvalue", name: words[1] } : { kind: "unknown", words };
    case "PING":
      return { kind: "ping" };
    case "GETPID":
      return { kind: "getpid" };
    case "LOGOUT":
      return { kind: "logout" };
    case "NOBROADCAST":
      return { kind: "nobroadcast" };
    case "BROADCAST":
      return { kind: "broadcast", enable: words.length < 2 || atoi(words[1]) > 0 };
    case "SET":
      return parseSet(words);
    case "INSTCMD":
      return parseInstcmd(words);
    default:
      return { kind: "unknown", words };
  }
}

/** NUT's log lines for an unknown command: a header, then `arg N: <word>` per word. */
export function unknownCommandLog(words: readonly string[]): string[] {
  return ["Unknown command on socket: ", ...words.map((w, i) => `arg ${i}: ${w}`)];
}
