import { assertEquals } from "../helpers/assert.ts";
import { parseNutConf } from "../../lib/conf/nut_conf.ts";
import { parseCmdvartab } from "../../lib/conf/cmdvartab.ts";

const N = "/etc/nut/nut.conf";

Deno.test("nut.conf: shell assignments", () => {
  const r = parseNutConf(
    `# comment
MODE=netserver
UPSD_OPTIONS="-D -F"
export ALLOW_NO_DEVICE='true'
POWEROFF_WAIT=15m # trailing comment
EMPTY=
`,
    N,
  );
  assertEquals(r.errors, []);
  assertEquals(Object.fromEntries(r.vars), {
    MODE: "netserver",
    UPSD_OPTIONS: "-D -F",
    ALLOW_NO_DEVICE: "true",
    POWEROFF_WAIT: "15m",
    EMPTY: "",
  });
});

Deno.test("nut.conf: errors name file and line", () => {
  const r = parseNutConf(
    `MODE = standalone
MODE=server
X="open
Y=$HOME
Z=a b
just words
`,
    N,
  );
  assertEquals(r.errors.map((e) => e.message), [
    `${N}:1: invalid variable name 'MODE ' (no spaces around '=' in shell syntax)`,
    `${N}:2: MODE must be one of none, standalone, netserver, netclient (got 'server')`,
    `${N}:3: X: unterminated double quote`,
    `${N}:4: Y: unsupported shell syntax '$'`,
    `${N}:5: Z: unexpected text after the value: b`,
    `${N}:6: expected NAME=value, got: just words`,
  ]);
  assertEquals(r.vars.size, 0);
});

Deno.test("cmdvartab: case-insensitive lookup, first wins, upstream. prefix, errors", () => {
  const { table, errors } = parseCmdvartab(
    `# x
VARDESC ups.status "UPS status"
VARDESC UPS.STATUS "second"
CMDDESC load.off "Turn off the load"
BOGUS x "y"
VARDESC lonely
`,
    "cmdvartab",
  );
  assertEquals(table.varDesc("Ups.Status"), "UPS status");
  assertEquals(table.varDesc("upstream.ups.status"), "UPS status");
  assertEquals(table.cmdDesc("LOAD.OFF"), "Turn off the load");
  assertEquals(table.varDesc("nope"), undefined);
  assertEquals(errors.map((e) => e.message), [
    "cmdvartab:5: unknown keyword BOGUS",
    "cmdvartab:6: VARDESC needs a name and a description",
  ]);
});

Deno.test("share/cmdvartab parses cleanly and covers the common names", async () => {
  const path = new URL("../../share/cmdvartab", import.meta.url).pathname;
  const { table, errors } = parseCmdvartab(await Deno.readFile(path), path);
  assertEquals(errors.map((e) => e.message), []);
  for (
    const v of ["ups.status", "battery.charge", "input.voltage", "ups.load", "battery.runtime"]
  ) {
    assertEquals(typeof table.varDesc(v), "string", v);
  }
  for (const c of ["load.off", "test.battery.start", "beeper.toggle", "shutdown.return"]) {
    assertEquals(typeof table.cmdDesc(c), "string", c);
  }
});
