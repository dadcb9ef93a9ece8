import type { ClientId } from '../../core/base/model';
import { CLIENT_NAMES, isClientId } from '../../core/sources/clientNames';
import { VmSnapshot } from '../../core/report/input';
import { t } from './l10n';

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

/** One client offered by Filter by Client...: how many servers it configures, and whether it shows now. */
export interface ClientChoice {
  client: ClientId;
  name: string;
  servers: number;
  picked: boolean;
}

/**
 * The clients Filter by Client... offers, from the unfiltered snapshot: those with a config file read
 * or a server, and those the setting names; most servers first. With no filter, every one is picked.
 */
export function clientChoices(
  all: {
    servers: ReadonlyArray<{ source: { client: ClientId } }>;
    files: ReadonlyArray<{ client: ClientId; state: string }>;
  },
  current: readonly string[],
): ClientChoice[] {
  const counts = new Map<ClientId, number>();
  for (const f of all.files) if (f.state === 'read' && !counts.has(f.client)) counts.set(f.client, 0);
  for (const s of all.servers) counts.set(s.source.client, (counts.get(s.source.client) ?? 0) + 1);
  for (const c of current) if (isClientId(c) && !counts.has(c)) counts.set(c, 0);
  const showing = new Set(current);
  return [...counts]
    .map(([client, servers]) => ({
      client,
      name: CLIENT_NAMES[client],
      servers,
      picked: showing.size === 0 || showing.has(client),
    }))
    .sort((a, b) => b.servers - a.servers || a.name.localeCompare(b.name));
}

/** The setting's value for the clients picked: every one offered (or none) is no filter, written as empty. */
export function sourcesSetting(picked: readonly ClientId[], offered: readonly ClientId[]): ClientId[] {
  const keep = new Set(picked);
  if (keep.size === 0 || offered.every((c) => keep.has(c))) return [];
  return Object.keys(CLIENT_NAMES).filter((c): c is ClientId => isClientId(c) && keep.has(c));
}

/** The view's message while a filter is on (undefined when off): which clients show, and how to see all again. */
export function filterNote(current: readonly string[]): string | undefined {
  const names = current.filter(isClientId).map((c) => CLIENT_NAMES[c]);
  if (names.length === 0) return undefined;
  return t('Showing only {0}. Filter by Client... in the title bar shows every client again.', names.join(', '));
}
