/**
 * PID files as NUT writes them: decimal PID + LF.
 *
 * @module
 */

export async function writePidFile(path: string): Promise<void> {
  await Deno.writeTextFile(path, `${Deno.pid}\n`);
}

/**
 * Write the PID file and hold a shared lock on it for the daemon's life:
 * the single-instance check (pidFileLocked) looks for that lock, so a stale
 * file left by a crash does not block a restart. Close the handle at exit.
 */
export function writeLockedPidFile(path: string): Deno.FsFile {
  Deno.writeTextFileSync(path, `${Deno.pid}\n`);
  const f = Deno.openSync(path, { read: true });
  f.lockSync(true);
  return f;
}

/** True when a running daemon holds the lock on this PID file. */
export function pidFileLocked(path: string): boolean {
  let f: Deno.FsFile;
  try {
    f = Deno.openSync(path, { read: true });
  } catch {
    return false;
  }
  try {
    const free = f.tryLockSync(true);
    if (free) f.unlockSync();
    return !free;
  } catch {
    return false;
  } finally {
    f.close();
  }
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
