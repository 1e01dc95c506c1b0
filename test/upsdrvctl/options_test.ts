/**
 * upsdrvctl's command line and its reading of ups.conf: options, commands,
 * errors, the argv given to drivers, shutdown order and PID file names.
 */

import { assertEquals } from "../helpers/assert.ts";
import { parseUpsConf } from "../../lib/conf/ups_conf.ts";
import { type CtlOptions, parseCtlArgs } from "../../lib/upsdrvctl/options.ts";
import {
  ctlTable,
  debugArg,
  pidFileNames,
  shutdownArgv,
  shutdownOrder,
  startArgv,
} from "../../lib/upsdrvctl/table.ts";

function run(args: string[]): CtlOptions {
  const a = parseCtlArgs(args);
  if (a.kind !== "run") throw new Error(`not run: ${JSON.stringify(a)}`);
  return a.opts;
}

Deno.test("upsdrvctl options: commands, flags and counts", () => {
  assertEquals(run(["start"]), {
    command: "start",
    testMode: false,
    debug: 0,
    passDebug: false,
    ups: undefined,
  });
  const o = run(["-t", "-d", "-D", "-u", "nut", "-r", "/chroot", "stop", "ups1"]);
  assertEquals([o.command, o.ups, o.testMode, o.debug, o.passDebug], [
    "stop",
    "ups1",
    true,
    2,
    true,
  ]);
  assertEquals([o.user, o.chroot], ["nut", "/chroot"]);
  assertEquals(run(["-DDD", "-t", "shutdown"]).debug, 3, "-t raises to at least 2 only");
  assertEquals(run(["-F", "start"]).foreground, 1);
  assertEquals(run(["-FF", "start"]).foreground, 2);
  assertEquals(run(["-F", "-B", "start"]).foreground, 0);
  assertEquals(run(["-l"]).command, "list");
  assertEquals(run(["status", "x"]).ups, "x");
  const c = run(["-c", "reload-or-error", "u2"]);
  assertEquals([c.command, c.signal, c.ups], ["signal", "reload-or-error", "u2"]);
  // NUT_DEBUG_LEVEL applies only without -D
  assertEquals(
    (parseCtlArgs(["start"], { NUT_DEBUG_LEVEL: "3" }) as { opts: CtlOptions }).opts.debug,
    3,
  );
  assertEquals(
    (parseCtlArgs(["-D", "start"], { NUT_DEBUG_LEVEL: "3" }) as { opts: CtlOptions }).opts.debug,
    1,
  );
});

Deno.test("upsdrvctl options: help, version and errors as NUT", () => {
  assertEquals(parseCtlArgs([]), { kind: "help" });
  assertEquals(parseCtlArgs(["-h", "start"]), { kind: "help" });
  assertEquals(parseCtlArgs(["-Z", "start"]), { kind: "help", error: "invalid option -- 'Z'" });
  assertEquals(parseCtlArgs(["start", "-u"]).kind, "run", "options stop at the command");
  assertEquals(parseCtlArgs(["-u"]), {
    kind: "help",
    error: "option requires an argument -- 'u'",
  });
  assertEquals(parseCtlArgs(["-V", "start"]), { kind: "version" });
  assertEquals(parseCtlArgs(["-t", "bogus"]), {
    kind: "fatal",
    message: "Error: unrecognized command [bogus]",
    testMode: true,
    debug: 2,
    passDebug: false,
  });
  assertEquals(
    (parseCtlArgs(["start", "a", "b"]) as { message: string }).message.split("\n")[0],
    "Error: extra arguments left on command line",
  );
  assertEquals(
    (parseCtlArgs(["-c", "bogus"]) as { message: string }).message,
    "Error: unknown argument to option -c. Try -h for help.",
  );
  assertEquals(
    (parseCtlArgs(["-c", "exit", "-c", "exit"]) as { message: string }).message,
    "Error: only one command per run can be sent with option -c. Try -h for help.",
  );
});

const CONF = `driverpath = /opt/drivers
maxstartdelay = 10
maxretry = 3
retrydelay = 2
nowait
maxStartDelay = 99
[a]
  driver = dummy-ups
  port = /srv/a.dev
  sdorder = 2
[b]
  driver = usbhid-ups
  port = auto
[c]
  driver = clone
  port = dummy-ups-a
  sdorder = -1
  maxretry = 1
  retrydelay = 0
  maxstartdelay = 5
[d]
  port = x
  sdorder = 1
[e]
  driver = dummy-ups
  port = e.dev
  sdorder = 1
`;

Deno.test("upsdrvctl table: global and per-section keys (exact case), atoi", () => {
  const t = ctlTable(parseUpsConf(CONF, "ups.conf"));
  assertEquals([t.driverPath, t.maxStartDelay, t.maxRetry, t.retryDelay, t.nowait], [
    "/opt/drivers",
    10,
    3,
    2,
    true,
  ]);
  assertEquals(t.ups.map((u) => u.name), ["a", "b", "c", "d", "e"]);
  assertEquals(t.ups[2], {
    name: "c",
    driver: "clone",
    port: "dummy-ups-a",
    sdorder: -1,
    maxRetry: 1,
    retryDelay: 0,
    maxStartDelay: 5,
  });
  assertEquals(t.ups[3].driver, undefined);
  assertEquals(ctlTable(parseUpsConf(CONF, "ups.conf"), true).nowait, false, "NUT_IGNORE_NOWAIT");
  const empty = ctlTable(parseUpsConf("", "ups.conf"));
  assertEquals([empty.maxStartDelay, empty.maxRetry, empty.retryDelay], [45, 1, 5]);
});

Deno.test("upsdrvctl table: shutdown order, argv and PID file names", () => {
  const t = ctlTable(parseUpsConf(CONF, "ups.conf"));
  assertEquals(shutdownOrder(t.ups).map((u) => u.name), ["b", "d", "e", "a"]);
  const [a] = t.ups;
  const none = { debug: 0, passDebug: false };
  assertEquals(startArgv("/p/dummy-ups", a, none), ["/p/dummy-ups", "-a", "a"]);
  assertEquals(
    startArgv("/p/dummy-ups", a, { debug: 3, passDebug: true, chroot: "/r", user: "nut" }),
    ["/p/dummy-ups", "-DDD", "-a", "a", "-r", "/r", "-u", "nut"],
  );
  assertEquals(
    startArgv("/p/x", a, { debug: 2, passDebug: false, foreground: 2 }),
    ["/p/x", "-FF", "-a", "a"],
  );
  assertEquals(
    shutdownArgv("/p/dummy-ups", a, { debug: 5, passDebug: true, user: "nut" }),
    ["/p/dummy-ups", "-a", "a", "-k", "-u", "nut"],
  );
  assertEquals(debugArg(0), undefined);
  assertEquals(pidFileNames("/run/nut", a), {
    first: "/run/nut/dummy-ups-a.pid",
    fallback: "/run/nut/dummy-ups-a.dev.pid",
  });
  assertEquals(pidFileNames("/run/nut", t.ups[3]).first, "/run/nut/(null)-d.pid");
});
