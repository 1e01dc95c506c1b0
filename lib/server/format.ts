/**
 * How upsd writes values on the wire (spec net-protocol.md §3): quoted and
 * escaped, capped at 255 characters, `FSD ` in front of a latched
 * `ups.status`, and the `GET TYPE` words.
 *
 * @module
 */

import { encode } from "../protocol/quote.ts";
import { FLAG_RW, FLAG_STRING, type VarNode } from "../state/tree.ts";

export const MAX_VALUE_LEN = 255;

/**
 * Escaped value cut to 255 characters. Unlike NUT, a cut never leaves a lone
 * trailing backslash, which would escape the closing quote and make the
 * client's tokenizer swallow the following lines.
 */
export function wireValue(v: string): string {
  const e = encode(v);
  if (e.length <= MAX_VALUE_LEN) return e;
  let cut = e.slice(0, MAX_VALUE_LEN);
  let bs = 0;
  for (let i = cut.length - 1; i >= 0 && cut[i] === "\\"; i--) bs++;
  if (bs % 2 === 1) cut = cut.slice(0, -1);
  return cut;
}

/** `"<escaped value>"` */
export function quoted(v: string): string {
  return '"' + wireValue(v) + '"';
}

/** The value clients see: `ups.status` gets `FSD ` in front while the latch is set. */
export function shownValue(node: VarNode, fsd: boolean): string {
  if (fsd && node.name.toLowerCase() === "ups.status") return "FSD " + node.value;
  return node.value;
}

/** `GET TYPE` words: RW? ENUM? RANGE? then STRING:<aux> or NUMBER. */
export function typeWords(node: VarNode): string {
  let s = "";
  if (node.flags & FLAG_RW) s += "RW ";
  if (node.enums.length > 0) s += "ENUM ";
  if (node.ranges.length > 0) s += "RANGE ";
  return s + ((node.flags & FLAG_STRING) ? `STRING:${node.aux}` : "NUMBER");
}
