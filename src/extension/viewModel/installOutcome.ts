import { listWords, pidsMoved, plural, shownText } from './format';
import { isThisWindow, WindowContext } from './actionPlan';
import { t } from './l10n';
import { VmInstance, VmServer, VmSnapshot } from '../../core/report/input';
import { bulkRestartTargets, distinctInstances, ownerNames, restartVerdicts } from '../../core/report/state';
import { isKnownVersion, versionWord } from '../../core/report/versionWords';
import type { RanOld } from '../../core/actions/upgrade';
import type { RestartTargetOutcome } from '../../core/actions/restart';
import { stopSucceeded } from '../../core/actions/stop';
import type { PinPlan } from '../../core/actions/installCommand';
import { runsPinnedVersion } from '../../core/actions/pinPlan';
import type { RunningHere, StartedAgain } from './fileSiblings';

/**
 * What an Upgrade or a Roll Back says once it is done, beyond each restart it made: what still runs
 * other code, read in a snapshot taken after its restarts, one sentence per kind with counts and
 * the client that must act, never a CLI command (the toast's buttons act).
 */

/** An instance the install left on other code (core/actions/upgrade.ts ranOld's `left`), by why it stays. */
export type LeftBehind = Pick<RanOld['left'][number], 'pid' | 'reason'>;

export interface StillOld {
  server: VmServer;
  instance: VmInstance;
  reason: LeftBehind['reason'];
}

/**
 * The instances left behind that still run other code in `snapshot` (taken after the restarts):
 * one gone, or whose pid now runs what is installed, is not counted, nor is any instance the action
 * restarted (it is never among those left behind).
 */
export function stillOld(snapshot: VmSnapshot | undefined, left: readonly LeftBehind[]): StillOld[] {
  const reasons = new Map(left.map((l) => [l.pid, l.reason]));
  return [...distinctInstances(snapshot?.servers ?? [])].flatMap(({ server, instance }) => {
    const reason = reasons.get(instance.pid);
    return reason !== undefined && restartVerdicts(instance).length > 0 ? [{ server, instance, reason }] : [];
  });
}

/** What an instance still runs, in words: the version it started with, or "the old code" when that was not learned. */
function runsWord(i: VmInstance): string {
  const v = restartVerdicts(i).find((r) => r.cause === 'version' && isKnownVersion(r.running));
  return v ? versionWord(v.running, t) : t('the old code');
}

/** "3 instances in Cursor still run 2026.7.4: Cursor must restart them.": one sentence per kind, place and version. */
export function stillOldText(old: readonly StillOld[]): string[] {
  const groups = new Map<string, { reason: StillOld['reason']; place?: string; runs: string; n: number }>();
  for (const o of old) {
    const names = ownerNames(o.instance);
    const place = names.length > 0 ? listWords(names) : undefined;
    const runs = runsWord(o.instance);
    const key = JSON.stringify([o.reason, place ?? null, o.reason === 'unguarded' ? runs : '']);
    const g = groups.get(key) ?? { reason: o.reason, ...(place !== undefined ? { place } : {}), runs, n: 0 };
    g.n += 1;
    groups.set(key, g);
  }
  return [...groups.values()].map(({ reason, place, runs, n }) => {
    if (reason === 'config-changed') {
      if (place === undefined)
        return plural(
          n,
          t('{0} instance of unknown origin started from an entry that has changed since.', n),
          t('{0} instances of unknown origin started from an entry that has changed since.', n),
        );
      return plural(
        n,
        t('{0} instance in {1} started from an entry that has changed since: {1} must restart it.', n, place),
        t('{0} instances in {1} started from an entry that has changed since: {1} must restart them.', n, place),
      );
    }
    if (place === undefined)
      return plural(
        n,
        t('{0} instance of unknown origin still runs {1}.', n, runs),
        t('{0} instances of unknown origin still run {1}.', n, runs),
      );
    return plural(
      n,
      t('{0} instance in {1} still runs {2}: {1} must restart it.', n, place, runs),
      t('{0} instances in {1} still run {2}: {1} must restart them.', n, place, runs),
    );
  });
}

/** The first words after a runner's pin changed: "mcp-server-time 2026.10.19 is pinned in 1 entry." */
export function pinnedText(pkg: string, version: string, entries: number): string {
  return plural(
    entries,
    t('{0} {1} is pinned in {2} entry.', pkg, version, entries),
    t('{0} {1} is pinned in {2} entries.', pkg, version, entries),
  );
}

/**
 * The question's detail before a runner's pin changes: what changes, and who starts the running
 * instances on the new release. `here`: the entries VS Code runs in this window, which it stops as
 * it reads the file again and is asked at once to start again (fileSiblings.ts runningRewritten).
 */
export function pinQuestionDetail(
  plan: Pick<PinPlan, 'runner' | 'package' | 'from' | 'to'>,
  here: readonly string[],
): string {
  const what = t(
    '{0} fetches {1}: its version changes from {2} to {3} in each entry that pins it. Running instances keep the old version until their client starts them again.',
    plan.runner,
    plan.package,
    plan.from,
    plan.to,
  );
  return here.length === 0
    ? what
    : `${what} ${t("This window's VS Code starts {0} again on {1} right after the change.", listWords(here), plan.to)}`;
}

/**
 * After a runner's pin changed, the instances of the entries that pinned it (`pinned`, as seen before
 * the write) that still run another release than the one now pinned, by pid, client and version
 * (pinLeftText words them). One that already runs it needs nothing (a roll back while its client
 * still runs what it started with); one VS Code was asked to start again here (`here`) is said by
 * its own sentence (pinRestartText).
 */
export function pinLeft(
  pinned: readonly VmServer[],
  plan: Pick<PinPlan, 'from' | 'to'>,
  here: readonly RunningHere[],
): { pid: number; client: string; runs: string }[] {
  const restarted = new Set(here.flatMap((h) => h.instances.map((i) => i.pid)));
  return pinned
    .flatMap((s) =>
      s.instances
        .filter((i) => !runsPinnedVersion(i.runningVersion, plan) && !restarted.has(i.pid))
        .map((i) => ({ pid: i.pid, client: i.client.name, runs: i.runningVersion ?? plan.from })),
    )
    .filter((o, at, all) => all.findIndex((x) => x.pid === o.pid) === at);
}

/**
 * A pinned entry VS Code ran in this window, stopped by VS Code as it read the rewritten file: started
 * again through VS Code on the release now pinned (from the pids it ran as to those it runs as), or
 * not, with what the check saw and where to start it. One sentence.
 */
export function pinRestartText(entry: RunningHere, version: string, outcome: StartedAgain): string {
  const name = entry.server.name;
  return outcome.started
    ? t(
        'VS Code: started {0} again on {1} (pid {2}).',
        name,
        version,
        pidsMoved(
          entry.instances.map((i) => i.pid),
          outcome.pids,
        ),
      )
    : t(
        'VS Code: {0} could not be started again on {1} ({2}); start it from MCP: List Servers.',
        name,
        version,
        outcome.seen,
      );
}

/**
 * After a runner's pin changed: what still runs the version pinned before, per client and version
 * ("2 instances in Cursor run 1.2.0: Cursor must restart them."), one sentence each.
 */
export function pinLeftText(old: readonly { client: string; runs: string }[]): string[] {
  const counts = new Map<string, { client: string; runs: string; n: number }>();
  for (const o of old) {
    const key = JSON.stringify([o.client, o.runs]);
    counts.set(key, { ...o, n: (counts.get(key)?.n ?? 0) + 1 });
  }
  return [...counts.values()].map(({ client, runs, n }) =>
    plural(
      n,
      t('{0} instance in {1} runs {2}: {1} must restart it.', n, client, runs),
      t('{0} instances in {1} run {2}: {1} must restart them.', n, client, runs),
    ),
  );
}

/**
 * What the result's button does to what is left, read afresh when clicked: the instances of
 * `snapshot` with those pids that Restart All Stale would act on, per server.
 */
export function stillOldTargets(
  snapshot: VmSnapshot | undefined,
  pids: readonly number[],
): { server: VmServer; instances: VmInstance[] }[] {
  return (snapshot?.servers ?? [])
    .map((server) => ({ server, instances: bulkRestartTargets(server).filter((i) => pids.includes(i.pid)) }))
    .filter((x) => x.instances.length > 0);
}

/**
 * The button for what is left: Restart... where one of them restarts (a guard runs it, or this
 * window's VS Code), else Stop... (its client must start it again: the confirmation says so);
 * none when the product may touch none of them.
 */
export function stillOldAction(
  targets: readonly { instances: readonly VmInstance[] }[],
  ctx: Pick<WindowContext, 'windowPids'>,
): 'Restart...' | 'Stop...' | undefined {
  const all = targets.flatMap((x) => x.instances);
  if (all.length === 0) return undefined;
  return all.some((i) => i.lock !== undefined || isThisWindow(i, ctx)) ? 'Restart...' : 'Stop...';
}

/** A failed install in one sentence: the installer, its exit code and, where it said one, its reason (installerErrorLine). */
export function installFailedText(name: string, command: string, exitCode: number, reason: string | undefined): string {
  return shownText(
    reason
      ? t('{0}: {1} exited with {2} ({3}); nothing was restarted.', name, command, exitCode, reason)
      : t('{0}: {1} exited with {2}; nothing was restarted. Its output is in the log.', name, command, exitCode),
  );
}

/**
 * One restart an Upgrade or a Roll Back made, in its toast that starts with `entry`'s name. The
 * install may serve other entries: a restart of another entry's guard names that entry, or the
 * toast would say `entry` was restarted while its own process ran on untouched.
 */
export function restartOutcomeText(entry: string, o: RestartTargetOutcome): string {
  switch (o.kind) {
    case 'restarted':
      return o.serverName === entry
        ? t('Its guard (pid {0}) restarted it; the client kept its session.', o.guardPid)
        : t('{0}: its guard (pid {1}) restarted it; the client kept its session.', o.serverName, o.guardPid);
    case 'failed':
      return o.serverName === entry
        ? t('Its guard (pid {0}) did not restart it: {1}.', o.guardPid, o.message)
        : t('{0}: its guard (pid {1}) did not restart it: {2}.', o.serverName, o.guardPid, o.message);
    case 'refused':
      return o.message;
    case 'stopped':
      // A stop refused (the pid is no longer the one judged) or failed says why, never "was stopped".
      return stopSucceeded(o.stop)
        ? t('pid {0} was stopped: {1} must start it again.', o.stop.pid, o.client)
        : t('pid {0} was not stopped: {1}', o.stop.pid, o.stop.message);
  }
}
