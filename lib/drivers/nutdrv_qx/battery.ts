/**
 * Battery charge and runtime for units that report only a voltage
 * (hw-serial.md §1.5): voltage limits guessed from the nominal voltage,
 * battery pack count detected from the reported voltage, charge from the
 * voltage, and optionally a runtime model from `runtimecal` that integrates
 * charging and discharging over time. Pure (time is passed in).
 *
 * @module
 */

/** Low / high voltage of a battery string when neither the unit nor ups.conf gives them. */
export function guessVoltageLimits(nominal: number, packs = 1): { low: number; high: number } {
  return { low: (104 * nominal * packs) / 120, high: (130 * nominal * packs) / 120 };
}

const PACK_CANDIDATES = [120, 100, 80, 60, 48, 36, 30, 24, 18, 12, 8, 6, 4, 3, 2, 1, 0.5];

/**
 * How many packs (or cells) the reported voltage stands for: the largest
 * multiplier that keeps it within 1.25 × nominal; undefined when even that
 * lands below 0.8 × nominal (no sensible answer).
 */
export function detectPacks(reported: number, nominal: number): number | undefined {
  if (!(reported > 0) || !(nominal > 0)) return undefined;
  for (const m of PACK_CANDIDATES) {
    if (m * reported <= 1.25 * nominal) return m * reported < 0.8 * nominal ? undefined : m;
  }
  return undefined;
}

/** State of charge (0..100) from the voltage between `low` and `high`. */
export function chargeFromVoltage(voltage: number, low: number, high: number): number {
  if (!(high > low)) return 0;
  const c = (100 * (voltage - low)) / (high - low);
  return Math.min(100, Math.max(0, c));
}

/** `runtimecal = r1,l1,r2,l2`: runtime r1 s at load l1 %, r2 s at load l2 %. */
export interface RuntimeCal {
  r1: number;
  l1: number;
  r2: number;
  l2: number;
}

/** Parse `runtimecal`; throws a message for bad text (four positive numbers, l1 > l2, r1 < r2). */
export function parseRuntimeCal(text: string): RuntimeCal {
  const parts = text.split(",").map((p) => p.trim());
  const nums = parts.map(Number);
  if (parts.length !== 4 || nums.some((n) => !Number.isFinite(n) || n <= 0)) {
    throw new Error(`invalid runtimecal '${text}': expected four positive numbers r1,l1,r2,l2`);
  }
  const [r1, l1, r2, l2] = nums;
  if (l1 <= l2 || r1 >= r2) {
    throw new Error(
      `invalid runtimecal '${text}': the first load must be the higher one, with the shorter runtime`,
    );
  }
  return { r1, l1, r2, l2 };
}

/**
 * Runtime estimation: nominal runtime at 100 % load and the load exponent
 * come from two calibration points; the estimate (in "seconds at 100 %
 * load") starts from the voltage-based charge, grows while on line
 * (full after `chargeTime` s) and shrinks while on battery in proportion
 * to the effective load.
 */
export class RuntimeModel {
  readonly exponent: number;
  /** Runtime at 100 % load, seconds. */
  readonly nominal: number;
  #estimate: number | undefined;
  #last: number | undefined;

  constructor(
    cal: RuntimeCal,
    readonly chargeTime = 43200,
    readonly idleLoad = 10,
  ) {
    this.exponent = Math.log(cal.r2 / cal.r1) / Math.log(cal.l1 / cal.l2);
    this.nominal = cal.r1 * Math.pow(cal.l1 / 100, this.exponent);
  }

  /**
   * One poll: `online` = on mains, `load` in %, `startCharge` the voltage
   * charge used for the first estimate. Returns charge % and runtime s.
   */
  update(nowMs: number, online: boolean, load: number, startCharge: number) {
    const eff = Math.pow(Math.max(load, this.idleLoad) / 100, this.exponent);
    if (this.#estimate === undefined || this.#last === undefined) {
      this.#estimate = (this.nominal * startCharge) / 100;
    } else {
      const dt = Math.max(0, (nowMs - this.#last) / 1000);
      if (online) {
        this.#estimate = Math.min(
          this.nominal,
          this.#estimate + (this.nominal * dt) / this.chargeTime,
        );
      } else {
        this.#estimate = Math.max(0, this.#estimate - dt * eff);
      }
    }
    this.#last = nowMs;
    return { charge: (100 * this.#estimate) / this.nominal, runtime: this.#estimate / eff };
  }
}
