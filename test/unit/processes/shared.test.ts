import * as assert from 'node:assert/strict';
import type { LockRecord } from '../../../src/core/locks/types';
import { isShareRelay, shareHostEntryArgv } from '../../../src/core/processes/argv';
import { attachInstances } from '../../../src/core/processes/instances';
import { ProcessInfo } from '../../../src/core/pids/table';
import { formatInstances } from '../../../src/cli/format/status';
import type { Snapshot } from '../../../src/core/base/model';
import { toViewInput } from '../../../src/core/report/input';
import { sharedElsewhereText } from '../../../src/core/report/sharedElsewhere';
import { allNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { healthReport } from '../../../src/agent/health';
import { stdioConfig } from './support';

const LG = '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard.js';
const SHARE = ['run', '--on-conflict', 'share', '--name', 'memory', '--', 'mcp-server-memory'];

describe('a shared server (`run --on-conflict share`): one instance, the relays its clients', () => {
  it('tells a relay from the share host and from a plain guard', () => {
    assert.ok(isShareRelay(['/usr/bin/node', LG, ...SHARE]));
    assert.ok(isShareRelay(['/usr/bin/node', LG, 'run', '--on-conflict=share', '--', 'x']));
    assert.ok(!isShareRelay(['/usr/bin/node', LG, 'run', '--share-host', ...SHARE.slice(1)]));
    assert.ok(!isShareRelay(['/usr/bin/node', LG, 'run', '--', 'mcp-server-memory']));
    assert.ok(!isShareRelay(['/usr/bin/node', LG, 'run', '--on-conflict', 'wait', '--', 'x']));
    // The server's own arguments are not the guard's.
    assert.ok(!isShareRelay(['/usr/bin/node', LG, 'run', '--', 'x', '--on-conflict', 'share']));
    assert.ok(!isShareRelay(['node', '/srv/share.js', '--on-conflict', 'share']));
    assert.deepEqual(shareHostEntryArgv(['/usr/bin/node', LG, 'run', '--share-host', ...SHARE.slice(1)]), [
      '/usr/bin/node',
      LG,
      ...SHARE,
    ]);
    assert.equal(shareHostEntryArgv(['/usr/bin/node', LG, ...SHARE]), undefined);
    assert.equal(shareHostEntryArgv(['/usr/bin/node', LG, 'run', '--', 'x', '--share-host']), undefined);
  });

  it('the server under the share host is the one instance of every entry that shares it, marked with its clients; the relays are no instance nor duplicate', async () => {
    const vscode = stdioConfig('memory', 'vscode', '/usr/bin/node', [LG, ...SHARE]);
    const claude = stdioConfig('memory', 'claude-code', '/usr/bin/node', [LG, ...SHARE]);
    const processes: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
      { pid: 11, ppid: 1, argv: ['/home/u/.local/bin/claude'], startTime: 1100 },
      // Two relays under VS Code (two windows), one under Claude Code.
      { pid: 20, ppid: 10, argv: ['/usr/bin/node', LG, ...SHARE], startTime: 5000 },
      { pid: 22, ppid: 10, argv: ['/usr/bin/node', LG, ...SHARE], startTime: 5200 },
      { pid: 24, ppid: 11, argv: ['/usr/bin/node', LG, ...SHARE], startTime: 5400 },
      // The share host the first relay started, and the server it runs.
      { pid: 30, ppid: 20, argv: ['/usr/bin/node', LG, 'run', '--share-host', ...SHARE.slice(1)], startTime: 5050 },
      { pid: 31, ppid: 30, argv: ['mcp-server-memory'], startTime: 5100 },
    ];
    const attached = [
      { pid: 20, startTime: 5000, clientName: 'Visual Studio Code' },
      { pid: 22, startTime: 5200, clientName: 'Visual Studio Code' },
      { pid: 24, startTime: 5400, clientName: 'claude-code' },
    ];
    const lock: LockRecord = {
      protocol: 1,
      pid: 30,
      startTime: 5050,
      serverName: 'memory',
      resourceKey: '/data',
      command: ['mcp-server-memory'],
      cwd: '/',
      startedAt: new Date(5050).toISOString(),
      holder: 'mcp-lifeguard-guard 0.1.0',
      share: true,
      attached,
      child: { pid: 31, startTime: 5100 },
    };
    const r = await attachInstances(
      [vscode, claude],
      { state: 'ok', processes, method: 'procfs' },
      { platform: 'linux', secretsOf: () => new Set(), locks: [lock] },
    );
    for (const s of r.servers) {
      assert.deepEqual(
        s.instances.map((i) => i.pid),
        [31],
        s.id,
      );
      assert.deepEqual(s.instances[0].verdicts, []);
      // Each client named as the process table shows it, as every other instance's client is, not by its `initialize` name.
      assert.deepEqual(
        s.instances[0].lock?.attached?.map((a) => a.clientName),
        ['VS Code', 'VS Code', 'Claude Code'],
      );
      assert.deepEqual(
        s.instances[0].launcherChain.map((l) => l.pid),
        [30],
      );
    }
    assert.deepEqual(r.notConfigured, []);

    const text = formatInstances({
      takenAt: new Date(9000).toISOString(),
      processes: { state: 'ok' },
      servers: r.servers,
      notConfigured: [],
    } as unknown as Snapshot).join('\n');
    assert.match(text, /Running instances \(1\)/);
    assert.match(text, /shared by 3 clients \(VS Code, VS Code, Claude Code\)/);

    // Without the share host's process (gone), the relays still are no instance.
    const gone = await attachInstances(
      [vscode],
      { state: 'ok', processes: processes.filter((p) => p.pid < 30), method: 'procfs' },
      { platform: 'linux', secretsOf: () => new Set(), locks: [] },
    );
    assert.deepEqual(
      gone.servers.flatMap((s) => s.instances),
      [],
    );
    assert.deepEqual(gone.notConfigured, []);
  });

  it("is the running instance of its attached clients' entries only: an entry of a client not attached (VS Code, autostart off) does not count it; a client not known by its process keeps every entry's", async () => {
    const workspace = stdioConfig('memory', 'vscode', '/usr/bin/node', [LG, ...SHARE], {
      source: { client: 'vscode', scope: 'workspace', label: 'VS Code (workspace)', file: '/p/.vscode/mcp.json' },
    });
    const claude = stdioConfig('memory', 'claude-code', '/usr/bin/node', [LG, ...SHARE]);
    const cursor = stdioConfig('memory', 'cursor', '/usr/bin/node', [LG, ...SHARE]);
    const processes: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
      { pid: 11, ppid: 1, argv: ['/home/u/.local/bin/claude'], startTime: 1100 },
      { pid: 12, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1200 },
      // Claude Code's and Cursor's relays; VS Code runs none (its autostart is off).
      { pid: 24, ppid: 11, argv: ['/usr/bin/node', LG, ...SHARE], startTime: 5400 },
      { pid: 26, ppid: 12, argv: ['/usr/bin/node', LG, ...SHARE], startTime: 5600 },
      { pid: 30, ppid: 24, argv: ['/usr/bin/node', LG, 'run', '--share-host', ...SHARE.slice(1)], startTime: 5450 },
      { pid: 31, ppid: 30, argv: ['mcp-server-memory'], startTime: 5500 },
    ];
    const lock = (attached: LockRecord['attached']): LockRecord => ({
      protocol: 1,
      pid: 30,
      startTime: 5450,
      serverName: 'memory',
      resourceKey: '/data',
      command: ['mcp-server-memory'],
      cwd: '/',
      startedAt: new Date(5450).toISOString(),
      holder: 'mcp-lifeguard-guard 0.1.0',
      share: true,
      attached,
      child: { pid: 31, startTime: 5500 },
    });
    const run = (attached: LockRecord['attached']) =>
      attachInstances(
        [workspace, claude, cursor],
        { state: 'ok', processes, method: 'procfs' },
        { platform: 'linux', secretsOf: () => new Set(), locks: [lock(attached)] },
      );
    const listed = (r: Awaited<ReturnType<typeof run>>) =>
      r.servers.map((s) => [s.source.client, s.instances.map((i) => i.pid)]);
    const relays = [
      { pid: 24, startTime: 5400, clientName: 'claude-code' },
      { pid: 26, startTime: 5600, clientName: 'cursor' },
    ];
    const attachedRun = await run(relays);
    assert.deepEqual(listed(attachedRun), [
      ['vscode', []],
      ['claude-code', [31]],
      ['cursor', [31]],
    ]);
    // VS Code's entry names the share: the server runs, for the attached clients; not "not running".
    const [notAttached] = attachedRun.servers;
    assert.deepEqual(notAttached.sharedElsewhere, { pid: 31, clients: ['Claude Code', 'Cursor'] });
    assert.equal(attachedRun.servers[1].sharedElsewhere, undefined);
    assert.equal(
      sharedElsewhereText(notAttached),
      'The server runs, shared, for Claude Code, Cursor (share host pid 31); VS Code has not started it since, and attaches to it when it does.',
    );
    const snap = {
      takenAt: new Date(6000).toISOString(),
      servers: attachedRun.servers,
      notConfigured: [],
      processes: { state: 'ok', count: processes.length },
      diagnostics: [],
      files: [],
      launchGroups: [],
      workspaceFolders: [],
    } as unknown as Snapshot;
    const vm = toViewInput(snap);
    const rows = allNodes(vm).map((n) => treeItem(n, { trusted: true, now: 6000, guardAvailable: true }, []));
    const row = rows.find((r) => r.description?.startsWith('shared'));
    assert.equal(row?.description, 'shared · runs for Claude Code, Cursor');
    assert.match(String(row?.tooltip), /VS Code has not started it since, and attaches to it when it does/);
    assert.ok(!rows.some((r) => /not running/.test(r.description ?? '')), 'no row says not running');
    assert.match(
      formatInstances(snap).join('\n'),
      /Shared, not attached \(1\):\n {2}memory \(VS Code \(workspace\)\): The server runs, shared, for Claude Code, Cursor/,
    );
    const agent = healthReport(vm).servers[0];
    assert.deepEqual([agent.state, agent.sharedFor], ['not-running', { pid: 31, clients: ['Claude Code', 'Cursor'] }]);
    // A client known by its name only (an HTTP session whose process was not found): who is served cannot be told.
    assert.deepEqual(listed(await run([...relays, { clientName: 'zed' }])), [
      ['vscode', [31]],
      ['claude-code', [31]],
      ['cursor', [31]],
    ]);
    // No client attached (a share host lingering): every entry keeps it, as before.
    assert.deepEqual(listed(await run([])), [
      ['vscode', [31]],
      ['claude-code', [31]],
      ['cursor', [31]],
    ]);
  });
});
