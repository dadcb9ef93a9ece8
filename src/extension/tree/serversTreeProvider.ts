import * as vscode from 'vscode';
import { SnapshotStore } from '../store';
import { childNodes, rootNodes } from '../viewModel/tree';
import { TreeContext, TreeFilter, TreeNode } from '../viewModel/treeModel';
import { treeItem } from '../viewModel/treeItem';
import {
  drawnRow,
  keptTree,
  refetchAfterBatch,
  refreshBatches,
  shownExpanded,
  TreeShape,
  treeUpdate,
} from '../viewModel/treeUpdate';

/** VS Code merges the changes a tree fires within 200 ms into one refresh; batches must stay apart. */
const BATCH_GAP_MS = 300;
/**
 * How long a row's children take to be answered. VS Code's tree (TreeDataSource.getChildren in
 * treeView.ts) gathers the children requests of one tick into a batch, and each request reads its
 * answer from the batch's shared promise in a timeout of its own; a request made before the last of
 * those timeouts ran (an answer that came back at once and drew an expanded child) starts a new batch
 * and the remaining rows read the new batch's answers: a row shown expanded with nothing under it.
 * Answering a little later than those timeouts (0 ms, 4 ms when nested) closes that window.
 */
const CHILDREN_ANSWER_MS = 25;
const EMPTY: TreeShape = { roots: [], rows: new Map() };

/**
 * The "MCP Servers" tree. Elements are the view-model's plain nodes, one object per id for as long
 * as the id is shown: VS Code finds a row by its element, so a snapshot updates that object's fields
 * and VS Code is told only about the rows that changed (viewModel/treeUpdate.ts says which, and in
 * which batches). A right-click meets a refresh only where its row, or a row above it, changed.
 * Nothing is told while no view of the tree is visible; what changed meanwhile is told when one shows.
 * getParent lets `reveal` find a server from a notification.
 */
export class ServersTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  /** The element of each id shown, its fields those of the latest snapshot. */
  private byId = new Map<string, TreeNode>();
  /** The tree the latest snapshot draws. */
  private current: TreeShape = EMPTY;
  /** The tree VS Code was last told about; undefined until it is told anything. */
  private told: TreeShape | undefined;
  /** How many views of the tree are visible (the side bar's, and the Explorer's when shown there). */
  private visibleViews = 0;
  private get visible(): boolean {
    return this.visibleViews > 0;
  }
  /**
   * The rows VS Code holds: handed to it by getChildren since it last forgot them (a refresh forgets
   * what is below the rows it names). A row it does not hold gets its current look when it is fetched,
   * so nothing is fired for it, and a fire that would change nothing does not delay the next.
   */
  private held = new Set<string>();
  /** Rows the user opened or closed: VS Code keeps that by id, whatever the row's item says later. */
  private readonly userExpanded = new Map<string, boolean>();
  /** Refreshes waiting for their turn: ids of rows, or 'all'. */
  private queue: Array<readonly string[] | 'all'> = [];
  private lastFire = 0;
  private timer: NodeJS.Timeout | undefined;
  /** The rows whose children VS Code asked for in this tick (one batch of its requests). */
  private fetchedThisTick: string[] | undefined;
  /** Callers waiting until every change so far is fired (whenTold). */
  private toldWaiters: Array<() => void> = [];
  private readonly sub: vscode.Disposable;
  private disposed = false;
  private readonly isExpanded = (id: string): boolean => shownExpanded(this.current, id, this.userExpanded);

  constructor(
    private readonly store: SnapshotStore,
    private readonly context: () => TreeContext,
    /** What the user chose not to see (hidden Not configured processes), read at each refresh. */
    private readonly filter: () => TreeFilter = () => ({}),
  ) {
    this.sub = store.onDidChange(() => this.refresh());
  }

  /** Reads the latest snapshot and tells a visible view what changed. */
  refresh(): void {
    this.build();
    if (this.visible) this.tell();
  }

  /** How many views of the tree are visible: while none is, nothing is told until one shows. */
  setVisibleViews(count: number): void {
    const before = this.visibleViews;
    this.visibleViews = count;
    if (count === 0) return this.releaseWaiters();
    if (count <= before) return;
    if (before > 0) {
      // A second view: what each holds is no longer one thing to keep track of; both load it all.
      this.told = this.current;
      this.queue = ['all'];
      return this.pump();
    }
    // A view shown for the first time loads the whole tree itself: what changed is told only after
    // a batch's gap, so that its own load (getChildren of the root) makes telling it needless.
    this.lastFire = Date.now();
    this.tell();
  }

  /**
   * Resolves once every change so far has been fired. A reveal made after that waits in VS Code for
   * those refreshes to be drawn; one made before can expand a row while its parent is redrawn, which
   * draws it collapsed again.
   */
  whenTold(): Promise<void> {
    if (this.queue.length === 0 || !this.visible || this.disposed) return Promise.resolve();
    return new Promise((resolve) => this.toldWaiters.push(resolve));
  }

  /** The user opened or closed a row. */
  noteExpanded(node: TreeNode, expanded: boolean): void {
    this.userExpanded.set(node.id, expanded);
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

  getChildren(node?: TreeNode): TreeNode[] | Promise<TreeNode[]> {
    if (node) this.noteFetch(node.id);
    else if (this.visibleViews === 1) {
      // VS Code is loading the whole tree from the current data (a view's first show, or a refresh
      // of everything): what it was to be told is in it, and one load less can meet a click.
      this.told = this.current;
      this.queue = [];
      this.held.clear();
      this.releaseWaiters();
    }
    // Children come from the latest snapshot, so an element no longer shown has none.
    const ids = node ? (this.current.rows.get(node.id)?.children ?? []) : this.current.roots;
    ids.forEach((id) => this.held.add(id));
    const children = ids.flatMap((id) => this.byId.get(id) ?? []);
    if (!node || this.disposed) return children;
    return new Promise((resolve) => setTimeout(() => resolve(children), CHILDREN_ANSWER_MS));
  }

  getParent(node: TreeNode): TreeNode | undefined {
    return 'parentId' in node ? this.byId.get(node.parentId) : undefined;
  }

  node(id: string): TreeNode | undefined {
    return this.byId.get(id);
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.releaseWaiters();
    this.sub.dispose();
    this.emitter.dispose();
  }

  /** Reads the current snapshot into the elements (kept by id) and the shape an update compares. */
  private build(): void {
    const snap = this.store.snapshot;
    const ctx = this.context();
    const folders = snap?.workspaceFolders ?? [];
    const { elements, shape } = keptTree(this.byId, snap ? rootNodes(snap, this.filter()) : [], childNodes, (node) =>
      drawnRow(treeItem(node, ctx, folders)),
    );
    this.byId = elements;
    this.current = shape;
    // An id that went is drawn afresh when it comes back: VS Code forgot its expansion too.
    for (const id of this.userExpanded.keys()) if (!elements.has(id)) this.userExpanded.delete(id);
  }

  /** Tells VS Code what changed since it was last told, in batches it takes without a batch going wrong. */
  private tell(): void {
    const update = treeUpdate(this.told, this.current);
    this.told = this.current;
    if (update.kind === 'all') this.queue = ['all'];
    else if (update.kind === 'rows') this.queue.push(...refreshBatches(this.current, update.ids, this.isExpanded));
    this.pump();
  }

  /** Fires the next refresh once the one before had its own turn. */
  private pump(): void {
    if (this.timer || !this.visible || this.disposed) return;
    if (this.queue.length === 0) return this.releaseWaiters();
    const wait = this.lastFire + BATCH_GAP_MS - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, wait);
      return;
    }
    const next = this.queue.shift()!;
    // A row gone since its refresh was queued is fetched again with its parent, which changed too.
    const ids = next === 'all' ? undefined : next.filter((id) => this.held.has(id) && this.byId.has(id));
    if (ids?.length === 0) return this.pump();
    if (ids) ids.forEach((id) => this.forgetBelow(id));
    else this.held.clear();
    this.lastFire = Date.now();
    this.emitter.fire(ids?.map((id) => this.byId.get(id)!));
    this.pump();
  }

  /** VS Code forgets what is below a row it refreshes, until it fetches its children again. */
  private forgetBelow(id: string): void {
    for (const child of this.current.rows.get(id)?.children ?? []) {
      this.held.delete(child);
      this.forgetBelow(child);
    }
  }

  private releaseWaiters(): void {
    const waiters = this.toldWaiters;
    this.toldWaiters = [];
    waiters.forEach((resolve) => resolve());
  }

  /**
   * VS Code asks for the children of every row of one batch in one tick. A batch that may have been
   * answered from another's results (treeUpdate.ts) is followed by a refresh of its rows that may be wrong.
   */
  private noteFetch(id: string): void {
    if (!this.fetchedThisTick) {
      this.fetchedThisTick = [];
      setImmediate(() => {
        const fetched = this.fetchedThisTick ?? [];
        this.fetchedThisTick = undefined;
        const again = refetchAfterBatch(fetched, this.current, this.isExpanded);
        if (again.length === 0) return;
        this.queue.push(...refreshBatches(this.current, again, this.isExpanded));
        this.pump();
      });
    }
    this.fetchedThisTick.push(id);
  }
}
