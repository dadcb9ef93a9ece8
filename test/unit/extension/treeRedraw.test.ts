import * as assert from 'node:assert/strict';
import { childNodes, rootNodes, TreeContext, TreeNode, treeItem } from '../../../src/extension/viewModel/tree';
import { TreeShape, treeRedraw, treeShape } from '../../../src/extension/viewModel/treeRedraw';
import { VmSnapshot } from '../../../src/core/report/input';
import { CLAUDE, instance, NOW, server, snapshot, source, stale, VSCODE_OTHER } from './fixtures';

/** The shape the tree provider compares: every row's item as the view model draws it. */
function shapeOf(snap: VmSnapshot, now = NOW): TreeShape {
  const ctx: TreeContext = { trusted: true, now, guardAvailable: true };
  return treeShape<TreeNode>(rootNodes(snap), childNodes, (n) => JSON.stringify(treeItem(n, ctx, [])));
}

const claude = source({ label: 'Claude Desktop' });
const memory = (instances = [instance(501)]) => server('memory', { source: claude, instances });
const time = server('time', { source: claude, instances: [instance(601)] });

describe('extension view-model: what a refresh of the tree redraws', () => {
  it('the first refresh draws the whole tree', () => {
    assert.deepEqual(treeRedraw(undefined, shapeOf(snapshot([memory(), time]))), { kind: 'all' });
  });

  it('nothing changed: nothing is redrawn', () => {
    const snap = snapshot([memory(), time]);
    assert.deepEqual(treeRedraw(shapeOf(snap), shapeOf(snap)), { kind: 'rows', ids: [] });
  });

  it('a later snapshot that only moves uptimes redraws the instance rows, never a server or group row', () => {
    const young = { startTime: NOW - 5_000 };
    const snap = snapshot([
      memory([instance(501, young)]),
      server('time', { source: claude, instances: [instance(601, young)] }),
    ]);
    const redraw = treeRedraw(shapeOf(snap), shapeOf(snap, NOW + 65_000));
    assert.equal(redraw.kind, 'rows');
    const ids = redraw.kind === 'rows' ? redraw.ids : [];
    assert.equal(ids.length, 2, `both uptimes are redrawn: ${ids.join()}`);
    assert.ok(
      ids.every((id) => id.startsWith('instance:')),
      ids.join(),
    );
  });

  it('a verdict on one instance redraws the topmost row whose look changed, and nothing beside it', () => {
    const before = shapeOf(snapshot([memory(), time]));
    const after = shapeOf(snapshot([memory([instance(501, { verdicts: [stale()] })]), time]));
    const redraw = treeRedraw(before, after);
    assert.equal(redraw.kind, 'rows');
    const ids = redraw.kind === 'rows' ? redraw.ids : [];
    // The group's and the server's words count stale instances: the topmost of them is redrawn, with its subtree.
    assert.equal(ids.length, 1, ids.join());
    assert.ok(!ids.some((id) => id.includes('time')), ids.join());
  });

  it('a second instance of a server redraws that server (its children changed), not its sibling', () => {
    const before = shapeOf(snapshot([memory(), time]));
    const after = shapeOf(snapshot([memory([instance(501), instance(502, { client: VSCODE_OTHER })]), time]));
    const redraw = treeRedraw(before, after);
    assert.equal(redraw.kind, 'rows');
    const ids = redraw.kind === 'rows' ? redraw.ids : [];
    assert.ok(ids.length >= 1 && !ids.some((id) => id.includes('time')), ids.join());
    assert.ok(
      ids.some((id) => id.startsWith('server:') || id.startsWith('group:')),
      ids.join(),
    );
  });

  it('a new group at the top level redraws the whole tree', () => {
    const before = shapeOf(snapshot([memory()]));
    const cursor = server('fetch', { source: source({ label: 'Cursor', client: 'cursor' }), instances: [] });
    assert.deepEqual(treeRedraw(before, shapeOf(snapshot([memory(), cursor]))), { kind: 'all' });
  });

  it('a row no longer shown is redrawn through its parent', () => {
    const before = shapeOf(snapshot([memory([instance(501), instance(502, { client: CLAUDE })])]));
    const after = shapeOf(snapshot([memory([instance(501)])]));
    const redraw = treeRedraw(before, after);
    assert.equal(redraw.kind, 'rows');
    const ids = redraw.kind === 'rows' ? redraw.ids : [];
    assert.ok(!ids.some((id) => id.includes('502')), `the gone row is not named: ${ids.join()}`);
    assert.ok(ids.length >= 1, 'its parent is redrawn');
  });
});
