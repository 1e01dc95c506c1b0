import { assertEquals, assertThrows } from "../helpers/assert.ts";
import { parseUpsConf } from "../../lib/conf/ups_conf.ts";
import { DriverSettings, parseSynchronous } from "../../lib/driver/settings.ts";
import { DriverExit } from "../../lib/driver/types.ts";

function settings(): DriverSettings {
  return new DriverSettings("dummy-ups", [{ name: "mode", desc: "m" }], [{
    name: "fancy",
    desc: "f",
  }]);
}

function exitOf(fn: () => void): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof DriverExit) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error("no DriverExit");
}

Deno.test("settings: global, section and -x in order, published as 2.8.0 does", () => {
  const conf = parseUpsConf(
    [
      "pollinterval = 7",
      "synchronous = maybe",
      "user = nut",
      "DEBUG_MIN = 2",
      "foo = ignored",
      "flagx",
      "[d1]",
      "driver = dummy-ups",
      "port = test.dev",
      'desc = "x"',
      "sdorder = 3",
      "nolock",
      "MODE = dummy-once",
      "default.ups.id = defid",
      "Override.battery.charge = 50",
      "group = dialout",
      "sddelay = 5",
    ].join("\n"),
    "ups.conf",
  );
  const s = settings();
  s.applyGlobal(conf.global);
  s.applySection("d1", conf.sections[0]);
  s.applyX("mode=dummy-loop");
  s.applyX("fancy");
  assertEquals(s.pollInterval, 7);
  assertEquals(s.synchronous, "no");
  assertEquals(s.confUser, "nut");
  assertEquals(s.confGroup, "dialout");
  assertEquals(s.debugMin, 2);
  assertEquals(s.port, "test.dev");
  assertEquals(s.getval("mode"), "dummy-loop");
  assertEquals(s.testvar("Fancy"), true);
  assertEquals(s.testvar("nolock"), true);
  assertEquals(s.published, [
    ["driver.parameter.port", "test.dev"],
    ["driver.flag.nolock", "enabled"],
    ["driver.parameter.MODE", "dummy-once"],
    ["driver.parameter.mode", "dummy-loop"],
    ["driver.flag.fancy", "enabled"],
  ]);
  assertEquals(s.presets, [
    { kind: "default", name: "ups.id", value: "defid" },
    { kind: "override", name: "battery.charge", value: "50" },
  ]);
  assertEquals(s.warnings, ["Obsolete value sddelay found in ups.conf"]);
});

Deno.test("settings: unknown names exit 0 with NUT's text; wrong driver exits 1", () => {
  const tail =
    "\n\nLook in the man page or call this driver with -h for a list of\nvalid variable names and flags.";
  assertEquals(exitOf(() => settings().applyX("bogus=1")), {
    code: 0,
    message: `\nFatal error: 'bogus' is not a valid variable name for this driver.${tail}`,
  });
  assertEquals(exitOf(() => settings().applyX("desc")), {
    code: 0,
    message: `\nFatal error: 'desc' is not a valid flag for this driver.${tail}`,
  });
  assertEquals(
    exitOf(() => settings().applyX("=x")).message.split("\n")[1],
    "Fatal error: '' is not a valid variable name for this driver.",
  );
  // -x cannot set driver / pollinterval; sections can
  assertEquals(exitOf(() => settings().applyX("pollinterval=5")).code, 0);
  assertEquals(exitOf(() => settings().applyX("driver=dummy-ups")).code, 0);
  const conf = parseUpsConf("[x]\ndriver = usbhid-ups\nport = auto\n", "ups.conf");
  assertEquals(exitOf(() => settings().applySection("x", conf.sections[0])), {
    code: 1,
    message: "Error: UPS [x] is for driver usbhid-ups, but I'm dummy-ups!\n",
  });
  const bad = parseUpsConf("[x]\ndriver = dummy-ups\nport = a\nmaxstartdelay = 3\n", "ups.conf");
  assertEquals(exitOf(() => settings().applySection("x", bad.sections[0])).code, 0);
  const chroot = parseUpsConf("[x]\nchroot = /\n", "ups.conf");
  assertEquals(exitOf(() => settings().applySection("x", chroot.sections[0])).code, 0);
});

Deno.test("settings: poll interval checks", () => {
  const s = settings();
  s.applyPollIntervalOption("5");
  assertEquals(s.pollInterval, 5);
  assertEquals(exitOf(() => settings().applyPollIntervalOption("0")), {
    code: 1,
    message: "Error: command-line: invalid pollinterval: 0",
  });
  assertEquals(
    exitOf(() => settings().applyGlobal(parseUpsConf("pollinterval = abc", "f").global)),
    {
      code: 1,
      message: "Error: invalid pollinterval: 0",
    },
  );
  const sec = parseUpsConf("[x]\npollinterval = 4\n", "f");
  const s2 = settings();
  s2.applySection("x", sec.sections[0]);
  assertEquals(s2.pollInterval, 4);
  assertThrows(() =>
    settings().applySection("x", parseUpsConf("[x]\npollinterval = -1\n", "f").sections[0])
  );
});

Deno.test("synchronous values", () => {
  assertEquals(parseSynchronous("yes"), "yes");
  assertEquals(parseSynchronous("auto"), "auto");
  assertEquals(parseSynchronous("no"), "no");
  assertEquals(parseSynchronous("maybe"), "no");
});
