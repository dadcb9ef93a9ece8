import { CommandId } from '../commandIds';
import { ARROW, commandLink, mdCell, plural } from './format';
import { NO_WINDOW, OwnerContext, restartEffect } from './actionPlan';
import { VmSnapshot } from '../../core/report/input';
import { instanceKey } from './tree';
import { causeLabel, counts, hasProblems, instanceFlags, staleVerdict, versionUnknown } from '../../core/report/state';

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
  | { state: 'loading' }
  | { state: 'ready'; snapshot: VmSnapshot }
  | { state: 'failed'; message: string };

/** Commands the tooltip links to: the glue must list them in MarkdownString.isTrusted.enabledCommands. */
export const STATUS_TOOLTIP_COMMANDS = [CommandId.restartInstance, CommandId.stopInstance, CommandId.showView, CommandId.refresh, CommandId.showLog];

export interface StatusBarOptions {
  alwaysShow: boolean;
  /** This window, to name each row's action after what it does (Restart or Stop). */
  window?: OwnerContext;
}

/** Rows past this go to a "... and N more" line: tooltips should stay small. */
const MAX_ROWS = 12;

export function statusBarModel(load: LoadState, options: StatusBarOptions): StatusBarModel {
  const command = CommandId.showView;
  if (load.state === 'loading') {
    return { visible: true, text: '$(sync~spin) MCP', warning: false, tooltip: 'MCP Lifeguard is looking for MCP servers...', accessibility: 'MCP Lifeguard is looking for MCP servers.', command };
  }
  if (load.state === 'failed') {
    return {
      visible: true,
      text: '$(error) MCP',
      warning: true,
      tooltip: `MCP Lifeguard could not read the servers: ${mdCell(load.message)}\n\n${commandLink('Show Log', CommandId.showLog)} · ${commandLink('Retry', CommandId.refresh)}`,
      accessibility: `MCP Lifeguard could not read the servers: ${load.message}`,
      command: CommandId.showLog,
    };
  }
  const { snapshot } = load;
  const c = counts(snapshot);
  if (c.servers === 0 && c.problems === 0 && !options.alwaysShow) return { visible: false };
  const parts: string[] = [];
  if (c.stale - c.changed) parts.push(`${c.stale - c.changed} stale`);
  if (c.changed) parts.push(`${c.changed} changed`);
  if (c.duplicate) parts.push(`${c.duplicate} dup`);
  if (c.orphan) parts.push(`${c.orphan} orphan`);
  if (c.problems) parts.push(`${c.problems} config problem${c.problems === 1 ? '' : 's'}`);
  const warning = hasProblems(c);
  // The number is what runs (users read it so), the configured count is in the tooltip.
  // The first look counts what runs at once; a spinner says versions are still being checked.
  const icon = warning ? '$(warning)' : snapshot.versionsPending ? '$(sync~spin)' : '$(pulse)';
  const text = `${icon} MCP ${c.instances}${parts.map((p) => ` · ${p}`).join('')}`;

  const problems: string[] = [];
  if (c.stale - c.changed) problems.push(`${plural(c.stale - c.changed, 'instance')} running replaced code`);
  if (c.changed) problems.push(`${plural(c.changed, 'instance')} whose files changed since start`);
  if (c.duplicate) problems.push(`${plural(c.duplicate, 'duplicate instance')}`);
  if (c.orphan) problems.push(`${plural(c.orphan, 'orphaned instance')}`);
  if (c.problems) problems.push(`${plural(c.problems, 'config problem')} (see Problems in the view)`);
  const summary = `${plural(c.instances, 'running instance')}; ${c.running} of ${plural(c.servers, 'configured MCP server')} running`;
  const unknown = snapshot.versionsPending ? ' Versions are being checked.' : c.unknown ? ` What ${plural(c.unknown, 'instance')} run${c.unknown === 1 ? 's' : ''} could not be told.` : '';
  const accessibility = `${summary}. ${problems.length ? `Needs attention: ${problems.join(', ')}.` : c.unknown ? 'No problem found.' : 'All instances are fine.'}${unknown}`;
  const tooltipSummary = snapshot.versionsPending ? `${summary}; versions are being checked` : summary;

  return { visible: true, text, warning, tooltip: tooltipTable(snapshot, tooltipSummary, options.window ?? NO_WINDOW), accessibility, command };
}

function tooltipTable(snapshot: VmSnapshot, summary: string, window: OwnerContext): string {
  const lines = [`**MCP Lifeguard**: ${mdCell(summary)}`, ''];
  const rows: string[] = [];
  for (const s of snapshot.servers) {
    for (const i of s.instances) {
      const stale = staleVerdict(i);
      const flags = [...instanceFlags(i)];
      // A running version that is not known is `?`, never the installed one.
      const version = stale ? `${mdCell(stale.running)} ${ARROW} ${mdCell(stale.installed)}` : `${mdCell(i.runningVersion ?? '?')}${i.runningVersion === undefined && s.installedVersion ? ` ${ARROW} ${mdCell(s.installedVersion)}` : ''}`;
      // A row's link acts on that row's instance only, named after what it does to it.
      const actions = restartEffect(s, i, window) === 'restart' ? commandLink('Restart', CommandId.restartInstance, [s.id, instanceKey(i)]) : commandLink('Stop', CommandId.stopInstance, [s.id, instanceKey(i)]);
      // The stale flag reads as its cause; an unknown version is said, never left blank.
      const shown = [...flags.map((f) => (f === 'stale' && stale ? causeLabel(stale) : f)), ...(!flags.length && versionUnknown(i) ? ['version unknown'] : [])];
      rows.push(`| ${mdCell(s.name)} | ${mdCell(i.client.name)} | ${i.pid} | ${version}${shown.length ? ` (${shown.join(', ')})` : ''} | ${actions} |`);
    }
  }
  if (rows.length) {
    lines.push(`| Server | Client | PID | Running ${ARROW} installed | |`, '|---|---|---|---|---|', ...rows.slice(0, MAX_ROWS));
    if (rows.length > MAX_ROWS) lines.push('', `... and ${rows.length - MAX_ROWS} more`);
    lines.push('');
  } else if (snapshot.processes.state === 'unavailable') {
    lines.push(`Running instances are not known: ${mdCell(snapshot.processes.reason)}`, '');
  }
  lines.push(`${commandLink('Show', CommandId.showView)} · ${commandLink('Refresh', CommandId.refresh)}`);
  return lines.join('\n');
}
