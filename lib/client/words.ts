/**
 * Client side of the protocol's word syntax: split a reply line with the
 * shared tokenizer, and build request lines the way upsclient does
 * (arguments escaped; wrapped in quotes only when they contain a space).
 *
 * @module
 */

import { Tokenizer, type TokenSink } from "../conf/tokenizer.ts";
import { encode } from "../protocol/quote.ts";

const NL = new Uint8Array([0x0a]);

/** Words of one reply line, or the tokenizer's error message. */
export function splitReply(line: Uint8Array): { words: string[] } | { error: string } {
  let words: string[] | undefined;
  let error: string | undefined;
  const sink: TokenSink = {
    line(w) {
      words ??= w;
    },
    error(msg) {
      error ??= msg;
    },
  };
  const t = new Tokenizer();
  t.feed(line, sink);
  t.feed(NL, sink);
  // An unterminated quote swallows the LF; end() reports it.
  if (words === undefined && error === undefined) t.end(sink);
  if (error !== undefined && words === undefined) return { error };
  return { words: words ?? [] };
}

/** One request argument as upsclient sends it. */
export function encodeArg(arg: string): string {
  const e = encode(arg);
  return arg.includes(" ") ? `"${e}"` : e;
}

/** `VERB arg arg...` with each argument encoded. */
export function buildCommand(verb: string, args: readonly string[]): string {
  return [verb, ...args.map(encodeArg)].join(" ");
}
