/**
 * Where upsd listens (spec net-protocol.md §1, server-config.md §3): the
 * LISTEN lines, or `::1` and `127.0.0.1` on port 3493; `-4`/`-6` keep one
 * family; `LISTEN *` means every address (NUT ≥2.8.1).
 *
 * Deno binds IPv6 sockets dual-stack (no V6ONLY), so `::` also takes IPv4
 * clients and a later `0.0.0.0` on the same port would fail: a wildcard pair
 * is bound as one `::` socket (falling back to `0.0.0.0` without IPv6).
 *
 * Host names are resolved with node:dns (getaddrinfo, so /etc/hosts counts,
 * and a family can be asked for), imported only then: Node compatibility
 * costs memory that a server listening on addresses never needs.
 *
 * @module
 */

import type { ListenSpec } from "../conf/upsd_conf.ts";
import { NUT_PORT } from "../conf/paths.ts";

export type Family = 4 | 6 | undefined;

export interface ListenTarget {
  /** Address or host name as configured ("*" expanded). */
  addr: string;
  port: number;
  /** Loopback / localhost: failing to bind it never aborts start-up. */
  local: boolean;
}

const LOCAL = new Set(["localhost", "127.0.0.1", "::1", "ip6-localhost"]);

/** The addresses to bind, in order, for the LISTEN lines and the -4/-6 choice. */
export function listenTargets(specs: readonly ListenSpec[], family: Family): ListenTarget[] {
  const raw: Array<{ addr: string; port: number }> = specs.length > 0
    ? specs.map((s) => ({ addr: s.addr, port: s.port }))
    : [{ addr: "::1", port: NUT_PORT }, { addr: "127.0.0.1", port: NUT_PORT }];
  const out: ListenTarget[] = [];
  for (const { addr, port } of raw) {
    if (addr === "*") {
      if (family !== 4) out.push({ addr: "::", port, local: false });
      if (family !== 6) out.push({ addr: "0.0.0.0", port, local: false });
      continue;
    }
    const v = ipVersion(addr);
    if ((family === 4 && v === 6) || (family === 6 && v === 4)) continue;
    out.push({ addr, port, local: LOCAL.has(addr.toLowerCase()) || addr.startsWith("127.") });
  }
  // a `::` socket on a port already serves IPv4 there (dual-stack)
  const v6any = new Set(out.filter((t) => t.addr === "::").map((t) => t.port));
  return out.filter((t, i) =>
    !(t.addr === "0.0.0.0" && v6any.has(t.port)) &&
    out.findIndex((o) => o.addr === t.addr && o.port === t.port) === i
  );
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** 4 or 6 for an IP address literal, 0 for anything else (a host name). */
export function ipVersion(addr: string): 0 | 4 | 6 {
  if (IPV4.test(addr)) return 4;
  if (!addr.includes(":") || !/^[0-9a-fA-F:.]+$/.test(addr)) return 0;
  try {
    new URL(`http://[${addr}]/`);
    return 6;
  } catch {
    return 0;
  }
}

async function lookupAll(host: string, family: Family): Promise<string[]> {
  const dns = await import("node:dns");
  return new Promise((resolve) => {
    dns.lookup(host, { all: true, family: family ?? 0 }, (e, addrs) => {
      resolve(e ? [] : addrs.map((a) => a.address));
    });
  });
}

function bindOne(addr: string, port: number): Deno.Listener {
  return Deno.listen({ hostname: addr, port, tcpBacklog: 511 });
}

/**
 * Bind one target; a host name is resolved and its first address that binds
 * is used. Rejects when nothing could be bound.
 */
export async function bindTarget(t: ListenTarget, family: Family): Promise<Deno.Listener> {
  const addrs = ipVersion(t.addr) ? [t.addr] : await lookupAll(t.addr, family);
  let last: unknown = new Error(`cannot resolve ${t.addr}`);
  for (const a of addrs) {
    try {
      return bindOne(a, t.port);
    } catch (e) {
      last = e;
    }
  }
  if (t.addr === "::" && family !== 6) {
    // no IPv6 on this host: fall back to IPv4 for the wildcard
    return bindOne("0.0.0.0", t.port);
  }
  throw last;
}
