import type { Instance } from '../base/model';
import { START_TIME_TOLERANCE_MS } from '../locks';
import { matchClientSignature, owningClient } from './clients';
import { ProcessTree } from './tree';

/**
 * A shared server's clients named as every other instance's client is: by the client the process
 * table shows at the pid the record lists (a relay's client above it, or an HTTP client's own
 * process), "Claude Desktop" rather than what it put in `initialize` ("claude-ai"). The record's
 * name stays where the pid is gone, reused, or leads to no known client.
 */
export function nameAttachedClients(instances: Iterable<Instance>, tree: ProcessTree, platform: NodeJS.Platform): void {
  for (const i of instances) {
    const lock = i.lock;
    if (!lock?.attached) continue;
    lock.attached = lock.attached.map((a) => {
      const p = a.pid === undefined ? undefined : tree.get(a.pid);
      if (!p || a.startTime === undefined || p.startTime === undefined) return a;
      if (Math.abs(p.startTime - a.startTime) > START_TIME_TOLERANCE_MS) return a;
      const own = matchClientSignature(p, platform);
      const client = own && !own.agent ? { id: own.id, name: own.name } : owningClient(p, tree, platform);
      return client.id === 'unknown' || client.id === 'terminal'
        ? a
        : Object.assign({}, a, { clientName: client.name });
    });
  }
}
