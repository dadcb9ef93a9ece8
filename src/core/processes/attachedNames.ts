import type { ClientId, Instance } from '../base/model';
import type { AttachedClient } from '../control';
import { START_TIME_TOLERANCE_MS } from '../locks';
import type { Machine } from '../machine/types';
import { readProcessTable } from '../pids/table';
import { matchClientSignature, owningClient } from './clients';
import { ProcessTree } from './tree';
import { clientNameFromInfo } from '../sources/clientNames';

/**
 * A shared server's clients named as every other instance's client is: by the client the process
 * table shows at the pid the record lists (a relay's client above it, or an HTTP client's own
 * process), "Claude Desktop" rather than what it put in `initialize` ("claude-ai"). Where the pid is
 * gone, reused, or leads to no known client, the name it sent is read by the client table
 * (`cursor-vscode` is Cursor), or kept as sent when no known client sends it.
 */
export function nameAttachedClients(instances: Iterable<Instance>, tree: ProcessTree, platform: NodeJS.Platform): void {
  for (const i of instances) if (i.lock?.attached) i.lock.attached = nameAttached(i.lock.attached, tree, platform);
}

/** A lock record's clients named by the process table (see nameAttachedClients). */
export function nameAttached(
  attached: readonly AttachedClient[],
  tree: ProcessTree,
  platform: NodeJS.Platform,
): AttachedClient[] {
  return attached.map((a) => {
    const client = attachedClientOf(a, tree, platform);
    return client ? Object.assign({}, a, { clientName: client.name }) : namedBySent(a);
  });
}

/** A client the process table does not name: by what it sent in `initialize`, a known client's as the product names it. */
function namedBySent(a: AttachedClient): AttachedClient {
  return a.clientName === undefined ? a : Object.assign({}, a, { clientName: clientNameFromInfo(a.clientName) });
}

/**
 * The known client at the pid a record lists (a relay's client above it, or an HTTP client's own
 * process); undefined where the pid is gone, reused, or leads to no known client.
 */
export function attachedClientOf(
  a: AttachedClient,
  tree: ProcessTree,
  platform: NodeJS.Platform,
): { id: ClientId; name: string } | undefined {
  const p = a.pid === undefined ? undefined : tree.get(a.pid);
  if (!p || a.startTime === undefined || p.startTime === undefined) return undefined;
  if (Math.abs(p.startTime - a.startTime) > START_TIME_TOLERANCE_MS) return undefined;
  const own = matchClientSignature(p, platform);
  const client = own && !own.agent ? { id: own.id, name: own.name } : owningClient(p, tree, platform);
  return client.id === 'unknown' || client.id === 'terminal' ? undefined : { id: client.id, name: client.name };
}

/**
 * For a face that reads lock records without a snapshot (`locks`, a restart's outcome): the process
 * table read once for every list, the records' own names kept where it cannot be read.
 */
export async function nameAttachedLists(
  lists: readonly (readonly AttachedClient[])[],
  machine: Machine,
): Promise<AttachedClient[][]> {
  if (!lists.some((l) => l.some((a) => a.pid !== undefined))) return lists.map((l) => l.map(namedBySent));
  const table = await readProcessTable(machine);
  if (table.state !== 'ok') return lists.map((l) => l.map(namedBySent));
  const tree = new ProcessTree(table.processes);
  return lists.map((l) => nameAttached(l, tree, machine.host.platform));
}
