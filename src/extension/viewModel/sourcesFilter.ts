import { VmSnapshot } from '../../core/report/input';

/**
 * The `mcpLifeguard.sources` setting: which clients' configurations the views show. Empty means all.
 * Problems in hidden clients' files are hidden too; processes matching no config stay listed.
 */
export function filterSources(snapshot: VmSnapshot, clients: readonly string[]): VmSnapshot {
  if (clients.length === 0) return snapshot;
  const keep = new Set(clients);
  return {
    ...snapshot,
    servers: snapshot.servers.filter((s) => keep.has(s.source.client)),
    files: snapshot.files.filter((f) => keep.has(f.client)),
    diagnostics: snapshot.diagnostics.filter((d) => d.client === undefined || keep.has(d.client)),
  };
}
