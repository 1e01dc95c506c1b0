/**
 * Start-up handshake with the launcher. NUT daemons fork and the parent exits
 * 0 once start-up succeeded (upsdrvctl relies on it). Deno cannot fork, so the
 * bin/ launcher starts the daemon detached and waits: when the daemon calls
 * notifyReady() the launcher exits 0; if the daemon exits first, the launcher
 * exits with its status. In the foreground (no NUT_READY_FIFO) it is a no-op.
 *
 * @module
 */

let done = false;

/** True when the launcher started us detached (background mode). */
export function isDetached(): boolean {
  try {
    return !!Deno.env.get("NUT_READY_FIFO");
  } catch {
    return false;
  }
}

export function notifyReady(): void {
  if (done) return;
  done = true;
  let fifo: string | undefined;
  try {
    fifo = Deno.env.get("NUT_READY_FIFO");
  } catch {
    return;
  }
  if (!fifo) return;
  try {
    const f = Deno.openSync(fifo, { write: true });
    f.writeSync(new TextEncoder().encode("READY\n"));
    f.close();
  } catch {
    // launcher gone: nothing to tell
  }
}
