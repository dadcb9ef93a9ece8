import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { healthReport } from '../../../src/agent/health';
import { formatInstances } from '../../../src/cli/format/status';
import type { Snapshot } from '../../../src/core/base/model';
import type { ProcessInfo } from '../../../src/core/pids/table';
import { toViewInput } from '../../../src/core/report/input';
import { counts } from '../../../src/core/report/state';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { allNodes } from '../../../src/extension/viewModel/tree';
import { OWN_UID, testMachine } from '../../support/machines';
import { npmPackage, tempDir, write } from '../versions/layouts';

/**
 * One server configured alike in Claude Desktop's and Cursor's configs (the same command, no env),
 * and one process of it started by hand from a terminal: no client's entry is proven its own. It
 * is one process, so every face lists and counts it once, under one entry, saying it fits both.
 */
describe('snapshot: a process from a terminal that two clients configure alike', () => {
  const START = Date.now() - 3600_000;

  async function take(): Promise<Snapshot> {
    const home = tempDir();
    const script = path.join(npmPackage(path.join(home, 'app', 'node_modules'), 'notes', '1.0.0'), 'dist', 'index.js');
    const entry = JSON.stringify({ mcpServers: { notes: { command: process.execPath, args: [script] } } });
    write(path.join(home, '.config', 'Claude', 'claude_desktop_config.json'), entry);
    write(path.join(home, '.cursor', 'mcp.json'), entry);
    const host = {
      home,
      platform: 'linux' as const,
      env: { PATH: path.dirname(process.execPath), MCP_LIFEGUARD_HOME: path.join(home, 'lg') },
    };
    const processes: ProcessInfo[] = [
      // An interactive shell on a terminal, and the server the user ran from it.
      { pid: 4000, ppid: 1, argv: ['bash'], startTime: START - 5000, uid: OWN_UID, tty: true },
      { pid: 4001, ppid: 4000, argv: [process.execPath, script], startTime: START, uid: OWN_UID, tty: true },
    ];
    return takeSnapshot({
      host,
      machine: testMachine({ host, processes, selfPid: 1 }),
      engine: { registry: false, docker: false },
      workspaceFolders: [],
    });
  }

  it('is listed once, under one entry, undecided, its evidence naming both clients', async () => {
    const snap = await take();
    assert.deepEqual(
      snap.servers.map((s) => [s.source.label, s.instances.map((i) => i.pid)]),
      [
        ['Claude Desktop', [4001]],
        ['Cursor', []],
      ],
    );
    const [i] = snap.servers[0].instances;
    assert.equal(i.client.id, 'terminal');
    const owner = i.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
    assert.match(
      owner?.kind === 'unknown' ? owner.reason : '',
      /it was started from a terminal, and it fits 'notes' \(.*\/\.config\/Claude\/claude_desktop_config\.json\) and 'notes' \(.*\/\.cursor\/mcp\.json\) alike/,
    );
  });

  it('is counted once by the badge, the tree, `status` and the agent face', async () => {
    const snap = await take();
    const vm = toViewInput(snap);
    const c = counts(vm);
    assert.deepEqual([c.servers, c.running, c.instances], [2, 1, 1]);
    const rows = allNodes(vm).filter((n) => n.kind === 'instance');
    assert.equal(rows.length, 1, 'one instance row in the tree');
    const badge = statusBarModel({ state: 'ready', snapshot: vm }, { alwaysShow: true });
    assert.ok(badge.visible);
    assert.equal(badge.tooltip.split('4001').length - 1, 1, `one tooltip row: ${badge.tooltip}`);
    assert.equal(formatInstances(snap).filter((l) => /\b4001\b/.test(l)).length, 1, 'one row in `status`');
    const agent = healthReport(vm);
    assert.equal(agent.servers.flatMap((s) => s.instances).length, 1, 'one instance in list_servers');
  });
});

/**
 * One server configured twice in Cursor's own config (two names, the same command, no env), and one
 * process of it that Cursor runs: it is one of the two entries' process, which one is not known. It
 * is listed and counted once, under one entry, its evidence naming both, as across clients.
 */
describe('snapshot: a process its own client runs that fits two of its entries', () => {
  const START = Date.now() - 3600_000;

  async function take(): Promise<Snapshot> {
    const home = tempDir();
    const script = path.join(npmPackage(path.join(home, 'app', 'node_modules'), 'notes', '1.0.0'), 'dist', 'index.js');
    const launch = { command: process.execPath, args: [script] };
    write(path.join(home, '.cursor', 'mcp.json'), JSON.stringify({ mcpServers: { notes: launch, 'notes-2': launch } }));
    const host = {
      home,
      platform: 'linux' as const,
      env: { PATH: path.dirname(process.execPath), MCP_LIFEGUARD_HOME: path.join(home, 'lg') },
    };
    const processes: ProcessInfo[] = [
      { pid: 4000, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: START - 5000, uid: OWN_UID },
      { pid: 4001, ppid: 4000, argv: [process.execPath, script], startTime: START, uid: OWN_UID },
    ];
    return takeSnapshot({
      host,
      machine: testMachine({ host, processes, selfPid: 1 }),
      engine: { registry: false, docker: false },
      workspaceFolders: [],
    });
  }

  it('is listed once, under one entry, undecided, its evidence naming both entries', async () => {
    const snap = await take();
    assert.deepEqual(
      snap.servers.map((s) => [s.name, s.instances.map((i) => i.pid)]),
      [
        ['notes', [4001]],
        ['notes-2', []],
      ],
    );
    const [i] = snap.servers[0].instances;
    assert.equal(i.client.id, 'cursor');
    const owner = i.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
    assert.match(
      owner?.kind === 'unknown' ? owner.reason : '',
      /^Cursor started it, and it fits 'notes' \(.*\/\.cursor\/mcp\.json\) and 'notes-2' \(.*\/\.cursor\/mcp\.json\) alike: which entry's process it is is not known, so it is listed once, under the first, and never stopped in bulk$/,
    );
    const vm = toViewInput(snap);
    assert.deepEqual([counts(vm).running, counts(vm).instances], [1, 1]);
    assert.equal(formatInstances(snap).filter((l) => /\b4001\b/.test(l)).length, 1, 'one row in `status`');
  });
});
