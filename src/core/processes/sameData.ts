import type { Instance, ServerConfig } from '../base/model';
import { instanceRef } from './verdicts';

/**
 * Duplicate on one data store: the processes up for entries that name one data path (the scan's
 * `dataPaths`, grouped by their keys: no path is kept), each flagged `sameData` with every entry
 * that names it and how. Entries are told apart by anything (client, folder, command line, env)
 * and still write one store; this is judged over all of them, not per identity as duplicates are. A process counts once however many
 * entries claim it; one whose owner is undecided, or a guard whose server does not run (down, idle),
 * writes nothing proven and is not counted, nor an older copy one client left (already a duplicate). Changes the instances in place.
 */
export function markSameData(
  configs: readonly Pick<ServerConfig, 'id' | 'name' | 'source' | 'dataPaths'>[],
  byServer: ReadonlyMap<string, readonly Instance[]>,
): void {
  const byKey = new Map<
    string,
    { entries: Array<{ id: string; name: string; label: string; from: string }>; up: Map<string, Instance> }
  >();
  for (const c of configs) {
    for (const d of c.dataPaths ?? []) {
      let group = byKey.get(d.key);
      if (!group) byKey.set(d.key, (group = { entries: [], up: new Map() }));
      group.entries.push({ id: c.id, name: c.name, label: c.source.label, from: d.from });
      for (const i of byServer.get(c.id) ?? []) if (writes(i)) group.up.set(`${i.pid}@${i.startTime ?? '?'}`, i);
    }
  }
  for (const [key, { entries, up }] of byKey) {
    if (up.size < 2) continue;
    const instances = [...up.values()].sort((a, b) => (a.startTime ?? 0) - (b.startTime ?? 0) || a.pid - b.pid);
    const refs = instances.map(instanceRef);
    for (const i of instances)
      if (!i.verdicts.some((v) => v.kind === 'sameData' && v.key === key))
        i.verdicts.push({ kind: 'sameData', key, entries, instances: refs });
  }
}

/**
 * Whether a process is counted on its store: proven to run a server of its entry (not undecided,
 * not a guard with none up), and not an older copy its client left (a `duplicate`: already flagged,
 * and Kill Duplicates stops it for the copy the client talks to, which is counted).
 */
function writes(i: Instance): boolean {
  return !i.verdicts.some(
    (v) =>
      (v.kind === 'unknown' && v.question === 'owner') ||
      v.kind === 'down' ||
      v.kind === 'idle' ||
      v.kind === 'duplicate',
  );
}
