import type { ChildProcess } from 'node:child_process';
import * as os from 'node:os';

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

/** The note each bench ends with: how busy the machine was, so a figure can be read against it. */
export function loadNote(): string {
  return `load average at the end: ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cores`;
}
