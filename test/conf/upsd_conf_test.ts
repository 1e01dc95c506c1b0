import { assertEquals } from "../helpers/assert.ts";
import { atoi, parseBool, parseEnvBool, parseUpsdConf } from "../../lib/conf/upsd_conf.ts";

const F = "/etc/nut/upsd.conf";

Deno.test("upsd.conf: defaults when empty", () => {
  const r = parseUpsdConf("", F);
  assertEquals(r.conf, { listen: [], maxAge: 15, trackingDelay: 3600 });
  assertEquals(r.errors.length, 0);
});

Deno.test("upsd.conf: every directive", () => {
  const r = parseUpsdConf(
    [
      "# comment",
      "LISTEN 127.0.0.1 3493",
      "LISTEN ::1",
      "LISTEN *",
      "MAXAGE 25",
      "TRACKINGDELAY 60",
      "MAXCONN 512",
      "STATEPATH /run/x",
      'DATAPATH "/usr/share/nut"',
      "ALLOW_NO_DEVICE yes",
      "ALLOW_NOT_ALL_LISTENERS 0",
      "debug_min 3",
      "CERTFILE /etc/cert.pem",
      "CERTIDENT name pw",
      "CERTREQUEST REQUIRE",
      "DISABLE_WEAK_SSL on",
    ].join("\n"),
    F,
  );
  assertEquals(r.errors.map((e) => e.message), []);
  assertEquals(r.conf.listen, [
    { addr: "127.0.0.1", port: 3493, lineNo: 2 },
    { addr: "::1", port: 3493, lineNo: 3 },
    { addr: "*", port: 3493, lineNo: 4 },
  ]);
  assertEquals(r.conf.maxAge, 25);
  assertEquals(r.conf.trackingDelay, 60);
  assertEquals(r.conf.maxConn, 512);
  assertEquals(r.conf.statePath, "/run/x");
  assertEquals(r.conf.dataPath, "/usr/share/nut");
  assertEquals(r.conf.allowNoDevice, true);
  assertEquals(r.conf.allowNotAllListeners, false);
  assertEquals(r.conf.debugMin, 3);
  assertEquals(r.conf.certFile, "/etc/cert.pem");
  assertEquals(r.conf.certIdent, { name: "name", password: "pw" });
  assertEquals(r.conf.certRequest, 2);
  assertEquals(r.conf.disableWeakSsl, true);
});

Deno.test("upsd.conf: problems are reported as file:line with NUT's wording", () => {
  const r = parseUpsdConf(
    [
      "MAXAGE abc", // 1
      "FOO bar baz", // 2
      "maxage 5", // 3: keywords are case-sensitive
      "MAXAGE", // 4: too few args
      "LISTEN 1.2.3.4 99999", // 5
      'STATEPATH "a#b"', // 6: # in quotes
      "ACCEPT all", // 7: obsolete, a warning
      "MAXAGE 7x", // 8: atoi
      "ALLOW_NO_DEVICE maybe", // 9
    ].join("\n"),
    F,
  );
  assertEquals(r.errors.map((e) => e.message), [
    `${F}:6: Unbalanced word due to unescaped # in quotes`,
    `${F}:1: MAXAGE has non numeric value (abc)!`,
    `${F}:2: invalid directive FOO bar baz`,
    `${F}:3: invalid directive maxage 5`,
    `${F}:4: invalid directive MAXAGE`,
    `${F}:5: invalid port (99999) for LISTEN 1.2.3.4`,
    `${F}:9: ALLOW_NO_DEVICE has an invalid boolean value (maybe)`,
  ]);
  assertEquals(r.warnings.map((e) => e.message), [
    `${F}:7: ACCEPT in upsd.conf is no longer supported - switch to LISTEN`,
  ]);
  assertEquals(r.conf.maxAge, 7);
  assertEquals(r.errors[0].lineNo, 6);
});

Deno.test("atoi and booleans behave like C and NUT", () => {
  assertEquals(atoi("155abc"), 155);
  assertEquals(atoi("  -12"), -12);
  assertEquals(atoi("abc"), 0);
  assertEquals(parseBool("TRUE"), true);
  assertEquals(parseBool("off"), false);
  assertEquals(parseBool("2"), true);
  assertEquals(parseBool("0"), false);
  assertEquals(parseBool("nah"), undefined);
  assertEquals(parseEnvBool("yes please"), true);
  assertEquals(parseEnvBool("false"), false);
  assertEquals(parseEnvBool(undefined), undefined);
  assertEquals(parseEnvBool("x"), undefined);
});
