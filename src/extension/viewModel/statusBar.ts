import { CommandId } from '../commandIds';
import { ARROW, commandLink, formatCpu, formatMemory, mdCell, plural } from './format';
import { McpCost, mcpCost } from '../../core/report/cost';
import { NO_WINDOW, OwnerContext, restartEffect } from './actionPlan';
import { VmSnapshot } from '../../core/report/input';
import { instanceKey } from './tree';
import { ownerName } from './instanceWords';
import { causeWords, RESTART_CAUSES, verdictLabel } from '../../core/report/causes';
import {
  counts,
  distinctInstances,
  hasProblems,
  instanceFlags,
  instanceVerdicts,
  restartCauses,
  restartVerdict,
  idleVerdict,
} from '../../core/report/state';
import { idleVersion, idleVersionWords } from '../../core/report/idleVersion';
import { t } from './l10n';
import { versionMove } from '../../core/report/versionWords';
import { watchingLine, windowUserServersNote } from '../../core/report/machineWords';

/** What the status bar item shows; the glue copies it onto one item created once. */
export type StatusBarModel =
  | { visible: false }
  | {
      visible: true;
      text: string;
      /** Use `statusBarItem.warningBackground`. */
      warning: boolean;
      /** Markdown; command links need the tooltip trusted for `enabledCommands`. */
      tooltip: string;
      /** The sentence a screen reader reads. */
      accessibility: string;
      command: string;
    };

/** Where the extension is in getting its data. */
export type LoadState =
  { state: 'loading' } | { state: 'ready'; snapshot: VmSnapshot } | { state: 'failed'; message: string };

/** Commands the tooltip links to: the glue must list them in MarkdownString.isTrusted.enabledCommands. */
export const STATUS_TOOLTIP_COMMANDS = [
  CommandId.restartInstance,
  CommandId.stopInstance,
  CommandId.showView,
  CommandId.refresh,
  CommandId.showLog,
];

export interface StatusBarOptions {
  alwaysShow: boolean;
  /** `mcpLifeguard.memoryBudget`: past it (what the servers use, PSS where given) the badge warns; 0 or absent: none. */
  memoryBudgetBytes?: number;
  /** This window, to name each row's action after what it does (Restart or Stop). */
  window?: OwnerContext;
}

/** Rows past this go to a "... and N more" line: tooltips should stay small. */
const MAX_ROWS = 12;

const instances = (n: number) => plural(n, t('{0} instance', n), t('{0} instances', n));

export function statusBarModel(load: LoadState, options: StatusBarOptions): StatusBarModel {
  const command = CommandId.showView;
  if (load.state === 'loading') {
    return {
      visible: true,
      text: t('$(sync~spin) MCP'),
      warning: false,
      tooltip: t('MCP Lifeguard is looking for MCP servers...'),
      accessibility: t('MCP Lifeguard is looking for MCP servers.'),
      command,
    };
  }
  if (load.state === 'failed') {
    return {
      visible: true,
      text: t('$(error) MCP'),
      warning: true,
      tooltip: t(
        'MCP Lifeguard could not read the servers: {0}\n\n{1} · {2}',
        mdCell(load.message),
        commandLink(t('Show Log'), CommandId.showLog),
        commandLink(t('Retry'), CommandId.refresh),
      ),
      accessibility: t('MCP Lifeguard could not read the servers: {0}', load.message),
      command: CommandId.showLog,
    };
  }
  const { snapshot } = load;
  const c = counts(snapshot);
  if (c.servers === 0 && c.problems === 0 && !options.alwaysShow) return { visible: false };
  // Each restart cause counted and worded as itself (core/report/causes.ts), worst first.
  const restart = RESTART_CAUSES.filter((cause) => c.restart[cause] > 0).map((cause) => ({
    words: causeWords(cause, t),
    n: c.restart[cause],
  }));
  const parts = restart.map(({ words, n }) => words.badge(n));
  if (c.duplicate) parts.push(t('{0} dup', c.duplicate));
  if (c.orphan) parts.push(t('{0} orphan', c.orphan));
  if (c.superseded) parts.push(t('{0} superseded', c.superseded));
  if (c.problems)
    parts.push(plural(c.problems, t('{0} config problem', c.problems), t('{0} config problems', c.problems)));
  const cost = mcpCost(snapshot);
  const budget = options.memoryBudgetBytes ?? 0;
  const overBudget = budget > 0 && cost.bytes > budget;
  // The excess, as "over budget" reads: 235 MB against a 200 MB budget is 35 MB over it.
  if (overBudget) parts.push(t('{0} over budget', formatMemory(cost.bytes - budget) ?? ''));
  const warning = hasProblems(c) || overBudget;
  // The number is what runs (users read it so), the configured count is in the tooltip.
  // The first look counts what runs at once; a spinner says versions are still being checked.
  const icon = warning ? '$(warning)' : snapshot.versionsPending ? '$(sync~spin)' : '$(pulse)';
  const text = t('{0} MCP {1}{2}', icon, c.instances, parts.map((p) => ` · ${p}`).join(''));

  const problems = restart.map(({ words, n }) => words.sentence(n));
  if (c.duplicate)
    problems.push(
      plural(c.duplicate, t('{0} duplicate instance', c.duplicate), t('{0} duplicate instances', c.duplicate)),
    );
  if (c.orphan)
    problems.push(plural(c.orphan, t('{0} orphaned instance', c.orphan), t('{0} orphaned instances', c.orphan)));
  if (c.superseded) problems.push(t('{0} left by an earlier agent host', instances(c.superseded)));
  if (overBudget)
    problems.push(
      t(
        'MCP servers use {0}, {1} over the budget of {2}',
        formatMemory(cost.bytes) ?? '',
        formatMemory(cost.bytes - budget) ?? '',
        formatMemory(budget) ?? '',
      ),
    );
  if (c.problems)
    problems.push(
      t(
        '{0} (see Problems in the view)',
        plural(c.problems, t('{0} config problem', c.problems), t('{0} config problems', c.problems)),
      ),
    );
  const summary = t(
    '{0}; {1} of {2} running',
    plural(c.instances, t('{0} running instance', c.instances), t('{0} running instances', c.instances)),
    c.running,
    plural(c.servers, t('{0} configured MCP server', c.servers), t('{0} configured MCP servers', c.servers)),
  );
  const unknown = snapshot.versionsPending
    ? t(' Versions are being checked.')
    : c.unknown
      ? plural(
          c.unknown,
          t(' What {0} instance runs could not be told.', c.unknown),
          t(' What {0} instances run could not be told.', c.unknown),
        )
      : '';
  const accessibility = `${summary}. ${problems.length ? t('Needs attention: {0}.', problems.join(', ')) : c.unknown ? t('No problem found.') : t('All instances are fine.')}${unknown}`;
  // A guard whose server is down has a row but runs no server: said, so the rows add up to the summary.
  const withDown = c.restart.down
    ? plural(
        c.restart.down,
        t('{0}; {1} guard whose server is down', summary, c.restart.down),
        t('{0}; {1} guards whose servers are down', summary, c.restart.down),
      )
    : summary;
  const tooltipSummary = snapshot.versionsPending ? t('{0}; versions are being checked', withDown) : withDown;

  return {
    visible: true,
    text,
    warning,
    tooltip: tooltipTable(
      snapshot,
      tooltipSummary,
      costWords(cost, overBudget ? budget : 0),
      options.window ?? NO_WINDOW,
    ),
    accessibility,
    command,
  };
}

/** What the servers cost, in one line: memory (and which measure), CPU time, copies, the budget when passed. */
function costWords(cost: McpCost, overBudget: number): string | undefined {
  if (cost.instances === 0) return undefined;
  const used = formatMemory(cost.bytes) ?? '';
  const measure =
    cost.measure === 'pss' ? t('PSS') : cost.measure === 'rss' ? t('RSS') : t('PSS, RSS where not readable');
  const words = [t('MCP servers use {0} ({1}) and {2} of CPU', used, measure, formatCpu(cost.cpuMs))];
  if (cost.copiesBytes > 0)
    words.push(t('{0} of it is copies of the same server', formatMemory(cost.copiesBytes) ?? ''));
  if (overBudget)
    words.push(
      t(
        '{0} over your budget of {1} (mcpLifeguard.memoryBudget)',
        formatMemory(cost.bytes - overBudget) ?? '',
        formatMemory(overBudget) ?? '',
      ),
    );
  return `${words.join('; ')}.`;
}

function tooltipTable(snapshot: VmSnapshot, summary: string, cost: string | undefined, window: OwnerContext): string {
  const lines = [t('**MCP Lifeguard**: {0}', mdCell(summary)), ''];
  // A remote window watches the remote: which one, and where the window's user servers are instead.
  const watching = watchingLine(snapshot.machine, t);
  if (watching) lines.push(mdCell(watching), '', mdCell(windowUserServersNote(snapshot.machine, t) ?? ''), '');
  if (cost) lines.push(mdCell(cost), '');
  // One row per running process, as the summary counts them (a process several entries claim is one),
  // rows with something to fix first, each with its fix; a healthy row has nothing to click.
  const flagged: string[] = [];
  const fine: string[] = [];
  for (const { server: s, instance: i } of distinctInstances(snapshot.servers)) {
    const stale = restartVerdict(i);
    const idle = idleVerdict(i);
    const idleRuns = idle && idleVersion(idle, s.installedVersion);
    // A running version that is not known is `?`, never the installed one; an idle guard runs none:
    // what it starts next, or last ran, labelled as such.
    const version = stale
      ? `${stale.cause === 'runtime' ? `${mdCell(stale.package)} ` : ''}${mdCell(versionMove(stale.running, stale.installed, ARROW, t))}`
      : idle
        ? idleRuns
          ? mdCell(idleVersionWords(idleRuns, t))
          : '-'
        : `${mdCell(i.runningVersion ?? '?')}${i.runningVersion === undefined && s.installedVersion ? ` ${ARROW} ${mdCell(s.installedVersion)}` : ''}`;
    const toFix = restartCauses(i).length > 0 || instanceFlags(i).size > 0;
    // A row's link acts on that row's instance only, named after what it does to it.
    const fix = !toFix
      ? ''
      : restartEffect(s, i, window) === 'restart'
        ? commandLink(t('Restart'), CommandId.restartInstance, [s.id, instanceKey(i)])
        : commandLink(t('Stop'), CommandId.stopInstance, [s.id, instanceKey(i)]);
    // Each verdict by its name, worst first, as the tree's row says it; an unknown version is said, never left blank.
    const shown = instanceVerdicts(i)
      .filter((v) => v !== 'ok')
      .map((v) => verdictLabel(v, t));
    (toFix ? flagged : fine).push(
      `| ${mdCell(s.name)} | ${mdCell(ownerName(i))} | ${i.pid} | ${version}${shown.length ? ` (${shown.join(', ')})` : ''} | ${fix} |`,
    );
  }
  const rows = [...flagged, ...fine];
  if (rows.length) {
    lines.push(
      t('| Server | Client | PID | Running {0} installed | |', ARROW),
      '|---|---|---|---|---|',
      ...rows.slice(0, MAX_ROWS),
    );
    if (rows.length > MAX_ROWS) lines.push('', t('... and {0} more', rows.length - MAX_ROWS));
    lines.push('');
  } else if (snapshot.processes.state === 'unavailable') {
    lines.push(t('Running instances are not known: {0}', mdCell(snapshot.processes.reason)), '');
  }
  lines.push(`${commandLink(t('Show'), CommandId.showView)} · ${commandLink(t('Refresh'), CommandId.refresh)}`);
  return lines.join('\n');
}
