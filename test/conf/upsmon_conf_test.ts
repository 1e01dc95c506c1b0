import { assert, assertEquals, assertMatch } from "../helpers/assert.ts";
import {
  defaultUpsmonConfig,
  insufficientPowerText,
  joinCommand,
  parseUpsmonConf,
  totalPowerValue,
  usesTlsSettings,
} from "../../lib/conf/upsmon_conf.ts";

const F = "/etc/nut/upsmon.conf";
const parse = (text: string) => parseUpsmonConf(text, F);

Deno.test("upsmon.conf: defaults are NUT's", () => {
  const { config, notes, errors } = parse("");
  assertEquals(errors, []);
  assertEquals(notes, []);
  assertEquals(config, defaultUpsmonConfig());
  assertEquals(config.minSupplies, 1);
  assertEquals(config.pollFreq, 5);
  assertEquals(config.pollFreqAlert, 5);
  assertEquals(config.deadTime, 15);
  assertEquals(config.hostSync, 15);
  assertEquals(config.finalDelay, 5);
  assertEquals(config.rbWarnTime, 43200);
  assertEquals(config.noCommWarnTime, 300);
  assertEquals(config.offDuration, 30);
  assertEquals(config.overDuration, -1);
  assertEquals(config.oblbDuration, 0);
  assertEquals(config.shutdownExit, 0);
  assertEquals(config.alarmCritical, true);
  assertEquals(config.powerDownFlag, undefined);
});

Deno.test("upsmon.conf: MONITOR lines, roles, addresses, messages", () => {
  const r = parse([
    "MONITOR ups1@host1:3494 1 mon pass primary",
    "MONITOR ups2@host2 2 mon pass master",
    "MONITOR ups3 1 mon pass slave",
    "MONITOR ups4@[::1]:4000 0 mon pass secondary",
    'MONITOR ups5@h 1 "user name" "pa ss" Primary',
    "MONITOR ups6@h 1 u p whatever",
  ].join("\n"));
  assertEquals(r.errors, []);
  const m = r.config.monitors;
  assertEquals(m.map((x) => [x.system, x.ups, x.host, x.port, x.powerValue, x.role]), [
    ["ups1@host1:3494", "ups1", "host1", 3494, 1, "primary"],
    ["ups2@host2", "ups2", "host2", 3493, 2, "primary"],
    ["ups3", "ups3", "localhost", 3493, 1, "secondary"],
    ["ups4@[::1]:4000", "ups4", "::1", 4000, 0, "secondary"],
    ["ups5@h", "ups5", "h", 3493, 1, "primary"],
    ["ups6@h", "ups6", "h", 3493, 1, "secondary"],
  ]);
  assertEquals(m[4].username, "user name");
  assertEquals(m[4].password, "pa ss");
  assertEquals(m[0].lineNo, 1);
  assertEquals(r.notes.map((n) => n.message), [
    "UPS: ups1@host1:3494 (primary) (power value 1)",
    "UPS: ups2@host2 (primary) (power value 2)",
    "UPS: ups3 (secondary) (power value 1)",
    "UPS: ups4@[::1]:4000 (monitoring only)",
    "UPS: ups5@h (primary) (power value 1)",
    "UPS: ups6@h (secondary) (power value 1)",
  ]);
  assertEquals(totalPowerValue(r.config), 6);
});

Deno.test("upsmon.conf: old-style MONITOR (no username) is fatal", () => {
  const r = parse("MONITOR ups@h 1 pass primary\n");
  assertEquals(r.fatal, "Unable to use old-style MONITOR line without a username");
  assertEquals(r.config.monitors, []);
  assertEquals(
    r.errors[0].message,
    `${F}:1: Unable to use old-style MONITOR line without a username`,
  );
  assert(r.notes.some((n) => n.message.includes("add a username to upsd.users")));
});

Deno.test("upsmon.conf: bad MONITOR lines are reported with file:line and skipped", () => {
  const r = parse([
    "MONITOR ups@h 1 u",
    "MONITOR ups@h -1 u p primary",
    "MONITOR ups@h x u p primary",
    "MONITOR ups:3493 1 u p primary",
    "MONITOR @h 1 u p primary",
    "MONITOR ok@h 1 u p primary",
    "MONITOR ok@h 1 u p secondary",
  ].join("\n"));
  assertEquals(r.errors.map((e) => e.message), [
    `${F}:1: invalid directive MONITOR ups@h 1 u`,
    `${F}:2: UPS [ups@h]: ignoring invalid power value [-1]`,
    `${F}:3: UPS [ups@h]: ignoring invalid power value [x]`,
    `${F}:4: Error: unable to split UPS name [ups:3493]: upscli_splitname: port specified, but not a hostname`,
    `${F}:5: Error: unable to split UPS name [@h]: upscli_splitname: got empty upsname string`,
  ]);
  assertEquals(r.config.monitors.length, 1);
  assertEquals(r.config.monitors[0].role, "primary");
  assert(
    r.notes.some((n) => n.message === "Warning: ignoring duplicate UPS [ok@h]" && n.lineNo === 7),
  );
  assertEquals(r.fatal, undefined);
});

Deno.test("upsmon.conf: every timer directive", () => {
  const { config, errors } = parse([
    "MINSUPPLIES 2",
    "POLLFREQ 1",
    "POLLFREQALERT 2",
    "DEADTIME 3",
    "HOSTSYNC 4",
    "FINALDELAY 0",
    "RBWARNTIME 60",
    "NOCOMMWARNTIME 70",
    "OFFDURATION -1",
    "OVERDURATION 0",
    "OBLBDURATION 9",
    "SHUTDOWNEXIT 20",
    "ALARMCRITICAL 0",
    "POLLFAIL_LOG_THROTTLE_MAX 10",
    "debug_min 2",
  ].join("\n"));
  assertEquals(errors, []);
  assertEquals(config.minSupplies, 2);
  assertEquals(config.pollFreq, 1);
  assertEquals(config.pollFreqAlert, 2);
  assertEquals(config.deadTime, 3);
  assertEquals(config.hostSync, 4);
  assertEquals(config.finalDelay, 0);
  assertEquals(config.rbWarnTime, 60);
  assertEquals(config.noCommWarnTime, 70);
  assertEquals(config.offDuration, -1);
  assertEquals(config.overDuration, 0);
  assertEquals(config.oblbDuration, 9);
  assertEquals(config.shutdownExit, 20);
  assertEquals(config.alarmCritical, false);
  assertEquals(config.pollFailLogThrottleMax, 10);
  assertEquals(config.debugMin, 2);
});

Deno.test("upsmon.conf: negative and non-numeric values are refused, old value kept", () => {
  const r = parse([
    "MINSUPPLIES -1",
    "POLLFREQ 0",
    "POLLFREQ abc",
    "DEADTIME 5s",
    "FINALDELAY -2",
    "ALARMCRITICAL yes",
  ].join("\n"));
  assertEquals(r.config.minSupplies, 1);
  assertEquals(r.config.pollFreq, 5);
  assertEquals(r.config.deadTime, 15);
  assertEquals(r.config.finalDelay, 5);
  assertEquals(r.config.alarmCritical, true);
  assertEquals(r.notes.map((n) => n.message), [
    "Ignoring invalid MINSUPPLIES value",
    "Ignoring invalid POLLFREQ value",
    `${F}:3: POLLFREQ: 'abc' is not a whole number`,
    `${F}:4: DEADTIME: '5s' is not a whole number`,
    "Ignoring invalid FINALDELAY value",
    `${F}:6: ALARMCRITICAL: 'yes' is not 0 or 1`,
  ]);
  assertEquals(r.errors.length, 3);
});

Deno.test("upsmon.conf: OBLBDURATION below 1 means at once", () => {
  assertEquals(parse("OBLBDURATION -5").config.oblbDuration, 0);
  assertEquals(parse("OBLBDURATION 0").config.oblbDuration, 0);
});

Deno.test("upsmon.conf: SHUTDOWNEXIT words", () => {
  for (
    const [v, want] of [
      ["yes", 0],
      ["ON", 0],
      ["true", 0],
      ["no", -1],
      ["off", -1],
      ["False", -1],
      ["-3", -3],
      ["7", 7],
    ] as const
  ) {
    assertEquals(parse(`SHUTDOWNEXIT ${v}`).config.shutdownExit, want, v);
  }
  const r = parse("SHUTDOWNEXIT 20\nSHUTDOWNEXIT maybe");
  assertEquals(r.config.shutdownExit, 0);
  assertEquals(r.notes[0].message, "SHUTDOWNEXIT value not recognized, defaulting to 'yes'");
});

Deno.test("upsmon.conf: SHUTDOWNCMD and NOTIFYCMD, one string or several words", () => {
  let c = parse('SHUTDOWNCMD "/sbin/shutdown -h +0"\nNOTIFYCMD /usr/sbin/upssched').config;
  assertEquals(c.shutdownCmd, "/sbin/shutdown -h +0");
  assertEquals(c.notifyCmd, "/usr/sbin/upssched");
  c = parse('SHUTDOWNCMD /sbin/shutdown -h "+0 now"\nNOTIFYCMD /bin/notify it\'s').config;
  assertEquals(c.shutdownCmd, "/sbin/shutdown '-h' '+0 now'");
  assertEquals(c.notifyCmd, "/bin/notify 'it'\\''s'");
  assertEquals(joinCommand(["a"]), "a");
});

Deno.test("upsmon.conf: NOTIFYMSG and NOTIFYFLAG", () => {
  const r = parse([
    'NOTIFYMSG ONLINE "Power back on %s"',
    'NOTIFYMSG lowbatt "low: %s"',
    "NOTIFYMSG NOSUCH x",
    "NOTIFYMSG ONBATT",
    "NOTIFYFLAG ONBATT SYSLOG+EXEC",
    "NOTIFYFLAG onbatt SYSLOG+WALL+EXEC",
    "NOTIFYFLAG COMMBAD IGNORE",
    "NOTIFYFLAG FSD SYSLOG+exec+WALL",
    "NOTIFYFLAG BOGUS SYSLOG",
    "NOTIFYFLAG SHUTDOWN_HOSTSYNC EXEC",
  ].join("\n"));
  assertEquals(r.config.notifyMsg, { ONLINE: "Power back on %s", LOWBATT: "low: %s" });
  assertEquals(r.config.notifyFlag, {
    ONBATT: ["SYSLOG", "WALL", "EXEC"],
    COMMBAD: ["IGNORE"],
    FSD: ["SYSLOG", "WALL"],
    SHUTDOWN_HOSTSYNC: ["EXEC"],
  });
  assertEquals(r.notes.map((n) => n.message), [
    `${F}:3: 'NOSUCH' is not a valid notify event name`,
    `${F}:4: invalid directive NOTIFYMSG ONBATT`,
    `${F}:8: Invalid notify flag: [exec]`,
    "Warning: invalid notify type [BOGUS]",
  ]);
});

Deno.test("upsmon.conf: keywords are case-sensitive; unknown lines are errors", () => {
  const r = parse("pollfreq 3\nFOO bar baz\nPOLLFREQ\n");
  assertEquals(r.config.pollFreq, 5);
  assertEquals(r.errors.map((e) => e.message), [
    `${F}:1: invalid directive pollfreq 3`,
    `${F}:2: invalid directive FOO bar baz`,
    `${F}:3: invalid directive POLLFREQ`,
  ]);
});

Deno.test("upsmon.conf: tokenizer errors name the line", () => {
  const r = parse('POLLFREQ 2\nNOTIFYMSG ONLINE "a # b"\nHOSTSYNC 9\n');
  assertEquals(r.config.pollFreq, 2);
  assertEquals(r.config.hostSync, 9);
  assertEquals(r.errors.length, 1);
  assertMatch(r.errors[0].message, /^\/etc\/nut\/upsmon\.conf:2: Parse error: /);
});

Deno.test("upsmon.conf: quoting, comments, continuation lines", () => {
  const r = parse(
    '# comment\nPOWERDOWNFLAG "/etc/kill power" # trailing\nRUN_AS_USER \\\nnut\n' +
      'NOTIFYMSG ONBATT "on \\"battery\\" %s"\n',
  );
  assertEquals(r.errors, []);
  assertEquals(r.config.powerDownFlag, "/etc/kill power");
  assertEquals(r.config.runAsUser, "nut");
  assertEquals(r.config.notifyMsg.ONBATT, 'on "battery" %s');
});

Deno.test("upsmon.conf: TLS directives are stored", () => {
  const r = parse([
    "CERTPATH /etc/nut/certs",
    "CERTFILE /etc/nut/client.pem",
    'CERTIDENT "my cert" secret',
    "CERTHOST upsd.example:3493 srvcert 1 0",
    "CERTHOST bad",
    "CERTVERIFY 1",
    "FORCESSL 1",
  ].join("\n"));
  const c = r.config;
  assertEquals(c.certPath, "/etc/nut/certs");
  assertEquals(c.certFile, "/etc/nut/client.pem");
  assertEquals(c.certIdent, { name: "my cert", password: "secret" });
  assertEquals(c.certHosts, [{
    host: "upsd.example:3493",
    certName: "srvcert",
    verify: true,
    forceSsl: false,
  }]);
  assertEquals(c.certVerify, true);
  assertEquals(c.forceSsl, true);
  assertEquals(r.errors.map((e) => e.message), [`${F}:5: invalid directive CERTHOST bad`]);
  assert(usesTlsSettings(c));
  assert(!usesTlsSettings(parse("").config));
});

Deno.test("upsmon.conf: insufficient power text as NUT prints it", () => {
  const c = parse("MINSUPPLIES 2\nMONITOR u@h 1 a b primary\n").config;
  assertEquals(
    insufficientPowerText(c),
    "\nFatal error: insufficient power configured!\n\nSum of power values........: 1\n" +
      "Minimum value (MINSUPPLIES): 2\n\nEdit your upsmon.conf and change the values.\n",
  );
  assertEquals(insufficientPowerText(parse("MINSUPPLIES 0").config), undefined);
  assertEquals(insufficientPowerText(parse("MONITOR u@h 1 a b primary").config), undefined);
  // no MONITOR line at all with the default MINSUPPLIES 1
  assert(insufficientPowerText(parse("").config)!.includes("Sum of power values........: 0"));
});

Deno.test("upsmon.conf: hostile bytes do not break the parser", () => {
  const junk = new Uint8Array(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
  const r = parseUpsmonConf(junk, F);
  assert(Array.isArray(r.errors));
  assertEquals(r.config.monitors.length, 0);
});
