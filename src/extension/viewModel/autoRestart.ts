import { VmInstance, VmServer, VmSnapshot } from '../../core/report/input';
import { instanceKey, isGuarded, bulkRestartTargets } from '../../core/report/state';
import { mayRun } from './trust';

/**
 * `autoRestartStale: guardedWhenIdle`: which stale instances may be restarted without asking. Only
 * guarded ones (the guard keeps the client's session), never an untrusted workspace's server (a
 * restart runs its command), and each instance once (pid + start time), even if the restart fails.
 * Whether the guard is idle is asked at the time, from its control endpoint.
 */
export function autoRestartCandidates(
  snapshot: VmSnapshot,
  policy: 'never' | 'guardedWhenIdle',
  ctx: { trusted: boolean; workspaceFolders: readonly string[] },
  attempted: ReadonlySet<string>,
): { key: string; server: VmServer; instance: VmInstance }[] {
  if (policy !== 'guardedWhenIdle') return [];
  const out: { key: string; server: VmServer; instance: VmInstance }[] = [];
  for (const server of snapshot.servers) {
    if (!mayRun('restart', server, ctx.trusted, ctx.workspaceFolders).allowed) continue;
    for (const instance of bulkRestartTargets(server)) {
      const key = `${server.id}:${instanceKey(instance)}`;
      if (isGuarded(instance) && !attempted.has(key)) out.push({ key, server, instance });
    }
  }
  return out;
}
