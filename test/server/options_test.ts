import { assertEquals } from "../helpers/assert.ts";
import { parseUpsdArgs } from "../../lib/server/options.ts";
import { listenTargets } from "../../lib/server/listeners.ts";
import { TrackingTable } from "../../lib/server/tracking.ts";
import { typeWords, wireValue } from "../../lib/server/format.ts";
import { FLAG_RW, FLAG_STRING, StateTree } from "../../lib/state/tree.ts";

Deno.test("upsd options: run modes, -c, help, fatal", () => {
  const run = (args: string[]) => {
    const a = parseUpsdArgs(args);
    return a.kind === "run" ? a.run : a;
  };
  assertEquals(run([]), {
    debug: 0,
    quiet: 0,
    foreground: false,
    pidFile: true,
    family: undefined,
    user: undefined,
    chroot: undefined,
  });
  assertEquals(run(["-F"]), {
    debug: 0,
    quiet: 0,
    foreground: true,
    pidFile: false,
    family: undefined,
    user: undefined,
    chroot: undefined,
  });
  assertEquals((run(["-FF"]) as { pidFile: boolean }).pidFile, true);
  assertEquals(run(["-DD"]), {
    debug: 2,
    quiet: 0,
    foreground: true,
    pidFile: false,
    family: undefined,
    user: undefined,
    chroot: undefined,
  });
  assertEquals(run(["-D", "-B"]), {
    debug: 1,
    quiet: 0,
    foreground: false,
    pidFile: true,
    family: undefined,
    user: undefined,
    chroot: undefined,
  });
  assertEquals(run(["-4", "-u", "nut"]), {
    debug: 0,
    quiet: 0,
    foreground: false,
    pidFile: true,
    family: 4,
    user: "nut",
    chroot: undefined,
  });
  assertEquals(parseUpsdArgs(["-c", "reload"]), {
    kind: "signal",
    command: "reload",
    pid: undefined,
  });
  assertEquals(parseUpsdArgs(["-c", "st", "-P", "42"]), {
    kind: "signal",
    command: "stop",
    pid: 42,
  });
  assertEquals(parseUpsdArgs(["-c", "bogus"]), { kind: "help" });
  assertEquals(parseUpsdArgs(["-h"]), { kind: "help" });
  assertEquals(parseUpsdArgs(["-f"]), { kind: "help" });
  assertEquals(parseUpsdArgs(["extra"]), { kind: "help" });
  assertEquals(parseUpsdArgs(["-x"]), { kind: "help", error: "upsd: invalid option -- 'x'" });
  assertEquals(parseUpsdArgs(["-V", "-p", "1"]), { kind: "version" });
  assertEquals(parseUpsdArgs(["-i", "1.2.3.4"]).kind, "fatal");
  assertEquals(parseUpsdArgs(["-P", "x", "-c", "stop"]).kind, "fatal");
});

Deno.test("listen targets: defaults, families, wildcard", () => {
  const t = (specs: Array<[string, number]>, fam?: 4 | 6) =>
    listenTargets(specs.map(([addr, port], i) => ({ addr, port, lineNo: i + 1 })), fam).map((x) =>
      `${x.addr}:${x.port}${x.local ? "" : "!"}`
    );
  assertEquals(t([]), ["::1:3493", "127.0.0.1:3493"]);
  assertEquals(t([], 4), ["127.0.0.1:3493"]);
  assertEquals(t([], 6), ["::1:3493"]);
  assertEquals(t([["*", 3493]]), [":::3493!"]); // dual-stack :: serves IPv4 too
  assertEquals(t([["*", 3493]], 4), ["0.0.0.0:3493!"]);
  assertEquals(t([["0.0.0.0", 1], ["::", 1], ["10.0.0.1", 2], ["10.0.0.1", 2]]), [
    ":::1!",
    "10.0.0.1:2!",
  ]);
  assertEquals(t([["localhost", 5], ["::1", 5]], 4), ["localhost:5"]);
});

Deno.test("tracking table: ids, results, purge, bound", () => {
  const t = new TrackingTable(3);
  const id = t.create(0);
  assertEquals(
    /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/.test(id),
    true,
  );
  assertEquals(t.reply(id), "PENDING");
  assertEquals(t.resolve(id.toLowerCase(), 4), true);
  assertEquals(t.reply(id), "ERR INVALID-ARGUMENT");
  assertEquals(t.resolve("nope", 0), false);
  t.create(1000, "B");
  t.create(2000, "C");
  t.create(3000, "D"); // over the bound: the oldest goes
  assertEquals(t.reply(id), "ERR UNKNOWN");
  t.resolve("B", 1);
  assertEquals(t.reply("B"), "ERR UNKNOWN");
  t.purge(2500 + 1000, 1); // older than 1 s at 3.5 s: B and C
  assertEquals([t.reply("C"), t.reply("D")], ["ERR UNKNOWN", "PENDING"]);
  assertEquals(t.size, 1);
});

Deno.test("format: TYPE words and value cap", () => {
  const tree = new StateTree();
  tree.set("a", "1");
  assertEquals(typeWords(tree.getVar("a")!), "NUMBER");
  tree.setFlags("a", FLAG_RW | FLAG_STRING);
  tree.setAux("a", 7);
  tree.addEnum("a", "x");
  tree.addRange("a", 1, 2);
  assertEquals(typeWords(tree.getVar("a")!), "RW ENUM RANGE STRING:7");
  assertEquals(wireValue('a"b#c\\'), 'a\\"b\\#c\\\\');
  assertEquals(wireValue("\\".repeat(200)).length, 254); // 400 escaped chars cut to an even run
});
