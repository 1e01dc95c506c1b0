/**
 * A fake upsd for dispatcher tests: the spec's example UPSes (`fake` with
 * enum/range/string variables, `dummy` with a quoted description, `Dummy2`
 * whose driver is not connected), users, and a link that records what would
 * be sent to the driver.
 *
 * @module
 */

import { Cmdvartab } from "../../lib/conf/cmdvartab.ts";
import { parseUpsdUsers } from "../../lib/conf/upsd_users.ts";
import { FLAG_RW, FLAG_STRING, StateTree } from "../../lib/state/tree.ts";
import type { ServerContext } from "../../lib/server/dispatch.ts";
import { dispatch } from "../../lib/server/dispatch.ts";
import { Session } from "../../lib/server/session.ts";
import { TrackingTable } from "../../lib/server/tracking.ts";
import { type DriverLink, UpsEntry } from "../../lib/server/ups.ts";

export class FakeLink implements DriverLink {
  tree = new StateTree();
  connected = true;
  stale = false;
  sent: string[] = [];
  failWrites = false;
  isStale(): boolean {
    return this.connected && this.stale;
  }
  send(line: string): boolean {
    if (!this.connected || this.failWrites) return false;
    this.sent.push(line);
    return true;
  }
  tick(): void {}
  connect(): Promise<void> {
    return Promise.resolve();
  }
  close(): void {
    this.connected = false;
  }
}

export const USERS = `[admin]
  password = secret
  actions = SET FSD
  instcmds = ALL
[mon]
  password = pass
  upsmon primary
[sec]
  password = s
  upsmon secondary
[tester]
  password = t
  instcmds = test.battery.start beeper.toggle
[nopw]
  actions = SET
`;

export function fakeTree(): StateTree {
  const t = new StateTree();
  t.set("battery.charge", "95");
  t.set("input.transfer.high", "130");
  t.setFlags("input.transfer.high", FLAG_RW);
  t.addRange("input.transfer.high", 120, 140);
  t.addRange("input.transfer.high", 150, 160);
  t.set("input.transfer.low", "100");
  t.setFlags("input.transfer.low", FLAG_RW);
  t.addEnum("input.transfer.low", "100");
  t.addEnum("input.transfer.low", "103");
  t.addEnum("input.transfer.low", 'a"b');
  t.set("output.voltage", "230.5");
  t.set("ups.contact", "nobody");
  t.setFlags("ups.contact", FLAG_RW | FLAG_STRING);
  t.set("ups.id", 'Fake "one" \\ x');
  t.setFlags("ups.id", FLAG_RW | FLAG_STRING);
  t.setAux("ups.id", 12);
  t.set("Ups.MixedCase", "mc");
  t.set("ups.ro", "readonly");
  t.set("ups.status", "OL");
  for (const c of ["test.battery.start", "Load.On", "load.off", "beeper.toggle"]) t.addCmd(c);
  return t;
}

export class FakeContext implements ServerContext {
  t = 1_000_000;
  tracking = new TrackingTable();
  logs: string[] = [];
  log = {
    info: (m: string) => void this.logs.push(m),
    debug: (_l: number, _m: string) => {},
  };
  ups: UpsEntry[];
  links: Record<string, FakeLink> = {};
  #users = parseUpsdUsers(USERS, "upsd.users").users;
  #desc = new Cmdvartab();
  all: Session[] = [];

  constructor() {
    const fake = new FakeLink();
    fake.tree = fakeTree();
    const dummy = new FakeLink();
    dummy.tree.set("ups.status", "OB LB");
    const dummy2 = new FakeLink();
    dummy2.connected = false;
    this.links = { fake, dummy, Dummy2: dummy2 };
    this.ups = [
      new UpsEntry(
        { name: "dummy", driver: "dummy-ups", port: "x", desc: 'Test "quoted" #UPS' },
        dummy,
      ),
      new UpsEntry({ name: "fake", driver: "fake", port: "x", desc: "Fake python driver" }, fake),
      new UpsEntry({ name: "Dummy2", driver: "dummy-ups", port: "y" }, dummy2),
    ];
    this.#desc.vars.set("ups.status", "UPS status");
    this.#desc.cmds.set("load.off", "Turn off the load immediately");
  }
  now(): number {
    return this.t;
  }
  findUps(name: string): UpsEntry | undefined {
    return this.ups.find((u) => u.name.toLowerCase() === name.toLowerCase());
  }
  upsList(): readonly UpsEntry[] {
    return this.ups;
  }
  users() {
    return this.#users;
  }
  descriptions(): Cmdvartab {
    return this.#desc;
  }
  sessions(): Iterable<Session> {
    return [...this.all].reverse();
  }
  /** A new client session (most recent last in `all`). */
  session(addr = "127.0.0.1"): Session {
    const s = new Session(addr);
    this.all.push(s);
    return s;
  }
}

/** Send one raw request line (tokenized like the server does) and get the reply. */
export function req(
  ctx: FakeContext,
  s: Session,
  line: string,
  split: (l: string) => string[] | null,
): string {
  const words = split(line);
  if (words === null) return "";
  const r = dispatch(ctx, s, words);
  return typeof r === "string" ? r : new TextDecoder().decode(r);
}
