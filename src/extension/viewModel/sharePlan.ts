import { VmServer } from '../../core/report/input';
import { isWrapped, wrapSupport } from './guardCommand';
import { t } from './l10n';

/** One client's entry of a server Share one instance rewrites, or leaves as it is and why. */
export type ShareStep = { server: VmServer; rewrite: true } | { server: VmServer; rewrite: false; reason: string };

export interface SharePlan {
  /** The name every rewritten entry shares (`--name`): the one the guard's lock goes by. */
  name: string;
  steps: ShareStep[];
  /** How many clients run a copy of it now. */
  clientsRunning: number;
}

/**
 * Share one instance: the entries of the same launch (one command, configured in several clients'
 * files), each to be wrapped with `run --on-conflict share --name <name>`. Offered when copies run in
 * two or more clients. An entry already wrapped, or one Wrap with Guard cannot rewrite, stays as it
 * is, with why; one the workspace may not change is left to `allowed`.
 */
export function sharePlan(
  servers: readonly VmServer[],
  chosen: VmServer,
  allowed: (s: VmServer) => string | undefined = () => undefined,
): SharePlan {
  const same = servers.filter((s) => s.transport === 'stdio' && s.launchKey === chosen.launchKey);
  const clients = new Set(same.flatMap((s) => s.instances.map((i) => `${i.client.id}:${i.client.pid ?? ''}`)));
  const steps = same.map((server): ShareStep => {
    if (isWrapped(server)) return { server, rewrite: false, reason: t('it already starts through the guard') };
    const support = wrapSupport(server);
    if (!support.supported) return { server, rewrite: false, reason: support.reason };
    const refusal = allowed(server);
    if (refusal !== undefined) return { server, rewrite: false, reason: refusal };
    return { server, rewrite: true };
  });
  return { name: chosen.name, steps, clientsRunning: clients.size };
}

/** Whether Share one instance has something to do for this server: copies in two or more clients, an entry to rewrite. */
export function canShare(
  servers: readonly VmServer[],
  chosen: VmServer,
  allowed: (s: VmServer) => string | undefined = () => undefined,
): boolean {
  const plan = sharePlan(servers, chosen, allowed);
  return plan.clientsRunning >= 2 && plan.steps.some((s) => s.rewrite);
}
