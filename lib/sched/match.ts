/**
 * Which AT lines apply to an event from upsmon, and what each one asks for.
 *
 * @module
 */

import type { AtRule } from "./conf.ts";
import type { Request } from "./protocol.ts";

/** One notification as upsmon hands it over (env UPSNAME, NOTIFYTYPE; argv[1]). */
export interface SchedEvent {
  upsName: string;
  notifyType: string;
  /** NOTIFYMSG: the notification text, "" when upsmon gave none. */
  message: string;
}

/**
 * An AT line applies when its UPS name equals UPSNAME exactly (or is `*`)
 * and its notify type equals NOTIFYTYPE ignoring case.
 */
export function atMatches(rule: AtRule, ev: SchedEvent): boolean {
  if (rule.upsName !== "*" && rule.upsName !== ev.upsName) return false;
  return rule.notifyType.toUpperCase() === ev.notifyType.toUpperCase();
}

export type AtAction =
  /** Run CMDSCRIPT <cmd> now, in this process. */
  | { kind: "execute"; cmd: string }
  /** Hand a request to the timer daemon. */
  | { kind: "request"; request: Request }
  /** Log only. */
  | { kind: "log"; message: string };

/** What a matching AT line does (COMMAND is case-sensitive). */
export function actionFor(rule: AtRule, ev: SchedEvent): AtAction {
  const [arg1, arg2] = rule.args;
  const origin = { notifyType: ev.notifyType, upsName: ev.upsName, message: ev.message };
  switch (rule.command) {
    case "START-TIMER":
    case "START-TIMER-SHARED":
      return {
        kind: "request",
        request: {
          verb: rule.command === "START-TIMER" ? "START" : "START-SHARED",
          name: arg1,
          arg: arg2 ?? "",
          ...origin,
        },
      };
    case "CANCEL-TIMER":
    case "CANCEL-TIMER-MATCHED":
      return {
        kind: "request",
        request: {
          verb: rule.command === "CANCEL-TIMER" ? "CANCEL" : "CANCEL-MATCHED",
          name: arg1,
          arg: arg2 ?? "",
          ...origin,
        },
      };
    case "EXECUTE":
      if (arg1 === "") return { kind: "log", message: "Empty EXECUTE command argument" };
      return { kind: "execute", cmd: arg1 };
  }
  const shown = rule.args.map((a) => `[${a}]`).join(" ");
  return { kind: "log", message: `Invalid command: ${rule.command}\t${shown}` };
}
