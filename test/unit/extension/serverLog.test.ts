import * as assert from 'node:assert/strict';
import { serverLogTarget } from '../../../src/extension/viewModel/serverLog';
import { childNodes, rootNodes, TreeContext, TreeNode, treeItem } from '../../../src/extension/viewModel/tree';
import { instance, NOW, server, snapshot, source, VSCODE_HERE, VSCODE_OTHER } from './fixtures';

const LOGS = '/home/u/.local/state/mcp-lifeguard/logs';
const FILE = `${LOGS}/notes-0123456789abcdef.stderr.log`;
const here = { product: 'vscode' as const, workspaceFolders: ['/ws/a'], windowPids: [200] };
const guarded = (pid: number, serverLog = FILE) => instance(pid, { lock: { serverName: 'notes', serverLog } });
const vsWorkspace = source({
  client: 'vscode',
  scope: 'workspace',
  label: 'Workspace',
  file: '/ws/a/.vscode/mcp.json',
  workspaceFolder: '/ws/a',
});

describe('extension view-model: Show Server Log', () => {
  it("a guarded instance opens its guard's log; a server row its first guarded instance's", () => {
    const s = server('notes', { instances: [instance(1), guarded(2)] });
    assert.deepEqual(serverLogTarget(s, s.instances[1], here, LOGS), { kind: 'file', file: FILE });
    assert.deepEqual(serverLogTarget(s, undefined, here, LOGS), { kind: 'file', file: FILE });
    assert.equal(
      serverLogTarget(s, s.instances[0], here, LOGS),
      undefined,
      'an unguarded instance of another client has no log',
    );
  });

  it("never opens a file a lock record names outside MCP Lifeguard's logs folder", () => {
    for (const bad of [
      '/etc/shadow',
      `${LOGS}/../../x.stderr.log`,
      `${LOGS}-evil/x.stderr.log`,
      `${LOGS}/notes.json`,
    ]) {
      const s = server('notes', { instances: [guarded(2, bad)] });
      assert.equal(serverLogTarget(s, s.instances[0], here, LOGS), undefined, bad);
    }
  });

  it("a server VS Code runs from its config opens VS Code's own output for it, for this window's instance", () => {
    const s = server('memory', {
      source: vsWorkspace,
      instances: [instance(5, { client: VSCODE_HERE }), instance(6, { client: VSCODE_OTHER })],
    });
    const target = { kind: 'vscode', command: 'workbench.mcp.showOutput', serverId: 'mcp.config.ws0.memory' };
    assert.deepEqual(serverLogTarget(s, undefined, here, LOGS), target);
    assert.deepEqual(serverLogTarget(s, s.instances[0], here, LOGS), target);
    assert.equal(
      serverLogTarget(s, s.instances[1], here, LOGS),
      undefined,
      "another window's instance: not this window's output",
    );
    assert.deepEqual(
      serverLogTarget(server('memory', { source: vsWorkspace }), undefined, here, LOGS),
      target,
      'not running: its output is still there',
    );
  });

  it('the tree offers Show Server Log exactly where it has a target', () => {
    const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true, window: here, logsDir: LOGS };
    const s = server('notes', { instances: [instance(1), guarded(2)] });
    const serverNode = childNodes(rootNodes(snapshot([s])).find((n) => n.kind === 'group')!)[0];
    const caps = (n: TreeNode) => treeItem(n, ctx, ['/ws/a']).contextValue.split(' ');
    assert.ok(caps(serverNode).includes('serverLog'));
    const [plain, withLog] = childNodes(serverNode);
    assert.ok(!caps(plain).includes('serverLog'));
    assert.ok(caps(withLog).includes('serverLog'));
    const bare = childNodes(
      rootNodes(snapshot([server('other', { instances: [instance(3)] })])).find((n) => n.kind === 'group')!,
    )[0];
    assert.ok(!caps(bare).includes('serverLog'));
  });
});
