import * as assert from 'node:assert/strict';
import { allNodes, childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { TreeContext, TreeNode } from '../../../src/extension/viewModel/treeModel';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { describeProgram, shouldPoll } from '../../../src/extension/viewModel/notConfigured';
import {
  changed,
  CLAUDE,
  duplicate,
  HOUR,
  instance,
  NOW,
  orphan,
  server,
  snapshot,
  source,
  stale,
  superseded,
  versionUnknown,
  VSCODE_HERE,
} from './fixtures';

const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true };
const WS = ['/ws/a'];
const item = (n: TreeNode, c: TreeContext = ctx) => treeItem(n, c, WS);
const caps = (n: TreeNode, c: TreeContext = ctx) => item(n, c).contextValue.split(' ');

function serverNode(s: ReturnType<typeof server>): TreeNode {
  const snap = snapshot([s]);
  return childNodes(rootNodes(snap).find((n) => n.kind === 'group')!)[0];
}

describe('extension view-model: tree', () => {
  it('groups servers by source label in engine order and hides empty groups', () => {
    const ws = source({
      client: 'vscode',
      scope: 'workspace',
      label: 'Workspace',
      file: '/ws/a/.vscode/mcp.json',
      workspaceFolder: '/ws/a',
    });
    const snap = snapshot([server('a', { source: ws }), server('b'), server('c', { source: ws })]);
    const roots = rootNodes(snap);
    assert.deepEqual(
      roots.map((n) => item(n).label),
      ['Workspace', 'Claude Desktop'],
    );
    assert.deepEqual(
      childNodes(roots[0]).map((n) => item(n).label),
      ['a', 'c'],
    );
    assert.equal(item(roots[0]).description, '2 · 0 running');
    assert.deepEqual(rootNodes(snapshot([])), []);
  });

  it('server rows: description, icon and state for each state', () => {
    const cases: [ReturnType<typeof server>, string, string, string | undefined][] = [
      [server('off', { disabled: true }), 'disabled', 'circle-slash', 'disabledForeground'],
      [server('idle'), 'not running', 'circle-outline', undefined],
      [server('idle2', { installedVersion: '1.2.0' }), '1.2.0 · not running', 'circle-outline', undefined],
      [server('ok', { instances: [instance(1)] }), '1 instance', 'circle-filled', 'charts.green'],
      [
        server('okv', { installedVersion: '1.2.0', instances: [instance(1)] }),
        '1.2.0 · 1 instance',
        'circle-filled',
        'charts.green',
      ],
      [
        server('g', { instances: [instance(1, { lock: { serverName: 'g', control: '/s' } })] }),
        '1 instance',
        'shield',
        'charts.green',
      ],
      [
        server('memory', { instances: [instance(1, { verdicts: [stale()] })] }),
        'stale · 2026.7.4 → 2026.8.31',
        'warning',
        'list.warningForeground',
      ],
      [
        server('dup', { instances: [instance(1, { verdicts: [duplicate(2, [1, 2])] }), instance(2)] }),
        '2 instances · duplicate',
        'copy',
        'list.warningForeground',
      ],
      [
        server('orph', { instances: [instance(1, { verdicts: [orphan()] })] }),
        '1 instance · orphan',
        'debug-disconnect',
        'list.errorForeground',
      ],
      [
        server('sup', { instances: [instance(1, { verdicts: [superseded()] })] }),
        '1 instance · superseded',
        'debug-disconnect',
        'list.warningForeground',
      ],
      [
        server('up', {
          instances: [instance(1)],
          updateAvailable: { package: 'p', installed: '1.0.0', latest: '1.1.0' },
        }),
        '1 instance · 1.1.0 available',
        'circle-filled',
        'charts.green',
      ],
      [
        server('gs', { instances: [instance(1, { verdicts: [stale()], lock: { serverName: 'gs' } })] }),
        'stale · 2026.7.4 → 2026.8.31 · guarded',
        'warning',
        'list.warningForeground',
      ],
      // Changed since start: flagged like stale, never the green look.
      [
        server('ch', { installedVersion: '2026.8.31', instances: [instance(1, { verdicts: [changed()] })] }),
        'changed since start · 2026.8.31 installed',
        'warning',
        'list.warningForeground',
      ],
      // What runs is unknown: neutral, and the installed version is not shown as what runs.
      [
        server('unk', { installedVersion: '2026.8.31', instances: [instance(1, { verdicts: [versionUnknown()] })] }),
        'running ? · 2026.8.31 installed · 1 instance',
        'question',
        undefined,
      ],
    ];
    for (const [s, description, icon, color] of cases) {
      const m = item(serverNode(s));
      assert.equal(m.label, s.name);
      assert.equal(m.description, description, s.name);
      assert.deepEqual(m.icon, color ? { id: icon, color } : { id: icon }, s.name);
      assert.equal(m.collapsible, s.instances.length ? 'expanded' : 'none');
    }
  });

  it("server tooltip carries the verdicts' evidence and where it is configured", () => {
    const m = item(serverNode(server('memory', { instances: [instance(4242, { verdicts: [stale()] })] })));
    assert.match(m.tooltip!, /claude_desktop_config\.json:3:5/);
    assert.match(
      m.tooltip!,
      /Stale: runs @modelcontextprotocol\/server-memory 2026\.7\.4, but 2026\.8\.31 is installed/,
    );
    assert.match(m.tooltip!, /pid 4242 · Claude Desktop/);
  });

  it('a wrapped entry whose client still runs its unguarded process: running and judged as before, with who restarts it next; once guarded, nothing of it', () => {
    const wrapped = {
      command: '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard',
      args: ['run', '--on-conflict', 'share', '--name', 'memory', '--', 'npx', '-y', 'x'],
    };
    const s = server('memory', { ...wrapped, instances: [instance(4242, { verdicts: [stale()] })] });
    const row = item(serverNode(s));
    assert.match(row.description!, /^stale · .* · unguarded until Claude Desktop restarts it$/);
    assert.deepEqual(row.icon, { id: 'warning', color: 'list.warningForeground' }, 'still judged stale');
    assert.match(row.tooltip!, /pid 4242 · Claude Desktop · not guarded yet/);
    assert.match(row.tooltip!, /Next: Claude Desktop: quit it \\?\(from its menu/);
    const inst = item(childNodes(serverNode(s))[0]);
    assert.match(inst.description!, /not guarded yet/);
    // Fine: running, with the same words.
    const ok = item(serverNode(server('memory', { ...wrapped, instances: [instance(4242)] })));
    assert.match(ok.description!, /1 instance · unguarded until Claude Desktop restarts it$/);
    // Guarded (its lock record names it), or not wrapped: no such words.
    const guarded = server('memory', {
      ...wrapped,
      instances: [instance(4242, { lock: { serverName: 'memory', resourceKey: 'k' } })],
    });
    assert.doesNotMatch(item(serverNode(guarded)).description!, /unguarded/);
    assert.doesNotMatch(item(serverNode(server('memory', { instances: [instance(4242)] }))).description!, /unguarded/);
  });

  it('an unwrapped entry whose client still runs it under the guard: running and judged as before, with who restarts it next; a lock of its own, or another client, is no such state', () => {
    const lock = { serverName: 'memory', resourceKey: 'k' };
    const s = server('memory', { instances: [instance(4242, { verdicts: [stale()], lock, guardAbove: true })] });
    const row = item(serverNode(s));
    assert.match(row.description!, /^stale · .* · guarded until Claude Desktop restarts it$/);
    assert.deepEqual(row.icon, { id: 'warning', color: 'list.warningForeground' }, 'still judged stale');
    assert.match(row.tooltip!, /pid 4242 · Claude Desktop · still guarded/);
    assert.match(
      row.tooltip!,
      /Unwrapped: Claude Desktop still runs .* under the guard.* Next: Claude Desktop: quit it/,
    );
    assert.match(item(childNodes(serverNode(s))[0]).description!, /still guarded/);
    // The server holds a lock of its own (no guard above it), or another client runs it: no such words.
    const own = server('memory', { instances: [instance(4242, { lock })] });
    assert.doesNotMatch(item(serverNode(own)).description!, /until/);
    const other = server('memory', {
      instances: [
        instance(4242, { lock, guardAbove: true, client: { id: 'cursor', name: 'Cursor', pid: 7 } as never }),
      ],
    });
    assert.doesNotMatch(item(serverNode(other)).description!, /until/);
  });

  it('instance rows: verdict first, then pid and uptime; versions, guard, other client and memory after', () => {
    const s = server('memory', {
      instances: [
        // Its running version is in the move already: said once.
        instance(4242, { verdicts: [stale()], runningVersion: '2026.7.4' }),
        instance(4300, {
          startTime: undefined,
          memoryBytes: undefined,
          client: VSCODE_HERE,
          runningVersion: '2026.8.31',
        }),
      ],
    });
    const [a, b] = childNodes(serverNode(s));
    // Under the Claude Desktop group, Claude Desktop's instance does not repeat the client.
    assert.equal(item(a).label, 'stale · pid 4242 · up 3h');
    assert.equal(item(a).description, '2026.7.4 → 2026.8.31 · 84 MB');
    assert.deepEqual(item(a).icon, { id: 'warning', color: 'list.warningForeground' });
    assert.equal(item(b).label, 'ok · pid 4300');
    assert.equal(item(b).description, '2026.8.31 · VS Code');
    assert.deepEqual(item(b).icon, { id: 'pulse' });
    const dup = childNodes(
      serverNode(
        server('d', {
          instances: [instance(1, { verdicts: [duplicate(2, [1, 2]), orphan()], lock: { serverName: 'd' } })],
        }),
      ),
    )[0];
    assert.equal(item(dup).label, 'orphan · pid 1 · up 3h');
    assert.equal(item(dup).description, 'duplicate · guarded · 84 MB');
    assert.deepEqual(item(dup).icon, { id: 'debug-disconnect', color: 'list.errorForeground' });
    const [ch] = childNodes(serverNode(server('ch', { instances: [instance(1, { verdicts: [changed()] })] })));
    assert.equal(item(ch).label, 'changed since start · pid 1 · up 3h');
    assert.deepEqual(item(ch).icon, { id: 'warning', color: 'list.warningForeground' });
    assert.match(item(ch).tooltip!, /Changed since start: restart to load what is installed/);
    const [unk] = childNodes(
      serverNode(
        server('unk', { installedVersion: '2026.8.31', instances: [instance(1, { verdicts: [versionUnknown()] })] }),
      ),
    );
    assert.equal(item(unk).label, 'version ? · pid 1 · up 3h');
    assert.deepEqual(item(unk).icon, { id: 'question' });
    assert.match(item(unk).tooltip!, /Version \?: no lock record/);
    const claimed = childNodes(
      serverNode(
        server('o', {
          instances: [
            instance(7, { verdicts: [{ kind: 'unknown', question: 'owner', reason: "claimed by 'o' and 'p'" }] }),
          ],
        }),
      ),
    )[0];
    assert.equal(item(claimed).label, 'unknown owner · pid 7 · up 3h');
  });

  it('the processes an instance started: under its row (collapsed), each with what it runs, its pid, verdict, versions and memory', () => {
    const s = server('buckaroo', {
      instances: [
        instance(100, {
          verdicts: [stale('0.15.10', '0.15.11', 'buckaroo')],
          childProcesses: [
            {
              pid: 101,
              ppid: 100,
              startTime: NOW - HOUR,
              commandLine: '/v/bin/python3 -m buckaroo.server --port 8700',
              memoryBytes: 176 * 1024 * 1024,
              verdicts: [stale('0.15.10', '0.15.11', 'buckaroo')],
            },
            {
              pid: 102,
              ppid: 100,
              commandLine: "/v/bin/python3 -c 'import os'",
              verdicts: [versionUnknown('not judged')],
            },
          ],
        }),
        instance(200),
      ],
    });
    const [tool, other] = childNodes(serverNode(s));
    assert.equal(item(tool).collapsible, 'collapsed');
    assert.equal(item(other).collapsible, 'none');
    const [data, dog] = childNodes(tool);
    assert.equal(data.kind === 'child' && data.parentId, tool.id);
    assert.equal(item(data).label, 'buckaroo.server · pid 101');
    assert.equal(item(data).description, 'stale · 0.15.10 → 0.15.11 · 176 MB · up 1h');
    assert.deepEqual(item(data).icon, { id: 'warning', color: 'list.warningForeground' });
    assert.match(item(data).tooltip!, /pid 101, started by pid 100: part of its instance/);
    assert.match(item(data).tooltip!, /Stale: runs buckaroo 0\.15\.10, but 0\.15\.11 is installed/);
    assert.equal(item(data).contextValue, 'mcpChild');
    assert.equal(item(dog).description, 'version ?');
    assert.deepEqual(item(dog).icon, { id: 'server-process' });
    assert.deepEqual(childNodes(data), []);
    const ids = allNodes(snapshot([s])).map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('at 300 px (about 32 characters of label) the verdict and pid are never cut', () => {
    const long = server('a-server-with-a-long-name', {
      instances: [instance(123456, { verdicts: [stale('2026.10.14', '2026.11.20', '@scope/a-long-package-name')] })],
    });
    const [row] = childNodes(serverNode(long));
    const m = item(row);
    assert.ok(m.label.length <= 32, m.label);
    assert.ok(m.label.startsWith('stale · pid 123456'));
    // The server row puts its verdict before the versions, which are what a narrow view cuts.
    assert.ok(item(serverNode(long)).description!.startsWith('stale · '));
  });

  it('ids are stable and unique, and each child names its parent', () => {
    const snap = snapshot(
      [
        server('a', { instances: [instance(1), instance(2)] }),
        server('b', { instances: [instance(1, { startTime: 5 })] }),
      ],
      {
        notConfigured: [instance(9)],
        diagnostics: [{ file: '/x.json', line: 2, column: 3, severity: 'error', message: 'bad' }],
      },
    );
    const nodes = allNodes(snap);
    const ids = nodes.map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(
      allNodes(snap).map((n) => n.id),
      ids,
    );
    for (const n of nodes) if ('parentId' in n) assert.ok(ids.includes(n.parentId), n.id);
  });

  it('a "Not configured" group lists unmatched processes, pid first, that can be stopped, never restarted', () => {
    const snap = snapshot([], { notConfigured: [instance(77, { client: CLAUDE })] });
    const group = rootNodes(snap).find((n) => n.kind === 'notConfigured')!;
    assert.equal(item(group).label, 'Not configured');
    const [row] = childNodes(group);
    assert.equal(row.kind, 'unconfigured');
    // The pid first: eight copies of one program cut at a narrow side bar still read apart.
    assert.match(item(row).label, /^pid 77 · server-77 · up /);
    assert.deepEqual(caps(row), [
      'mcpUnconfigured',
      'addToConfig',
      'copyCommandLine',
      'copyPid',
      'evidence',
      'hide',
      'stop',
    ]);
  });

  it('a Problems node lists diagnostics that open the file at line and column', () => {
    const snap = snapshot([server('a')], {
      diagnostics: [
        { file: '/home/u/.cursor/mcp.json', line: 4, column: 9, severity: 'error', message: 'Expected comma' },
        { file: '/home/u/.codex/config.toml', severity: 'warning', message: 'permission denied' },
      ],
    });
    const problems = rootNodes(snap).find((n) => n.kind === 'problems')!;
    assert.equal(item(problems).label, 'Problems');
    assert.equal(item(problems).description, '2');
    const [a, b] = childNodes(problems).map((n) => item(n));
    assert.equal(a.label, 'Expected comma');
    // The whole path, home as ~: `mcp.json:4:9` would not say whether it is .vscode/ or ~/.cursor/.
    assert.equal(a.description, '/home/u/.cursor/mcp.json:4:9');
    assert.equal(item(childNodes(problems)[0], { ...ctx, home: '/home/u' }).description, '~/.cursor/mcp.json:4:9');
    assert.deepEqual(a.command, {
      command: 'mcpLifeguard.openProblem',
      title: 'Open',
      arguments: ['/home/u/.cursor/mcp.json', 4, 9],
    });
    assert.deepEqual(a.icon, { id: 'error', color: 'list.errorForeground' });
    assert.equal(b.description, '/home/u/.codex/config.toml');
    assert.deepEqual(b.command!.arguments, ['/home/u/.codex/config.toml', 1, 1]);
  });

  it("a row carries the config problem the Problems panel shows at its entry: a wrapped entry whose guard reads another state folder is not just 'not running · wrapped'", () => {
    const cursor = source({ client: 'cursor', label: 'Cursor', file: '/home/u/.cursor/mcp.json' });
    const everything = server('everything', {
      source: cursor,
      command: '/home/u/.local/share/mcp-lifeguard/bin/mcp-lifeguard',
      args: ['run', '--name', 'everything', '--', 'npx', '-y', '@modelcontextprotocol/server-everything'],
    });
    const message =
      "'everything' runs through a guard (pid 4242) that keeps its lock under /home/u/.local/state/mcp-lifeguard, not under /tmp/lg, which this reads: its command carries no --home, and its client does not pass MCP_LIFEGUARD_HOME. Its process is not listed as its own; unwrap it and wrap it again so its command carries --home /tmp/lg";
    const diagnostics = [
      { file: cursor.file, line: 3, column: 5, severity: 'warning' as const, message, client: 'cursor' as const },
      // Elsewhere in the file, or another file's: not this entry's.
      { file: cursor.file, line: 9, column: 5, severity: 'error' as const, message: 'Expected comma' },
      { file: '/home/u/.codex/config.toml', line: 3, column: 5, severity: 'warning' as const, message: 'other' },
    ];
    const before = item(serverNode(everything));
    assert.equal(before.description, 'not running · wrapped');
    assert.match(before.tooltip ?? '', /Cursor starts it/);
    const row = item(serverNode(everything), { ...ctx, diagnostics });
    assert.equal(row.description, 'not running · wrapped · 1 config problem');
    assert.deepEqual(row.icon, { id: 'warning', color: 'list.warningForeground' });
    assert.match(row.tooltip ?? '', /Config problem: 'everything' runs through a guard \\\(pid 4242\\\)/);
    assert.doesNotMatch(row.tooltip ?? '', /Expected comma|other|Cursor starts it/);
  });

  it('says when running instances are unknown instead of showing everything as not running', () => {
    const roots = rootNodes(snapshot([server('a')], { processes: { state: 'unavailable', reason: 'ps failed' } }));
    assert.equal(roots[0].kind, 'message');
    assert.equal(item(roots[0]).label, 'Running instances unknown');
  });

  it('contextValues list exactly the actions that apply', () => {
    assert.deepEqual(caps(serverNode(server('idle'))), ['mcpServer', 'openConfig', 'wrap']);
    // Claude Desktop keeps a log of each server it runs: Show Server Log opens it.
    assert.deepEqual(caps(serverNode(server('run', { instances: [instance(1)] }))), [
      'mcpServer',
      'evidence',
      'openConfig',
      'serverLog',
      'stop',
      'stopOnly',
      'wrap',
    ]);
    assert.deepEqual(
      caps(serverNode(server('dup', { instances: [instance(1, { verdicts: [duplicate(2, [1, 2])] }), instance(2)] }))),
      ['mcpServer', 'evidence', 'killDuplicates', 'openConfig', 'serverLog', 'stop', 'stopOnly', 'wrap'],
    );
    assert.deepEqual(caps(serverNode(server('orph', { instances: [instance(1, { verdicts: [orphan()] })] }))), [
      'mcpServer',
      'evidence',
      'killDuplicates',
      'openConfig',
      'serverLog',
      'stop',
      'stopOnly',
      'wrap',
    ]);
    assert.deepEqual(caps(serverNode(server('http', { transport: 'http', command: undefined, url: 'http://x' }))), [
      'mcpServer',
      'openConfig',
    ]);
    assert.deepEqual(
      caps(serverNode(server('toml', { source: source({ client: 'codex', file: '/h/.codex/config.toml' }) }))),
      ['mcpServer', 'openConfig', 'wrap'],
    );
    assert.deepEqual(
      caps(
        serverNode(
          server('w', { command: '/h/.local/state/mcp-lifeguard/bin/mcp-lifeguard', args: ['run', '--', 'npx', 'x'] }),
        ),
      ),
      ['mcpServer', 'openConfig', 'unwrap'],
    );
    // Already under the guard by a path no name check knows (a clone's dist/cli.js): no Wrap, and no Unwrap either.
    const viaClone = server('clone', {
      command: 'node',
      args: ['/src/lg/dist/cli.js', 'run', '--', 'x'],
      instances: [instance(1, { lock: { serverName: 'clone' } })],
    });
    assert.deepEqual(caps(serverNode(viaClone)), ['mcpServer', 'evidence', 'openConfig', 'restart', 'stop']);
    assert.deepEqual(
      caps(serverNode(server('npx', { command: 'npx', args: ['-y', 'mcp-lifeguard', 'run', '--', 'x'] }))),
      ['mcpServer', 'openConfig', 'unwrap'],
    );
    // Without an installed guard, neither wrap nor unwrap is offered.
    assert.deepEqual(caps(serverNode(server('idle')), { ...ctx, guardAvailable: false }), ['mcpServer', 'openConfig']);
    const inst = childNodes(serverNode(server('run', { instances: [instance(1)] })))[0];
    assert.deepEqual(caps(inst), [
      'mcpInstance',
      'copyCommandLine',
      'copyPid',
      'evidence',
      'serverLog',
      'stop',
      'stopOnly',
    ]);
  });

  it('Upgrade and Roll Back are offered on a released package, never where the window may not run its installer; Show Versions wherever it has a package', () => {
    assert.deepEqual(caps(serverNode(server('pkg', { upgradable: true, rollbackable: true }))), [
      'mcpServer',
      'openConfig',
      'rollback',
      'upgrade',
      'versions',
      'wrap',
    ]);
    // A script whose dependency moved: Roll Back, and nothing to upgrade.
    assert.deepEqual(caps(serverNode(server('script', { rollbackable: true }))), [
      'mcpServer',
      'openConfig',
      'rollback',
      'wrap',
    ]);
    assert.deepEqual(
      caps(serverNode(server('http', { upgradable: true, transport: 'http', command: undefined, url: 'http://x' }))),
      ['mcpServer', 'openConfig'],
    );
    // A workspace's entry in an untrusted window: its installer is not run from here.
    const ws = server('ws', {
      upgradable: true,
      source: source({ client: 'vscode', scope: 'workspace', file: '/w/.vscode/mcp.json' }),
    });
    assert.ok(
      !caps(serverNode(ws), { ...ctx, trusted: false, workspaceFolders: ['/w'] } as TreeContext).includes('upgrade'),
    );
    assert.ok(caps(serverNode(ws), { ...ctx, workspaceFolders: ['/w'] } as TreeContext).includes('upgrade'));
    // Show Versions only reads: offered there too, and never on a server with no package.
    assert.ok(
      caps(serverNode(ws), { ...ctx, trusted: false, workspaceFolders: ['/w'] } as TreeContext).includes('versions'),
    );
    assert.ok(!caps(serverNode(server('plain'))).includes('versions'));
  });

  it("Share One Instance is offered on a server's row only where copies run in several clients and an entry can be rewritten", () => {
    const claude = server('memory', { instances: [instance(1, { client: CLAUDE })] });
    const cursorCopy = server('memory', {
      id: 'cursor-memory',
      source: source({ client: 'cursor', label: 'Cursor', file: '/h/.cursor/mcp.json' }),
      launchKey: claude.launchKey,
      instances: [instance(2, { client: { id: 'cursor', name: 'Cursor', pid: 300 } })],
    });
    const all = { ...ctx, servers: [claude, cursorCopy] };
    assert.ok(caps(serverNode(claude), all).includes('share'));
    // One client's copy alone, no snapshot's servers, or no guard: not offered.
    assert.ok(!caps(serverNode(claude), { ...ctx, servers: [claude] }).includes('share'));
    assert.ok(!caps(serverNode(claude)).includes('share'));
    assert.ok(!caps(serverNode(claude), { ...all, guardAvailable: false }).includes('share'));
    // Every entry already wrapped: nothing left to rewrite.
    const wrapped = (s: ReturnType<typeof server>) => ({
      ...s,
      command: '/h/.local/state/mcp-lifeguard/bin/mcp-lifeguard',
      args: ['run', '--', 'npx', 'x'],
    });
    assert.ok(
      !caps(serverNode(wrapped(claude)), { ...ctx, servers: [wrapped(claude), wrapped(cursorCopy)] }).includes('share'),
    );
    // The same command with other env is another server: its copies do not make this one shareable.
    const otherData = { ...cursorCopy, identityKey: `${claude.launchKey}+env:other` };
    assert.ok(!caps(serverNode(claude), { ...ctx, servers: [claude, otherData] }).includes('share'));
    // Never offered from a workspace entry an untrusted window may not change, though other entries could be.
    const wsEntry = server('memory', {
      id: 'ws-memory',
      source: source({
        client: 'vscode',
        scope: 'workspace',
        label: 'Workspace',
        file: '/ws/a/.vscode/mcp.json',
        workspaceFolder: '/ws/a',
      }),
      launchKey: claude.launchKey,
      instances: [instance(3, { client: VSCODE_HERE })],
    });
    const threeClients = [claude, cursorCopy, wsEntry];
    assert.ok(caps(serverNode(wsEntry), { ...ctx, servers: threeClients }).includes('share'));
    assert.ok(!caps(serverNode(wsEntry), { ...ctx, trusted: false, servers: threeClients }).includes('share'));
    assert.ok(caps(serverNode(claude), { ...ctx, trusted: false, servers: threeClients }).includes('share'));
  });

  it('Unshare is offered on the row of an entry shared with --on-conflict share, where the window may change it', () => {
    const shared = server('memory', {
      command: '/h/.local/state/mcp-lifeguard/bin/mcp-lifeguard',
      args: ['run', '--on-conflict', 'share', '--name', 'memory', '--', 'npx', 'x'],
    });
    assert.ok(caps(serverNode(shared)).includes('unshare'));
    const alone = { ...shared, args: ['run', '--name', 'memory', '--', 'npx', 'x'] };
    assert.ok(!caps(serverNode(alone)).includes('unshare'), 'wrapped, not shared');
    assert.ok(!caps(serverNode(shared), { ...ctx, guardAvailable: false }).includes('unshare'));
  });

  it('untrusted workspace: workspace servers are shown but never restarted or wrapped; stop stays', () => {
    const ws = source({
      client: 'vscode',
      scope: 'workspace',
      label: 'Workspace',
      file: '/ws/a/.vscode/mcp.json',
      workspaceFolder: '/ws/a',
    });
    const untrusted = { ...ctx, trusted: false };
    const s = server('w', { source: ws, instances: [instance(1)] });
    const node = serverNode(s);
    assert.deepEqual(caps(node, untrusted), ['mcpServer', 'evidence', 'openConfig', 'stop']);
    assert.match(item(node, untrusted).tooltip!, /not trusted/);
    assert.deepEqual(caps(childNodes(node)[0], untrusted), [
      'mcpInstance',
      'copyCommandLine',
      'copyPid',
      'evidence',
      'stop',
    ]);
    // The user's own servers are unaffected by the workspace's trust.
    assert.deepEqual(caps(serverNode(server('u', { instances: [instance(1)] })), untrusted), [
      'mcpServer',
      'evidence',
      'openConfig',
      'serverLog',
      'stop',
      'stopOnly',
      'wrap',
    ]);
  });

  it("Restart is offered only where it restarts: guarded, or VS Code's own server in this window; elsewhere Stop takes its place", () => {
    const here = { ...ctx, window: { product: 'vscode' as const, workspaceFolders: WS, windowPids: [200] } };
    const vscodeUser = source({
      client: 'vscode',
      scope: 'user',
      label: 'VS Code User',
      file: '/h/.config/Code/User/mcp.json',
    });
    const mine = server('m', { source: vscodeUser, instances: [instance(1, { client: VSCODE_HERE })] });
    assert.ok(caps(serverNode(mine), here).includes('restart'));
    assert.ok(caps(childNodes(serverNode(mine))[0], here).includes('restart'));
    // The same server seen without this window's pids: VS Code cannot be asked, so only a stop is honest.
    assert.ok(caps(serverNode(mine)).includes('stopOnly'));
    const guarded = server('g', { instances: [instance(1, { lock: { serverName: 'g' } }), instance(2)] });
    const [g, plain] = childNodes(serverNode(guarded));
    assert.ok(caps(serverNode(guarded)).includes('restart'));
    assert.deepEqual([caps(g).includes('restart'), caps(g).includes('stopOnly')], [true, false]);
    assert.deepEqual([caps(plain).includes('restart'), caps(plain).includes('stopOnly')], [false, true]);
  });

  it('Not configured: says what each process is, leaves out processes younger than a few seconds, never hides the way to create a config', () => {
    const taken = new Date(NOW).toISOString();
    const young = instance(80, {
      startTime: NOW - 2_000,
      commandLine: 'node /h/.npm/_npx/1/node_modules/@modelcontextprotocol/server-memory/dist/index.js',
    });
    const old = instance(81, {
      commandLine: 'node /h/.npm/_npx/1/node_modules/@modelcontextprotocol/server-memory/dist/index.js',
    });
    const snap = snapshot([], { takenAt: taken, notConfigured: [young, old] });
    const roots = rootNodes(snap);
    // The welcome view (with its Create button) shows only in an empty tree: a row takes its place.
    assert.equal(roots[0].kind, 'message');
    const create = item(roots[0]);
    assert.equal(create.command?.command, 'mcpLifeguard.createWorkspaceMcpJson');
    const group = roots.find((n) => n.kind === 'notConfigured')!;
    const rows = childNodes(group);
    assert.deepEqual(
      rows.map((r) => r.kind === 'unconfigured' && r.instance.pid),
      [81],
    );
    assert.equal(item(rows[0]).label, 'pid 81 · @modelcontextprotocol/server-memory · up 3h');
    assert.equal(item(rows[0]).description, 'Claude Desktop · 84 MB');
    // With servers configured there is no extra row; with nothing at all the tree is empty (the welcome view shows).
    assert.ok(!rootNodes(snapshot([server('a')], { notConfigured: [old] })).some((n) => n.id === 'message:create'));
    assert.deepEqual(rootNodes(snapshot([], { notConfigured: [young] })), []);
  });

  it('what a process is, from its command line', () => {
    assert.equal(describeProgram('node /x/node_modules/@scope/pkg/dist/cli.js --port 3'), '@scope/pkg');
    assert.equal(describeProgram('npx -y mcp-server-kubernetes'), 'mcp-server-kubernetes');
    assert.equal(describeProgram('/usr/bin/python3 -m mcp_server_fetch'), 'mcp_server_fetch');
    assert.equal(describeProgram('uvx mcp-server-git --repository .'), 'mcp-server-git');
    assert.equal(describeProgram('docker run -i --rm mcp/github'), 'mcp/github');
    assert.equal(describeProgram('/opt/bin/my-server --stdio'), 'my-server');
    assert.equal(describeProgram(undefined), undefined);
  });

  it('the process poll runs while anything is configured or listed, so exited processes leave the view', () => {
    assert.equal(shouldPoll(snapshot([])), false);
    assert.equal(shouldPoll(snapshot([], { notConfigured: [instance(1)] })), true);
    assert.equal(shouldPoll(snapshot([server('a')])), true);
  });

  it('a shared server (`run --on-conflict share`): its instance row says it is shared, by how many clients and which, in the description and the tooltip', () => {
    const attached = [
      { pid: 20, startTime: 1, clientName: 'claude-code' },
      { pid: 22, startTime: 2, clientName: 'cursor' },
      { pid: 24, startTime: 3 },
    ];
    const [row] = childNodes(
      serverNode(server('m', { instances: [instance(31, { lock: { serverName: 'm', attached } })] })),
    );
    const it = item(row);
    assert.match(it.description!, /shared by 3 clients \(claude-code, cursor, \?\)/);
    assert.doesNotMatch(it.description!, /guarded/);
    assert.match(it.tooltip!, /shared by 3 clients/);
    assert.match(it.tooltip!, /- claude-code \(pid 20\)/);
    assert.match(it.tooltip!, /- unnamed client \(pid 24\)/);
    const [one] = childNodes(
      serverNode(
        server('o', { instances: [instance(31, { lock: { serverName: 'o', attached: attached.slice(0, 1) } })] }),
      ),
    );
    assert.match(item(one).description!, /shared by 1 client \(claude-code\)/);
    assert.doesNotMatch(it.tooltip!, /over HTTP/);
    // With the share host's HTTP front (`--share-listen`), the tooltip says where a URL entry reaches it.
    const shareUrl = 'http://127.0.0.1:3310/mcp';
    const [front] = childNodes(
      serverNode(server('f', { instances: [instance(31, { lock: { serverName: 'f', attached, shareUrl } })] })),
    );
    assert.match(item(front).tooltip!, /Also served over HTTP at `http:\/\/127\.0\.0\.1:3310\/mcp`/);
  });

  it("an HTTP guard's server used by clients: the same words; a client whose process is unknown is named without a pid", () => {
    const attached = [{ pid: 20, startTime: 1, clientName: 'claude-code' }, { clientName: 'zed' }];
    const [row] = childNodes(
      serverNode(
        server('web', {
          instances: [
            instance(31, { lock: { serverName: 'web', holder: 'mcp-lifeguard-guard 0.1.0 http', attached } }),
          ],
        }),
      ),
    );
    const it = item(row);
    assert.match(it.description!, /shared by 2 clients \(claude-code, zed\)/);
    assert.match(it.tooltip!, /- claude-code \(pid 20\)/);
    assert.match(it.tooltip!, /^- zed$/m);
  });
});
