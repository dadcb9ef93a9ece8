import type { Diagnostic, Instance, InstanceClient, Verdict } from '../base/model';
import { cwdUndecided } from './launchIdentity';
import { ProcessInfo } from '../pids/table';
import type { MatchOptions } from './matchOptions';
import type { ConfigLaunch } from './configLaunches';
import { entryNamed } from './entryNamed';
import { FOLDER_SCOPES } from '../sources/identity';

/**
 * A process that fits several entries alike (of its own client, which runs each entry as a process
 * of its own; or, when none of its own client's fits, its client gone, a terminal, or a client none
 * of whose entries fit): nothing tells which entry's it is, so it is listed once,
 * not as each entry's running server (counted once, acted on from one row). Under an entry every
 * session of its client starts before one only a client open on that folder starts (the window
 * showing the view is alive and lists its own folder's entry as stopped), else in the table's order.
 * Its evidence names every entry it fits: an orphan's orphan verdict, else its undecided owner's
 * (one added when the entries are one server, which no other rule finds undecided), so no bulk
 * action touches it. Judged as before, with the same entries (ambiguousOwner still sees them all).
 */
export function listedOnce(
  instance: Instance,
  fits: ConfigLaunch[],
  ownClient: boolean,
  home: string | undefined,
): ConfigLaunch[] {
  if (fits.length < 2) return fits;
  const ranked = [...fits].sort(
    (a, b) => Number(FOLDER_SCOPES.has(a.config.source.scope)) - Number(FOLDER_SCOPES.has(b.config.source.scope)),
  );
  const names = ranked.map((c) => entryNamed(c.config, home));
  const alike = `it fits ${names.slice(0, -1).join(', ')} and ${names[names.length - 1]} alike`;
  const orphan = instance.verdicts.find(
    (v): v is Extract<Verdict, { reason: string }> =>
      v.kind === 'orphan' || (v.kind === 'unknown' && v.question === 'orphan'),
  );
  const owner = instance.verdicts.find(
    (v): v is Extract<Verdict, { kind: 'unknown' }> => v.kind === 'unknown' && v.question === 'owner',
  );
  if (orphan)
    orphan.reason = `${orphan.reason}; ${alike}: which client started it is not known, so it is listed once, under the first`;
  else if (owner) owner.reason = `${owner.reason}; it is listed once, under ${names[0]}`;
  else
    instance.verdicts.push({
      kind: 'unknown',
      question: 'owner',
      reason: `${ownClient ? `${instance.client.name} started it` : startedBy(instance.client)}, and ${alike}: which entry's process it is is not known, so it is listed once, under the first, and never stopped in bulk`,
    });
  return [ranked[0]];
}

/** Who started a process no entry of its own client fits, in words. */
function startedBy(client: InstanceClient): string {
  switch (client.id) {
    case 'terminal':
      return 'it was started from a terminal';
    case 'unknown':
      return 'no known client started it';
    default:
      return `${client.name} started it, and none of ${client.name}'s entries fits it`;
  }
}

/**
 * Entries of different servers (not one server configured in several places) that all fit a
 * process: which one started it is undecided, so it is listed under each and never acted on in bulk.
 */
export function ambiguousOwner(owners: readonly ConfigLaunch[], home: string | undefined): Verdict | undefined {
  if (new Set(owners.map((c) => c.config.identityKey)).size < 2) return undefined;
  const names = owners.map((c) => entryNamed(c.config, home)).join(', ');
  const one = (key: (c: ConfigLaunch) => unknown) => new Set(owners.map(key)).size === 1;
  // One command and one env: the folders each runs it in are what differ (identityKey).
  const why = !one((c) => c.config.launchKey)
    ? 'its executable, interpreter and working directory do not tell'
    : one((c) => JSON.stringify(c.config.envDigests ?? {}))
      ? 'they run the same command in folders of their own, and its working directory does not tell'
      : 'they run the same command with different env, and its environment does not tell';
  return {
    kind: 'unknown',
    question: 'owner',
    reason: `claimed by ${names}: ${why} which entry started it, so it is never stopped in bulk`,
  };
}

/**
 * A process its client started while that client's config cannot be read: the entry that started it
 * may be the one the problem left out, so another client's entry of the same command is no proof.
 * Listed under that entry as undecided, never counted as its copy, never acted on in bulk.
 */
export function ownedElsewhere(
  client: InstanceClient,
  problem: Diagnostic,
  owners: readonly ConfigLaunch[],
  home: string | undefined,
): Verdict {
  const where = `${problem.file}${problem.line !== undefined ? `:${problem.line}${problem.column !== undefined ? `:${problem.column}` : ''}` : ''}`;
  const names = owners.map((c) => entryNamed(c.config, home)).join(', ');
  return {
    kind: 'unknown',
    question: 'owner',
    reason: `${client.name} started it, and ${client.name}'s config ${where} cannot be read (${problem.message}): its own entry may be the one left out, so it is not taken for ${names} of the same command, and never stopped in bulk`,
  };
}

/**
 * Why a process that fits an entry's launch by name is not proven to be the entry's: no path,
 * interpreter, runner's cache or folder answered "same". It is listed under the entry and never acted on.
 */
export function unproven(owners: readonly ConfigLaunch[], main: ProcessInfo, home: string | undefined): Verdict {
  const names = owners.map((c) => entryNamed(c.config, home)).join(', ');
  return {
    kind: 'unknown',
    question: 'owner',
    reason: `pid ${main.pid} runs a launch named like ${names}, but nothing shows it runs that entry's code (its program, script, interpreter or package folder could not be compared), so it is never stopped or restarted for it`,
  };
}

/**
 * Why a process that runs from yarn dlx's temporary project is not proven any entry's: the project is
 * made anew for each run in the temp folder every home shares, so this home's run and another's look alike.
 */
export function unprovableRun(
  owners: readonly ConfigLaunch[],
  main: ProcessInfo,
  folder: string,
  home: string | undefined,
): Verdict {
  const names = owners.map((c) => entryNamed(c.config, home)).join(', ');
  return {
    kind: 'unknown',
    question: 'owner',
    reason: `pid ${main.pid} runs the package of ${names} from yarn dlx's temporary project ${folder}, which yarn makes for each run in the temp folder every home shares, so nothing shows whose run it is; it is never stopped or restarted for it`,
  };
}

/** An entry whose launch depends on a working directory it does not set claims every such process: whose it is stays undecided. */
export function undecidedByCwd(
  owners: readonly ConfigLaunch[],
  { home, platform }: Pick<MatchOptions, 'home' | 'platform'>,
): Verdict | undefined {
  for (const c of owners) {
    const reason = cwdUndecided({ config: c.config, configArgv: c.argv, runner: c.launch.runner, home, platform });
    if (reason) return { kind: 'unknown', question: 'owner', reason };
  }
  return undefined;
}
