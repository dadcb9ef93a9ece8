import { VmServer } from '../report/input';
import { isWrapped, wrappedName, wrapSupport } from './guardCommand';
import { english, Translate } from './translate';
import { envDifference } from '../sources/identity';
import { resourceKeyFor } from './resourceKey';

/**
 * An entry as the plan needs it: a snapshot's server (with the instances that run it) or a scanned
 * config alone (the CLI's `wrap`, where no running copy is needed).
 */
export type ShareCandidate = Pick<
  VmServer,
  | 'name'
  | 'transport'
  | 'launchKey'
  | 'identityKey'
  | 'envDigests'
  | 'dataPaths'
  | 'command'
  | 'args'
  | 'source'
  | 'keyPath'
> & { instances?: ReadonlyArray<{ client: { id: string; pid?: number } }> };

/** One client's entry of a server Share one instance rewrites, or leaves as it is and why. */
export type ShareStep<S extends ShareCandidate = VmServer> =
  { server: S; rewrite: true } | { server: S; rewrite: false; reason: string };

export interface SharePlan<S extends ShareCandidate = VmServer> {
  /** The name every rewritten entry shares (`--name`): the one the guard's lock goes by. */
  name: string;
  /** The resource every rewritten entry's guard locks on (`--resource=KEY`): the data it names, else its identity. */
  resource: string;
  steps: ShareStep<S>[];
  /** How many clients run a copy of it now. */
  clientsRunning: number;
}

/**
 * Share one instance: the entries of the same server (one identity: one command with the same env,
 * configured in several clients' files), each to be wrapped with `run --on-conflict share --name
 * <name> --resource=<key>` (the lock keyed by the data, not by the folder each client starts in). Offered when copies run in two or more clients. Entries of the same command with other env
 * are other servers (other data): they stay as they are, with which env key differs, and are never
 * counted. An entry already wrapped, or one Wrap with Guard cannot rewrite, stays as it is, with why;
 * one the workspace may not change is left to `allowed`.
 */
export function sharePlan<S extends ShareCandidate>(
  servers: readonly S[],
  chosen: S,
  allowed: (s: S) => string | undefined = () => undefined,
  t: Translate = english,
): SharePlan<S> {
  const sameLaunch = servers.filter((s) => s.transport === 'stdio' && s.launchKey === chosen.launchKey);
  const same = sameLaunch.filter((s) => s.identityKey === chosen.identityKey);
  const steps = same.map((server): ShareStep<S> => {
    if (isWrapped(server)) return { server, rewrite: false, reason: t('it already starts through the guard') };
    const support = wrapSupport(server, t);
    if (!support.supported) return { server, rewrite: false, reason: support.reason };
    const refusal = allowed(server);
    if (refusal !== undefined) return { server, rewrite: false, reason: refusal };
    return { server, rewrite: true };
  });
  const others = sameLaunch
    .filter((s) => s.identityKey !== chosen.identityKey)
    .map((server): ShareStep<S> => ({ server, rewrite: false, reason: otherServer(chosen, server, t) }));
  return {
    name: guardNameFor(servers, chosen),
    resource: resourceKeyFor(chosen),
    steps: [...steps, ...others],
    clientsRunning: clientsRunning(same),
  };
}

/** How many clients run a copy of the entries (a client told apart by its pid when known). */
function clientsRunning(same: readonly ShareCandidate[]): number {
  return new Set(same.flatMap((s) => (s.instances ?? []).map((i) => `${i.client.id}:${i.client.pid ?? ''}`))).size;
}

/** The entries of a list that are copies of one server (one launch, one identity, stdio), by server. */
export type ShareGroups<S extends ShareCandidate = VmServer> = (chosen: S) => readonly S[];

/**
 * A list's stdio entries grouped by server, made once: a view asking `canShare` of every row at each
 * refresh passes the same groups to each, where a filter per row would grow with the square of the entries.
 */
export function shareGroups<S extends ShareCandidate>(servers: readonly S[]): ShareGroups<S> {
  const groups = new Map<string, S[]>();
  const key = (s: S) => `${s.launchKey}\0${s.identityKey}`;
  for (const s of servers) {
    if (s.transport !== 'stdio') continue;
    const group = groups.get(key(s));
    if (group) group.push(s);
    else groups.set(key(s), [s]);
  }
  return (chosen) => groups.get(key(chosen)) ?? [];
}

/** What a wrapped entry runs under the guard (after its `--`), as displayed. */
function guardedArgv(s: Pick<ShareCandidate, 'command' | 'args'>): string[] | undefined {
  const dash = s.args.indexOf('--');
  return isWrapped(s) && dash >= 0 ? s.args.slice(dash + 1) : undefined;
}

/**
 * The `--name` the plan's entries go by: the chosen entry's, unless an entry that runs the same
 * command with other env already starts through the guard under that name. The guard's lock is its
 * name and command, so one name for two data stores would refuse one server while the other runs,
 * or, shared, serve both from one store; the next free `name-N` is taken instead.
 */
export function guardNameFor(
  servers: readonly Pick<ShareCandidate, 'command' | 'args' | 'envDigests'>[],
  chosen: Pick<ShareCandidate, 'name' | 'command' | 'args' | 'envDigests'>,
): string {
  const argv = JSON.stringify([chosen.command ?? '', ...chosen.args]);
  const used = new Set(servers.map((s) => wrappedName(s)).filter((n): n is string => n !== undefined));
  const otherData = servers.some(
    (s) =>
      wrappedName(s) === chosen.name &&
      JSON.stringify(guardedArgv(s)) === argv &&
      envDifference(s.envDigests, chosen.envDigests) !== undefined,
  );
  if (!otherData) return chosen.name;
  for (let n = 2; ; n++) if (!used.has(`${chosen.name}-${n}`)) return `${chosen.name}-${n}`;
}

/** Why an entry of the same command is another server: which env keys differ (never their values). */
function otherServer(chosen: ShareCandidate, other: ShareCandidate, t: Translate): string {
  const d = envDifference(chosen.envDigests, other.envDigests);
  const keys = d
    ? [
        ...d.differ.map((k) => t('{0} differs', k)),
        ...d.onlyFirst.map((k) => t('it does not set {0}', k)),
        ...d.onlySecond.map((k) => t('it sets {0}', k)),
      ].join(', ')
    : t('its env differs');
  return t('another server with other data ({0}): never shared with {1}', keys, chosen.name);
}

/**
 * Whether Share one instance has something to do for this server: copies of it (one identity) in
 * two or more clients, an entry to rewrite, and the chosen entry itself one the window may change
 * (never offered from an untrusted workspace's entry).
 */
export function canShare(
  servers: readonly VmServer[],
  chosen: VmServer,
  allowed: (s: VmServer) => string | undefined = () => undefined,
  t: Translate = english,
  groups: ShareGroups = shareGroups(servers),
): boolean {
  if (allowed(chosen) !== undefined) return false;
  // What sharePlan's steps decide (an entry it would rewrite), without wording the rest.
  const same = groups(chosen);
  return (
    clientsRunning(same) >= 2 &&
    same.some((s) => !isWrapped(s) && wrapSupport(s, t).supported && allowed(s) === undefined)
  );
}
