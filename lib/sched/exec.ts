/**
 * Running CMDSCRIPT as NUT master does: exec'd directly, no shell, with
 * argv = CMDSCRIPT's words (path and fixed arguments) plus the timer name or
 * command as the last argument; the caller waits for it and only its
 * failures are logged.
 *
 * @module
 */

import type { Logger } from "../daemon/log.ts";

/** Why a program could not be started, in the words a C program would use. */
function spawnFailure(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.NotCapable) return "not allowed by this program's sandbox";
  return e instanceof Error ? e.message : String(e);
}

/**
 * Run `argv... arg` with `env` added to the inherited environment; stdio is
 * inherited except stdin. Resolves with the exit code (-1 if it could not be
 * started); never throws.
 */
export async function runCmdscript(
  argv: readonly string[],
  arg: string,
  env: Record<string, string>,
  log: Logger,
): Promise<number> {
  const shown = `${argv.join(" ")} '${arg}'`;
  log.debug(1, `Executing command: ${shown}`);
  let status: Deno.CommandStatus;
  try {
    status = await new Deno.Command(argv[0], {
      args: [...argv.slice(1), arg],
      env,
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn().status;
  } catch (e) {
    log.error(`execvp(${argv[0]}) failed: ${spawnFailure(e)}`);
    return -1;
  }
  if (status.signal !== null) {
    // Deno reports a signal death as 128 + the signal number
    log.warn(`exec_cmd(${shown}) terminated with signal ${status.code - 128}`);
  } else if (status.code !== 0) {
    log.info(`exec_cmd(${shown}) returned ${status.code}`);
  }
  return status.code;
}
