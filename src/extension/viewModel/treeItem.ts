import { CommandId } from '../commandIds';
import { contextValue, NodeKind } from './contextValues';
import { mdCell, plural, shownLines, shownText } from './format';
import { shownPath } from '../../core/base/hostEnv';
import { mayRun } from './trust';
import { t } from './l10n';
import type { TreeNode, TreeContext, TreeItemModel } from './treeModel';
import { serverItem } from './serverItem';
import { instanceItem, childItem } from './instanceItem';

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

/** Enter (or a click) on an instance row opens its evidence: what it is, why, what to do. */
function showEvidenceOf(
  node: Extract<TreeNode, { kind: 'instance' | 'unconfigured' }>,
): NonNullable<TreeItemModel['command']> {
  return { command: CommandId.showEvidence, title: t('Show Evidence'), arguments: [node] };
}
