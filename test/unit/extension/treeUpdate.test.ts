import * as assert from 'node:assert/strict';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { TreeContext, TreeNode } from '../../../src/extension/viewModel/treeModel';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import {
  drawnRow,
  keptTree,
  refetchAfterBatch,
  refreshBatches,
  shownExpanded,
  TreeShape,
  treeShape,
  treeUpdate,
} from '../../../src/extension/viewModel/treeUpdate';
import { VmSnapshot } from '../../../src/core/report/input';
import { CLAUDE, instance, NOW, server, snapshot, source, stale, VSCODE_OTHER } from './fixtures';

const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true };

/** The tree a snapshot draws, as the tree provider builds it (the elements kept from `previous`). */
function built(snap: VmSnapshot, previous = new Map<string, TreeNode>(), c: TreeContext = ctx) {
  return keptTree(previous, rootNodes(snap), childNodes, (n) => drawnRow(treeItem(n, c, snap.workspaceFolders)));
}
const shapeOf = (snap: VmSnapshot, c: TreeContext = ctx): TreeShape => built(snap, new Map(), c).shape;
const rowsOf = (before: VmSnapshot, after: VmSnapshot, c: TreeContext = ctx): string[] => {
  const update = treeUpdate(shapeOf(before), shapeOf(after, c));
  assert.equal(update.kind, 'rows', JSON.stringify(update));
  return update.kind === 'rows' ? update.ids : [];
};

const claude = source({ label: 'Claude Desktop' });
const cursor = source({ label: 'Cursor', client: 'cursor', file: '/home/u/.cursor/mcp.json' });
const memory = (instances = [instance(501)]) => server('memory', { source: claude, instances });
const time = (instances = [instance(601)]) => server('time', { source: claude, instances });
const fetch = (instances: ReturnType<typeof instance>[] = []) => server('fetch', { source: cursor, instances });

/** A small tree written out: `rows` maps an id to its children and whether VS Code first draws it expanded. */
function shape(roots: string[], rows: Record<string, { children?: string[]; expanded?: boolean }>): TreeShape {
  type N = { id: string };
  return treeShape<N>(
    roots.map((id) => ({ id })),
    (n) => (rows[n.id]?.children ?? []).map((id) => ({ id })),
    (n) => ({
      look: n.id,
      collapsible: rows[n.id]?.children?.length ? (rows[n.id]?.expanded ? 'expanded' : 'collapsed') : 'none',
    }),
  );
}
const asDrawn = (s: TreeShape) => (id: string) => shownExpanded(s, id, new Map());

describe('extension view-model: what a snapshot tells the tree', () => {
  it('the first snapshot draws the whole tree; one that changes nothing tells nothing', () => {
    const snap = snapshot([memory(), time()]);
    assert.deepEqual(treeUpdate(undefined, shapeOf(snap)), { kind: 'all' });
    assert.deepEqual(treeUpdate(shapeOf(snap), shapeOf(snapshot([memory(), time()]))), { kind: 'none' });
  });

  it('keeps one element per id across snapshots, its fields the new ones', () => {
    const first = built(snapshot([memory(), time()]));
    const second = built(snapshot([memory([instance(501, { memoryBytes: 1 })]), time()]), first.elements);
    const id = [...first.elements.keys()].find((k) => k.startsWith('instance:') && k.includes('memory'))!;
    const element = second.elements.get(id)!;
    assert.equal(element, first.elements.get(id), 'the same object');
    assert.equal(element.kind === 'instance' ? element.instance.memoryBytes : undefined, 1);
    // Every id of the first tree still shown keeps its object; a new id gets a new one.
    for (const [k, v] of second.elements) assert.equal(v, first.elements.get(k), k);
    const third = built(snapshot([memory([instance(501), instance(502)]), time()]), second.elements);
    const added = [...third.elements.keys()].find((k) => k.includes(':502@') || k.endsWith(':502'))!;
    assert.ok(added && !second.elements.has(added), added);
  });

  it("an uptime or a memory figure redraws that instance's row alone, never its server or group", () => {
    const young = { startTime: NOW - 5_000 };
    const before = snapshot([memory([instance(501, young)]), time([instance(601, young)])]);
    const later = { ...ctx, now: NOW + 65_000 };
    const ids = rowsOf(before, before, later);
    assert.equal(ids.length, 2, ids.join());
    assert.ok(
      ids.every((id) => id.startsWith('instance:')),
      ids.join(),
    );
    const memoryMoved = rowsOf(
      snapshot([memory(), time()]),
      snapshot([memory([instance(501, { memoryBytes: 300 * 1024 * 1024 })]), time()]),
    );
    assert.equal(memoryMoved.length, 1, memoryMoved.join());
    assert.match(memoryMoved[0], /^instance:.*memory/);
  });

  it("a verdict redraws the topmost row whose words moved (the server's), with its instances, and nothing beside it", () => {
    const ids = rowsOf(
      snapshot([memory(), time()]),
      snapshot([memory([instance(501, { verdicts: [stale()] })]), time()]),
    );
    assert.deepEqual(ids, [`server:${memory().id}`]);
  });

  it('a second instance redraws its server (its children changed), not its group or a sibling', () => {
    const ids = rowsOf(
      snapshot([memory(), time()]),
      snapshot([memory([instance(501), instance(502, { client: VSCODE_OTHER })]), time()]),
    );
    assert.deepEqual(ids, [`server:${memory().id}`]);
  });

  it('a server that starts redraws its group (its running count moved), which fetches the server again', () => {
    const ids = rowsOf(snapshot([memory(), fetch()]), snapshot([memory(), fetch([instance(701)])]));
    assert.deepEqual(ids, ['group:Cursor']);
  });

  it('an instance that went redraws its server; the gone row is not named', () => {
    const ids = rowsOf(
      snapshot([memory([instance(501), instance(502, { client: CLAUDE })])]),
      snapshot([memory([instance(501)])]),
    );
    assert.deepEqual(ids, [`server:${memory().id}`]);
  });

  it('what the window allows redraws the rows whose menus change', () => {
    const snap = snapshot([memory(), time()]);
    const ids = rowsOf(snap, snap, { ...ctx, guardAvailable: false });
    assert.ok(ids.length > 0);
    assert.ok(
      ids.every((id) => id.startsWith('server:')),
      ids.join(),
    );
  });

  it('a group that comes or goes changes the top level: the whole tree', () => {
    assert.deepEqual(treeUpdate(shapeOf(snapshot([memory()])), shapeOf(snapshot([memory(), fetch()]))), {
      kind: 'all',
    });
    assert.deepEqual(
      treeUpdate(shapeOf(snapshot([memory()])), shapeOf(snapshot([memory()], { notConfigured: [instance(9)] }))),
      { kind: 'all' },
    );
  });

  it('a process under Not configured that comes redraws that group', () => {
    const ids = rowsOf(
      snapshot([memory()], { notConfigured: [instance(9)] }),
      snapshot([memory()], { notConfigured: [instance(9), instance(10)] }),
    );
    assert.deepEqual(ids, ['notConfigured']);
  });

  it('refreshes that fetch one level are batched together; each that fetches deeper goes alone', () => {
    const s = shape(['g1', 'g2'], {
      g1: { children: ['s1', 's2'], expanded: true },
      s1: { children: ['i1'], expanded: true },
      s2: { children: ['i2'], expanded: true },
      i1: { children: ['c1'] },
      g2: { children: ['s3'], expanded: true },
      s3: { children: ['i3'], expanded: true },
    });
    // g1 and g2 fetch their servers, which fetch their instances: each alone. s1, s2 stop at instances
    // (collapsed), and rows without children fetch nothing: together.
    assert.deepEqual(refreshBatches(s, ['g1', 's2', 'i2', 'g2', 's1'], asDrawn(s)), [
      ['s2', 'i2', 's1'],
      ['g1'],
      ['g2'],
    ]);
    // The user opened i1: s1 now fetches deeper.
    const opened = (id: string) => shownExpanded(s, id, new Map([['i1', true]]));
    assert.deepEqual(refreshBatches(s, ['s1', 's2'], opened), [['s2'], ['s1']]);
    // The user closed g2: it fetches nothing.
    const closed = (id: string) => shownExpanded(s, id, new Map([['g2', false]]));
    assert.deepEqual(refreshBatches(s, ['g1', 'g2'], closed), [['g2'], ['g1']]);
  });

  it('a batch VS Code may have answered from another: the rows after the first that fetches deeper are fetched again', () => {
    // Seen in code-server: Workspace (nothing running), Claude Desktop (notes running, expanded), Cursor.
    // The answer for Claude Desktop started the fetch of notes' instances before Cursor had its turn:
    // Cursor drew none of its rows.
    const s = shape(['ws', 'cd', 'cu'], {
      ws: { children: ['memory', 'everything'], expanded: true },
      cd: { children: ['notes'], expanded: true },
      notes: { children: ['pid1'], expanded: true },
      cu: { children: ['everything2'], expanded: true },
    });
    assert.deepEqual(refetchAfterBatch(['ws', 'cd', 'cu'], s, asDrawn(s)), ['cu']);
    // Nothing fetches deeper: every answer was waited for.
    assert.deepEqual(refetchAfterBatch(['ws', 'cu'], s, asDrawn(s)), []);
    // Only the last fetches deeper: the others had their turn before its answer.
    assert.deepEqual(refetchAfterBatch(['ws', 'cu', 'cd'], s, asDrawn(s)), []);
    // One row alone is never answered from another batch.
    assert.deepEqual(refetchAfterBatch(['cd'], s, asDrawn(s)), []);
    // The user closed notes: Claude Desktop's answer starts nothing.
    assert.deepEqual(
      refetchAfterBatch(['ws', 'cd', 'cu'], s, (id) => shownExpanded(s, id, new Map([['notes', false]]))),
      [],
    );
  });

  it('a row is shown as the user left it, else as VS Code first drew it', () => {
    const s = shape(['g'], { g: { children: ['a'], expanded: true }, a: { children: ['b'] } });
    assert.equal(shownExpanded(s, 'g', new Map()), true);
    assert.equal(shownExpanded(s, 'a', new Map()), false);
    assert.equal(shownExpanded(s, 'a', new Map([['a', true]])), true);
    assert.equal(shownExpanded(s, 'g', new Map([['g', false]])), false);
  });
});
