/**
 * Running one driver command the way upsdrvctl does: start the program and
 * wait for it to exit — a driver's launcher exits 0 once the driver serves
 * its socket (NUT drivers fork and the parent exits) — at most
 * `maxstartdelay` seconds. A driver still starting then is left running.
 *
 * @module
 */

/** How an attempt ended. */
export type LaunchOutcome =
  | { kind: "ok" }
  | { kind: "timeout" }
  | { kind: "failed"; code: number }
  | { kind: "abnormal"; signal: string }
  | { kind: "spawn-error"; reason: string };

export interface LaunchOptions {
  /** Seconds to wait (negative: no limit). */
  maxStartDelay: number;
  /** Do not wait at all (`nowait`). */
  nowait?: boolean;
  /** Called with the child right after it started (foreground supervision keeps it). */
  onSpawn?: (child: Deno.ChildProcess) => void;
}

function strerror(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "No such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "Permission denied";
  if (e instanceof Deno.errors.NotCapable) return "Permission denied (not allowed by the sandbox)";
  return (e instanceof Error ? e.message : String(e)).replace(/ \(os error \d+\)$/, "");
}

/** Start `argv` (stdout/stderr shared with upsdrvctl) and judge the outcome. */
export async function launch(argv: readonly string[], opts: LaunchOptions): Promise<LaunchOutcome> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (e) {
    return { kind: "spawn-error", reason: strerror(e) };
  }
  opts.onSpawn?.(child);
  if (opts.nowait) {
    child.unref();
    return { kind: "ok" };
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const limit = opts.maxStartDelay >= 0
    ? new Promise<"timeout">((r) =>
      timer = setTimeout(() => r("timeout"), opts.maxStartDelay * 1000)
    )
    : new Promise<never>(() => {});
  const res = await Promise.race([child.status, limit]);
  clearTimeout(timer);
  if (res === "timeout") {
    child.unref(); // left running, as NUT does
    return { kind: "timeout" };
  }
  if (res.signal) return { kind: "abnormal", signal: res.signal };
  if (res.code !== 0) return { kind: "failed", code: res.code };
  return { kind: "ok" };
}
