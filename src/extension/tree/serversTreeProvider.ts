import * as vscode from 'vscode';
import { assertNever } from '../../core/base/assertNever';
import { SnapshotStore } from '../store';
import { childNodes, rootNodes, TreeContext, TreeFilter, TreeNode, treeItem } from '../viewModel/tree';
import { TreeShape, treeRedraw, treeShape } from '../viewModel/treeRedraw';

/**
 * The "MCP Servers" tree. Elements are the view-model's plain nodes, one object per id for as long
 * as the id is shown: VS Code finds an element by object, so a refresh updates that object's fields
 * and redraws only the rows whose look or children changed (treeRedraw.ts). A right-click meets a
 * whole-tree refresh only when the top level changes. getParent lets `reveal` find a server from a
 * notification.
 */
export class ServersTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** The element of each id shown, its fields those of the latest snapshot. */
  private byId = new Map<string, TreeNode>();
  private shape: TreeShape | undefined;
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
    const before = this.shape;
    this.build();
    const redraw = treeRedraw(before, this.shape!);
    switch (redraw.kind) {
      case 'all':
        this.emitter.fire(undefined);
        return;
      case 'rows':
        if (redraw.ids.length > 0) this.emitter.fire(redraw.ids.map((id) => this.byId.get(id)!));
        return;
      default:
        assertNever(redraw);
    }
  }

  /** Reads the current snapshot into the elements (kept by id) and the shape a redraw compares. */
  private build(): void {
    const snap = this.store.snapshot;
    const ctx = this.context();
    const folders = snap?.workspaceFolders ?? [];
    const kept = new Map<string, TreeNode>();
    const keep = (fresh: TreeNode): TreeNode => {
      const element = this.byId.get(fresh.id);
      if (!element || element.kind !== fresh.kind) {
        kept.set(fresh.id, fresh);
        return fresh;
      }
      const fields = element as Record<string, unknown>;
      for (const key of Object.keys(fields)) delete fields[key];
      Object.assign(fields, fresh);
      kept.set(fresh.id, element);
      return element;
    };
    const roots = (snap ? rootNodes(snap, this.filter()) : []).map(keep);
    this.shape = treeShape(
      roots,
      (node) => childNodes(node).map(keep),
      (node) => JSON.stringify(treeItem(node, ctx, folders)),
    );
    this.byId = kept;
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
    if (!this.shape) this.build();
    // Children come from the latest snapshot, so an element no longer shown has none.
    const ids = node ? (this.shape!.rows.get(node.id)?.children ?? []) : this.shape!.roots;
    return ids.flatMap((id) => this.byId.get(id) ?? []);
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return 'parentId' in node ? this.byId.get(node.parentId) : undefined;
  }

  node(id: string): TreeNode | undefined {
    if (!this.shape) this.build();
    return this.byId.get(id);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
