import * as assert from 'node:assert/strict';
import { Cap } from '../../../src/extension/viewModel/contextValues';
import { rowAnswers, serverCaps } from '../../../src/extension/viewModel/serverItem';
import type { TreeContext } from '../../../src/extension/viewModel/treeModel';
import { instance, NOW, server, source } from './fixtures';

/** A server row asks the workspace's trust once and passes the answer to its menus, description and tooltip. */
describe("a server row's trust, asked once", () => {
  const ctx: TreeContext = { trusted: false, now: NOW, guardAvailable: true };
  const folders = ['/ws/a'];
  const running = server('memory', {
    source: source({ client: 'vscode', scope: 'workspace', file: '/ws/a/.vscode/mcp.json' }),
    instances: [instance(7)],
    upgradable: true,
    rollbackable: true,
  });

  it("the menus follow the row's answer: an untrusted workspace's entry offers Stop, never what runs its command", () => {
    const row = rowAnswers(running, ctx, folders);
    assert.equal(row.trust.allowed, false);
    const caps = serverCaps(running, ctx, folders, row);
    assert.ok(caps.includes(Cap.stop));
    for (const cap of [Cap.restart, Cap.stopOnly, Cap.upgrade, Cap.rollback, Cap.wrap])
      assert.ok(!caps.includes(cap), cap);
    // The answer handed down is the one used (asked once, not again per menu).
    const trusted = rowAnswers(running, { ...ctx, trusted: true }, folders);
    assert.equal(trusted.trust.allowed, true);
    const asked = serverCaps(running, ctx, folders, trusted);
    for (const cap of [Cap.upgrade, Cap.rollback, Cap.wrap]) assert.ok(asked.includes(cap), cap);
  });
});
