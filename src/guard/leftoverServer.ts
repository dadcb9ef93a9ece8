import { descendantTargets } from '../core/actions/serverTree';
import { recordedTarget, runStopLadder, termThenKill } from '../core/actions/stopLadder';
import { isTreeMark } from '../core/pids/treeMark';
import { RecordedProcess, reidentify } from '../core/pids/reidentify';

/**
 * Stops the server a dead guard left behind, with what it started. A guard killed with SIGKILL
 * cannot stop its child, and a child that ignores stdin EOF outlives it; starting a fresh one beside
 * it would make the second writer the guard exists to prevent. The pid is signalled only while it
 * is exactly the recorded process (reidentify.ts: exact start, same command line, this user),
 * checked again before each signal; a record that lacks any of that is reported and never
 * signalled. What the server started is found below it and, on Linux, by the tree mark the record
 * keeps (`treeMark`): so a server that did end on EOF, leaving its children running under init,
 * still has them stopped; each one is re-identified before every signal like the server.
 */
export async function stopLeftoverServer(
  server: Partial<RecordedProcess> & { treeMark?: unknown },
  graceMs: number,
  log: (line: string) => void,
): Promise<void> {
  const mark = isTreeMark(server.treeMark) ? server.treeMark : undefined;
  const first = await reidentify(server);
  if (!first.ok) {
    // Usually the server saw EOF and exited, and its pid is gone or reused; a record that cannot
    // name a process at all is worth a line.
    if (first.reason === 'missing-identity' || first.reason === 'unverifiable')
      log(`not stopping the server the previous guard recorded: ${first.detail}`);
    // What it started may run on without it: only what carries its mark, since its recorded start.
    if (mark !== undefined && typeof server.startTime === 'number')
      await stopLeftTree(await descendantTargets({ startTime: server.startTime }, mark), server, graceMs, log);
    return;
  }
  log(`stopping the server pid ${server.pid} left behind by the previous guard`);
  const exact = { ...server, ...(first.live.linux ? { linux: first.live.linux } : {}) };
  // What it started goes with it, read before it is signalled (its children are then reparented).
  const descendants = await descendantTargets({ pid: first.live.pid, startTime: first.live.startTime }, mark);
  const result = await runStopLadder([recordedTarget(exact), ...descendants], termThenKill(graceMs, 5000), {
    pollMs: 50,
  });
  if (result.outcome === 'survived') log(`the server pid ${server.pid} left behind by the previous guard did not stop`);
}

/** The processes a gone server started that still run, stopped by the same ladder. */
async function stopLeftTree(
  targets: Parameters<typeof runStopLadder>[0],
  server: Partial<RecordedProcess>,
  graceMs: number,
  log: (line: string) => void,
): Promise<void> {
  if (targets.length === 0) return;
  log(`stopping ${targets.length} process(es) the server pid ${server.pid} of the previous guard started`);
  const result = await runStopLadder(targets, termThenKill(graceMs, 5000), { pollMs: 50 });
  if (result.outcome === 'survived')
    log(`processes the server pid ${server.pid} of the previous guard started did not stop`);
}
