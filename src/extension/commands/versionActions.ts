import * as os from 'node:os';
import * as vscode from 'vscode';
import { applyInstall, ApplyResult, liveInstallFacts } from '../../core/actions/applyInstall';
import { InstallCommand, InstalledPackage, installedOf, PinPlan } from '../../core/actions/installCommand';
import { installServes, servedClients, serversOfInstall } from '../../core/actions/installServes';
import { restartTarget } from '../../core/actions/restart';
import { InstallerExit, outputLines, runInstaller } from '../../core/actions/runInstaller';
import { rollbackPlan } from '../../core/actions/rollback';
import { DEFAULT_GRACE_MS } from '../../core/actions/stop';
import { upgradePlan } from '../../core/actions/upgrade';
import { lastUpgradeOf, recordUpgrade } from '../../core/actions/upgradeHistory';
import type { ServerStatus } from '../../core/base/model';
import { pinChange } from '../../core/configEdit/pinEdit';
import { pinIn } from '../../core/launch/pin';
import { takeSettled } from '../../core/snapshot/settle';
import { VmServer } from '../../core/report/input';
import { distinctInstances } from '../../core/report/state';
import { Services } from '../services';
import { mayRun } from '../viewModel/trust';
import { t } from '../viewModel/l10n';
import { installedNowText } from '../viewModel/installedNow';
import { installRestartsText } from '../viewModel/installRestarts';
import { editPlan } from './editConfigEntry';
import { CommandArg, pickServer } from './pickServer';
import { notRestartedText, restartThroughVsCode } from '../actions/vscodeRestart';
import { isThisWindow } from '../viewModel/actionPlan';
import { vscodeServerId } from '../viewModel/vscodeServerId';
import { CommandId } from '../commandIds';
import { claimEvent, unclaimEvent } from '../eventClaim';
import { eventOver, installEventIds, pinEventIds } from '../viewModel/notifications';
import {
  installFailedText,
  pinLeft,
  pinLeftText,
  pinnedText,
  pinQuestionDetail,
  pinRestartText,
  restartOutcomeText,
  StillOld,
  stillOld,
  stillOldAction,
  stillOldTargets,
  stillOldText,
} from '../viewModel/installOutcome';
import { restartTargets } from './restartAllStale';
import { restartRewritten, startedAgain, startFileSiblings } from '../actions/startFileSiblings';
import { entriesEdit, runningRewritten } from '../viewModel/fileSiblings';

/**
 * Upgrade Server... and Roll Back Server...: the plans of core/actions (upgrade.ts, rollback.ts),
 * every command shown in a modal before it runs, run with no shell (its output in the log), then
 * only the guards whose server still runs other code restarted (core/actions/applyInstall.ts). A
 * server a runner fetches (npx, uvx) has its pin changed in each file, diff first, as Wrap does.
 * Never for an untrusted workspace's entries.
 */

const RESTART_TIMEOUT_MS = 120_000;

export async function upgradeServer(svc: Services, arg?: CommandArg): Promise<void> {
  const picked = await pickVersioned(svc, arg, t('Upgrade which MCP server?'));
  if (!picked) return;
  const { server, raw } = picked;
  let to = server.updateAvailable?.latest;
  if (!to) {
    const installed = installedOf(raw);
    to = (
      await vscode.window.showInputBox({
        title: t('Upgrade {0}', server.name),
        prompt: t(
          'No newer version of {0} than {1} is known yet: the version to install',
          installed?.name ?? server.name,
          installed?.version ?? '?',
        ),
        validateInput: (v) => (/^\S+$/.test(v.trim()) ? undefined : t('Name one version, as its registry spells it.')),
      })
    )?.trim();
    if (!to) return;
  }
  const plan = upgradePlan(raw, to, liveInstallFacts(process.env, process.platform));
  switch (plan.kind) {
    case 'refused':
      void vscode.window.showWarningMessage(t('{0} was not upgraded: {1}.', server.name, plan.message));
      return;
    case 'pin':
      await changePins(svc, plan, 'Upgrade', server.id);
      return;
    case 'install': {
      const result = await install(
        svc,
        server,
        plan,
        {
          title: t('Upgrade {0}: {1} {2} → {3}?', server.name, plan.package, plan.from, plan.to),
          where: [plan.where, ...servesLines(svc, installedOf(raw))].join('\n'),
          button: t('Upgrade'),
          progress: t('Upgrading {0}…', server.name),
          requestedBy: `VS Code: Upgrade ${server.name}`,
        },
        installedOf(raw),
        { packages: [plan.package], installs: [{ name: plan.package, version: plan.to }] },
      );
      if (result?.kind !== 'done') return;
      await recordUpgrade(svc.engine.paths, {
        server: server.name,
        package: plan.package,
        from: plan.from,
        to: result.installed ?? plan.to,
        at: new Date().toISOString(),
      }).catch((err: Error) => svc.log.warn(`upgrade ${server.name}: not recorded: ${err.message}`));
      await showOutcome(svc, server, plan.package, result, true);
      return;
    }
  }
}

export async function rollbackServer(svc: Services, arg?: CommandArg): Promise<void> {
  const picked = await pickVersioned(svc, arg, t('Roll back which MCP server?'), true);
  if (!picked) return;
  const { server, raw } = picked;
  const installed = installedOf(raw);
  const upgraded = await lastUpgradeOf(svc.engine.paths, server.name).catch(() => undefined);
  const plan = rollbackPlan(raw, liveInstallFacts(process.env, process.platform), upgraded);
  switch (plan.kind) {
    case 'refused':
      void vscode.window.showWarningMessage(t('{0} was not rolled back: {1}.', server.name, plan.message));
      return;
    case 'pin':
      await changePins(svc, plan, 'Roll Back', server.id);
      return;
    case 'plan': {
      const result = await install(
        svc,
        server,
        plan,
        {
          title: t('Roll back {0} to {1}?', server.name, plan.from),
          where: [
            plan.where,
            ...plan.pins.map((p) => `${p.name} ${p.now ?? '-'} → ${p.version}`),
            ...servesLines(svc, installed, 'rollback'),
            ...(plan.kept.length
              ? [
                  t(
                    "Left installed: {0} (the newer release brought them; remove them with the environment's pip if nothing else uses them)",
                    plan.kept.join(', '),
                  ),
                ]
              : []),
            ...(plan.resolved?.length
              ? [
                  t(
                    "As uv resolves them for that version, not pinned: {0} (a pin would stay in uv's receipt, held by every later uv tool upgrade)",
                    plan.resolved.join(', '),
                  ),
                ]
              : []),
          ].join('\n'),
          button: t('Roll Back'),
          progress: t('Rolling back {0}…', server.name),
          requestedBy: `VS Code: Roll Back ${server.name}`,
        },
        installed,
        {
          packages: [...(installed ? [installed.name] : []), ...plan.pins.map((p) => p.name)],
          installs: plan.pins.map((p) => ({ name: p.name, version: p.version })),
        },
        plan.restart.map((r) => r.guardPid),
      );
      if (result?.kind === 'done')
        await showOutcome(svc, server, installed?.name ?? server.name, result, false, installed?.dev?.script === true);
      return;
    }
  }
}

/** Every entry the install serves (in any client), when it serves more than the one asked about: each gets the change. */
function servesLines(
  svc: Services,
  installed: InstalledPackage | undefined,
  change: 'upgrade' | 'rollback' = 'upgrade',
): string[] {
  const serves = installed && svc.store.raw ? installServes(svc.store.raw.servers, installed) : [];
  if (serves.length < 2) return [];
  const clients = servedClients(serves);
  return [
    change === 'upgrade'
      ? t('The same install runs {0} entries in {1} clients; each gets the new code:', serves.length, clients)
      : t('The same install runs {0} entries in {1} clients; each goes back with it:', serves.length, clients),
    ...serves.map((s) => `  ${t('{0} in {1}', s.name, s.client)}`),
  ];
}

/**
 * What the install left on the old code that this window's VS Code runs (any entry the install
 * serves): restarted through VS Code's own MCP restart, verified in the process table as Restart
 * is, since only VS Code starts its own servers; what other clients run stays named for them.
 */
async function restartOwnLeft(
  svc: Services,
  result: Extract<ApplyResult, { kind: 'done' }>,
): Promise<Extract<ApplyResult, { kind: 'done' }> & { own: string[] }> {
  const ctx = svc.window();
  const servers = svc.store.snapshot?.servers ?? [];
  const left: typeof result.left = [];
  const own: string[] = [];
  const restarted = new Set<string>();
  for (const l of result.left) {
    const server = servers.find((s) => s.instances.some((i) => i.pid === l.pid));
    const instance = server?.instances.find((i) => i.pid === l.pid);
    const id = server ? vscodeServerId(server, ctx) : undefined;
    if (!server || !instance || id === undefined || !isThisWindow(instance, ctx)) {
      left.push(l);
      continue;
    }
    if (restarted.has(server.id)) continue;
    restarted.add(server.id);
    const r = await restartThroughVsCode(svc, server, {
      serverId: id,
      instances: server.instances.filter((i) => isThisWindow(i, ctx)),
    });
    own.push(r.ok ? t('{0}: {1}.', server.name, r.seen) : notRestartedText(server.name, r.seen));
  }
  return { ...result, left, own };
}

/** The server asked for (a row, an id, or picked), with its engine snapshot entry; refused where the window may not run it. */
async function pickVersioned(
  svc: Services,
  arg: CommandArg,
  question: string,
  rollBack = false,
): Promise<{ server: VmServer; raw: ServerStatus } | undefined> {
  const server = await pickServer(
    svc,
    arg,
    (s) => (rollBack ? s.rollbackable === true : s.upgradable === true),
    question,
    rollBack
      ? t('No configured MCP server has versions to go back to: no package or dependency moved under one.')
      : t('No configured MCP server runs a released npm or PyPI package.'),
  );
  if (!server) return undefined;
  const trust = mayRun('upgrade', server, vscode.workspace.isTrusted, svc.window().workspaceFolders);
  if (!trust.allowed) {
    void vscode.window.showWarningMessage(trust.reason);
    return undefined;
  }
  const raw = svc.store.raw?.servers.find((s) => s.id === server.id);
  if (!raw) {
    void vscode.window.showWarningMessage(t('{0} is no longer configured.', server.name));
    return undefined;
  }
  return { server, raw };
}

/**
 * Asks with the command shown (as the user's shell would run it), runs it and restarts what ran the
 * old code (guards, then this window's own servers through VS Code); undefined when cancelled. An install that changed nothing restarts nothing and says so.
 * `made`: the packages it moves (their events are its result's to say, held while it runs) and the
 * versions it puts in (claimed across windows before it runs, given back if it fails).
 */
async function install(
  svc: Services,
  server: VmServer,
  plan: { command: InstallCommand; shown: string },
  words: { title: string; where: string; button: string; progress: string; requestedBy: string },
  before: InstalledPackage | undefined,
  made: { packages: string[]; installs: { name: string; version: string }[] },
  alsoRestart: readonly number[] = [],
): Promise<Outcome | undefined> {
  // Who restarts what the install changes is said before it is agreed, as its result says it after.
  const home = before && svc.store.raw ? serversOfInstall(svc.store.raw.servers, before).map((s) => s.id) : [];
  const ids = new Set([server.id, ...home]);
  const served = (svc.store.snapshot?.servers ?? []).filter((s) => ids.has(s.id));
  const detail = [words.where, t('Runs: {0}', plan.shown), ...installRestartsText(served, svc.window())].join('\n\n');
  if ((await vscode.window.showWarningMessage(words.title, { modal: true, detail }, words.button)) !== words.button)
    return undefined;
  // What the install changes is said by its result: no notification of it beside, here or in another window.
  const release = svc.ownActions.hold({ kind: 'install', packages: made.packages });
  const { state, root } = svc.engine.paths;
  // Under every process running now: any of them may run the old code once it is done.
  const running = [...distinctInstances(svc.store.snapshot?.servers ?? [])].map((d) => d.instance);
  const preclaimed = installEventIds(made.installs, running).filter(
    (id) => claimEvent(state, id, undefined, root).kind === 'claimed',
  );
  try {
    const result = await installAndRestart(svc, server, plan, words, before, alsoRestart);
    // An install that did not happen makes no event: a later one of the same versions is news again.
    if (result.kind !== 'done') for (const id of preclaimed) unclaimEvent(state, id);
    return result;
  } finally {
    release();
  }
}

/** An install's result; once done, with this window's own restarts (`own`) and what still runs other code after them (`old`). */
type Outcome =
  | Exclude<ApplyResult, { kind: 'done' }>
  | (Extract<ApplyResult, { kind: 'done' }> & { own: string[]; old: StillOld[] });

async function installAndRestart(
  svc: Services,
  server: VmServer,
  plan: { command: InstallCommand; shown: string },
  words: { progress: string; requestedBy: string },
  before: InstalledPackage | undefined,
  alsoRestart: readonly number[],
): Promise<Outcome> {
  const { command } = plan;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: words.progress },
    (progress) =>
      applyInstall(
        server.name,
        command,
        {
          run: (c) => runLogged(svc, server.name, c, plan.shown, (line) => progress.report({ message: line })),
          look: () =>
            takeSettled(async () => {
              await svc.refresh.request('manual');
              const raw = svc.store.raw;
              if (!raw) throw new Error(t('no snapshot could be taken'));
              return raw;
            }),
          restart: (pid) =>
            restartTarget(String(pid), {
              locksDir: svc.engine.paths.locks,
              snapshot: async () => svc.store.raw!,
              trustWorkspace: vscode.workspace.isTrusted,
              home: os.homedir(),
              graceMs: DEFAULT_GRACE_MS,
              timeoutMs: RESTART_TIMEOUT_MS,
              requestedBy: words.requestedBy,
              ...(svc.settings().restartWithoutCheck.includes(server.name) ? { check: 'none' as const } : {}),
            }),
        },
        { alsoRestart, ...(before ? { before } : {}) },
      ),
  );
  if (result.kind === 'unchanged')
    void vscode.window.showWarningMessage(
      t(
        '{0}: the command ran and changed nothing ({1} {2} is still installed); nothing was restarted.',
        server.name,
        before?.name ?? server.name,
        result.installed ?? '?',
      ),
    );
  if (result.kind === 'failed') {
    const show = t('Show Log');
    void vscode.window
      .showErrorMessage(installFailedText(server.name, command.command, result.exitCode, result.reason), show)
      .then((choice) => {
        if (choice === show) svc.log.show();
      });
  }
  if (result.kind !== 'done') {
    void svc.refresh.request('manual');
    return result;
  }
  const done = await restartOwnLeft(svc, result);
  // What is left is read after every restart: an instance the action restarted is never counted as still old.
  await svc.refresh.request('manual');
  return { ...done, old: stillOld(svc.store.snapshot, done.left) };
}

/** Runs the installer (`shown`: it as the plan shows it); each line of its output goes to the log (and the last one to the progress). */
async function runLogged(
  svc: Services,
  name: string,
  c: InstallCommand,
  shown: string,
  onLine: (line: string) => void,
): Promise<InstallerExit> {
  svc.log.info(`${name}: running ${shown}`);
  const r = await runInstaller(c, {
    cwd: os.homedir(),
    env: process.env,
    onOutput: (text) => {
      for (const line of outputLines(text)) {
        svc.log.info(`${name}: ${line}`);
        onLine(line.slice(0, 120));
      }
    },
  });
  return r;
}

/** What an install came to, in one message: the version now, each restart, and what still runs other code (read after the restarts). */
function outcomeText(
  name: string,
  pkg: string,
  r: Extract<ApplyResult, { kind: 'done' }> & { own: string[]; old: StillOld[] },
  change: 'upgrade' | 'rollback',
  script: boolean,
): string {
  return [
    installedNowText(name, { name: pkg, script }, r.installed, change),
    ...r.restarts.map((o) => restartOutcomeText(name, o)),
    ...r.own,
    ...stillOldText(r.old),
  ].join(' ');
}

/** The result of an install, with buttons that act: on what is left (Restart... or Stop..., asked first), Roll Back after an upgrade, Show. */
async function showOutcome(
  svc: Services,
  server: VmServer,
  pkg: string,
  result: Extract<Outcome, { kind: 'done' }>,
  offerRollBack: boolean,
  script = false,
): Promise<void> {
  const pids = result.old.map((o) => o.instance.pid);
  const act = stillOldAction(stillOldTargets(svc.store.snapshot, pids), svc.window());
  const buttons = [
    ...(act === 'Restart...' ? [t('Restart...')] : act === 'Stop...' ? [t('Stop...')] : []),
    ...(offerRollBack ? [t('Roll Back')] : []),
    t('Show'),
  ];
  const choice = await vscode.window.showInformationMessage(
    outcomeText(server.name, pkg, result, offerRollBack ? 'upgrade' : 'rollback', script),
    ...buttons,
  );
  if (choice === undefined) return;
  if (choice === t('Roll Back')) return rollbackServer(svc, server.id);
  if (choice === t('Show')) {
    await vscode.commands.executeCommand(CommandId.showView, server.id);
    return;
  }
  // Read afresh: what was left may have been restarted or stopped since.
  await svc.refresh.request('manual');
  const targets = stillOldTargets(svc.store.snapshot, pids);
  if (targets.length === 0)
    void vscode.window.showInformationMessage(eventOver({ package: pkg, installed: result.installed ?? 'unknown' }));
  else await restartTargets(svc, targets);
}

/** A runner's pin changed in every entry of the window's snapshot that has it, each file's diff shown first; `serverId`: the row asked about. */
async function changePins(
  svc: Services,
  plan: PinPlan,
  verb: 'Upgrade' | 'Roll Back',
  serverId: string,
): Promise<void> {
  const all = svc.store.snapshot?.servers ?? [];
  const window = svc.window();
  const pinned = all.filter(
    (s) =>
      s.transport === 'stdio' &&
      pinIn(s.args, plan.package, plan.ecosystem) &&
      mayRun('upgrade', s, window.trusted, window.workspaceFolders).allowed,
  );
  // VS Code stops the entries it runs here as it reads their file again: it is asked at once to start them again.
  const detail = pinQuestionDetail(
    plan,
    runningRewritten(entriesEdit(pinned), window).map((h) => h.server.name),
  );
  // What the pin makes (each running instance's entry now launching another release; the release
  // itself once fetched) is said by this result alone: claimed across windows before it is written.
  const { state, root } = svc.engine.paths;
  const running = [...distinctInstances(svc.store.snapshot?.servers ?? [])].map((d) => d.instance);
  const preclaimed = pinEventIds(plan.package, plan.to, running).filter(
    (id) => claimEvent(state, id, undefined, root).kind === 'claimed',
  );
  const done = await editPlan(svc, pinned, verb, detail, () => pinChange(plan.package, plan.ecosystem, plan.to));
  if (!done || done.done.length === 0) {
    for (const id of preclaimed) unclaimEvent(state, id);
    return;
  }
  // An upgrade is recorded, so that Roll Back can put the pin back; a roll back is not, as an install's is not.
  if (verb === 'Upgrade')
    await recordUpgrade(svc.engine.paths, {
      server: plan.serverName,
      package: plan.package,
      from: plan.from,
      to: plan.to,
      at: new Date().toISOString(),
    }).catch((err: Error) => svc.log.warn(`${verb} ${plan.serverName}: not recorded: ${err.message}`));
  // VS Code stops the rewritten entries it runs here when it reads their file again, and only VS Code
  // starts them again: at once, on the release now pinned (other clients' instances are their
  // clients' to start, named by pinLeftText); then the file's other servers it stopped, if any (an entry
  // the rewrite moved), known once the rewritten entry's old instance is gone.
  const edit = entriesEdit(done.done);
  const here = runningRewritten(edit, svc.window());
  const pinnedLaunch = { kind: 'pinned', package: plan.package, ecosystem: plan.ecosystem, version: plan.to } as const;
  const restarted: string[] = [];
  for (const entry of here)
    restarted.push(
      pinRestartText(entry, plan.to, startedAgain(await restartRewritten(svc, entry, () => pinnedLaunch))),
    );
  const siblings = await startFileSiblings(svc, done.before, edit);
  const rollBack = t('Roll Back');
  const show = t('Show');
  const choice = await vscode.window.showInformationMessage(
    [
      pinnedText(plan.package, plan.to, done.done.length),
      ...restarted,
      ...pinLeftText(pinLeft(pinned, plan, here)),
      ...siblings,
    ].join(' '),
    ...(verb === 'Upgrade' ? [rollBack] : []),
    show,
  );
  if (choice === rollBack) return rollbackServer(svc, serverId);
  if (choice === show) await vscode.commands.executeCommand(CommandId.showView, serverId);
}
