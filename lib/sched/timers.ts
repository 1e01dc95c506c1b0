/**
 * The timer daemon's table of pending timers, as plain data with an injected
 * clock: no real timers here, the daemon asks `nextExpiry()` and arms one
 * setTimeout for it.
 *
 * Semantics (NUT master): START always adds an independent timer, even for a
 * name already pending; START-SHARED joins the first pending timer of that
 * name instead (recording the event, expiry unchanged); CANCEL removes every
 * timer of the name; CANCEL-MATCHED only those that recorded the caller's
 * NOTIFYTYPE and UPSNAME.
 *
 * @module
 */

/** The event that started (or joined) a timer. */
export interface Origin {
  notifyType: string;
  upsName: string;
  message: string;
}

/** A pending timer as callers see it (a copy; changing it changes nothing). */
export interface TimerView {
  /** Increasing number: start order. */
  id: number;
  name: string;
  /** Expiry, ms since the epoch (the clock's unit). */
  expiresAt: number;
  /** Distinct values recorded from the events, in arrival order. */
  notifyTypes: string[];
  upsNames: string[];
  messages: string[];
}

interface Timer extends TimerView {}

function addUnique(list: string[], value: string): void {
  if (!list.includes(value)) list.push(value);
}

function record(t: Timer, o: Origin): void {
  addUnique(t.notifyTypes, o.notifyType);
  addUnique(t.upsNames, o.upsName);
  addUnique(t.messages, o.message);
}

function view(t: Timer): TimerView {
  return {
    ...t,
    notifyTypes: [...t.notifyTypes],
    upsNames: [...t.upsNames],
    messages: [...t.messages],
  };
}

export class TimerTable {
  #timers: Timer[] = []; // start order
  #nextId = 1;

  /** `clock()` returns the current time in ms since the epoch. */
  constructor(private readonly clock: () => number = Date.now) {}

  get size(): number {
    return this.#timers.length;
  }

  /** Add a timer firing `seconds` from now. Null (nothing added) when `seconds` < 0. */
  start(name: string, seconds: number, origin: Origin): TimerView | null {
    if (!(seconds >= 0)) return null;
    const t: Timer = {
      id: this.#nextId++,
      name,
      expiresAt: this.clock() + seconds * 1000,
      notifyTypes: [],
      upsNames: [],
      messages: [],
    };
    record(t, origin);
    this.#timers.push(t);
    return view(t);
  }

  /**
   * Join the first pending timer named `name` (its expiry stays), or start
   * one. Null when a new timer was needed and `seconds` < 0.
   */
  startShared(
    name: string,
    seconds: number,
    origin: Origin,
  ): { timer: TimerView; created: boolean } | null {
    const first = this.#timers.find((t) => t.name === name);
    if (first) {
      record(first, origin);
      return { timer: view(first), created: false };
    }
    const timer = this.start(name, seconds, origin);
    return timer ? { timer, created: true } : null;
  }

  /** Remove every timer named `name`; returns what was removed. */
  cancel(name: string): TimerView[] {
    return this.#remove((t) => t.name === name);
  }

  /**
   * Remove the timers named `name` that recorded both the caller's NOTIFYTYPE
   * (ignoring case, as AT lines match it) and UPSNAME.
   */
  cancelMatched(name: string, origin: Pick<Origin, "notifyType" | "upsName">): TimerView[] {
    const type = origin.notifyType.toUpperCase();
    return this.#remove((t) =>
      t.name === name &&
      t.notifyTypes.some((n) => n.toUpperCase() === type) &&
      t.upsNames.includes(origin.upsName)
    );
  }

  /** Remove and return the timers due now, earliest first (ties in start order). */
  takeDue(): TimerView[] {
    const now = this.clock();
    return this.#remove((t) => t.expiresAt <= now)
      .sort((a, b) => a.expiresAt - b.expiresAt || a.id - b.id);
  }

  /** When the earliest timer fires (ms since the epoch), undefined when none is pending. */
  nextExpiry(): number | undefined {
    let next: number | undefined;
    for (const t of this.#timers) if (next === undefined || t.expiresAt < next) next = t.expiresAt;
    return next;
  }

  /** Pending timers in start order. */
  list(): TimerView[] {
    return this.#timers.map(view);
  }

  #remove(pred: (t: Timer) => boolean): TimerView[] {
    const gone = this.#timers.filter(pred);
    if (gone.length > 0) this.#timers = this.#timers.filter((t) => !pred(t));
    return gone.map(view);
  }
}
