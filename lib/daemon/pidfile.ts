/**
 * PID files as NUT writes them: decimal PID + LF.
 *
 * @module
 */

export async function writePidFile(path: string): Promise<void> {
  await Deno.writeTextFile(path, `${Deno.pid}\n`);
}

export function readPidFile(path: string): number | undefined {
  try {
    const pid = parseInt(Deno.readTextFileSync(path).trim(), 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function removePidFile(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // already gone
  }
}

/**
 * Send a signal to the process named in a PID file. Needs --allow-run (Deno's
 * rule for Deno.kill), so launchers grant it only for `-c` invocations.
 */
export function signalPidFile(path: string, signal: Deno.Signal): "ok" | "nofile" | "failed" {
  const pid = readPidFile(path);
  if (pid === undefined) return "nofile";
  try {
    Deno.kill(pid, signal);
    return "ok";
  } catch {
    return "failed";
  }
}

/** Is the process in the PID file alive? (signal 0 needs --allow-run too; false when not allowed) */
export function pidFileAlive(path: string): boolean {
  const pid = readPidFile(path);
  if (pid === undefined) return false;
  try {
    return Deno.statSync(`/proc/${pid}`).isDirectory;
  } catch {
    return false;
  }
}
