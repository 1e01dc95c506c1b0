/**
 * dummy-ups mode selection (spec daemons.md §5.1), pure. Matches Debian's
 * 2.8.0 binary, checked case by case:
 *
 * - `mode` is compared case-sensitively: `repeater`, `dummy-once`,
 *   `dummy-loop`, and `dummy` (= loop, published as `dummy-loop`);
 * - otherwise (unset or unknown) the port decides: contains `@` → repeater,
 *   ends in `.seq` → loop, `.dev` → once, else loop published as `dummy`;
 * - the published `driver.parameter.mode` keeps the user's spelling when it
 *   equals the guess ignoring case (NUT's state tree ignores such changes).
 *
 * @module
 */

export type DummyMode = "repeater" | "loop" | "once";

export interface ModeChoice {
  mode: DummyMode;
  /** Value for driver.parameter.mode. */
  published: string;
}

function guess(port: string): ModeChoice {
  if (port.includes("@")) return { mode: "repeater", published: "repeater" };
  if (port.endsWith(".seq")) return { mode: "loop", published: "dummy-loop" };
  if (port.endsWith(".dev")) return { mode: "once", published: "dummy-once" };
  return { mode: "loop", published: "dummy" };
}

export function selectMode(port: string, mode: string | undefined): ModeChoice {
  switch (mode) {
    case "repeater":
      return { mode: "repeater", published: "repeater" };
    case "dummy-once":
      return { mode: "once", published: "dummy-once" };
    case "dummy-loop":
    case "dummy":
      return { mode: "loop", published: "dummy-loop" };
  }
  const g = guess(port);
  if (mode !== undefined && mode.toLowerCase() === g.published.toLowerCase()) {
    return { mode: g.mode, published: mode };
  }
  return g;
}
