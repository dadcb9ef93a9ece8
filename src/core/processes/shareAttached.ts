import type { ClientId, Instance, ServerConfig } from '../base/model';
import type { LockRecord } from '../locks/types';
import { attachedClientOf } from './attachedNames';
import { holderRecordOf, LockHolders, lockHolders } from './guarded';
import { ProcessTree } from './tree';

/**
 * A share host serves the clients attached to it (its lock record's relays and HTTP sessions), not
 * every client whose entry names the shared command: Share rewrites each client's entry, but a
 * client that has not started the server since (VS Code with autostart off) or has left is not
 * served by it, so its entry does not count the share host as its running instance. Decided only
 * where every attached client is known by its process and one of the entries listing the instance
 * is an attached client's; otherwise (a client known by name only, none attached, none of them
 * configured) every entry keeps it, as before. Returns, for each entry it left without the host,
 * the host's pid and the names of the clients it serves: the server runs, shared, for them.
 */
export function keepAttachedClientsOnly(
  configs: readonly ServerConfig[],
  byServer: Map<string, Instance[]>,
  records: readonly LockRecord[],
  tree: ProcessTree,
  platform: NodeJS.Platform,
): Map<string, { pid: number; clients: string[] }> {
  const notAttached = new Map<string, { pid: number; clients: string[] }>();
  const clientOf = new Map(configs.map((c) => [c.id, c.source.client]));
  const holders = lockHolders(records);
  const listedBy = new Map<Instance, string[]>();
  for (const [id, list] of byServer) for (const i of list) listedBy.set(i, [...(listedBy.get(i) ?? []), id]);
  for (const [instance, ids] of listedBy) {
    if (ids.length < 2) continue;
    const attached = attachedClients(instance, holders, tree, platform);
    if (!attached || !ids.some((id) => attached.has(clientOf.get(id) as ClientId))) continue;
    const names = [...new Set((instance.lock?.attached ?? []).flatMap((a) => (a.clientName ? [a.clientName] : [])))];
    for (const id of ids)
      if (!attached.has(clientOf.get(id) as ClientId)) {
        byServer.set(
          id,
          (byServer.get(id) ?? []).filter((i) => i !== instance),
        );
        notAttached.set(id, { pid: instance.pid, clients: names });
      }
  }
  return notAttached;
}

/** A share host's attached clients by id, when each is known by its process; undefined for any other instance. */
function attachedClients(
  i: Instance,
  holders: LockHolders,
  tree: ProcessTree,
  platform: NodeJS.Platform,
): Set<ClientId> | undefined {
  const list = i.lock?.attached;
  if (!list || list.length === 0 || holderRecordOf(i, holders)?.share !== true) return undefined;
  const ids = new Set<ClientId>();
  for (const a of list) {
    const client = attachedClientOf(a, tree, platform);
    if (!client) return undefined;
    ids.add(client.id);
  }
  return ids;
}
