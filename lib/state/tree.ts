/**
 * A device's state tree: variables (value, flags, aux, enums, ranges) and
 * instant commands. Used by drivers (the source of truth) and by upsd (its
 * mirror of each driver). Names are looked up case-insensitively; the first
 * spelling is kept, as NUT does.
 *
 * @module
 */

export const FLAG_RW = 0x01;
export const FLAG_STRING = 0x02;
export const FLAG_NUMBER = 0x04;
/** Set by `override.*`: the driver's own updates are ignored. Never sent on the wire. */
export const FLAG_IMMUTABLE = 0x08;

/** Wire names of the flags, in NUT's order. */
export const FLAG_NAMES: ReadonlyArray<readonly [string, number]> = [
  ["RW", FLAG_RW],
  ["STRING", FLAG_STRING],
  ["NUMBER", FLAG_NUMBER],
];

/** Parse wire flag words (unknown ones ignored, case-insensitive). */
export function parseFlags(words: readonly string[]): number {
  let flags = 0;
  for (const w of words) {
    const up = w.toUpperCase();
    for (const [name, bit] of FLAG_NAMES) if (up === name) flags |= bit;
  }
  return flags;
}

/** Wire words for a flag set (without the immutable bit). */
export function flagWords(flags: number): string[] {
  return FLAG_NAMES.filter(([, bit]) => (flags & bit) !== 0).map(([name]) => name);
}

export interface Range {
  min: number;
  max: number;
}

export interface VarNode {
  /** Name as first created. */
  readonly name: string;
  value: string;
  flags: number;
  aux: number;
  enums: string[];
  ranges: Range[];
}

/** Case-insensitive ASCII order, as upsd and drivers list names. */
export function compareNames(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

export class StateTree {
  #vars = new Map<string, VarNode>();
  #cmds = new Map<string, string>();
  #sortedVars: VarNode[] | null = null;
  #sortedCmds: string[] | null = null;

  get size(): number {
    return this.#vars.size;
  }

  getVar(name: string): VarNode | undefined {
    return this.#vars.get(name.toLowerCase());
  }

  get(name: string): string | undefined {
    return this.#vars.get(name.toLowerCase())?.value;
  }

  /** Create or update a variable; returns true when something changed. */
  set(name: string, value: string): boolean {
    const key = name.toLowerCase();
    const node = this.#vars.get(key);
    if (node) {
      if (node.value === value) return false;
      node.value = value;
      return true;
    }
    this.#vars.set(key, { name, value, flags: 0, aux: 0, enums: [], ranges: [] });
    this.#sortedVars = null;
    return true;
  }

  delete(name: string): boolean {
    const ok = this.#vars.delete(name.toLowerCase());
    if (ok) this.#sortedVars = null;
    return ok;
  }

  /** Replace the flag set (the immutable bit is kept). */
  setFlags(name: string, flags: number): boolean {
    const node = this.getVar(name);
    if (!node) return false;
    const next = (node.flags & FLAG_IMMUTABLE) | (flags & ~FLAG_IMMUTABLE);
    if (next === node.flags) return false;
    node.flags = next;
    return true;
  }

  setAux(name: string, aux: number): boolean {
    const node = this.getVar(name);
    if (!node || node.aux === aux) return false;
    node.aux = aux;
    return true;
  }

  addEnum(name: string, value: string): boolean {
    const node = this.getVar(name);
    if (!node || node.enums.includes(value)) return false;
    node.enums.push(value);
    return true;
  }

  delEnum(name: string, value: string): boolean {
    const node = this.getVar(name);
    if (!node) return false;
    const lv = value.toLowerCase();
    const i = node.enums.findIndex((e) => e.toLowerCase() === lv);
    if (i < 0) return false;
    node.enums.splice(i, 1);
    return true;
  }

  addRange(name: string, min: number, max: number): boolean {
    const node = this.getVar(name);
    if (!node || min > max) return false;
    if (node.ranges.some((r) => r.min === min && r.max === max)) return false;
    node.ranges.push({ min, max });
    return true;
  }

  delRange(name: string, min: number, max: number): boolean {
    const node = this.getVar(name);
    if (!node) return false;
    const i = node.ranges.findIndex((r) => r.min === min && r.max === max);
    if (i < 0) return false;
    node.ranges.splice(i, 1);
    return true;
  }

  addCmd(name: string): boolean {
    const key = name.toLowerCase();
    if (this.#cmds.has(key)) return false;
    this.#cmds.set(key, name);
    this.#sortedCmds = null;
    return true;
  }

  delCmd(name: string): boolean {
    const ok = this.#cmds.delete(name.toLowerCase());
    if (ok) this.#sortedCmds = null;
    return ok;
  }

  hasCmd(name: string): boolean {
    return this.#cmds.has(name.toLowerCase());
  }

  /** Variables in case-insensitive name order (cached until a variable is added or removed). */
  vars(): readonly VarNode[] {
    this.#sortedVars ??= [...this.#vars.values()].sort((a, b) => compareNames(a.name, b.name));
    return this.#sortedVars;
  }

  /** Command names in case-insensitive order. */
  cmds(): readonly string[] {
    this.#sortedCmds ??= [...this.#cmds.values()].sort(compareNames);
    return this.#sortedCmds;
  }

  clear(): void {
    this.#vars.clear();
    this.#cmds.clear();
    this.#sortedVars = null;
    this.#sortedCmds = null;
  }
}
