import { instanceCost } from '../../core/report/cost';
import { NO_WINDOW, restartEffect } from './actionPlan';
import { Cap, CapValue, contextValue, NodeKind } from './contextValues';
import { describeVerdict } from '../../core/report/evidence';
import { formatMemory, formatUptime, inlineCode, mdCell } from './format';
import { guardPending } from '../../core/configEdit/guardPending';
import { VmChild, VmInstance, VmServer } from '../../core/report/input';
import { describeProgram } from './notConfigured';
import { processIdentity } from './hiddenProcesses';
import { serverLogTarget } from './serverLog';
import {
  downVerdict,
  idleVerdict,
  instanceFlags,
  instanceVerdicts,
  isGuarded,
  restartVerdict,
  versionUnknown,
} from '../../core/report/state';
import { t } from './l10n';
import { idleVersion, idleVersionWords } from '../../core/report/idleVersion';
import type { TreeContext, TreeItemModel } from './treeModel';
import {
  restartAtRisk,
  instanceVerdictWords,
  verdictWord,
  restartDetail,
  ownerName,
  sharedWords,
} from './instanceWords';

/**
 * An instance row, readable at the side bar's default width (~300 px): the verdict first, then pid
 * and uptime in the label (a Not configured process: its pid, then what it runs, then uptime); versions, guard, memory and the client (only when the group does not
 * already say it) in the description, which is what gets cut.
 */
export function instanceItem(
  id: string,
  i: VmInstance,
  ctx: TreeContext,
  kind: typeof NodeKind.instance | typeof NodeKind.unconfigured,
  server: VmServer | undefined,
  restartAllowed: boolean,
): TreeItemModel {
  // A configured instance leads with its verdict; a not-configured process with what it is.
  const [verdict, ...more] = server
    ? instanceVerdictWords(i)
    : [describeProgram(i.commandLine) ?? t('unknown program')];
  const up = formatUptime(i.startTime, ctx.now);
  // Not configured rows are often many copies of one program: the pid, which tells them apart, goes
  // first, so a narrow side bar that cuts the program's name keeps it.
  const head = server ? [verdict, t('pid {0}', i.pid)] : [t('pid {0}', i.pid), verdict];
  const label = [...head, ...(up ? [t('up {0}', up)] : [])].join(' · ');
  const flags = instanceFlags(i);
  const stale = restartVerdict(i);
  const details: string[] = [...more];
  if (stale) details.push(restartDetail(stale));
  if (restartAtRisk(i)) details.push(t('restart will probably fail'));
  // A version move names what runs already ("2026.7.4 → 2026.8.31"): not said twice.
  else if (i.runningVersion && stale?.cause !== 'version' && stale?.cause !== 'config') details.push(i.runningVersion);
  // An idle guard runs no server: what the next request starts, or what it last ran, labelled as such.
  const idle = idleVerdict(i);
  const idleRuns = idle && idleVersion(idle, server?.installedVersion);
  if (idleRuns) details.push(idleVersionWords(idleRuns, t));
  // A shared server (`run --on-conflict share`, or an HTTP guard's with clients): one instance, its
  // clients the ones its lock record lists.
  const shared = i.lock?.attached;
  const pending = server && guardPending(server, i);
  if (shared) details.push(sharedWords(shared));
  else if (pending) details.push(pending.guarded ? t('still guarded') : t('not guarded yet'));
  else if (isGuarded(i)) details.push(t('guarded'));
  // Under its own client's group the client goes without saying.
  if (!shared && (!server || i.client.id !== server.source.client)) details.push(ownerName(i));
  // Its own process and the ones it started, PSS where the OS gives it.
  const mem = formatMemory(instanceCost(i, i.childProcesses).bytes);
  if (mem) details.push(mem);
  const icon = downVerdict(i)
    ? { id: 'error', color: 'list.errorForeground' }
    : flags.has('orphan')
      ? { id: 'debug-disconnect', color: 'list.errorForeground' }
      : flags.has('superseded')
        ? { id: 'debug-disconnect', color: 'list.warningForeground' }
        : stale
          ? { id: 'warning', color: 'list.warningForeground' }
          : flags.has('duplicate')
            ? { id: 'copy', color: 'list.warningForeground' }
            : idleVerdict(i)
              ? { id: 'debug-pause' }
              : versionUnknown(i) && !stale
                ? { id: 'question' }
                : isGuarded(i)
                  ? { id: 'shield' }
                  : { id: 'pulse' };
  const caps: CapValue[] = [Cap.stop, Cap.copyPid, Cap.evidence];
  if (i.commandLine) caps.push(Cap.copyCommandLine);
  // A process no entry claims: hidden by what it runs, or written into a config as a new entry.
  if (!server && processIdentity(i)) caps.push(Cap.hide);
  if (!server && i.commandLine) caps.push(Cap.addToConfig);
  if (server && restartAllowed)
    caps.push(restartEffect(server, i, ctx.window ?? NO_WINDOW) === 'restart' ? Cap.restart : Cap.stopOnly);
  if (server && serverLogTarget(server, i, ctx.window ?? NO_WINDOW, ctx.logsDir)) caps.push(Cap.serverLog);
  const lines = [
    t(
      'pid {0}{1} · {2}',
      i.pid,
      i.startTime !== undefined ? t(' · started {0}', new Date(i.startTime).toISOString()) : '',
      mdCell(ownerName(i)),
    ),
  ];
  if (shared)
    lines.push(
      '',
      sharedWords(shared),
      ...shared.map((c) => {
        const name = mdCell(c.clientName ?? t('unnamed client'));
        // An HTTP client's process is not always known (another user's, or not found in time).
        return `- ${c.pid !== undefined ? t('{0} (pid {1})', name, c.pid) : name}`;
      }),
    );
  // Its share host's HTTP front: what a client's `url` entry names to share it with no relay.
  if (i.lock?.shareUrl) lines.push('', t('Also served over HTTP at {0}', inlineCode(i.lock.shareUrl)));
  if (i.commandLine) lines.push('', inlineCode(i.commandLine));
  if (i.verdicts.length) lines.push('', ...i.verdicts.map((v) => `- ${mdCell(describeVerdict(v))}`));
  return {
    id,
    label,
    description: details.join(' · ') || undefined,
    tooltip: lines.join('\n'),
    icon,
    contextValue: contextValue(kind, caps),
    collapsible: i.childProcesses?.length ? 'collapsed' : 'none',
  };
}

/**
 * A process an instance started, under its row: what it runs and its pid in the label; its own
 * verdict, versions, memory and uptime in the description. Stop signals it with its instance.
 */
export function childItem(id: string, c: VmChild, ctx: TreeContext): TreeItemModel {
  const stale = restartVerdict(c);
  const up = formatUptime(c.startTime, ctx.now);
  const mem = formatMemory(c.pssBytes ?? c.memoryBytes);
  const details = [
    ...instanceVerdicts(c).map(verdictWord),
    ...(stale ? [restartDetail(stale)] : c.runningVersion ? [c.runningVersion] : []),
    ...(mem ? [mem] : []),
    ...(up ? [t('up {0}', up)] : []),
  ];
  return {
    id,
    label: [describeProgram(c.commandLine) ?? t('unknown program'), t('pid {0}', c.pid)].join(' · '),
    description: details.join(' · '),
    tooltip: [
      t('pid {0}, started by pid {1}: part of its instance', c.pid, c.ppid ?? '?'),
      ...(c.commandLine ? ['', inlineCode(c.commandLine)] : []),
      '',
      ...c.verdicts.map((v) => `- ${mdCell(describeVerdict(v))}`),
    ].join('\n'),
    icon: stale ? { id: 'warning', color: 'list.warningForeground' } : { id: 'server-process' },
    contextValue: contextValue(NodeKind.child),
    collapsible: 'none',
  };
}
