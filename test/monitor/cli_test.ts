/** upsmon's command line: NUT's options, -c prefixes, foreground rules, help text. */
import { assertEquals, assertStringIncludes } from "../helpers/assert.ts";
import { helpText, parseUpsmonArgs, signalCommand } from "../../lib/monitor/cli.ts";

Deno.test("cli: -c takes a prefix of fsd, stop or reload", () => {
  assertEquals(signalCommand("f"), "fsd");
  assertEquals(signalCommand("fsd"), "fsd");
  assertEquals(signalCommand("s"), "stop");
  assertEquals(signalCommand("rel"), "reload");
  assertEquals(signalCommand("reload"), "reload");
  assertEquals(signalCommand("reloads"), undefined);
  assertEquals(signalCommand(""), undefined);
  assertEquals(signalCommand("x"), undefined);
  assertEquals(parseUpsmonArgs(["-c", "rel"]), {
    kind: "signal",
    command: "reload",
    pid: undefined,
    configFile: undefined,
  });
  assertEquals(parseUpsmonArgs(["-c", "fsd", "-P", "1234"]), {
    kind: "signal",
    command: "fsd",
    pid: 1234,
    configFile: undefined,
  });
  assertEquals(parseUpsmonArgs(["-c", "bogus"]).kind, "help");
  assertEquals(parseUpsmonArgs(["-c", "stop", "-P", "x1"]).kind, "help");
});

Deno.test("cli: run options, foreground rules, -K, -h/-V win", () => {
  assertEquals(parseUpsmonArgs([]), {
    kind: "run",
    run: { debug: 0, foreground: false, mono: false },
  });
  const r = parseUpsmonArgs(["-DD", "-p", "-u", "nut", "-f", "/x/upsmon.conf", "-W", "3", "-4"]);
  assertEquals(r, {
    kind: "run",
    run: {
      debug: 2,
      foreground: true,
      mono: true,
      user: "nut",
      configFile: "/x/upsmon.conf",
      connectTimeoutMs: 3000,
      family: 4,
    },
  });
  assertEquals(
    parseUpsmonArgs(["-D", "-B"]).kind === "run" &&
      (parseUpsmonArgs(["-D", "-B"]) as { run: { foreground: boolean } }).run.foreground,
    false,
  );
  assertEquals((parseUpsmonArgs(["-F"]) as { run: { foreground: boolean } }).run.foreground, true);
  assertEquals(parseUpsmonArgs(["-K", "-f", "/c"]), { kind: "checkFlag", configFile: "/c" });
  assertEquals(parseUpsmonArgs(["-D", "-h"]), { kind: "help" });
  assertEquals(parseUpsmonArgs(["-V", "-c", "stop"]), { kind: "version" });
  assertEquals(parseUpsmonArgs(["-x"]), { kind: "help", error: "upsmon: invalid option -- 'x'" });
  assertEquals(parseUpsmonArgs(["-W", "0"]).kind, "help");
  // a leading + in the getopt string: options stop at the first operand
  assertEquals(parseUpsmonArgs(["junk", "-D"]), {
    kind: "run",
    run: { debug: 0, foreground: false, mono: false },
  });
});

Deno.test("cli: help shows the power-down flag on the -K line", () => {
  assertStringIncludes(
    helpText("/etc/killpower"),
    "-K\t\tcheck the power-down flag (/etc/killpower)",
  );
  assertStringIncludes(helpText(), "(***NOT CONFIGURED***)");
});
