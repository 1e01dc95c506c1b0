/**
 * Reloading settings: what may change at run time is adopted and published,
 * everything else is reported as needing a restart and keeps its value.
 */

import { assertEquals } from "../helpers/assert.ts";
import { parseUpsConf } from "../../lib/conf/ups_conf.ts";
import { reloadSettings } from "../../lib/driver/reload.ts";
import { DriverSettings } from "../../lib/driver/settings.ts";

function load(text: string): DriverSettings {
  const s = new DriverSettings("fake-drv", [
    { name: "color", desc: "a color", reloadable: true },
    { name: "cable", desc: "a cable" },
  ], [{ name: "Beep", desc: "beep", reloadable: true }, { name: "quiet", desc: "q" }]);
  const conf = parseUpsConf(text, "ups.conf");
  s.applyGlobal(conf.global);
  s.applySection("u", conf.sections[0]);
  return s;
}

const BASE = "pollinterval = 2\n[u]\ndriver = fake-drv\nport = /dev/a\ncolor = red\n" +
  "cable = 940\noverride.ups.mfr = Acme\ndefault.battery.charge.low = 10\nquiet\n";

Deno.test("reload: nothing changed, nothing done", () => {
  const cur = load(BASE);
  const r = reloadSettings(cur, load(BASE));
  assertEquals(r, {
    changed: [],
    restartNeeded: [],
    publish: [],
    unpublish: [],
    presets: [],
    released: [],
  });
});

Deno.test("reload: run-time settings adopted and published", () => {
  const cur = load(BASE);
  const next = load(
    "pollinterval = 5\nreconnect_max_tries = 4\n[u]\ndriver = fake-drv\nport = /dev/a\n" +
      "Color = blue\ncable = 940\nsynchronous = yes\ndebug_min = 3\nignorelb\nBeep\nquiet\n" +
      "override.ups.model = X1\ndefault.battery.charge.low = 20\n",
  );
  const r = reloadSettings(cur, next);
  assertEquals(r.restartNeeded, []);
  assertEquals(r.changed, [
    "pollinterval",
    "synchronous",
    "debug_min",
    "reconnect_max_tries",
    "color",
    "ignorelb",
    "beep",
    "override.ups.model",
    "override.ups.mfr",
    "default.battery.charge.low",
  ]);
  assertEquals(r.publish, [
    ["driver.parameter.pollinterval", "5"],
    ["driver.parameter.synchronous", "yes"],
    ["driver.parameter.Color", "blue"],
    ["driver.flag.ignorelb", "enabled"],
    ["driver.flag.Beep", "enabled"],
  ]);
  assertEquals(r.released, ["ups.mfr"]);
  assertEquals(r.presets.map((p) => `${p.kind} ${p.name}=${p.value}`), [
    "override ups.model=X1",
    "default battery.charge.low=20",
  ]);
  assertEquals(cur.pollInterval, 5);
  assertEquals(cur.getval("color"), "blue");
  assertEquals(cur.flags.has("ignorelb"), true);
  assertEquals(cur.debugMin, 3);
  assertEquals(cur.reconnectMaxTries, 4);

  // and back: removed settings and flags are unpublished
  const back = reloadSettings(cur, load(BASE));
  assertEquals(back.unpublish, ["driver.flag.ignorelb", "driver.flag.Beep"]);
  assertEquals(back.publish[0], ["driver.parameter.pollinterval", "2"]);
  assertEquals(back.released, ["ups.model"]);
});

Deno.test("reload: port, user, group, nolock and non-reloadable settings need a restart", () => {
  const cur = load(BASE);
  const next = load(
    "user = nut\n[u]\ndriver = fake-drv\nport = /dev/b\ncolor = red\ncable = 555\n" +
      "group = dialout\nnolock\noverride.ups.mfr = Acme\ndefault.battery.charge.low = 10\n",
  );
  const r = reloadSettings(cur, next);
  assertEquals(r.restartNeeded, ["port", "user", "group", "cable", "quiet", "nolock"]);
  assertEquals(r.changed, []);
  assertEquals(cur.port, "/dev/a", "old value stays");
  assertEquals(cur.getval("cable"), "940");
  // -u / -g on the command line make ups.conf's user/group irrelevant
  const cli = reloadSettings(load(BASE), next, { userFromCli: true, groupFromCli: true });
  assertEquals(cli.restartNeeded, ["port", "cable", "quiet", "nolock"]);
});
