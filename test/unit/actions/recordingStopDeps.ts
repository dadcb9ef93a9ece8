import type { StopDeps } from '../../../src/core/actions/stop';

/**
 * Stop dependencies that signal nothing: every process is gone when re-identified, and each call is
 * written into `calls` (`readIdentity`, `kill PID`), so a test sees what an action would have done.
 */
export function recordingStopDeps(): { deps: StopDeps; calls: string[] } {
  const calls: string[] = [];
  const deps: StopDeps = {
    readIdentity: async () => (calls.push('readIdentity'), undefined),
    readTable: async () => [],
    kill: (pid) => void calls.push(`kill ${pid}`),
    getuid: () => 0,
    selfPid: 1,
    ancestorPids: async () => new Set(),
    sleep: async () => undefined,
    now: () => 0,
  };
  return { deps, calls };
}
