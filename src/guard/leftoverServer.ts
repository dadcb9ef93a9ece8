import { descendantTargets } from '../core/actions/serverTree';
import { recordedTarget, runStopLadder, termThenKill } from '../core/actions/stopLadder';
import { RecordedProcess, reidentify } from '../core/pids/reidentify';

/**
 * Stops the server a dead guard left behind. A guard killed with SIGKILL cannot stop its child,
 * and a child that ignores stdin EOF outlives it; starting a fresh one beside it would make the
 * second writer the guard exists to prevent. The pid is signalled only while it is exactly the
 * recorded process (reidentify.ts: exact start, same command line, this user), checked again before
 * each signal; a record that lacks any of that is reported and never signalled.
 */
export async function stopLeftoverServer(
  server: Partial<RecordedProcess>,
  graceMs: number,
  log: (line: string) => void,
): Promise<void> {
  const first = await reidentify(server);
  if (!first.ok) {
    // Usually the server saw EOF and exited, and its pid is gone or reused; a record that cannot
    // name a process at all is worth a line.
    if (first.reason === 'missing-identity' || first.reason === 'unverifiable')
      log(`not stopping the server the previous guard recorded: ${first.detail}`);
    return;
  }
  log(`stopping the server pid ${server.pid} left behind by the previous guard`);
  const exact = { ...server, ...(first.live.linux ? { linux: first.live.linux } : {}) };
  // What it started goes with it, read before it is signalled (its children are then reparented).
  const descendants = await descendantTargets({ pid: first.live.pid, startTime: first.live.startTime });
  const result = await runStopLadder([recordedTarget(exact), ...descendants], termThenKill(graceMs, 5000), {
    pollMs: 50,
  });
  if (result.outcome === 'survived') log(`the server pid ${server.pid} left behind by the previous guard did not stop`);
}
