/**
 * The decision log: why upsmon shut down, or why it considered a shutdown
 * and did not take it. One record per change of situation (not per poll),
 * with every UPS's status, communication state, verdict and the timers
 * behind it, so "why did it (not) shut down?" has an answer in the logs.
 *
 * @module
 */

import type { MonitorRole } from "../conf/upsmon_conf.ts";

/** How upsmon judged one UPS at one moment. */
export interface UpsVerdict {
  system: string;
  role: MonitorRole;
  powerValue: number;
  /** Status flags as upsmon holds them (LB may come from DEADTIME promotion). */
  status: string;
  comm: "ok" | "lost" | "never";
  critical: boolean;
  /** Stable name of the rule that decided (for tests and tools). */
  rule: VerdictRule;
  /** The rule in words. */
  why: string;
  /** The timers that mattered, in words (`last good poll 4s ago`...). */
  timers: string[];
}

export type VerdictRule =
  | "fsd"
  | "over-lost"
  | "alarm-lost"
  | "cal-lost"
  | "bypass-lost"
  | "off-lost"
  | "off"
  | "healthy"
  | "never-seen"
  | "comm-lost"
  | "on-battery"
  | "low-battery-online"
  | "off-waiting"
  | "oblb-calibrating"
  | "oblb-waiting"
  | "oblb-primary"
  | "oblb-secondary-gave-up"
  | "oblb-secondary-waiting";

/** Rules that make nobody think of shutting down. */
const QUIET_RULES: readonly VerdictRule[] = ["healthy"];

export interface Decision {
  /** True when this decision starts the forced shutdown. */
  shutdown: boolean;
  /** Why (the sum, or the user's request). */
  reason: string;
  /** Sum of the power values of healthy UPSes. */
  healthy: number;
  minSupplies: number;
  ups: UpsVerdict[];
}

/** Does this situation deserve a record (something is or could become critical)? */
export function isNotable(d: Decision): boolean {
  return d.shutdown || d.ups.some((u) => u.critical || !QUIET_RULES.includes(u.rule));
}

/** Identity of a situation, without the timers (which change every loop). */
export function decisionKey(d: Decision): string {
  return JSON.stringify([
    d.shutdown,
    d.healthy,
    d.ups.map((u) => [u.system, u.rule, u.status, u.comm, u.critical]),
  ]);
}

function upsText(u: UpsVerdict): string {
  const status = u.status === "" ? "no status" : u.status;
  const timers = u.timers.length ? `, ${u.timers.join(", ")}` : "";
  return `[${u.system}] ${status}, comms ${u.comm}${timers}, ${u.role} power value ${u.powerValue}: ` +
    `${u.why} - ${u.critical ? "critical" : "counted as healthy"}`;
}

/** One log line for a decision. */
export function formatDecision(d: Decision): string {
  const head = d.shutdown
    ? `Shutdown decision: shutting down: ${d.reason}`
    : isNotable(d)
    ? `Shutdown decision: not shutting down: ${d.reason}`
    : `Shutdown decision: nothing to consider any more: ${d.reason}`;
  return [head, ...d.ups.map(upsText)].join("; ");
}

/** Seconds, rounded down, for timer texts. */
export function secs(ms: number): string {
  return `${Math.max(0, Math.floor(ms / 1000))}s`;
}
