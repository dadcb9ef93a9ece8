import * as assert from 'node:assert/strict';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
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
  stale,
  versionUnknown,
  VSCODE_HERE,
} from './fixtures';
import { findInstance, instanceKey } from '../../../src/extension/viewModel/tree';
import { describeVerdict } from '../../../src/core/report/evidence';

const ready = (s: ReturnType<typeof snapshot>) => ({ state: 'ready' as const, snapshot: s });

describe('extension view-model: status bar', () => {
  it('spins while the first snapshot loads', () => {
    const m = statusBarModel({ state: 'loading' }, { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(sync~spin) MCP');
    assert.equal(m.warning, false);
  });

  it('is hidden when nothing is configured, unless always shown', () => {
    assert.deepEqual(statusBarModel(ready(snapshot([])), { alwaysShow: false }), { visible: false });
    const m = statusBarModel(ready(snapshot([])), { alwaysShow: true });
    assert.ok(m.visible);
    assert.equal(m.text, '$(pulse) MCP 0');
  });

  it('shows the server count with a pulse when all is well', () => {
    const servers = ['a', 'b', 'c', 'd', 'e', 'f'].map((n, k) =>
      server(n, { instances: k < 2 ? [instance(1000 + k)] : [] }),
    );
    const m = statusBarModel(ready(snapshot(servers)), { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(pulse) MCP 2');
    assert.equal(m.warning, false);
    assert.equal(
      m.accessibility,
      '2 running instances; 2 of 6 configured MCP servers running. All instances are fine.',
    );
  });

  it('counts stale, duplicate and orphaned instances with the warning background', () => {
    const servers = [
      server('memory', { instances: [instance(1, { verdicts: [stale()] }), instance(2, { verdicts: [stale()] })] }),
      server('git', { instances: [instance(3, { verdicts: [duplicate(4, [3, 4])] }), instance(4)] }),
      ...['c', 'd', 'e', 'f'].map((n) => server(n)),
    ];
    const m = statusBarModel(ready(snapshot(servers)), { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(warning) MCP 4 · 2 stale · 1 dup');
    assert.equal(m.warning, true);
    assert.match(m.accessibility, /Needs attention: 2 instances running replaced code, 1 duplicate instance\./);

    const withOrphan = statusBarModel(
      ready(snapshot([server('x', { instances: [instance(5, { verdicts: [orphan()] })] })])),
      { alwaysShow: false },
    );
    assert.ok(withOrphan.visible);
    assert.equal(withOrphan.text, '$(warning) MCP 1 · 1 orphan');
  });

  it('counts instances changed since start apart from stale ones; an unknown version is neutral and shown as ?, never as the installed one', () => {
    const servers = [
      server('memory', {
        installedVersion: '2026.8.31',
        instances: [
          instance(1, { verdicts: [changed()] }),
          instance(2, { verdicts: [stale()] }),
          instance(3, { verdicts: [versionUnknown()] }),
        ],
      }),
    ];
    const m = statusBarModel(ready(snapshot(servers)), { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(warning) MCP 3 · 1 stale · 1 changed');
    assert.match(
      m.accessibility,
      /1 instance running replaced code, 1 instance whose files changed since start\. What 1 instance runs could not be told\./,
    );
    assert.match(m.tooltip, /\| 1 \| changed since start → 2026\.8\.31 \(changed since start\) \|/);
    assert.match(m.tooltip, /\| 3 \| \? → 2026\.8\.31 \(version \?\) \|/);
    const onlyUnknown = statusBarModel(
      ready(snapshot([server('m', { instances: [instance(3, { verdicts: [versionUnknown()] })] })])),
      { alwaysShow: false },
    );
    assert.ok(onlyUnknown.visible);
    assert.equal(onlyUnknown.text, '$(pulse) MCP 1');
    assert.doesNotMatch(onlyUnknown.accessibility, /All instances are fine/);
  });

  it('never flags on an unknown verdict or a shared one of a multi-writer server', () => {
    const s = server('m', {
      instances: [
        instance(1, { verdicts: [{ kind: 'unknown', question: 'duplicate', reason: 'no start times' }] }),
        instance(2, { verdicts: [{ kind: 'shared', singleWriter: false, instances: [] }] }),
      ],
    });
    const m = statusBarModel(ready(snapshot([s])), { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(pulse) MCP 2');
    const single = server('m', {
      instances: [instance(2, { verdicts: [{ kind: 'shared', singleWriter: true, instances: [] }] })],
    });
    const m2 = statusBarModel(ready(snapshot([single])), { alwaysShow: false });
    assert.ok(m2.visible);
    assert.equal(m2.text, '$(warning) MCP 1 · 1 dup');
  });

  it('tooltip is a table of instances with running -> installed and command links', () => {
    const s = server('memory', { instances: [instance(4242, { verdicts: [stale()] })] });
    const m = statusBarModel(ready(snapshot([s])), { alwaysShow: false });
    assert.ok(m.visible);
    assert.match(m.tooltip, /\| Server \| Client \| PID \| Running → installed \|/);
    assert.match(m.tooltip, /\| memory \| Claude Desktop \| 4242 \| 2026\.7\.4 → 2026\.8\.31 \(stale\) \|/);
    // Claude Desktop's unguarded instance can only be stopped from here: the link says so and names the row's instance.
    assert.ok(
      m.tooltip.includes(
        `[Stop](command:mcpLifeguard.stopInstance?${encodeURIComponent(JSON.stringify([s.id, `4242@${NOW - 3 * HOUR}`]))})`,
      ),
    );
    assert.match(m.tooltip, /\[Show\]\(command:mcpLifeguard\.showView\)/);
  });

  it('tooltip says why instances are unknown when the process table was not read', () => {
    const m = statusBarModel(
      ready(snapshot([server('a')], { processes: { state: 'unavailable', reason: 'ps failed' } })),
      { alwaysShow: false },
    );
    assert.ok(m.visible);
    assert.match(m.tooltip, /Running instances are not known: ps failed/);
  });

  it('tooltip escapes markdown in names', () => {
    const m = statusBarModel(ready(snapshot([server('a|b*', { instances: [instance(1)] })])), { alwaysShow: false });
    assert.ok(m.visible);
    assert.ok(m.tooltip.includes('a\\|b\\*'));
  });

  it('a failed snapshot shows an error item that opens the log', () => {
    const m = statusBarModel({ state: 'failed', message: 'boom' }, { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(error) MCP');
    assert.equal(m.command, 'mcpLifeguard.showLog');
  });

  it('each tooltip row links to its own instance, never the whole server; a link to a gone process finds nothing', () => {
    const guarded = instance(433, { lock: { serverName: 'kb' }, verdicts: [stale()] });
    const other = instance(4304, { verdicts: [stale()] });
    const s = server('kb', { instances: [other, guarded] });
    const m = statusBarModel(ready(snapshot([s])), { alwaysShow: false });
    assert.ok(m.visible);
    const rows = m.tooltip.split('\n').filter((l) => l.startsWith('| kb |'));
    assert.equal(rows.length, 2);
    const link = (cmd: string, i: typeof guarded) =>
      `(command:mcpLifeguard.${cmd}?${encodeURIComponent(JSON.stringify([s.id, instanceKey(i)]))})`;
    assert.ok(rows[0].includes(`[Stop]${link('stopInstance', other)}`));
    assert.ok(rows[1].includes(`[Restart]${link('restartInstance', guarded)}`));
    assert.ok(!m.tooltip.includes('restartServer'));
    // The command reads the link's target again: found while it runs, gone once it does not.
    assert.equal(findInstance(snapshot([s]), s.id, instanceKey(guarded))?.instance.pid, 433);
    assert.equal(findInstance(snapshot([server('kb', { instances: [other] })]), s.id, instanceKey(guarded)), undefined);
  });

  it('tooltip rows are the processes counted: one listed under two entries is one row; flagged rows first with their fix, healthy rows bare', () => {
    const shared = instance(7, { verdicts: [orphan()] });
    const healthy = [1, 2, 3].map((pid) => instance(pid));
    const servers = [
      server('a', { instances: [healthy[0], healthy[1]] }),
      server('b', { instances: [healthy[2], shared] }),
      server('c', { instances: [shared] }),
    ];
    const m = statusBarModel(ready(snapshot(servers)), { alwaysShow: false });
    assert.ok(m.visible);
    const rows = m.tooltip.split('\n').filter((l) => /^\| [abc] \|/.test(l));
    assert.match(m.tooltip, /4 running instances/);
    assert.equal(rows.length, 4, 'one row per running process, as counted');
    assert.match(rows[0], /\| 7 \|.*\(orphan\).*\[Stop\]\(command:mcpLifeguard\.stopInstance/);
    for (const row of rows.slice(1))
      assert.ok(!row.includes('command:'), `a healthy row offers nothing to fix: ${row}`);
  });

  it('an entry whose only process is an orphan is not counted running: its client is gone', () => {
    const servers = [server('notes', { instances: [instance(7, { verdicts: [orphan()] })] }), server('a')];
    const m = statusBarModel(ready(snapshot(servers)), { alwaysShow: false });
    assert.ok(m.visible);
    assert.match(m.accessibility, /^1 running instance; 0 of 2 configured MCP servers running\./);
  });

  it('a guard whose server is down has its row, and the summary says it, so the rows add up', () => {
    const down = instance(40, {
      lock: { serverName: 'notes' },
      verdicts: [{ kind: 'down', since: '2026-11-25T07:04:10.296Z', reason: 'the server exited 3 times' }],
    });
    const servers = [server('notes', { instances: [down] }), server('a', { instances: [instance(1)] })];
    const m = statusBarModel(ready(snapshot(servers)), { alwaysShow: false });
    assert.ok(m.visible);
    assert.match(
      m.tooltip,
      /^\*\*MCP Lifeguard\*\*: 1 running instance; 1 of 2 configured MCP servers running; 1 guard whose server is down$/m,
    );
    const rows = m.tooltip.split('\n').filter((l) => /^\| (notes|a) \|/.test(l));
    assert.equal(rows.length, 2);
    assert.match(rows[0], /\| 40 \|.*\(down\).*\[Restart\]/);
  });

  it("a shared server's row names its clients, never an unknown owner", () => {
    const shared = instance(31, {
      client: { id: 'unknown', name: 'unknown' },
      lock: { serverName: 'memory', attached: [{ clientName: 'Claude Desktop' }, { clientName: 'Claude Code' }] },
    });
    const m = statusBarModel(ready(snapshot([server('memory', { instances: [shared] })])), { alwaysShow: false });
    assert.ok(m.visible);
    assert.match(m.tooltip, /\| memory \| Claude Desktop and Claude Code \| 31 \|/);
  });

  it('the number is running instances; broken configs are counted and warn, even with no server configured', () => {
    const servers = [server('a', { instances: [instance(1), instance(2), instance(3)] }), server('b'), server('c')];
    const broken = {
      file: '/h/.cursor/mcp.json',
      line: 6,
      column: 7,
      severity: 'error' as const,
      message: 'Unexpected token',
    };
    const note = { file: '/h/.cursor/mcp.json', severity: 'info' as const, message: 'a note' };
    const m = statusBarModel(ready(snapshot(servers, { diagnostics: [broken, note] })), { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(warning) MCP 3 · 1 config problem');
    assert.equal(m.warning, true);
    assert.match(
      m.accessibility,
      /^3 running instances; 1 of 3 configured MCP servers running\. Needs attention: 1 config problem/,
    );
    assert.match(m.tooltip, /3 running instances; 1 of 3 configured MCP servers running/);
    const onlyBroken = statusBarModel(ready(snapshot([], { diagnostics: [broken] })), { alwaysShow: false });
    assert.ok(onlyBroken.visible);
    assert.equal(onlyBroken.text, '$(warning) MCP 0 · 1 config problem');
  });

  it('a process two entries claim is one running instance, counted once', () => {
    const shared = instance(7);
    const servers = [server('memory', { instances: [shared] }), server('notes', { instances: [shared] })];
    const m = statusBarModel(ready(snapshot(servers)), { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(pulse) MCP 1');
    assert.match(m.accessibility, /^1 running instance; 2 of 2 configured MCP servers running\./);
  });

  it('"N clients" counts clients, not their instances', () => {
    const refs = [
      { pid: 1, client: CLAUDE },
      { pid: 2, client: CLAUDE },
      { pid: 3, client: VSCODE_HERE },
    ];
    assert.equal(
      describeVerdict({ kind: 'shared', singleWriter: false, instances: refs }),
      'Shared: 2 clients each run their own instance',
    );
  });
});

describe('extension view-model: status bar, what the servers cost', () => {
  const MB = 1024 * 1024;
  const servers = () => [
    server('memory', {
      instances: [
        instance(1, { pssBytes: 300 * MB, cpuMs: 65_000 }),
        instance(2, { pssBytes: 200 * MB, cpuMs: 1_000 }),
      ],
    }),
  ];

  it('says in the tooltip what the servers use and how much of it is copies', () => {
    const m = statusBarModel(ready(snapshot(servers())), { alwaysShow: false });
    assert.ok(m.visible);
    assert.match(
      m.tooltip.replace(/\\/g, ''), // Markdown escapes
      /MCP servers use 500 MB \(PSS\) and 1 min 6 s of CPU; 200 MB of it is copies of the same server\./,
    );
    assert.equal(m.warning, false, 'no budget set: no warning');
  });

  it('warns past the memory budget, in the badge, the tooltip and the screen reader text', () => {
    const over = statusBarModel(ready(snapshot(servers())), { alwaysShow: false, memoryBudgetBytes: 400 * MB });
    assert.ok(over.visible);
    // The excess: 500 MB used against 400 MB.
    assert.equal(over.text, '$(warning) MCP 2 · 100 MB over budget');
    assert.equal(over.warning, true);
    assert.match(over.tooltip.replace(/\\/g, ''), /over your budget of 400 MB \(mcpLifeguard\.memoryBudget\)/);
    assert.match(over.tooltip.replace(/\\/g, ''), /100 MB over your budget of 400 MB/);
    assert.match(over.accessibility, /Needs attention: MCP servers use 500 MB, 100 MB over the budget of 400 MB\./);
    const under = statusBarModel(ready(snapshot(servers())), { alwaysShow: false, memoryBudgetBytes: 600 * MB });
    assert.ok(under.visible);
    assert.equal(under.text, '$(pulse) MCP 2');
    assert.equal(under.warning, false);
  });
});
