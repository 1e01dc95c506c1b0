import { assertEquals } from "../helpers/assert.ts";
import { canDeriveLowBattery, lowBattery, StatusBuilder } from "../../lib/driver/status.ts";

Deno.test("status: tokens split, repeats dropped, order kept", () => {
  const s = new StatusBuilder();
  s.set("OL");
  s.set("CHRG  OL");
  s.set("");
  assertEquals(s.statusText(), "OL CHRG");
  s.init();
  s.set("OB");
  s.set("LB");
  assertEquals(s.statusText(), "OB LB");
});

Deno.test("status: ALARM in front while alarms are active", () => {
  const s = new StatusBuilder();
  s.set("OL");
  assertEquals(s.alarmText(), undefined);
  s.alarmSet("[Replace battery]");
  s.alarmSet("[Overheat]");
  assertEquals(s.alarmText(), "[Replace battery] [Overheat]");
  assertEquals(s.statusText(), "ALARM OL");
  s.alarmInit();
  assertEquals(s.alarmActive, false);
  assertEquals(s.statusText(), "OL");
});

Deno.test("status: ignorelb drops the device's LB and derives its own", () => {
  const vals: Record<string, string> = {
    "battery.charge": "50",
    "battery.charge.low": "20",
  };
  const get = (n: string) => vals[n];
  const s = new StatusBuilder();
  s.set("OB LB");
  assertEquals(s.statusText(get), "OB");
  vals["battery.charge"] = "10";
  assertEquals(s.statusText(get), "OB LB");
  assertEquals(
    lowBattery((n) => ({ "battery.runtime": "100", "battery.runtime.low": "120" })[n]),
    true,
  );
  assertEquals(canDeriveLowBattery(get), true);
  assertEquals(canDeriveLowBattery((n) => n === "battery.charge" ? "5" : undefined), false);
});
