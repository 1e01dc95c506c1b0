/**
 * What the monitor state machine asks its surroundings to do. The machine
 * never performs I/O: the daemon carries these out in order and reports the
 * results back (FSD replies, login counts).
 *
 * @module
 */

import type { NotifyType } from "../conf/upsmon_conf.ts";
import type { Decision } from "./decision.ts";
import type { NotifyDelivery } from "./notify.ts";

/** Syslog-like severities; `debug` messages carry a level (-D count). */
export type LogLevel = "debug" | "info" | "notice" | "warning" | "error" | "crit" | "alert";

export type Action =
  /** A log line. */
  | { kind: "log"; level: LogLevel; message: string; debug?: number }
  /** A notification: syslog / wall / NOTIFYCMD as `delivery` says. */
  | {
    kind: "notify";
    type: NotifyType;
    /** MONITOR system string, or "" for host-wide events (SHUTDOWN, NOPARENT). */
    ups: string;
    message: string;
    delivery: NotifyDelivery;
  }
  /** Broadcast a message with wall(1) regardless of NOTIFYFLAG. */
  | { kind: "wall"; message: string }
  /** Why upsmon did or did not shut down (see decision.ts). */
  | { kind: "decision"; decision: Decision; text: string }
  /** Send `FSD <ups>` on this UPS's connection; answer with fsdResult(). */
  | { kind: "setFsd"; system: string }
  /** Ask upsd for `GET NUMLOGINS` of every primary UPS; answer with logins(max). */
  | { kind: "queryLogins" }
  /** Create POWERDOWNFLAG and run SHUTDOWNCMD. */
  | { kind: "shutdown" }
  /** While lingering after SHUTDOWNCMD: keep the sessions alive (GET NUMLOGINS). */
  | { kind: "keepAlive" }
  /** Leave the program with this code. */
  | { kind: "exit"; code: number };
