import * as vscode from 'vscode';
import { SnapshotStore } from '../store';
import { allNodes, childNodes, rootNodes, TreeContext, TreeFilter, TreeNode, treeItem } from '../viewModel/tree';

/**
 * The "MCP Servers" tree. Elements are the view-model's plain nodes; TreeItems are built from
 * `treeItem` on demand. Ids are stable across refreshes, so expansion and selection survive, and
 * getParent lets `reveal` find a server from a notification.
 */
export class ServersTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private byId = new Map<string, TreeNode>();
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly store: SnapshotStore,
    private readonly context: () => TreeContext,
    /** What the user chose not to see (hidden Not configured processes), read at each refresh. */
    private readonly filter: () => TreeFilter = () => ({}),
  ) {
    this.sub = store.onDidChange(() => this.refresh());
  }

  refresh(): void {
    const snap = this.store.snapshot;
    this.byId = new Map((snap ? allNodes(snap, this.filter()) : []).map((n) => [n.id, n]));
    this.emitter.fire(undefined);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const m = treeItem(node, this.context(), this.store.snapshot?.workspaceFolders ?? []);
    const collapsible = {
      none: vscode.TreeItemCollapsibleState.None,
      collapsed: vscode.TreeItemCollapsibleState.Collapsed,
      expanded: vscode.TreeItemCollapsibleState.Expanded,
    }[m.collapsible];
    const item = new vscode.TreeItem(m.label, collapsible);
    item.id = m.id;
    item.description = m.description;
    if (m.tooltip) item.tooltip = new vscode.MarkdownString(m.tooltip);
    if (m.icon)
      item.iconPath = new vscode.ThemeIcon(m.icon.id, m.icon.color ? new vscode.ThemeColor(m.icon.color) : undefined);
    item.contextValue = m.contextValue;
    if (m.command) item.command = m.command;
    item.accessibilityInformation = { label: [m.label, m.description].filter(Boolean).join(', ') };
    return item;
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const snap = this.store.snapshot;
    if (!snap) return [];
    // Children come from the current snapshot, so a stale element never shows stale children.
    if (!node) return rootNodes(snap, this.filter());
    const current = this.byId.get(node.id);
    return current ? childNodes(current) : [];
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return 'parentId' in node ? this.byId.get(node.parentId) : undefined;
  }

  node(id: string): TreeNode | undefined {
    return this.byId.get(id);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
