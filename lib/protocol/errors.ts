/**
 * The protocol's ERR tokens and the text NUT's client library shows for each.
 *
 * @module
 */

/** Every token upsd may send after `ERR `. */
export const ErrToken = {
  AccessDenied: "ACCESS-DENIED",
  UnknownUps: "UNKNOWN-UPS",
  VarNotSupported: "VAR-NOT-SUPPORTED",
  CmdNotSupported: "CMD-NOT-SUPPORTED",
  InvalidArgument: "INVALID-ARGUMENT",
  InstcmdFailed: "INSTCMD-FAILED",
  SetFailed: "SET-FAILED",
  Readonly: "READONLY",
  TooLong: "TOO-LONG",
  FeatureNotSupported: "FEATURE-NOT-SUPPORTED",
  FeatureNotConfigured: "FEATURE-NOT-CONFIGURED",
  AlreadySslMode: "ALREADY-SSL-MODE",
  DriverNotConnected: "DRIVER-NOT-CONNECTED",
  DataStale: "DATA-STALE",
  AlreadyLoggedIn: "ALREADY-LOGGED-IN",
  AlreadySetPassword: "ALREADY-SET-PASSWORD",
  AlreadySetUsername: "ALREADY-SET-USERNAME",
  UsernameRequired: "USERNAME-REQUIRED",
  PasswordRequired: "PASSWORD-REQUIRED",
  UnknownCommand: "UNKNOWN-COMMAND",
  InvalidValue: "INVALID-VALUE",
  Unknown: "UNKNOWN",
  Failed: "FAILED",
} as const;

export type ErrToken = typeof ErrToken[keyof typeof ErrToken];

/** Client-side text for a server token (upscli_strerror); unknown tokens map to "Unknown error". */
const TEXTS: Record<string, string> = {
  "VAR-NOT-SUPPORTED": "Variable not supported by UPS",
  "UNKNOWN-UPS": "Unknown UPS",
  "ACCESS-DENIED": "Access denied",
  "PASSWORD-REQUIRED": "Password required",
  "PASSWORD-INCORRECT": "Password incorrect",
  "MISSING-ARGUMENT": "Missing argument",
  "DATA-STALE": "Data stale",
  "VAR-UNKNOWN": "Variable unknown",
  "ALREADY-LOGGED-IN": "Already logged in",
  "ALREADY-SET-PASSWORD": "Already set password",
  "UNKNOWN-TYPE": "Unknown variable type",
  "UNKNOWN-VAR": "Unknown variable",
  "READONLY": "Read-only variable",
  "TOO-LONG": "New value is too long",
  "INVALID-VALUE": "Invalid value for variable",
  "SET-FAILED": "Set command failed",
  "UNKNOWN-INSTCMD": "Unknown instant command",
  "INSTCMD-FAILED": "Instant command failed",
  "CMD-NOT-SUPPORTED": "Instant command not supported",
  "INVALID-USERNAME": "Invalid username",
  "ALREADY-SET-USERNAME": "Already set username",
  "UNKNOWN-COMMAND": "Unknown command",
  "INVALID-PASSWORD": "Invalid password",
  "USERNAME-REQUIRED": "Username required",
  "DRIVER-NOT-CONNECTED": "Driver not connected",
};

/** The text NUT clients print for `ERR <token>`. */
export function errorText(token: string): string {
  return TEXTS[token] ?? "Unknown error";
}
