/**
 * upsmon's notifications (spec upsmon.md §4): stock messages, default
 * flags, NOTIFYMSG/NOTIFYFLAG overrides and message formatting. Pure.
 *
 * @module
 */

import type { NotifyFlag, NotifyType, UpsmonConfig } from "../conf/upsmon_conf.ts";

export type { NotifyFlag, NotifyType };

/** Stock message of each type: first `%s` = the MONITOR system string, second = extra text. */
export const STOCK_MESSAGES: Record<NotifyType, string> = {
  ONLINE: "UPS %s on line power",
  ONBATT: "UPS %s on battery",
  LOWBATT: "UPS %s battery is low",
  FSD: "UPS %s: forced shutdown in progress",
  COMMOK: "Communications with UPS %s established",
  COMMBAD: "Communications with UPS %s lost",
  SHUTDOWN: "Auto logout and shutdown proceeding",
  REPLBATT: "UPS %s battery needs to be replaced",
  NOCOMM: "UPS %s is unavailable",
  NOPARENT: "upsmon parent process died - shutdown impossible",
  CAL: "UPS %s: calibration in progress",
  NOTCAL: "UPS %s: calibration finished",
  OFF: "UPS %s: administratively OFF or asleep",
  NOTOFF: "UPS %s: no longer administratively OFF or asleep",
  BYPASS: "UPS %s: on bypass (powered, not protecting)",
  NOTBYPASS: "UPS %s: no longer on bypass",
  ECO: "UPS %s: in ECO mode (as defined by vendor)",
  NOTECO: "UPS %s: no longer in ECO mode",
  ALARM: "UPS %s: one or more active alarms: [%s]",
  NOTALARM: "UPS %s is no longer in an alarm state (no active alarms)",
  OVER: "UPS %s: overloaded",
  NOTOVER: "UPS %s: no longer overloaded",
  TRIM: "UPS %s: trimming incoming voltage",
  NOTTRIM: "UPS %s: no longer trimming incoming voltage",
  BOOST: "UPS %s: boosting incoming voltage",
  NOTBOOST: "UPS %s: no longer boosting incoming voltage",
  SHUTDOWN_HOSTSYNC:
    "Shutdown initiated; primary system is waiting for secondaries to log out or time out",
  SUSPEND_TIMEJUMP_UNEXPECTED: "Unexpected clock change by %s, treating as wake up from sleep",
  OTHER: "UPS %s: has at least one unclassified status token: [%s]",
  NOTOTHER: "UPS %s has no unclassified status tokens anymore",
  SUSPEND_STARTING: "OS is entering sleep/suspend/hibernate mode",
  SUSPEND_FINISHED:
    "OS just finished sleep/suspend/hibernate mode, de-activating obsolete UPS readings to avoid an unfortunate shutdown",
};

/** Flags of a type without a NOTIFYFLAG line. */
export const DEFAULT_FLAGS: readonly NotifyFlag[] = ["SYSLOG", "WALL"];

/** NUT formats into a 1024-byte buffer. */
export const MAX_MESSAGE_BYTES = 1023;

/** What to do with one notification. */
export interface NotifyDelivery {
  syslog: boolean;
  wall: boolean;
  exec: boolean;
}

/** The flags in force for a type; IGNORE switches everything off. */
export function deliveryFor(config: UpsmonConfig, type: NotifyType): NotifyDelivery {
  const flags = config.notifyFlag[type] ?? DEFAULT_FLAGS;
  if (flags.includes("IGNORE")) return { syslog: false, wall: false, exec: false };
  return {
    syslog: flags.includes("SYSLOG"),
    wall: flags.includes("WALL"),
    exec: flags.includes("EXEC"),
  };
}

/**
 * Fill a message template: each `%s` takes the next argument (the system
 * string, then the extra text; missing ones are empty), `%%` is a percent
 * sign, anything else is kept as written. Never interprets other printf
 * conversions (NUT hands NOTIFYMSG to snprintf, which a bad template can crash).
 */
export function formatMessage(template: string, args: readonly string[]): string {
  let i = 0;
  const out = template.replace(/%[s%]/g, (m) => m === "%%" ? "%" : (args[i++] ?? ""));
  return truncateBytes(out, MAX_MESSAGE_BYTES);
}

function truncateBytes(s: string, max: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= max) return s;
  return new TextDecoder().decode(bytes.subarray(0, max)).replace(/\uFFFD+$/, "");
}

/** The text of a notification of `type` for `system` (empty for host-wide types). */
export function notifyText(
  config: UpsmonConfig,
  type: NotifyType,
  system: string,
  extra?: string,
): string {
  const template = config.notifyMsg[type] ?? STOCK_MESSAGES[type];
  return formatMessage(template, extra === undefined ? [system] : [system, extra]);
}
