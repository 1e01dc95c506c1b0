/**
 * Building `ups.status` and `ups.alarm` the way NUT's driver core does
 * (spec variables.md §2, §3): status tokens are collected, duplicates
 * dropped, multi-word input split (NUT ≥ 2.8.1 behaviour; 2.8.0 kept the raw
 * text); `ALARM` is put in front while alarms are active; alarm texts are
 * joined with single spaces. With the `ignorelb` flag the device's own `LB`
 * is dropped and `LB` is derived from battery charge/runtime thresholds.
 *
 * Pure: the caller publishes the results.
 *
 * @module
 */

export class StatusBuilder {
  #tokens: string[] = [];
  #alarms: string[] = [];

  /** Start a new status (status_init). */
  init(): void {
    this.#tokens = [];
  }

  /** Add one or more space-separated tokens (status_set); repeats are dropped. */
  set(tokens: string): void {
    for (const t of tokens.split(/\s+/)) {
      if (t !== "" && !this.#tokens.includes(t)) this.#tokens.push(t);
    }
  }

  get tokens(): readonly string[] {
    return this.#tokens;
  }

  /** Start a new alarm set (alarm_init). */
  alarmInit(): void {
    this.#alarms = [];
  }

  /** Add an alarm text (alarm_set). */
  alarmSet(text: string): void {
    if (text !== "") this.#alarms.push(text);
  }

  get alarms(): readonly string[] {
    return this.#alarms;
  }

  get alarmActive(): boolean {
    return this.#alarms.length > 0;
  }

  /** `ups.alarm` value, or undefined when there is no alarm (the variable is then removed). */
  alarmText(): string | undefined {
    return this.#alarms.length ? this.#alarms.join(" ") : undefined;
  }

  /**
   * `ups.status` value. `battery` supplies readings for `ignorelb`
   * (undefined = flag off).
   */
  statusText(battery?: (name: string) => string | undefined): string {
    let tokens = [...this.#tokens];
    if (battery) {
      tokens = tokens.filter((t) => t !== "LB");
      if (lowBattery(battery)) tokens.push("LB");
    }
    if (this.alarmActive && !tokens.includes("ALARM")) tokens.unshift("ALARM");
    return tokens.join(" ");
  }
}

function below(get: (name: string) => string | undefined, value: string, low: string): boolean {
  const v = parseFloat(get(value) ?? "");
  const l = parseFloat(get(low) ?? "");
  return Number.isFinite(v) && Number.isFinite(l) && v < l;
}

/** ignorelb rule: charge below its low mark, or runtime below its low mark. */
export function lowBattery(get: (name: string) => string | undefined): boolean {
  return below(get, "battery.charge", "battery.charge.low") ||
    below(get, "battery.runtime", "battery.runtime.low");
}

/** ignorelb start-up check: can the driver tell the state of charge at all? */
export function canDeriveLowBattery(get: (name: string) => string | undefined): boolean {
  const has = (n: string) => get(n) !== undefined;
  return (has("battery.charge") && has("battery.charge.low")) ||
    (has("battery.runtime") && has("battery.runtime.low"));
}
