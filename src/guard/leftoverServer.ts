import { processStartTime, START_TIME_TOLERANCE_MS } from '../../core/locks';

/**
 * Stops the server a dead guard left behind (a guard killed with SIGKILL cannot stop its child),
 * so a fresh start never makes a second writer. The pid is only signalled while it still has the
 * recorded start time: a reused pid is never hit.
 */
export async function stopOrphanedServer(orphan: { pid: number; startTime: number }, graceMs: number, log: (line: string) => void): Promise<void> {
  if (!(await isSame(orphan))) return;
  log(`stopping the server pid ${orphan.pid} left behind by the previous guard`);
  for (const [signal, wait] of [['SIGTERM', graceMs], ['SIGKILL', 5000]] as const) {
    try {
      process.kill(orphan.pid, signal);
    } catch {
      return;
    }
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (!(await isSame(orphan))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (await isSame(orphan)) log(`the server pid ${orphan.pid} left behind by the previous guard did not stop`);
}

async function isSame(orphan: { pid: number; startTime: number }): Promise<boolean> {
  try {
    const start = await processStartTime(orphan.pid);
    return start === 0 || Math.abs(start - orphan.startTime) <= START_TIME_TOLERANCE_MS;
  } catch {
    return false;
  }
}
