import type { ChildProcess } from 'node:child_process';

/** Ends the process groups a bench started (each child spawned `detached`, so its pid is its group). */
export function killGroups(children: readonly ChildProcess[]): void {
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
