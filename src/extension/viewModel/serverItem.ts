import { NO_WINDOW, restartEffect } from './actionPlan';
import { Cap, CapValue, contextValue, NodeKind } from './contextValues';
import { describeVerdict, registryNotice } from '../../core/report/evidence';
import { inlineCode, mdCell, plural } from './format';
import { isShareWrapped, isWrapped, runsUnderGuard, wrapSupport } from '../../core/configEdit/guardCommand';
import { guardPending } from '../../core/configEdit/guardPending';
import { sharedElsewhereLabel, sharedElsewhereText } from '../../core/report/sharedElsewhere';
import { VmServer } from '../../core/report/input';
import { serverLogTarget } from './serverLog';
import { canShare, ShareGroups, shareGroups } from '../../core/configEdit/sharePlan';
import { startedBy, StartTarget, startTargetOf } from './start';
import { causeWords, verdictLabel } from '../../core/report/causes';
import { leftoverInstances, isGuarded, serverState } from '../../core/report/state';
import { mayRun, TrustDecision } from './trust';
import { t } from './l10n';
import { elsewhereLabel, elsewhereReason } from '../../core/report/machineWords';
import type { TreeContext, TreeItemModel } from './treeModel';
import { restartAtRisk, restartDetail } from './instanceWords';
import { entryProblems } from './problems';

export const instances = (n: number) => plural(n, t('{0} instance', n), t('{0} instances', n));

/** Each snapshot's servers grouped for Share One Instance once, for all its rows (dropped with the snapshot). */
const shareGroupsOf = new WeakMap<readonly VmServer[], ShareGroups>();

function groupsFor(servers: readonly VmServer[]): ShareGroups {
  let groups = shareGroupsOf.get(servers);
  if (!groups) shareGroupsOf.set(servers, (groups = shareGroups(servers)));
  return groups;
}

/**
 * What a server row asks once and passes down to its description, tooltip and menus: whether the
 * workspace's trust lets the entry's command run here (mayRun: every action but Stop, which runs
 * nothing, has the same answer), and how Start starts it.
 */
export interface RowAnswers {
  trust: TrustDecision;
  start: StartTarget | undefined;
}

export function rowAnswers(s: VmServer, ctx: TreeContext, workspaceFolders: readonly string[]): RowAnswers {
  const trust = mayRun('restart', s, ctx.trusted, workspaceFolders);
  return { trust, start: startTargetOf(s, ctx.window ?? NO_WINDOW, trust.allowed) };
}

export function serverCaps(
  s: VmServer,
  ctx: TreeContext,
  workspaceFolders: readonly string[],
  row: RowAnswers = rowAnswers(s, ctx, workspaceFolders),
): CapValue[] {
  const caps: CapValue[] = [Cap.openConfig];
  // It runs on the other machine: nothing here acts on it (an install here is not what runs there).
  if (s.elsewhere) return caps;
  const runs = row.trust.allowed;
  const running = s.instances.length > 0;
  if (running) caps.push(Cap.stop, Cap.evidence);
  if (running && runs) {
    // Restart is offered only where it restarts; elsewhere Stop says what happens.
    const restarts = s.instances.some((i) => restartEffect(s, i, ctx.window ?? NO_WINDOW) === 'restart');
    caps.push(restarts ? Cap.restart : Cap.stopOnly);
  }
  if (leftoverInstances(s).length > 0) caps.push(Cap.killDuplicates);
  if (row.start) caps.push(Cap.start);
  if (serverLogTarget(s, undefined, ctx.window ?? NO_WINDOW, ctx.logsDir)) caps.push(Cap.serverLog);
  // A package with a version (npm, PyPI): Upgrade and Roll Back run its installer, as a restart runs its command.
  if (s.upgradable && s.transport === 'stdio' && runs) caps.push(Cap.upgrade);
  // Roll Back wherever there is something to go back to: a script whose dependency moved as well as a package.
  if (s.rollbackable && s.transport === 'stdio' && runs) caps.push(Cap.rollback);
  // Show Versions only reads (files and the registries): offered for a workspace's server too.
  if (s.upgradable && s.transport === 'stdio') caps.push(Cap.versions);
  if (ctx.guardAvailable) {
    if (isWrapped(s)) caps.push(Cap.unwrap);
    if (isShareWrapped(s) && runs) caps.push(Cap.unshare);
    else if (!runsUnderGuard(s) && wrapSupport(s).supported && runs) caps.push(Cap.wrap);
    // Offered where the command has something to do: copies in two or more clients, an entry it may rewrite.
    // This row's own answer is known; its copies' are asked (the reason names them).
    const refusal = (x: VmServer) => {
      if (x === s && runs) return undefined;
      const r = mayRun('wrap', x, ctx.trusted, workspaceFolders);
      return r.allowed ? undefined : r.reason;
    };
    if (ctx.servers && canShare(ctx.servers, s, refusal, t, groupsFor(ctx.servers))) caps.push(Cap.share);
  }
  return caps;
}

/** The icon of a server flagged by how many of its instances are orphans, superseded or duplicates. */
const COUNTED_FLAG_ICONS = {
  orphan: { id: 'debug-disconnect', color: 'list.errorForeground' },
  superseded: { id: 'debug-disconnect', color: 'list.warningForeground' },
  duplicate: { id: 'copy', color: 'list.warningForeground' },
} as const;

export function serverItem(
  id: string,
  s: VmServer,
  ctx: TreeContext,
  workspaceFolders: readonly string[],
): TreeItemModel {
  const state = serverState(s);
  const guarded = s.instances.some(isGuarded);
  const wrapped = isWrapped(s);
  let description: string;
  let icon: TreeItemModel['icon'];
  const version = s.installedVersion ?? s.instances.find((i) => i.runningVersion)?.runningVersion;
  switch (state.kind) {
    case 'elsewhere':
      description = elsewhereLabel(t);
      icon = { id: 'device-desktop' };
      break;
    case 'disabled':
      description = t('disabled');
      icon = { id: 'circle-slash', color: 'disabledForeground' };
      break;
    case 'notRunning':
      // Its share host runs for other clients, this one not attached yet: whom it runs for, not "not running".
      description = s.sharedElsewhere
        ? sharedElsewhereLabel(s, t)
        : version
          ? t('{0} · not running', version)
          : t('not running');
      icon = s.sharedElsewhere ? { id: 'broadcast' } : { id: 'circle-outline' };
      break;
    // A flagged server is described by its instances' verdict, named as every face names it (core/report/causes.ts).
    case 'down':
      // Its guard runs, its server does not: the reason (the server's last error) is in the tooltip.
      description = verdictLabel('down', t);
      icon = { id: 'error', color: 'list.errorForeground' };
      break;
    case 'orphan':
    case 'superseded':
    case 'duplicate':
      description = t('{0} · {1}', instances(state.count), verdictLabel(state.kind, t));
      icon = COUNTED_FLAG_ICONS[state.kind];
      break;
    case 'stale':
      // The verdict first: at the side bar's default width the end of a description is cut.
      description = t('{0} · {1}', causeWords(state.cause, t).label, restartDetail(state));
      // The installed code will probably not start: said on the row, before anyone restarts it.
      if (s.instances.some(restartAtRisk)) description += t(' · restart will probably fail');
      icon = { id: 'warning', color: 'list.warningForeground' };
      break;
    case 'unknown':
      // What runs is not known: neutral, and the installed version is never shown as the running one.
      description = t(
        'running ? · {0}{1}',
        s.installedVersion ? t('{0} installed · ', s.installedVersion) : '',
        instances(state.count),
      );
      icon = { id: 'question' };
      break;
    case 'running':
      description = `${version ? `${version} · ` : ''}${instances(state.count)}`;
      icon = guarded ? { id: 'shield', color: 'charts.green' } : { id: 'circle-filled', color: 'charts.green' };
      break;
  }
  // Wrapped or unwrapped, but its client still runs the process as it started it before the edit:
  // judged as before, with who starts it as the entry says next.
  // Each instance's pending guard state, worded once for the row's description and its tooltip.
  const pendings = s.instances.map((i) => guardPending(s, i, t));
  const pending = pendings.find((p) => p !== undefined);
  if (pending)
    description += pending.guarded
      ? t(' · guarded until {0} restarts it', pending.client.name)
      : t(' · unguarded until {0} restarts it', pending.client.name);
  else if (guarded && state.kind !== 'running') description += t(' · guarded');
  // A share its client is not attached to says "shared" already.
  else if (wrapped && state.kind !== 'running' && !s.sharedElsewhere) description += t(' · wrapped');
  // A problem the Problems panel shows at its entry (a guard that reads another state folder, say):
  // the row says so too, where "not running" would otherwise be all it says.
  const problems = entryProblems(s, ctx.diagnostics ?? []);
  if (problems.length > 0) {
    description += plural(
      problems.length,
      t(' · {0} config problem', problems.length),
      t(' · {0} config problems', problems.length),
    );
    if (state.kind === 'notRunning' || state.kind === 'running')
      icon = problems.some((d) => d.severity === 'error')
        ? { id: 'error', color: 'list.errorForeground' }
        : { id: 'warning', color: 'list.warningForeground' };
  }
  if (s.updateAvailable) description += t(' · {0} available', s.updateAvailable.latest);
  if (s.registryStatus?.status === 'deprecated') description += t(' · deprecated');
  else if (s.registryStatus?.status === 'deleted') description += t(' · deleted from the registry');
  const row = rowAnswers(s, ctx, workspaceFolders);
  const trust = row.trust;

  const lines = [
    `**${mdCell(s.name)}** · ${mdCell(s.source.label)}`,
    '',
    inlineCode(`${s.source.file}${s.position ? `:${s.position.line}:${s.position.column}` : ''}`),
    '',
  ];
  lines.push(
    s.transport === 'stdio'
      ? inlineCode([s.command ?? '', ...s.args].join(' '))
      : `${s.transport}: ${inlineCode(s.url ?? '')}`,
  );
  // Said first after what it runs: it may be why the rest reads "not running".
  for (const d of problems) lines.push('', t('Config problem: {0}', mdCell(d.message)));
  for (const [k, i] of s.instances.entries()) {
    const mark = pendings[k]
      ? i.lock
        ? t(' · still guarded')
        : t(' · not guarded yet')
      : i.lock
        ? t(' · guarded')
        : '';
    lines.push('', t('pid {0} · {1}{2}', i.pid, mdCell(i.client.name), mark));
    for (const v of i.verdicts) lines.push(`- ${mdCell(describeVerdict(v))}`);
  }
  if (pending)
    lines.push(
      '',
      pending.guarded
        ? t(
            'Unwrapped: {0} still runs the process it started before its entry was rewritten, under the guard, until it starts the server again. Next: {1}',
            mdCell(pending.client.name),
            mdCell(pending.nextStep),
          )
        : t(
            'Wrapped: {0} still runs the process it started before its entry was rewritten, without the guard, until it starts the server again. Next: {1}',
            mdCell(pending.client.name),
            mdCell(pending.nextStep),
          ),
    );
  if (s.updateAvailable)
    lines.push(
      '',
      t(
        '{0} {1} is available (installed: {2})',
        mdCell(s.updateAvailable.package),
        mdCell(s.updateAvailable.latest),
        mdCell(s.updateAvailable.installed),
      ),
    );
  const notice = registryNotice(s);
  if (notice) lines.push('', mdCell(notice));
  if (!trust.allowed) lines.push('', mdCell(trust.reason));
  if (state.kind === 'elsewhere') lines.push('', mdCell(elsewhereReason(ctx.machine, t)));
  const shared = sharedElsewhereText(s, t);
  if (shared) lines.push('', mdCell(shared));
  // Not running: Start where MCP Lifeguard can start it, else who does (unless a problem says its
  // client runs it where this does not look, or will not start it).
  else if (state.kind === 'notRunning') {
    if (row.start) lines.push('', t('Start starts it through VS Code.'));
    else if (problems.length === 0) lines.push('', mdCell(startedBy(s)));
  }
  return {
    id,
    label: s.name,
    description,
    tooltip: lines.join('\n'),
    icon,
    contextValue: contextValue(NodeKind.server, serverCaps(s, ctx, workspaceFolders, row)),
    collapsible: s.instances.length > 0 ? 'expanded' : 'none',
  };
}
