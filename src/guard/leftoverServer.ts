import { readProcessIdentity } from '../core/processes/identity';
import { probeProcess, START_TIME_TOLERANCE_MS } from '../core/locks';

/** A server process a guard started, as its lock record or state file names it. */
export interface RecordedServer {
  pid: number;
  startTime: number;
}

/**
 * Stops the server a dead guard left behind. A guard killed with SIGKILL cannot stop its child,
 * and a child that ignores stdin EOF outlives it; starting a fresh one beside it would make the
 * second writer the guard exists to prevent. The pid is signalled only while it is still the same
 * process (same start time) and belongs to this user: a reused pid is never hit.
 */
export async function stopLeftoverServer(server: RecordedServer, graceMs: number, log: (line: string) => void): Promise<void> {
  if (!isPlausible(server) || !(await isSame(server))) return;
  log(`stopping the server pid ${server.pid} left behind by the previous guard`);
  for (const [signal, wait] of [['SIGTERM', graceMs], ['SIGKILL', 5000]] as const) {
    try {
      process.kill(server.pid, signal);
    } catch {
      return;
    }
    const until = Date.now() + wait;
    while (Date.now() < until) {
      if (!(await isSame(server))) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  if (await isSame(server)) log(`the server pid ${server.pid} left behind by the previous guard did not stop`);
}

/** Records are read from disk: take nothing for granted (pid 0 or 1, negative pids address groups). */
function isPlausible(server: RecordedServer): boolean {
  return Number.isInteger(server.pid) && server.pid > 1 && server.pid !== process.pid && typeof server.startTime === 'number' && Number.isFinite(server.startTime);
}

async function isSame(server: RecordedServer): Promise<boolean> {
  try {
    // A zombie is dead already (its parent has not reaped it yet): nothing to stop.
    const probe = await probeProcess(server.pid);
    if (probe.kind === 'gone' || probe.kind === 'zombie') return false;
    if (probe.kind === 'running' && Math.abs(probe.startTime - server.startTime) > START_TIME_TOLERANCE_MS) return false;
    if (process.platform === 'win32' || typeof process.getuid !== 'function') return true;
    const identity = await readProcessIdentity(server.pid).catch(() => undefined);
    // Only this user's processes are ever signalled.
    return identity !== undefined && (identity.uid === undefined || identity.uid === process.getuid());
  } catch {
    return false;
  }
}
