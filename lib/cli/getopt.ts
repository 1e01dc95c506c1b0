/**
 * POSIX getopt with NUT's option strings (e.g. "+h46p:qr:i:fu:Vc:P:DFB"):
 * clustered flags (`-DDD`, `-FF`), attached or separate arguments (`-uuser`,
 * `-u user`), `--` ends options, a leading `+` stops at the first operand.
 * node:util parseArgs cannot express repeat counts and getopt's error rules,
 * so NUT compatibility needs this small parser.
 *
 * @module
 */

export interface GetoptResult {
  /** Options in command-line order: [letter, argument?]. */
  opts: Array<[string, string | undefined]>;
  /** Remaining operands. */
  rest: string[];
}

export class GetoptError extends Error {
  constructor(readonly option: string, readonly kind: "unknown" | "missing") {
    super(
      kind === "unknown"
        ? `invalid option -- '${option}'`
        : `option requires an argument -- '${option}'`,
    );
    this.name = "GetoptError";
  }
}

export function getopt(args: readonly string[], spec: string): GetoptResult {
  const stopAtOperand = spec.startsWith("+");
  const letters = stopAtOperand ? spec.slice(1) : spec;
  const takesArg = new Map<string, boolean>();
  for (let i = 0; i < letters.length; i++) {
    const c = letters[i];
    if (c === ":") continue;
    takesArg.set(c, letters[i + 1] === ":");
  }
  const opts: Array<[string, string | undefined]> = [];
  const rest: string[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") {
      if (stopAtOperand) break;
      rest.push(a);
      continue;
    }
    for (let j = 1; j < a.length; j++) {
      const c = a[j];
      const needs = takesArg.get(c);
      if (needs === undefined) throw new GetoptError(c, "unknown");
      if (!needs) {
        opts.push([c, undefined]);
        continue;
      }
      let val: string;
      if (j + 1 < a.length) val = a.slice(j + 1);
      else if (i + 1 < args.length) val = args[++i];
      else throw new GetoptError(c, "missing");
      opts.push([c, val]);
      break;
    }
  }
  rest.push(...args.slice(i));
  return { opts, rest };
}

/** How many times a flag was given (`-DDD` → 3). */
export function count(r: GetoptResult, letter: string): number {
  return r.opts.filter(([c]) => c === letter).length;
}

/** Last argument given to an option. */
export function last(r: GetoptResult, letter: string): string | undefined {
  let v: string | undefined;
  for (const [c, a] of r.opts) if (c === letter) v = a;
  return v;
}

/** All arguments given to a repeatable option, in order. */
export function all(r: GetoptResult, letter: string): string[] {
  return r.opts.filter(([c]) => c === letter).map(([, a]) => a ?? "");
}
