import * as assert from 'node:assert/strict';
import type { WatchedMachine } from '../../../src/core/base/model';
import { machineLabel } from '../../../src/core/report/machineWords';
import { counts, serverState } from '../../../src/core/report/state';
import { explainServer } from '../../../src/extension/viewModel/explain';
import { startTarget } from '../../../src/extension/viewModel/start';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { childNodes, rootNodes, viewDescription } from '../../../src/extension/viewModel/tree';
import { TreeContext } from '../../../src/extension/viewModel/treeModel';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { healthReport, healthText } from '../../../src/agent/health';
import { instance, NOW, server, snapshot, source, VSCODE_HERE } from './fixtures';

/**
 * A remote window's faces: which machine is watched, said in the views' header, the tree's first
 * row and the status bar's tooltip; a user server that runs on the local machine is listed as
 * such, counted nowhere, and offered nothing but its config.
 */
describe('extension view-model: a remote window', () => {
  const WSL: WatchedMachine = { kind: 'remote', remote: 'wsl', name: 'Ubuntu' };
  const WS = ['/ws/a'];
  const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true, machine: WSL };
  const userFile = source({
    client: 'vscode',
    label: 'VS Code User',
    file: '/home/u/.config/Code/User/mcp.json',
  });
  const remoteFile = source({
    client: 'vscode',
    label: 'VS Code Remote User',
    file: '/home/u/.vscode-server/data/User/mcp.json',
  });
  const local = server('notes', { source: userFile, elsewhere: { on: 'local-machine' } });
  const remote = server('memory', { source: remoteFile, instances: [instance(3102, { client: VSCODE_HERE })] });
  const snap = snapshot([local, remote], { machine: WSL });

  it('names the machine as VS Code names its remotes', () => {
    assert.equal(machineLabel(WSL), 'WSL: Ubuntu');
    assert.equal(machineLabel({ kind: 'remote', remote: 'ssh-remote', name: 'build-box' }), 'SSH: build-box');
    assert.equal(machineLabel({ kind: 'remote', remote: 'dev-container' }), 'Dev Container');
    assert.equal(machineLabel({ kind: 'local' }), 'this machine');
    assert.equal(viewDescription(WSL), 'WSL: Ubuntu');
    assert.equal(viewDescription({ kind: 'local' }), undefined);
    assert.equal(viewDescription(undefined), undefined);
  });

  it("the tree's first row says which machine it watches, and where the window's user servers are", () => {
    const [first] = rootNodes(snap);
    const m = treeItem(first, ctx, WS);
    assert.equal(m.label, 'Watching: WSL: Ubuntu');
    assert.match(m.tooltip ?? '', /user servers on the local machine, out of sight of WSL: Ubuntu/);
    assert.match(m.tooltip ?? '', /mcp-lifeguard status/);
    // A local window has no such row.
    assert.ok(!rootNodes(snapshot([remote])).some((n) => n.id === 'message:machine'));
  });

  it('a local user server: "on the local machine", why and how to see it, and no action but Open Config', () => {
    const group = rootNodes(snap).find((n) => n.kind === 'group' && n.label === 'VS Code User')!;
    const [row] = childNodes(group);
    const m = treeItem(row, ctx, WS);
    assert.equal(m.description, 'on the local machine');
    assert.match(m.tooltip ?? '', /on the local machine, out of sight of WSL: Ubuntu: not judged here/);
    assert.match(m.tooltip ?? '', /mcp-lifeguard status/);
    assert.equal(m.contextValue, 'mcpServer openConfig');
    assert.equal(m.collapsible, 'none');
    // Start would start it on the local machine, out of sight: offered for the same entry read in a local window only.
    const here = { product: 'vscode' as const, workspaceFolders: WS, windowPids: [200] };
    assert.equal(startTarget(local, here, true, WS), undefined);
    assert.ok(startTarget(server('notes', { source: userFile }), here, true, WS));
    // The remote's own user server is judged as any other.
    const remoteRow = childNodes(
      rootNodes(snap).find((n) => n.kind === 'group' && n.label === 'VS Code Remote User')!,
    )[0];
    assert.match(treeItem(remoteRow, ctx, WS).contextValue, /\bstop\b/);
  });

  it('is counted nowhere: not a configured server of this machine, not "not running"', () => {
    assert.equal(serverState(local).kind, 'elsewhere');
    const c = counts(snap);
    assert.equal(c.servers, 1);
    assert.equal(c.running, 1);
    assert.equal(explainServer(local).state, 'elsewhere');
    assert.equal(healthReport(snap).servers.find((s) => s.name === 'notes')?.state, 'elsewhere');
    assert.match(
      healthText(healthReport(snap)),
      /"notes" \(VS Code User, stdio\): on the local machine, not judged here/,
    );
  });

  it("the status bar's tooltip says which machine it watches; a local window's does not", () => {
    const m = statusBarModel({ state: 'ready', snapshot: snap }, { alwaysShow: false });
    assert.ok(m.visible);
    assert.match(m.tooltip, /Watching: WSL: Ubuntu/);
    assert.match(m.tooltip, /1 of 1 configured MCP server/);
    const here = statusBarModel({ state: 'ready', snapshot: snapshot([remote]) }, { alwaysShow: false });
    assert.ok(here.visible);
    assert.doesNotMatch(here.tooltip, /Watching/);
  });
});
