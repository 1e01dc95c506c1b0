/**
 * A driver's published state ("dstate"): the state tree plus the rule that
 * every change is broadcast at once to the socket's peers, and the data
 * freshness flag (DATAOK / DATASTALE). Unchanged values are not re-sent.
 *
 * `override.*` variables are immutable: the driver's own updates, flag
 * changes and deletions of them are ignored (aux, enums and ranges are not
 * guarded, as in NUT).
 *
 * @module
 */

import * as msg from "../sock/messages.ts";
import { FLAG_IMMUTABLE, FLAG_NUMBER, StateTree } from "../state/tree.ts";

/** NUT's value buffer holds 255 characters; longer values are cut. */
export const MAX_VALUE_LEN = 255;

/**
 * A name must travel as one bare word on the socket and in upsd's replies:
 * printable ASCII without space, quote, backslash or `#`.
 */
export function isValidName(name: string): boolean {
  return /^[\x21-\x7e]+$/.test(name) && !/["\\#]/.test(name);
}

export interface DStateLog {
  debug(level: number, msg: string): void;
  warn(msg: string): void;
}

export class DState {
  readonly tree = new StateTree();
  #stale = true;
  #send: (line: string) => void = () => {};

  constructor(readonly log: DStateLog) {}

  /** Where changes go (the socket server's broadcast); until set, nowhere. */
  attach(send: (line: string) => void): void {
    this.#send = send;
  }

  /** True until the driver reports data OK (drivers start stale). */
  get stale(): boolean {
    return this.#stale;
  }

  #immutable(name: string): boolean {
    return ((this.tree.getVar(name)?.flags ?? 0) & FLAG_IMMUTABLE) !== 0;
  }

  getInfo(name: string): string | undefined {
    return this.tree.get(name);
  }

  /** Create or update a variable; returns true if it changed. */
  setInfo(name: string, value: string): boolean {
    if (!isValidName(name)) {
      this.log.warn(`setinfo: invalid variable name ${JSON.stringify(name)} ignored`);
      return false;
    }
    if (this.#immutable(name)) {
      this.log.debug(6, `setinfo: not overwriting immutable ${name}`);
      return false;
    }
    const v = value.length > MAX_VALUE_LEN ? value.slice(0, MAX_VALUE_LEN) : value;
    if (!this.tree.set(name, v)) return false;
    this.#send(msg.setInfoLine(this.tree.getVar(name)!.name, v));
    return true;
  }

  /** Set a variable and make it immutable (ups.conf `override.<var>`). */
  override(name: string, value: string): void {
    const node = this.tree.getVar(name);
    if (node) node.flags &= ~FLAG_IMMUTABLE;
    this.setInfo(name, value);
    this.tree.getVar(name)!.flags |= FLAG_IMMUTABLE;
  }

  /** Undo override(): the driver may change the variable again (reload without it). */
  release(name: string): void {
    const node = this.tree.getVar(name);
    if (node) node.flags &= ~FLAG_IMMUTABLE;
  }

  delInfo(name: string): boolean {
    if (this.#immutable(name)) {
      this.log.debug(6, `delinfo: not deleting immutable ${name}`);
      return false;
    }
    const node = this.tree.getVar(name);
    if (!node || !this.tree.delete(name)) return false;
    this.#send(msg.delInfoLine(node.name));
    return true;
  }

  /** Replace a variable's wire flags (RW/STRING/NUMBER). */
  setFlags(name: string, flags: number): boolean {
    const node = this.tree.getVar(name);
    if (!node) return false;
    if (node.flags & FLAG_IMMUTABLE) {
      this.log.warn(`dstate_setflags: base variable (${name}) is immutable`);
      return false;
    }
    if (!this.tree.setFlags(name, flags)) return false;
    this.#send(msg.setFlagsLine(node.name, node.flags));
    return true;
  }

  /** Add flags to those a variable has. */
  addFlags(name: string, flags: number): boolean {
    const node = this.tree.getVar(name);
    if (!node) return false;
    return this.setFlags(name, node.flags | flags);
  }

  setAux(name: string, aux: number): boolean {
    const node = this.tree.getVar(name);
    if (!node || !this.tree.setAux(name, aux)) return false;
    this.#send(msg.setAuxLine(node.name, aux));
    return true;
  }

  addEnum(name: string, value: string): boolean {
    const node = this.tree.getVar(name);
    if (!node) {
      this.log.debug(1, `dstate_addenum: base variable (${name}) does not exist`);
      return false;
    }
    if (!this.tree.addEnum(name, value)) return false;
    this.#send(msg.addEnumLine(node.name, value));
    return true;
  }

  delEnum(name: string, value: string): boolean {
    const node = this.tree.getVar(name);
    if (!node || !this.tree.delEnum(name, value)) return false;
    this.#send(msg.delEnumLine(node.name, value));
    return true;
  }

  /** Add an allowed range; like NUT, a variable with a range is a NUMBER. */
  addRange(name: string, min: number, max: number): boolean {
    const node = this.tree.getVar(name);
    if (!node) {
      this.log.debug(1, `dstate_addrange: base variable (${name}) does not exist`);
      return false;
    }
    if (!this.tree.addRange(name, min, max)) return false;
    this.#send(msg.addRangeLine(node.name, min, max));
    if (!(node.flags & FLAG_NUMBER) && !(node.flags & FLAG_IMMUTABLE)) {
      this.addFlags(name, FLAG_NUMBER);
    }
    return true;
  }

  delRange(name: string, min: number, max: number): boolean {
    const node = this.tree.getVar(name);
    if (!node || !this.tree.delRange(name, min, max)) return false;
    this.#send(msg.delRangeLine(node.name, min, max));
    return true;
  }

  addCmd(name: string): boolean {
    if (!isValidName(name)) {
      this.log.warn(`addcmd: invalid command name ${JSON.stringify(name)} ignored`);
      return false;
    }
    if (!this.tree.addCmd(name)) return false;
    this.#send(msg.addCmdLine(name));
    return true;
  }

  delCmd(name: string): boolean {
    const spelled = this.tree.cmds().find((c) => c.toLowerCase() === name.toLowerCase());
    if (spelled === undefined || !this.tree.delCmd(name)) return false;
    this.#send(msg.delCmdLine(spelled));
    return true;
  }

  /** Data is usable: broadcast DATAOK on the stale → ok transition. */
  dataOk(): void {
    if (!this.#stale) return;
    this.#stale = false;
    this.#send(msg.DATAOK);
  }

  /** Data is unusable (device gone): broadcast DATASTALE on the ok → stale transition. */
  dataStale(): void {
    if (this.#stale) return;
    this.#stale = true;
    this.#send(msg.DATASTALE);
  }

  dumpAll(): string {
    return msg.dumpAll(this.tree, this.#stale);
  }

  dumpStatus(): string {
    return msg.dumpStatus(this.tree, this.#stale);
  }

  dumpValue(name: string): string {
    return msg.dumpValue(this.tree, name, this.#stale);
  }
}
