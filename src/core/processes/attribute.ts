import type { Diagnostic, Instance, InstanceClient, Verdict } from '../base/model';
import { effectiveArgv, isGuard, isShareRelay, shareHostEntryArgv } from './argv';
import { owningClient } from './clients';
import { guardOfAnotherRoot, guardRootOf, otherRootDiagnostic } from './guardRoot';
import { processOfAnotherHome } from './otherHome';
import { identityAnswers } from './launchIdentity';
import { sharedRunFolder } from './runnerAnswers';
import { ProcessInfo } from '../pids/table';
import { ProcessTree } from './tree';
import type { MatchOptions } from './matchOptions';
import type { ConfigLaunch } from './configLaunches';
import { maskedParts, launchMatches } from './launchMatches';
import { ownScriptOf, descendToMain } from './launchChain';
import { buildInstance } from './buildInstance';
import type { Candidate } from './candidates';
import { listedOnce, ambiguousOwner, ownedElsewhere, unproven, unprovableRun, undecidedByCwd } from './ownerVerdicts';
import { byEnvironment } from './envProof';
import { entryScript, runsScript } from './launchFolder';
import { pathFor } from '../base/hostEnv';

/** A candidate walked down to its main process and attributed to its client. */
interface Launched {
  cand: Candidate;
  /** The process as the entry configures it (a share host without `--share-host`). */
  entry: ProcessInfo;
  main: ProcessInfo;
  chain: ProcessInfo[];
  client: InstanceClient;
  /** The guard just above the candidate, when one runs it (the candidate is then the server it runs). */
  guardAbove?: ProcessInfo;
}

/** An entry that fits a launch, with the identity questions' answers. */
interface Judged {
  c: ConfigLaunch;
  answers: ReturnType<typeof identityAnswers>;
}

/**
 * A candidate root as an instance of the entries it is proven to be: walked down to its main
 * process, its entries narrowed by arguments and guard, by launch identity, by environment, then by
 * client and proof. 'other' when it runs an entry's very script or program, though its interpreter,
 * folder or env proves it no entry's (listed as not configured, whatever its name); undefined when
 * no entry fits it otherwise.
 */
export function attribute(
  cand: Candidate,
  tree: ProcessTree,
  options: MatchOptions,
  notes: Diagnostic[],
): { instance: Instance; owners: ConfigLaunch[] } | 'other' | undefined {
  const { main, chain } = descendToMain(cand.p, tree, options);
  const parent = tree.parent(cand.p);
  const launched: Launched = {
    cand,
    entry: cand.asEntry ?? cand.asPlugin ?? cand.p,
    main,
    chain,
    client: owningClient(cand.p, tree, options.platform),
    ...(parent && isGuard(parent.argv, ownScriptOf(parent, options)) ? { guardAbove: parent } : {}),
  };
  const keyed = keyedEntries(launched, options, notes);
  if (keyed.length === 0) return undefined;
  const judged = judgeIdentity(launched, keyed, options);
  const fitting = byEnvironment(judged, cand.p, options.env);
  // Its interpreter, folder or environment says no entry started it: another server. One that runs
  // an entry's very file (another interpreter's `python srv.py`) is a configured server's code.
  if (fitting.length === 0) return runsEntryFile(main, keyed, options) ? 'other' : undefined;
  return instanceOfOwners(launched, fitting, tree, options);
}

/**
 * The candidate's entries with its arguments (and program path). A guarded entry's old unguarded
 * process is the entry's only when the entry's own client runs it. A process started under another
 * home is that home's (its client read that home's configs). A guard in the launch keeps its
 * lock under a root: another root's guard is another home's. The guard may also be just above what
 * matched: a guard or share host runs the server itself (another root's shared server matched by an
 * unwrapped entry of the same command).
 */
function keyedEntries(launched: Launched, options: MatchOptions, notes: Diagnostic[]): ConfigLaunch[] {
  const { cand, main, chain, client, guardAbove } = launched;
  const rootEff = effectiveArgv(launched.entry.argv);
  const guard = [...(guardAbove ? [guardAbove] : []), cand.p, ...chain].find((x) =>
    isGuard(x.argv, ownScriptOf(x, options)),
  );
  const guardRoot =
    guard && options.ownRoot !== undefined
      ? guardRootOf(options.env?.ofProcess(guard.pid), options.platform, guard.argv)
      : undefined;
  // Read once, and only for a process some entry's launch fits.
  let environ: { read: ReadonlyMap<string, string> | undefined } | undefined;
  const environOfMain = () => (environ ??= { read: options.env?.ofProcess(main.pid) }).read;
  const homes = { own: options.home, account: options.accountHome };
  return cand.configs.filter((c) => {
    const ownClient = c.config.source.client === client.id;
    if (!launchMatches(c, cand.launch, rootEff, main, cand.p.argvJoined === true) || (c.underGuard && !ownClient))
      return false;
    if (processOfAnotherHome(environOfMain(), homes, options.env?.declared(c.config), options.platform)) return false;
    if (!guardOfAnotherRoot(guardRoot, options.ownRoot, options.env?.declared(c.config), options.platform)) return true;
    // Never claimed; but its own client running it under another root is an entry written without its root: said.
    const note = ownClient && otherRootDiagnostic(c.config, guard!.pid, guardRoot!, options.ownRoot!);
    if (note && !notes.some((n) => n.message === note.message)) notes.push(note);
    return false;
  });
}

/** Whether the process's script or program is the file one of these entries runs. */
function runsEntryFile(main: ProcessInfo, keyed: readonly ConfigLaunch[], options: MatchOptions): boolean {
  const path = pathFor(options);
  const file = runsScript(path, main, options.facts);
  return !!file && keyed.some((c) => entryScript(path, c.config, c.argv, options.home, options.facts) === file);
}

/** Same key and arguments: now the launch identity (executable, script, interpreter, runner's cache, working directory). */
function judgeIdentity(launched: Launched, keyed: readonly ConfigLaunch[], options: MatchOptions): Judged[] {
  const { entry, main, client } = launched;
  return keyed
    .map((c) => ({
      c,
      answers: identityAnswers(
        {
          config: c.config,
          configArgv: c.argv,
          runner: c.launch.runner || c.pipxApp !== undefined,
          key: c.pipxApp ?? c.launch.key,
          ...(c.npxPackage !== undefined ? { npxPackage: c.npxPackage } : {}),
          root: entry,
          main,
          platform: options.platform,
          home: options.home,
          homes: options.homes,
          runnerEnv: () => ({
            declared: options.env?.declared(c.config),
            client: client.pid !== undefined ? options.env?.ofProcess(client.pid) : undefined,
          }),
        },
        options.facts,
      ),
    }))
    .filter((x) => !x.answers.includes('different'));
}

/** Whether the guard above the candidate is a plain guard of its own (not a share host, a relay, or above a share host). */
function ownGuardAbove(launched: Launched, options: MatchOptions): boolean {
  const g = launched.guardAbove;
  if (!g || launched.cand.asEntry) return false;
  const ours = ownScriptOf(g, options);
  return shareHostEntryArgv(g.argv, ours) === undefined && !isShareRelay(g.argv, ours);
}

/**
 * The instance, under the entries it belongs to: those of the client that runs it, if any (a share
 * host serves every client that shares it, not only the one whose relay started it), then those
 * whose identity is proven on most counts; with the verdicts of an unproven or undecided owner.
 */
function instanceOfOwners(
  launched: Launched,
  fitting: readonly Judged[],
  tree: ProcessTree,
  options: MatchOptions,
): { instance: Instance; owners: ConfigLaunch[] } {
  const { cand, main, chain, client } = launched;
  const own = cand.asEntry ? [] : fitting.filter((x) => x.c.config.source.client === client.id);
  const pool = own.length > 0 ? own : fitting;
  const score = (x: Judged) => x.answers.filter((a) => a === 'same').length;
  const best = Math.max(...pool.map(score));
  const fits = dedupe(pool.filter((x) => score(x) === best).map((x) => x.c));
  const secretsOf = options.secretsOf ?? (() => new Set<string>());
  const instance = buildInstance(
    main,
    cand.p,
    // A guard its entry no longer names still runs it for its one client: part of its launch, so a
    // stop ends the guard (re-identified as every step of the chain is), which would otherwise start
    // the server again. Not a share host (it serves other clients) nor the relay above one.
    ownGuardAbove(launched, options) ? [launched.guardAbove!, ...chain] : chain,
    tree,
    client,
    cand.launch.key,
    new Set([...secretsOf(main.pid, fits[0].config), ...maskedParts(fits[0].config.args, main.argv)]),
    options.owners,
  );
  // A guard its entries do not name runs it: they were unwrapped since its client started it.
  if (launched.guardAbove) instance.guardAbove = true;
  // Its files can prove no one's launch, whatever else matches (the folder it runs in): listed, never acted on.
  const shared = sharedRunFolder(main);
  if (shared !== undefined) instance.verdicts.push(unprovableRun(fits, main, shared, options.home));
  // Nothing proves it runs the entry's code (a shared name only): listed, never acted on.
  else if (best === 0) instance.verdicts.push(unproven(fits, main, options.home));
  else {
    const ambiguous = undecidedOwner(launched, fits, own.length > 0, options);
    if (ambiguous) instance.verdicts.push(ambiguous);
  }
  // A share host serves every entry that shares it; any other process is one entry's, however many fit.
  const owners = cand.asEntry ? fits : listedOnce(instance, fits, own.length > 0, options.home);
  return { instance, owners };
}

/**
 * Why a proven instance's owner is undecided, if it is: entries of different servers, its own
 * client's config that could not be read (the entry that started it may be the one missing), or a
 * working directory the entry does not set.
 */
function undecidedOwner(
  launched: Launched,
  owners: readonly ConfigLaunch[],
  ownClients: boolean,
  options: MatchOptions,
): Verdict | undefined {
  const { cand, client } = launched;
  const broken =
    !ownClients && !cand.asEntry && client.id !== 'unknown' && client.id !== 'terminal'
      ? options.unreadableConfig?.(client.id)
      : undefined;
  return (
    ambiguousOwner(owners, options.home) ??
    (broken && ownedElsewhere(client, broken, owners, options.home)) ??
    undecidedByCwd(owners, options)
  );
}

/** One entry once, though it matched both as configured and as the command under its guard. */
function dedupe(owners: ConfigLaunch[]): ConfigLaunch[] {
  const seen = new Set<string>();
  return owners.filter((c) => !seen.has(c.config.id) && (seen.add(c.config.id), true));
}
