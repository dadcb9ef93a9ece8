import { assertNever } from '../../core/base/assertNever';
import { instanceCost } from '../../core/report/cost';
import { CommandId, CommandIdValue } from '../commandIds';
import type { Diagnostic } from '../../core/base/model';
import { NO_WINDOW, OwnerContext, restartEffect } from './actionPlan';
import { Cap, CapValue, contextValue, NodeKind } from './contextValues';
import { describeVerdict, registryNotice, startRisksOf } from '../../core/report/evidence';
import { ARROW, formatMemory, formatUptime, listWords, mdCell, plural, shownLines, shownText } from './format';
import { isShareWrapped, isWrapped, runsUnderGuard, wrapSupport } from '../../core/configEdit/guardCommand';
import { guardPending } from '../../core/configEdit/guardPending';
import { VmChild, VmInstance, VmServer, VmSnapshot } from '../../core/report/input';
import { describeProgram, visibleNotConfigured } from './notConfigured';
import { processIdentity, splitHidden } from './hiddenProcesses';
import { shownPath } from './problems';
import { serverLogTarget } from './serverLog';
import { canShare } from '../../core/configEdit/sharePlan';
import { startedBy, startTarget } from './start';
import { causeWords, InstanceVerdict, verdictLabel } from '../../core/report/causes';
import {
  downVerdict,
  idleVerdict,
  instanceFlags,
  instanceKey,
  instanceVerdicts,
  leftoverInstances,
  isGuarded,
  ownerNames,
  problemsByPosition,
  RestartVerdict,
  restartVerdict,
  serverState,
  versionUnknown,
} from '../../core/report/state';
import { mayRun } from './trust';
import { t } from './l10n';
import { versionMove, versionWord } from '../../core/report/versionWords';
import {
  elsewhereLabel,
  elsewhereReason,
  machineLabel,
  watchingLine,
  windowUserServersNote,
} from '../../core/report/machineWords';

/**
 * The tree as plain data: nodes are domain objects with stable ids and their parent's id (so the
 * glue can implement getParent for reveal), and `treeItem` turns a node into what a TreeItem shows.
 */

export type TreeNode =
  | { kind: 'group'; id: string; label: string; servers: VmServer[] }
  | { kind: 'server'; id: string; parentId: string; server: VmServer }
  | { kind: 'instance'; id: string; parentId: string; server: VmServer; instance: VmInstance }
  /** `hiddenCount`: listed processes the user hid (hiddenProcesses.ts), counted in the group's description. */
  | { kind: 'notConfigured'; id: string; instances: VmInstance[]; hiddenCount: number }
  | { kind: 'unconfigured'; id: string; parentId: string; instance: VmInstance }
  | { kind: 'child'; id: string; parentId: string; child: VmChild }
  | { kind: 'problems'; id: string; diagnostics: Diagnostic[] }
  | { kind: 'problem'; id: string; parentId: string; diagnostic: Diagnostic }
  | { kind: 'message'; id: string; text: string; tooltip?: string; command?: CommandIdValue };

export interface TreeContext {
  trusted: boolean;
  /** ms since the epoch, for uptimes. */
  now: number;
  /** Whether the guard is installed, so Wrap with Guard can be offered. */
  guardAvailable: boolean;
  /** This window, to tell a real restart from a stop; without it only guarded instances restart. */
  window?: OwnerContext;
  /** The user's home folder, shown as `~` in paths. */
  home?: string;
  /** MCP Lifeguard's logs folder: guard logs are opened only from there. */
  logsDir?: string;
  /** Every server of the snapshot: Share One Instance is offered on a row from its copies in other clients' entries. */
  servers?: readonly VmServer[];
  /** The machine the snapshot watched, named where a row runs on the other one. */
  machine?: VmSnapshot['machine'];
}

export interface TreeItemModel {
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  icon?: { id: string; color?: string };
  contextValue: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: { command: string; title: string; arguments: unknown[] };
}

const instances = (n: number) => plural(n, t('{0} instance', n), t('{0} instances', n));

/** What the tree leaves out on the user's word: Not configured processes hidden by their identity (hiddenProcesses.ts). */
export interface TreeFilter {
  hidden?: ReadonlySet<string>;
}

/** The views' description (beside their title): the machine watched, in a remote window; none in a local one. */
export function viewDescription(machine: VmSnapshot['machine']): string | undefined {
  return machine?.kind === 'remote' ? machineLabel(machine, t) : undefined;
}

export function rootNodes(snapshot: VmSnapshot, filter: TreeFilter = {}): TreeNode[] {
  const groups = new Map<string, VmServer[]>();
  for (const s of snapshot.servers) {
    const list = groups.get(s.source.label) ?? [];
    list.push(s);
    groups.set(s.source.label, list);
  }
  const roots: TreeNode[] = [];
  // A remote window watches the remote: said first, with where the window's user servers are instead.
  const watching = watchingLine(snapshot.machine, t);
  if (watching)
    roots.push({
      kind: 'message',
      id: 'message:machine',
      text: watching,
      tooltip: windowUserServersNote(snapshot.machine, t),
    });
  if (snapshot.servers.length > 0 && snapshot.processes.state === 'unavailable') {
    roots.push({
      kind: 'message',
      id: 'message:processes',
      text: t('Running instances unknown'),
      tooltip: snapshot.processes.reason,
    });
  }
  // Groups keep the engine's source order (workspace first); a label without servers never appears.
  for (const [label, servers] of groups) roots.push({ kind: 'group', id: `group:${label}`, label, servers });
  const unmatched = visibleNotConfigured(snapshot);
  // With every process hidden the group stays, empty, so its count says where they went.
  if (unmatched.length > 0) {
    const { shown, hiddenCount } = splitHidden(unmatched, filter.hidden ?? new Set());
    roots.push({ kind: 'notConfigured', id: 'notConfigured', instances: shown, hiddenCount });
  }
  // One row per place: the parser's two errors for one typo are one problem, as the badge counts them.
  if (snapshot.diagnostics.length > 0)
    roots.push({ kind: 'problems', id: 'problems', diagnostics: problemsByPosition(snapshot.diagnostics) });
  // The welcome content (and its Create button) shows only in an empty tree: keep the way to create one.
  if (snapshot.servers.length === 0 && roots.length > 0) {
    roots.unshift({
      kind: 'message',
      id: 'message:create',
      text: t('No MCP server configured: Create .vscode/mcp.json'),
      tooltip: t('Creates .vscode/mcp.json in this workspace with an example entry.'),
      command: CommandId.createWorkspaceMcpJson,
    });
  }
  return roots;
}

export function childNodes(node: TreeNode): TreeNode[] {
  switch (node.kind) {
    case 'group':
      return node.servers.map((server) => ({ kind: 'server', id: `server:${server.id}`, parentId: node.id, server }));
    case 'server':
      return node.server.instances.map((instance) => ({
        kind: 'instance',
        id: `instance:${node.server.id}:${instanceKey(instance)}`,
        parentId: node.id,
        server: node.server,
        instance,
      }));
    case 'notConfigured':
      return node.instances.map((instance) => ({
        kind: 'unconfigured',
        id: `unconfigured:${instanceKey(instance)}`,
        parentId: node.id,
        instance,
      }));
    case 'instance':
    case 'unconfigured':
      return (node.instance.childProcesses ?? []).map((child) => ({
        kind: 'child',
        id: `child:${node.id}:${child.pid}:${child.startTime ?? ''}`,
        parentId: node.id,
        child,
      }));
    case 'problems':
      return node.diagnostics.map((diagnostic, i) => ({
        kind: 'problem',
        id: `problem:${i}:${diagnostic.file}:${diagnostic.line ?? 0}:${diagnostic.column ?? 0}`,
        parentId: node.id,
        diagnostic,
      }));
    case 'child':
    case 'problem':
    case 'message':
      return [];
    default:
      return assertNever(node);
  }
}

export { instanceKey } from '../../core/report/state';

/** The instance a link names by server id and instanceKey, in the current snapshot: a link can outlive its process. */
export function findInstance(
  snapshot: VmSnapshot | undefined,
  serverId: string,
  key: string,
): { server: VmServer; instance: VmInstance } | undefined {
  const server = snapshot?.servers.find((s) => s.id === serverId);
  const instance = server?.instances.find((i) => instanceKey(i) === key);
  return server && instance ? { server, instance } : undefined;
}

/** Every node of the tree, in the order it is shown (expanded or not). */
export function allNodes(snapshot: VmSnapshot, filter: TreeFilter = {}): TreeNode[] {
  const out: TreeNode[] = [];
  const walk = (n: TreeNode): void => {
    out.push(n);
    childNodes(n).forEach(walk);
  };
  rootNodes(snapshot, filter).forEach(walk);
  return out;
}

export function serverCaps(s: VmServer, ctx: TreeContext, workspaceFolders: readonly string[]): CapValue[] {
  const caps: CapValue[] = [Cap.openConfig];
  // It runs on the other machine: nothing here acts on it (an install here is not what runs there).
  if (s.elsewhere) return caps;
  const running = s.instances.length > 0;
  if (running) caps.push(Cap.stop, Cap.evidence);
  if (running && mayRun('restart', s, ctx.trusted, workspaceFolders).allowed) {
    // Restart is offered only where it restarts; elsewhere Stop says what happens.
    const restarts = s.instances.some((i) => restartEffect(s, i, ctx.window ?? NO_WINDOW) === 'restart');
    caps.push(restarts ? Cap.restart : Cap.stopOnly);
  }
  if (leftoverInstances(s).length > 0) caps.push(Cap.killDuplicates);
  if (startTarget(s, ctx.window ?? NO_WINDOW, ctx.trusted, workspaceFolders)) caps.push(Cap.start);
  if (serverLogTarget(s, undefined, ctx.window ?? NO_WINDOW, ctx.logsDir)) caps.push(Cap.serverLog);
  // A package with a version (npm, PyPI): Upgrade and Roll Back run its installer, as a restart runs its command.
  if (s.upgradable && s.transport === 'stdio' && mayRun('upgrade', s, ctx.trusted, workspaceFolders).allowed)
    caps.push(Cap.upgrade);
  // Roll Back wherever there is something to go back to: a script whose dependency moved as well as a package.
  if (s.rollbackable && s.transport === 'stdio' && mayRun('upgrade', s, ctx.trusted, workspaceFolders).allowed)
    caps.push(Cap.rollback);
  // Show Versions only reads (files and the registries): offered for a workspace's server too.
  if (s.upgradable && s.transport === 'stdio') caps.push(Cap.versions);
  if (ctx.guardAvailable) {
    if (isWrapped(s)) caps.push(Cap.unwrap);
    if (isShareWrapped(s) && mayRun('wrap', s, ctx.trusted, workspaceFolders).allowed) caps.push(Cap.unshare);
    else if (!runsUnderGuard(s) && wrapSupport(s).supported && mayRun('wrap', s, ctx.trusted, workspaceFolders).allowed)
      caps.push(Cap.wrap);
    // Offered where the command has something to do: copies in two or more clients, an entry it may rewrite.
    const refusal = (x: VmServer) => {
      const r = mayRun('wrap', x, ctx.trusted, workspaceFolders);
      return r.allowed ? undefined : r.reason;
    };
    if (ctx.servers && canShare(ctx.servers, s, refusal)) caps.push(Cap.share);
  }
  return caps;
}

/** A node as VS Code shows it; names, arguments and messages come from configs and process tables, so their control and bidi characters are escaped. */
export function treeItem(node: TreeNode, ctx: TreeContext, workspaceFolders: readonly string[]): TreeItemModel {
  const item = treeItemText(node, ctx, workspaceFolders);
  return Object.assign(
    {},
    item,
    { label: shownText(item.label) },
    item.description !== undefined ? { description: shownText(item.description) } : {},
    item.tooltip !== undefined ? { tooltip: shownLines(item.tooltip) } : {},
  );
}

function treeItemText(node: TreeNode, ctx: TreeContext, workspaceFolders: readonly string[]): TreeItemModel {
  switch (node.kind) {
    case 'group': {
      const running = node.servers.filter((s) => s.instances.length > 0).length;
      return {
        id: node.id,
        label: node.label,
        description: t('{0} · {1} running', node.servers.length, running),
        contextValue: contextValue(NodeKind.group),
        collapsible: 'expanded',
        tooltip: t(
          '{0}: {1} configured, {2} running',
          mdCell(node.label),
          plural(node.servers.length, t('{0} server', node.servers.length), t('{0} servers', node.servers.length)),
          running,
        ),
      };
    }
    case 'server':
      return serverItem(node.id, node.server, ctx, workspaceFolders);
    case 'instance':
      return Object.assign(
        {},
        instanceItem(
          node.id,
          node.instance,
          ctx,
          NodeKind.instance,
          node.server,
          mayRun('restart', node.server, ctx.trusted, workspaceFolders).allowed,
        ),
        { command: showEvidenceOf(node) },
      );
    case 'notConfigured':
      return {
        id: node.id,
        label: t('Not configured'),
        description:
          node.hiddenCount > 0
            ? t('{0} · {1} hidden', node.instances.length, node.hiddenCount)
            : `${node.instances.length}`,
        tooltip: [
          t('Processes that look like MCP servers but match no configuration. Listed, never acted on automatically.'),
          ...(node.hiddenCount > 0
            ? [
                '',
                t(
                  "{0} hidden: Show Hidden Processes in the view's ... menu lists them again.",
                  plural(node.hiddenCount, t('{0} process', node.hiddenCount), t('{0} processes', node.hiddenCount)),
                ),
              ]
            : []),
        ].join('\n'),
        icon: { id: 'question' },
        contextValue: contextValue(NodeKind.group),
        collapsible: node.instances.length > 0 ? 'collapsed' : 'none',
      };
    case 'unconfigured':
      return Object.assign({}, instanceItem(node.id, node.instance, ctx, NodeKind.unconfigured, undefined, false), {
        command: showEvidenceOf(node),
      });
    case 'child':
      return childItem(node.id, node.child, ctx);
    case 'problems':
      return {
        id: node.id,
        label: t('Problems'),
        description: `${node.diagnostics.length}`,
        tooltip: t('Config files that could not be read or understood; the rest keeps working.'),
        icon: { id: 'warning', color: 'list.warningForeground' },
        contextValue: contextValue(NodeKind.problems),
        collapsible: 'collapsed',
      };
    case 'problem': {
      const d = node.diagnostic;
      const where = `${shownPath(d.file, ctx.home)}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ''}`;
      return {
        id: node.id,
        label: d.message,
        description: where,
        tooltip: `${mdCell(d.file)}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ''}\n\n${mdCell(d.message)}`,
        icon:
          d.severity === 'error'
            ? { id: 'error', color: 'list.errorForeground' }
            : d.severity === 'warning'
              ? { id: 'warning', color: 'list.warningForeground' }
              : { id: 'info' },
        contextValue: contextValue(NodeKind.problem),
        collapsible: 'none',
        command: { command: CommandId.openProblem, title: 'Open', arguments: [d.file, d.line ?? 1, d.column ?? 1] },
      };
    }
    case 'message':
      return {
        id: node.id,
        label: node.text,
        tooltip: node.tooltip && mdCell(node.tooltip),
        icon: { id: node.command ? 'add' : 'info' },
        contextValue: contextValue(NodeKind.message),
        collapsible: 'none',
        ...(node.command ? { command: { command: node.command, title: node.text, arguments: [] } } : {}),
      };
  }
}

/** The icon of a server flagged by how many of its instances are orphans, superseded or duplicates. */
const COUNTED_FLAG_ICONS = {
  orphan: { id: 'debug-disconnect', color: 'list.errorForeground' },
  superseded: { id: 'debug-disconnect', color: 'list.warningForeground' },
  duplicate: { id: 'copy', color: 'list.warningForeground' },
} as const;

function serverItem(id: string, s: VmServer, ctx: TreeContext, workspaceFolders: readonly string[]): TreeItemModel {
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
      description = version ? t('{0} · not running', version) : t('not running');
      icon = { id: 'circle-outline' };
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
  const pending = s.instances.map((i) => guardPending(s, i, t)).find((p) => p !== undefined);
  if (pending)
    description += pending.guarded
      ? t(' · guarded until {0} restarts it', pending.client.name)
      : t(' · unguarded until {0} restarts it', pending.client.name);
  else if (guarded && state.kind !== 'running') description += t(' · guarded');
  else if (wrapped && state.kind !== 'running') description += t(' · wrapped');
  if (s.updateAvailable) description += t(' · {0} available', s.updateAvailable.latest);
  if (s.registryStatus?.status === 'deprecated') description += t(' · deprecated');
  else if (s.registryStatus?.status === 'deleted') description += t(' · deleted from the registry');
  const trust = mayRun('restart', s, ctx.trusted, workspaceFolders);

  const lines = [
    `**${mdCell(s.name)}** · ${mdCell(s.source.label)}`,
    '',
    code(`${s.source.file}${s.position ? `:${s.position.line}:${s.position.column}` : ''}`),
    '',
  ];
  lines.push(
    s.transport === 'stdio' ? code([s.command ?? '', ...s.args].join(' ')) : `${s.transport}: ${code(s.url ?? '')}`,
  );
  for (const i of s.instances) {
    const mark = guardPending(s, i, t)
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
  // Not running: Start where MCP Lifeguard can start it, else who does.
  if (state.kind === 'notRunning')
    lines.push(
      '',
      startTarget(s, ctx.window ?? NO_WINDOW, ctx.trusted, workspaceFolders)
        ? t('Start starts it through VS Code.')
        : mdCell(startedBy(s)),
    );
  return {
    id,
    label: s.name,
    description,
    tooltip: lines.join('\n'),
    icon,
    contextValue: contextValue(NodeKind.server, serverCaps(s, ctx, workspaceFolders)),
    collapsible: s.instances.length > 0 ? 'expanded' : 'none',
  };
}

/** Whether the installed code an instance would restart into will probably not start (core/versions/startRisk.ts). */
function restartAtRisk(i: VmInstance): boolean {
  const stale = restartVerdict(i);
  return stale !== undefined && (startRisksOf(stale)?.length ?? 0) > 0;
}

/**
 * The words for what is wrong with an instance, worst first; the first is the row's verdict. A fine
 * instance says `ok`, one whose version is not known `version ?`: never blank, never "fine" by omission.
 */
export function instanceVerdictWords(i: VmInstance): string[] {
  return instanceVerdicts(i).map(verdictWord);
}

/** The tree's word for a verdict: core's (`verdictLabel`), translated. */
export function verdictWord(v: InstanceVerdict): string {
  return verdictLabel(v, t);
}

/** What a restart would change, after its cause's word: `2026.7.4 → 2026.8.31`, `node 22.11.0 → 22.12.0`, `2026.8.31 installed`. */
export function restartDetail(v: Pick<RestartVerdict, 'cause' | 'package' | 'running' | 'installed'>): string {
  switch (v.cause) {
    case 'changed':
      // What it runs is not known: only what a restart loads.
      return t('{0} installed', versionWord(v.installed, t));
    case 'runtime':
      return `${v.package} ${versionMove(v.running, v.installed, ARROW, t)}`;
    case 'version':
    case 'config':
      return versionMove(v.running, v.installed, ARROW, t);
    default:
      return assertNever(v.cause);
  }
}

/**
 * An instance row, readable at the side bar's default width (~300 px): the verdict first, then pid
 * and uptime in the label; versions, guard, memory and the client (only when the group does not
 * already say it) in the description, which is what gets cut.
 */
function instanceItem(
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
  const label = [verdict, t('pid {0}', i.pid), ...(up ? [t('up {0}', up)] : [])].join(' · ');
  const flags = instanceFlags(i);
  const stale = restartVerdict(i);
  const details: string[] = [...more];
  if (stale) details.push(restartDetail(stale));
  if (restartAtRisk(i)) details.push(t('restart will probably fail'));
  // A version move names what runs already ("2026.7.4 → 2026.8.31"): not said twice.
  else if (i.runningVersion && stale?.cause !== 'version' && stale?.cause !== 'config') details.push(i.runningVersion);
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
  if (i.lock?.shareUrl) lines.push('', t('Also served over HTTP at {0}', code(i.lock.shareUrl)));
  if (i.commandLine) lines.push('', code(i.commandLine));
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
function childItem(id: string, c: VmChild, ctx: TreeContext): TreeItemModel {
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
      ...(c.commandLine ? ['', code(c.commandLine)] : []),
      '',
      ...c.verdicts.map((v) => `- ${mdCell(describeVerdict(v))}`),
    ].join('\n'),
    icon: stale ? { id: 'warning', color: 'list.warningForeground' } : { id: 'server-process' },
    contextValue: contextValue(NodeKind.child),
    collapsible: 'none',
  };
}

/** Whom an instance serves (ownerNames: a shared server's clients, else its client), or "owner unknown". */
export function ownerName(i: Pick<VmInstance, 'client' | 'lock'>): string {
  const names = ownerNames(i);
  return names.length > 0 ? listWords(names) : t('owner unknown');
}

/** `shared by 3 clients (Claude Code, Cursor, Windsurf)`: a shared server's clients, named as the engine names them (core/processes/attachedNames.ts). */
export function sharedWords(attached: ReadonlyArray<{ clientName?: string }>): string {
  const names = attached.map((c) => c.clientName ?? '?').join(', ');
  return attached.length === 1
    ? t('shared by 1 client ({0})', names)
    : attached.length === 0
      ? t('shared by no client')
      : t('shared by {0} clients ({1})', attached.length, names);
}

/** Enter (or a click) on an instance row opens its evidence: what it is, why, what to do. */
function showEvidenceOf(
  node: Extract<TreeNode, { kind: 'instance' | 'unconfigured' }>,
): NonNullable<TreeItemModel['command']> {
  return { command: CommandId.showEvidence, title: t('Show Evidence'), arguments: [node] };
}

/** Inline code: paths and command lines read literally, without markdown escapes. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}
