import { assertNever } from '../../core/base/assertNever';
import { CommandId } from '../commandIds';
import { VmInstance, VmServer, VmSnapshot } from '../../core/report/input';
import { visibleNotConfigured } from './notConfigured';
import { splitHidden } from './hiddenProcesses';
import { instanceKey, problemsByPosition } from '../../core/report/state';
import { t } from './l10n';
import { machineLabel, watchingLine, windowUserServersNote } from '../../core/report/machineWords';
import type { TreeNode, TreeFilter } from './treeModel';

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
