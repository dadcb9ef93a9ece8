/**
 * What a refresh of the tree must redraw. VS Code's whole-tree refresh forgets every row the moment
 * it starts: a right-click that lands then runs its command with no row (the command asks "which
 * server?"), and every row is drawn again under the pointer. A snapshot changes a few rows (an
 * uptime, a verdict), so only the topmost rows whose look or children changed are redrawn; the rest
 * keep their element, their DOM row and their context menu.
 */

/** One row as a refresh shows it: what it looks like (its item, serialised) and its children's ids in order. */
export interface RowShape {
  look: string;
  children: readonly string[];
}

/** The whole tree as one refresh showed it. */
export interface TreeShape {
  roots: readonly string[];
  rows: ReadonlyMap<string, RowShape>;
}

export type TreeRedraw =
  /** The roots changed (or nothing was shown yet): the whole tree. */
  | { kind: 'all' }
  /** These rows (none an ancestor of another), each with its subtree; none when nothing changed. */
  | { kind: 'rows'; ids: string[] };

/** The shape of a tree given its roots, each node's id and children, and a row's look. */
export function treeShape<N extends { id: string }>(
  roots: readonly N[],
  childrenOf: (node: N) => readonly N[],
  lookOf: (node: N) => string,
): TreeShape {
  const rows = new Map<string, RowShape>();
  const walk = (node: N): void => {
    const children = childrenOf(node);
    rows.set(node.id, { look: lookOf(node), children: children.map((c) => c.id) });
    children.forEach(walk);
  };
  roots.forEach(walk);
  return { roots: roots.map((r) => r.id), rows };
}

export function treeRedraw(before: TreeShape | undefined, after: TreeShape): TreeRedraw {
  if (!before || !sameIds(before.roots, after.roots)) return { kind: 'all' };
  const ids: string[] = [];
  const walk = (id: string): void => {
    const was = before.rows.get(id);
    const now = after.rows.get(id);
    if (!now) return;
    // A row its parent did not have before is drawn with its parent, which is redrawn.
    if (!was || was.look !== now.look || !sameIds(was.children, now.children)) {
      ids.push(id);
      return;
    }
    now.children.forEach(walk);
  };
  after.roots.forEach(walk);
  return { kind: 'rows', ids };
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
