/** Reply fields → published values: numeric checks, blanks, C formats, delay wire formats, battery maths. */

import { assert, assertEquals, assertThrows } from "../../helpers/assert.ts";
import {
  cformat,
  fieldNumber,
  fixed,
  isNumericField,
  isNumericFormat,
} from "../../../lib/drivers/nutdrv_qx/format.ts";
import {
  offDelayText,
  onDelayText,
  roundMinutes,
  roundShutdownDelay,
  shutdownReturnWire,
  testMinutesText,
} from "../../../lib/drivers/nutdrv_qx/delays.ts";
import {
  chargeFromVoltage,
  detectPacks,
  guessVoltageLimits,
  parseRuntimeCal,
  RuntimeModel,
} from "../../../lib/drivers/nutdrv_qx/battery.ts";

Deno.test("format: numeric fields, blanks read as 0, placeholders are not numbers", () => {
  for (const f of ["232.0", "000.0", "   . ", "  12.00", "-12.5", "    "]) {
    assert(isNumericField(f), f);
  }
  for (const f of ["--.-", "---.-", "2x2.0", "\u00ff#2", "12-3"]) assert(!isNumericField(f), f);
  assertEquals(fieldNumber("   . "), 0);
  assertEquals(fieldNumber("054.5"), 54.5);
  assertEquals(fieldNumber("  12.00"), 12);
  assertEquals(fieldNumber(".5"), 0.5);
});

Deno.test("format: C formats, rounding ties to even as glibc does", () => {
  assertEquals(cformat("%.1f", 232), "232.0");
  assertEquals(cformat("%.2f", 13.6), "13.60");
  assertEquals(cformat("%.0f", 14), "14");
  assertEquals(cformat("%.0f", 2.5), "2");
  assertEquals(cformat("%.0f", 3.5), "4");
  assertEquals(cformat("%.1f", 0.25), "0.2");
  assertEquals(cformat("%.1f", 0.8), "0.8");
  assertEquals(cformat("%03d", 7), "007");
  assertEquals(cformat("%02d", 2.9), "02");
  assertEquals(cformat("%04.1f", 5), "05.0");
  assertEquals(cformat("%s", "V3.8"), "V3.8");
  assertEquals(fixed(-0.2, 0), "0");
  assert(isNumericFormat("%.1f") && isNumericFormat("%d") && !isNumericFormat("%s"));
});

Deno.test("delays: S<n>R<mmmm> as hw-serial.md §1.4 writes it", () => {
  assertEquals(shutdownReturnWire(30, 180), "S.5R0003");
  assertEquals(shutdownReturnWire(120, 600), "S02R0010");
  assertEquals(shutdownReturnWire(12, 0), "S.2");
  assertEquals(offDelayText(59), ".9");
  assertEquals(offDelayText(600), "10");
  assertEquals(offDelayText(5940), "99");
  assertEquals(onDelayText(599940), "9999");
  assertEquals(roundShutdownDelay(150), 120);
  assertEquals(roundShutdownDelay(35), 30);
  assertEquals(roundMinutes(3000), 3000);
  assertEquals(roundMinutes(3059), 3000);
  assertEquals(testMinutesText(600), "10");
  assertEquals(testMinutesText(90), "01");
});

Deno.test("battery: guessed limits, pack detection, charge", () => {
  assertEquals(guessVoltageLimits(24), { low: 20.8, high: 26 });
  assertEquals(guessVoltageLimits(12), { low: 10.4, high: 13 });
  assertEquals(detectPacks(13.6, 12), 1);
  assertEquals(detectPacks(2.27, 12), 6);
  assertEquals(detectPacks(11.2, 24), 2);
  assertEquals(detectPacks(45, 36), 1);
  assertEquals(detectPacks(13.6, 0), undefined);
  assertEquals(chargeFromVoltage(27.3, 20.8, 26), 100);
  assertEquals(chargeFromVoltage(22.4, 20.8, 26).toFixed(0), "31");
  assertEquals(chargeFromVoltage(11.2, 20.8, 26), 0);
});

Deno.test("battery: runtimecal model (r1 at l1, r2 at l2), charging and discharging", () => {
  const cal = parseRuntimeCal("240,100,720,50");
  const m = new RuntimeModel(cal, 3600, 10);
  assertEquals(m.nominal, 240);
  // full battery at 100 % load: r1; at 50 %: r2
  assertEquals(m.update(0, true, 100, 100).runtime.toFixed(0), "240");
  const m2 = new RuntimeModel(cal);
  assertEquals(m2.update(0, true, 50, 100).runtime.toFixed(0), "720");
  // on battery at 50 % load the runtime falls one second per second
  const r = m2.update(100_000, false, 50, 100);
  assertEquals(r.runtime.toFixed(0), "620");
  assert(r.charge < 100);
  // back on line it recharges
  const r2 = m2.update(200_000, true, 50, 100);
  assert(r2.charge > r.charge);
  assertThrows(
    () => parseRuntimeCal("240,50,720,100"),
    (e) => /first load/.test((e as Error).message),
  );
  assertThrows(
    () => parseRuntimeCal("1,2,3"),
    (e) => /four positive numbers/.test((e as Error).message),
  );
});
