import { VmServer } from '../report/input';
import { isWrapped, wrapSupport } from './guardCommand';
import { english, Translate } from './translate';

/**
 * An entry as the plan needs it: a snapshot's server (with the instances that run it) or a scanned
 * config alone (the CLI's `wrap`, where no running copy is needed).
 */
export type ShareCandidate = Pick<
  VmServer,
  'name' | 'transport' | 'launchKey' | 'command' | 'args' | 'source' | 'keyPath'
> & { instances?: ReadonlyArray<{ client: { id: string; pid?: number } }> };

/** One client's entry of a server Share one instance rewrites, or leaves as it is and why. */
export type ShareStep<S extends ShareCandidate = VmServer> =
  { server: S; rewrite: true } | { server: S; rewrite: false; reason: string };

export interface SharePlan<S extends ShareCandidate = VmServer> {
  /** The name every rewritten entry shares (`--name`): the one the guard's lock goes by. */
  name: string;
  steps: ShareStep<S>[];
  /** How many clients run a copy of it now. */
  clientsRunning: number;
}

/**
 * Share one instance: the entries of the same launch (one command, configured in several clients'
 * files), each to be wrapped with `run --on-conflict share --name <name>`. Offered when copies run in
 * two or more clients. An entry already wrapped, or one Wrap with Guard cannot rewrite, stays as it
 * is, with why; one the workspace may not change is left to `allowed`.
 */
export function sharePlan<S extends ShareCandidate>(
  servers: readonly S[],
  chosen: S,
  allowed: (s: S) => string | undefined = () => undefined,
  t: Translate = english,
): SharePlan<S> {
  const same = servers.filter((s) => s.transport === 'stdio' && s.launchKey === chosen.launchKey);
  const clients = new Set(same.flatMap((s) => (s.instances ?? []).map((i) => `${i.client.id}:${i.client.pid ?? ''}`)));
  const steps = same.map((server): ShareStep<S> => {
    if (isWrapped(server)) return { server, rewrite: false, reason: t('it already starts through the guard') };
    const support = wrapSupport(server, t);
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
  t: Translate = english,
): boolean {
  const plan = sharePlan(servers, chosen, allowed, t);
  return plan.clientsRunning >= 2 && plan.steps.some((s) => s.rewrite);
}
