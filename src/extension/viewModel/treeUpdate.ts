/**
 * What VS Code must be told when the tree's data changes, decided without VS Code.
 *
 * How VS Code takes a refresh (extHostTreeViews.ts, treeView.ts and asyncDataTree.ts of VS Code
 * 1.139) shapes every rule here:
 * - A refresh of the whole tree forgets every row's handle at once: a command run from a row's menu
 *   while it reloads gets no row (Restart asks "which MCP server?"), and a click's command is gone.
 * - A refresh of one row keeps that row's handle and forgets only its descendants' until VS Code
 *   has fetched its children again; a row without children loses nothing.
 * - VS Code batches the children requests of one tick and answers each by its position from one
 *   shared promise. When the answer for a row that comes early leads to another fetch (an expanded
 *   child with children of its own) before the later rows of the batch had their turn, those later
 *   rows are answered from the new batch: an expanded group shows none of its rows until it is
 *   refreshed again. A whole-tree refresh every few seconds used to hide that; a tree that
 *   refreshes only what changed must never give VS Code such a batch, and must fetch again any row
 *   that was in one (`refreshBatches`, `refetchAfterBatch`).
 */

import type { TreeItemModel } from './treeModel';

export type Collapsible = TreeItemModel['collapsible'];

/** One row as a refresh leaves it: how it looks, its children's ids in order, how VS Code first draws it. */
export interface RowShape {
  look: string;
  children: readonly string[];
  /** VS Code honours this only when it first draws an id; after that the row keeps the user's expansion. */
  collapsible: Collapsible;
}

/** The whole tree as one snapshot shows it. */
export interface TreeShape {
  roots: readonly string[];
  rows: ReadonlyMap<string, RowShape>;
}

export type TreeUpdate =
  /** The snapshot changed nothing VS Code shows. */
  | { kind: 'none' }
  /** The top level changed (or nothing was shown yet): only a refresh of the whole tree can say so. */
  | { kind: 'all' }
  /** These rows, none inside another: each has a new look, or children that came or went. */
  | { kind: 'rows'; ids: string[] };

/** The shape of a tree given its roots, each node's children and how a node is drawn. */
export function treeShape<N extends { id: string }>(
  roots: readonly N[],
  childrenOf: (node: N) => readonly N[],
  drawn: (node: N) => { look: string; collapsible: Collapsible },
): TreeShape {
  const rows = new Map<string, RowShape>();
  const walk = (node: N): void => {
    const children = childrenOf(node);
    rows.set(node.id, Object.assign({}, drawn(node), { children: children.map((c) => c.id) }));
    children.forEach(walk);
  };
  roots.forEach(walk);
  return { roots: roots.map((r) => r.id), rows };
}

/** A row as a refresh compares it: a command's arguments are the row's own element, not what it shows. */
export function drawnRow(item: TreeItemModel): { look: string; collapsible: Collapsible } {
  const { command, ...shown } = item;
  return {
    look: JSON.stringify(
      Object.assign({}, shown, { command: command && { command: command.command, title: command.title } }),
    ),
    collapsible: item.collapsible,
  };
}

/**
 * The tree of a new snapshot over the elements of the one before: an id shown in both keeps its
 * object, its fields replaced by the new ones (VS Code finds a row by its element, and a command a
 * row's menu runs holds it); a new id, or one whose kind changed, gets the fresh node.
 */
export function keptTree<N extends { id: string; kind: string }>(
  previous: ReadonlyMap<string, N>,
  roots: readonly N[],
  childrenOf: (node: N) => readonly N[],
  drawn: (node: N) => { look: string; collapsible: Collapsible },
): { elements: Map<string, N>; shape: TreeShape } {
  const elements = new Map<string, N>();
  const keep = (fresh: N): N => {
    const element = previous.get(fresh.id);
    if (!element || element.kind !== fresh.kind) {
      elements.set(fresh.id, fresh);
      return fresh;
    }
    const fields = element as Record<string, unknown>;
    for (const key of Object.keys(fields)) delete fields[key];
    Object.assign(fields, fresh);
    elements.set(fresh.id, element);
    return element;
  };
  const shape = treeShape(roots.map(keep), (node) => childrenOf(node).map(keep), drawn);
  return { elements, shape };
}

/**
 * The rows to refresh between what VS Code was last told (`before`) and the new snapshot. A row whose
 * children came, went or moved is refreshed itself (VS Code asks for its children again); a row whose
 * look changed is refreshed with what is below it. A row inside one that is refreshed is not named:
 * VS Code fetches it again with its parent.
 */
export function treeUpdate(before: TreeShape | undefined, after: TreeShape): TreeUpdate {
  if (!before || !sameIds(before.roots, after.roots)) return { kind: 'all' };
  const ids: string[] = [];
  const walk = (id: string): void => {
    const was = before.rows.get(id);
    const now = after.rows.get(id);
    if (!was || !now) return;
    if (was.look !== now.look || !sameIds(was.children, now.children)) {
      ids.push(id);
      return;
    }
    now.children.forEach(walk);
  };
  after.roots.forEach(walk);
  return ids.length ? { kind: 'rows', ids } : { kind: 'none' };
}

/**
 * Whether VS Code, refreshing this row, asks for its children: it has children and is shown expanded
 * (a collapsed row is only marked to be fetched when opened).
 */
export function fetchesChildren(shape: TreeShape, id: string, isExpanded: (id: string) => boolean): boolean {
  const row = shape.rows.get(id);
  return !!row && row.children.length > 0 && isExpanded(id);
}

/** Whether fetching this row's children leads VS Code to fetch again below them (an expanded child with children). */
export function goesDeeper(shape: TreeShape, id: string, isExpanded: (id: string) => boolean): boolean {
  return (
    fetchesChildren(shape, id, isExpanded) &&
    (shape.rows.get(id)?.children ?? []).some((c) => fetchesChildren(shape, c, isExpanded))
  );
}

/**
 * The rows of an update split into refreshes VS Code can take one after the other without a batch
 * going wrong: first every row whose children's fetch stops there (any number can share a batch),
 * then each row whose fetch goes deeper on its own.
 */
export function refreshBatches(
  shape: TreeShape,
  ids: readonly string[],
  isExpanded: (id: string) => boolean,
): string[][] {
  const deep = ids.filter((id) => goesDeeper(shape, id, isExpanded));
  const calm = ids.filter((id) => !deep.includes(id));
  return [...(calm.length ? [calm] : []), ...deep.map((id) => [id])];
}

/**
 * The rows of one batch of children requests (in VS Code's order) whose answers may be another
 * batch's: those after the first row whose answer starts another fetch. The rows before it were
 * already waiting for the right answer; the last row cannot start a fetch before the others' turn.
 */
export function refetchAfterBatch(
  fetched: readonly string[],
  shape: TreeShape,
  isExpanded: (id: string) => boolean,
): string[] {
  const first = fetched.slice(0, -1).findIndex((id) => goesDeeper(shape, id, isExpanded));
  return first < 0 ? [] : [...new Set(fetched.slice(first + 1))].filter((id) => shape.rows.has(id));
}

/** How a row is shown now: as the user left it, else as VS Code first drew it. */
export function shownExpanded(shape: TreeShape, id: string, userChoice: ReadonlyMap<string, boolean>): boolean {
  return userChoice.get(id) ?? shape.rows.get(id)?.collapsible === 'expanded';
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
