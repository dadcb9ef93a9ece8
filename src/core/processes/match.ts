import type { Diagnostic, Instance, ServerConfig } from '../base/model';
import { LaunchKey, launchKeyOf, looksLikeMcpServer, mayHaveKey } from './argv';
import { LaunchReadings, parsingOnce } from '../launch/parse';
import { owningClient } from './clients';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';
import type { MatchOptions, PathFacts } from './matchOptions';
import { descendToMain, hasAncestorIn, claimedUnder, underItsGuard } from './launchChain';
import { buildInstance } from './buildInstance';
import { indexConfigs } from './configLaunches';
import { excludedPids, isForeign, findCandidates, pluginCandidate } from './candidates';
import { attribute } from './attribute';
import { setsEnv } from './envProof';

export interface MatchResult {
  /** Server id -> its instances (main processes), verdicts not yet assigned except orphan. */
  byServer: Map<string, Instance[]>;
  notConfigured: Instance[];
  /** Entries that name a general-purpose program (a shell, a bare interpreter, `sleep`): never matched, each with why. */
  diagnostics: Diagnostic[];
}

/**
 * Matches configured servers to running processes in one pass over the table: every process's
 * launch key is computed once and looked up in an index of configured keys (no configs x processes
 * scan). Then each match is walked down to its main process, attributed to its client, and checked
 * for orphaning. Processes that look like MCP servers but match nothing go to `notConfigured`.
 */
export function matchProcesses(
  configs: readonly ServerConfig[],
  tree: ProcessTree,
  options: MatchOptions,
  parses?: LaunchReadings,
): MatchResult {
  return parsingOnce(() => matchEach(configs, tree, options), parses);
}

/**
 * The processes whose environment matching may ask: each candidate of an entry that sets env, and
 * its parent (whether the client carries the value itself). Read ahead where each read alone would
 * cost a command (macOS's `ps -E`, one run for them all). `parses`: kept for the matching that
 * follows the read (matchProcesses), so each command line is parsed once for both.
 */
export function envCandidates(
  configs: readonly ServerConfig[],
  tree: ProcessTree,
  options: MatchOptions,
  parses?: LaunchReadings,
): ProcessInfo[] {
  if (!configs.some((c) => setsEnv(options.env, c))) return [];
  return parsingOnce(() => {
    const { byKey, plugins } = indexConfigs(configs, options);
    const candidates = findCandidates(tree, byKey, plugins, excludedPids(tree, options.selfPid), options);
    const roots = [...candidates.values()]
      .filter((cand) => cand.configs.some((c) => setsEnv(options.env, c.config)))
      .map((cand) => cand.p);
    return [...roots, ...roots.flatMap((p) => tree.get(p.ppid) ?? [])];
  }, parses);
}

/**
 * Whether a process may be a candidate of one of these entries: findCandidates' test by launch key
 * and plugin folder, nothing read of the process (a superset: share relays and other users' count
 * too). What a tick that reuses its last snapshot asks of a process that started or exited.
 */
export function mayBeCandidate(configs: readonly ServerConfig[], read: PathFacts): (p: ProcessInfo) => boolean {
  const { byKey, plugins } = parsingOnce(() => indexConfigs(configs, read));
  return (p) =>
    parsingOnce(
      () =>
        (plugins.length > 0 && pluginCandidate(p, byKey, plugins, read.platform) !== undefined) ||
        (mayHaveKey(p.argv, byKey) && byKey.has(launchKeyOf(p.argv, false)?.key ?? '')),
    );
}

function matchEach(configs: readonly ServerConfig[], tree: ProcessTree, options: MatchOptions): MatchResult {
  const { byKey, plugins, diagnostics } = indexConfigs(configs, options);
  const excluded = excludedPids(tree, options.selfPid);
  const candidates = findCandidates(tree, byKey, plugins, excluded, options);
  const byServer = new Map<string, Instance[]>();
  const roots = new Set<number>();
  const others = new Set<number>();
  for (const cand of candidates.values()) {
    // The topmost match of a chain is the launch (`sh -c x` above `node x`): skip those below another.
    if (hasAncestorIn(cand.p, candidates, tree)) continue;
    const attributed = attribute(cand, tree, options, diagnostics);
    if (attributed === 'other') others.add(cand.p.pid);
    if (!attributed || attributed === 'other') continue;
    for (const c of attributed.owners) {
      let list = byServer.get(c.config.id);
      if (!list) byServer.set(c.config.id, (list = []));
      list.push(attributed.instance);
    }
    roots.add(cand.p.pid);
  }
  const notConfigured = notConfiguredInstances(tree, excluded, claimedUnder(roots, tree), options, others);
  return { byServer, notConfigured, diagnostics };
}

/**
 * Not configured: MCP-looking processes outside every matched launch, and those that run an entry's
 * command but are proven another server (`others`: whatever their name, a copy of a configured
 * server no entry claims), topmost of each chain.
 */
function notConfiguredInstances(
  tree: ProcessTree,
  excluded: ReadonlySet<number>,
  isClaimed: (p: ProcessInfo) => boolean,
  options: MatchOptions,
  others: ReadonlySet<number>,
): Instance[] {
  const loose = new Map<number, LaunchKey>();
  for (const p of tree.processes) {
    if (excluded.has(p.pid) || isForeign(p, options.ownUid)) continue;
    if (!others.has(p.pid) && !looksLikeMcpServer(p.argv)) continue;
    if (isClaimed(p)) continue;
    loose.set(p.pid, launchKeyOf(p.argv, false) as LaunchKey);
  }
  const secretsOf = options.secretsOf ?? (() => new Set<string>());
  const notConfigured: Instance[] = [];
  for (const [pid, launch] of loose) {
    const p = tree.get(pid) as ProcessInfo;
    if (hasAncestorIn(p, loose, tree)) continue;
    const top = underItsGuard(p, tree, options);
    const { main, chain } = descendToMain(top, tree, options);
    notConfigured.push(
      buildInstance(
        main,
        top,
        chain,
        tree,
        owningClient(top, tree, options.platform),
        launch.key,
        secretsOf(main.pid, undefined),
        options.owners,
      ),
    );
  }
  return notConfigured;
}
