import type { ServerStatus } from '../base/model';
import { pinIn, PIN_RUNNERS } from '../launch/pin';
import { InstallCommand, installCommandFor, installedOf, InstallFacts, PinPlan, runnerOf } from './installCommand';
import { pinPlan } from './pinPlan';
import { runnerOfEntry } from '../launch/entryRunner';
import { versionProblem } from './installArgs';
import { ServedEntry, servesText } from './installServes';

/**
 * Upgrade: a newer version of a server's package (the registries' "update available", or the
 * version a user names), installed the way it was installed (installCommand.ts), or, for a server a
 * runner fetches (`npx -y pkg@1.2.3`, `uvx pkg==1.2.3`), its pin rewritten in every entry that has
 * it. Nothing runs here: the plan is shown first (the dry run), and a face runs it, then restarts
 * what still runs the old version (ranOld).
 */

export type UpgradePlan =
  | {
      kind: 'install';
      serverName: string;
      package: string;
      from: string;
      to: string;
      /** How it was installed, in words: "npm global prefix /usr/local", "pipx venv ...". */
      where: string;
      command: InstallCommand;
      /** The command as the user's shell runs it: what is shown before it runs. */
      shown: string;
    }
  /** A runner's cache holds it: the entries' pin changes, and each client starts the new version. */
  | PinPlan
  | { kind: 'refused'; serverName: string; message: string };

/** `to`: the version asked for; else the newest the registries said. */
export function upgradePlan(server: ServerStatus, to: string | undefined, facts: InstallFacts): UpgradePlan {
  const refuse = (message: string): UpgradePlan => ({ kind: 'refused', serverName: server.name, message });
  const installed = installedOf(server);
  if (!installed)
    return pinnedEntryPlan(server, to) ?? refuse('what it runs is not known, so there is nothing to upgrade');
  if (installed.dev)
    return refuse(
      installed.dev.script
        ? 'it is a script no package installs: change its code (or its dependencies) where it lives'
        : `it runs from source (${installed.dev.root}): update that checkout`,
    );
  if (installed.ecosystem !== 'npm' && installed.ecosystem !== 'python')
    return refuse(`a ${installed.ecosystem} server is not upgraded here`);
  const target = to ?? server.updateAvailable?.latest;
  if (!target)
    return refuse(
      `no newer version of ${installed.name} than ${installed.version} is known (the registries were not asked yet, or said nothing newer): name the version to install`,
    );
  if (target === installed.version) return refuse(`${installed.name} ${target} is what is installed`);
  const badVersion = versionProblem(installed.ecosystem, target);
  if (badVersion) return refuse(badVersion);
  const runner = runnerOf(server, installed);
  if (runner) {
    if (!pinIn(server.args, installed.name, installed.ecosystem))
      return refuse(
        `its entry runs ${installed.name} through ${runner} without a version: ${runner} starts the newest it finds at its next start, so restart it`,
      );
    return pinPlan(server.name, installed, installed.ecosystem, runner, target);
  }
  const how = installCommandFor(installed, [{ name: installed.name, version: target }], facts, 'default', server);
  if ('refused' in how) return refuse(how.refused);
  return {
    kind: 'install',
    serverName: server.name,
    package: installed.name,
    from: installed.version,
    to: target,
    where: how.where,
    command: how.command,
    shown: how.shown,
  };
}

/**
 * An entry that pins its release to a runner, with nothing of that release on disk to read (uvx
 * fetches it at its next start, whatever tool or cache it used before): the pin says what it runs,
 * so the pin is what moves.
 */
function pinnedEntryPlan(server: ServerStatus, to: string | undefined): UpgradePlan | undefined {
  const entry = runnerOfEntry(server);
  const runner = entry && PIN_RUNNERS[entry.runner];
  if (!entry?.pin || !runner || entry.ecosystem === 'go') return undefined;
  const refuse = (message: string): UpgradePlan => ({ kind: 'refused', serverName: server.name, message });
  const target = to ?? server.updateAvailable?.latest;
  if (!target)
    return refuse(
      `no newer version of ${entry.name} than ${entry.pin} is known: name the version its entry should pin`,
    );
  if (target === entry.pin) return refuse(`its entry already pins ${entry.name} ${target}`);
  const bad = versionProblem(entry.ecosystem, target);
  if (bad) return refuse(bad);
  return pinPlan(server.name, { name: entry.name, version: entry.pin }, entry.ecosystem, runner, target);
}

/** The plan in words, every command shown before it runs; `serves`: every entry the install runs (installServes). */
export function upgradeText(plan: UpgradePlan, serves: readonly ServedEntry[] = []): string[] {
  switch (plan.kind) {
    case 'refused':
      return [`${plan.serverName}: not upgraded: ${plan.message}`];
    case 'install':
      return [
        `${plan.serverName}: ${plan.package} ${plan.from} -> ${plan.to} (${plan.where}):`,
        `  ${plan.shown}`,
        ...servesText(serves),
        '  then restart each guarded instance that still runs the old code (its guard checks the new one answers first)',
      ];
    case 'pin':
      return pinText(plan);
  }
}

/** What still runs the old code once the install is done: guards to restart, and the rest, each with why it stays. */
export interface RanOld {
  /** Instances a guard runs (`pid` the server's: restartTarget finds its guard by it). */
  restart: Array<{ pid: number; client: string }>;
  /** `reason`: why it stays (no guard runs it, or its entry changed since it started), for a face's own words; `why` the CLI's. */
  left: Array<{ pid: number; client: string; reason: 'unguarded' | 'config-changed'; why: string }>;
}

/**
 * The instances of a server that run other code than is installed (stale, changed since start, or
 * started from an entry that changed): a guard restarts its server in place; a process no guard
 * runs, or one whose entry changed (its guard would start the old entry again), is its client's to
 * restart. Nothing else is touched.
 */
export function ranOld(server: Pick<ServerStatus, 'instances'>): RanOld {
  const out: RanOld = { restart: [], left: [] };
  for (const i of server.instances) {
    const v = i.versions?.verdict;
    if (!v || v.state === 'current' || v.state === 'unknown') continue;
    const client = i.client.name;
    if (v.state === 'config-changed')
      out.left.push({ pid: i.pid, client, reason: 'config-changed', why: `${v.summary}: restart it in ${client}` });
    else if (i.lock) out.restart.push({ pid: i.pid, client });
    else
      out.left.push({
        pid: i.pid,
        client,
        reason: 'unguarded',
        why: `not guarded: restart it in ${client} (mcp-lifeguard restart ${i.pid} stops it)`,
      });
  }
  return out;
}

/** A pin's change in words (Upgrade's and Roll back's). */
export function pinText(plan: PinPlan): string[] {
  return [
    ...(plan.recordedAt
      ? [
          `${plan.serverName}: what it runs is not known (no process runs ${plan.from} and ${plan.runner} has not fetched it), but the pin ${plan.from} is the one the upgrade of ${plan.recordedAt} wrote, recorded with the pin before it (${plan.to}).`,
        ]
      : []),
    `${plan.serverName}: ${plan.package} ${plan.from} -> ${plan.to}: ${plan.runner} fetches it, so its pin changes in every entry that has it:`,
  ];
}
