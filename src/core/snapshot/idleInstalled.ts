import type { Instance, ServerStatus, Snapshot } from '../base/model';
import type { Installed } from '../base/versionTypes';

/**
 * A guard that stopped its server for idleness (`run --idle-stop`) runs no code of the server: the
 * next snapshot can read no version from it, and an entry whose launch does not say where its copy
 * is (`npx -y pkg` from a client's folder) resolves to nothing either. What that same guard's server
 * ran from while it served stays the best answer until the server starts again: `next` with each such
 * server's `installed` taken from `previous`, when the guard is the same process (pid and start time)
 * and nothing newer was read. A watcher's memory across snapshots (the extension's); one snapshot
 * alone (the CLI) has none.
 */
export function keepIdleInstalled(previous: Snapshot | undefined, next: Snapshot): Snapshot {
  if (!previous) return next;
  const before = new Map(previous.servers.map((s) => [s.id, s]));
  let changed = false;
  const servers = next.servers.map((s): ServerStatus => {
    const was = before.get(s.id);
    if (!was || s.installed?.state === 'installed') return s;
    const idle = s.instances.filter((i) => i.verdicts.some((v) => v.kind === 'idle'));
    if (idle.length === 0 || !idle.every((i) => was.instances.some((w) => sameProcess(w, i)))) return s;
    const known = lastInstalled(was);
    if (!known) return s;
    changed = true;
    return { ...s, installed: known };
  });
  return changed ? { ...next, servers } : next;
}

function sameProcess(a: Instance, b: Instance): boolean {
  return a.pid === b.pid && a.startTime === b.startTime;
}

/** What a server was last read to run from: its launch's copy, else its instances'. */
function lastInstalled(s: ServerStatus): Extract<Installed, { state: 'installed' }> | undefined {
  for (const x of [s.installed, ...s.instances.map((i) => i.versions?.installed)])
    if (x?.state === 'installed') return x;
  return undefined;
}
