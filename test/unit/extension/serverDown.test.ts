import * as assert from 'node:assert/strict';
import * as z from 'zod';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import type { VmVerdict } from '../../../src/core/report/input';
import { counts, instanceVerdicts, serverState } from '../../../src/core/report/state';
import { describeVerdict } from '../../../src/core/report/evidence';
import { whatToDo } from '../../../src/core/report/evidenceDocument';
import { healthReport } from '../../../src/agent/health';
import { HEALTH_OUTPUT } from '../../../src/agent/schemas';
import { formatInstances } from '../../../src/cli/format/status';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { TreeNode } from '../../../src/extension/viewModel/treeModel';
import { instance, NOW, server, snapshot } from './fixtures';

/** A guard that gave up on its server after an SDK upgrade broke it (the guard's own words). */
const down: Extract<VmVerdict, { kind: 'down' }> = {
  kind: 'down',
  since: '2026-11-25T07:04:10.296Z',
  reason:
    "the server exited within 10 s of starting 3 times in a row (last: exit code 1); it is not restarted again. Its last output: ModuleNotFoundError: No module named 'mcp.server.fastmcp'. This is mcp 2.x; pin 'mcp<2'",
  output: [
    'Traceback (most recent call last):',
    "ModuleNotFoundError: No module named 'mcp.server.fastmcp'. pin 'mcp<2'",
  ],
};

const guardOf = (pid: number) => instance(pid, { verdicts: [down], lock: { serverName: 'notes', control: '/s' } });

describe('a guard whose server is down: a verdict of its own in every face', () => {
  const snap = snapshot([
    server('notes', { instances: [guardOf(40)] }),
    server('memory', { instances: [instance(41)] }),
  ]);

  it('is counted as down, not as a running instance, and raises the warning', () => {
    const c = counts(snap);
    assert.deepEqual([c.restart.down, c.instances, c.running], [1, 1, 1]);
    assert.deepEqual(serverState(snap.servers[0]), { kind: 'down', count: 1, reason: down.reason });
    assert.deepEqual(instanceVerdicts(guardOf(40)), ['down']);
  });

  it('the badge says "1 down" with the warning, and the screen reader that its server does not run', () => {
    const m = statusBarModel({ state: 'ready', snapshot: snap }, { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.text, '$(warning) MCP 1 · 1 down');
    assert.equal(m.warning, true);
    assert.match(m.accessibility, /Needs attention: 1 server down \(its guard runs, the server does not\)/);
    assert.match(m.accessibility, /^1 running instance; 1 of 2 configured MCP servers running\./);
  });

  it('the tree: the server row and the instance row say down in the error colour; the tooltip names the cause', () => {
    const ctx = { trusted: true, now: NOW, guardAvailable: true };
    const serverNode: TreeNode = childNodes(rootNodes(snap).find((n) => n.kind === 'group')!)[0];
    const row = treeItem(serverNode, ctx, ['/ws/a']);
    assert.equal(row.label, 'notes');
    assert.equal(row.description, 'down · guarded');
    assert.deepEqual(row.icon, { id: 'error', color: 'list.errorForeground' });
    // Markdown: its brackets escaped.
    assert.match(
      row.tooltip!,
      /Down: its server is not running \\\(since 2026-11-25T07:04:10\.296Z\\\): .*pin 'mcp\\<2'/,
    );
    const [guard] = childNodes(serverNode);
    const g = treeItem(guard, ctx, ['/ws/a']);
    assert.match(g.label as string, /^down · pid 40/);
    assert.deepEqual(g.icon, { id: 'error', color: 'list.errorForeground' });
  });

  it('the agent face: state and verdict down, the cause in why, what to do, and a schema that admits it', () => {
    const report = healthReport(snap);
    assert.match(
      report.summary,
      /^Needs attention: 1 server down \(its guard runs, the server does not\); 1 running instance/,
    );
    const notes = report.servers.find((s) => s.name === 'notes')!;
    assert.equal(notes.state, 'down');
    assert.deepEqual(notes.instances[0].verdicts, ['down']);
    assert.match(notes.instances[0].why[0], /^Down: .*ModuleNotFoundError/);
    assert.match(notes.instances[0].whatToDo, /^Fix what its last output says/);
    const parsed = z.object(HEALTH_OUTPUT).safeParse(JSON.parse(JSON.stringify(report)));
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    assert.deepEqual(
      healthReport(snap, { verdict: 'down' }).servers.map((s) => s.name),
      ['notes'],
    );
  });

  it('Show Evidence and the verdict line say since when and why', () => {
    assert.match(
      describeVerdict(down),
      /^Down: its server is not running \(since 2026-11-25T07:04:10\.296Z\): the server exited/,
    );
    assert.match(whatToDo(guardOf(40)), /then Restart/);
  });

  it('status: DOWN first on the row, no version claimed for a server that does not run', () => {
    const guardInstance = {
      pid: 40,
      ppid: 1,
      startTime: NOW - 60_000,
      commandLine: 'node mcp-lifeguard.js run --name notes -- python srv.py',
      commandHash: 'x',
      client: { id: 'cursor', name: 'Cursor', pid: 30 },
      memoryBytes: 40 * 1024 * 1024,
      launcherChain: [],
      verdicts: [down],
      lock: { serverName: 'notes', resourceKey: 'k' },
    } as unknown as Instance;
    const other = {
      ...guardInstance,
      pid: 41,
      verdicts: [],
      lock: undefined,
      versions: {
        installed: {
          state: 'installed',
          name: 'p',
          version: '1.0.0',
          ecosystem: 'npm',
          path: '/p',
          mtime: 0,
          how: 'x',
        },
        running: { state: 'known', version: '1.0.0', how: 'lock' },
        verdict: { state: 'current' },
      },
    } as unknown as Instance;
    const snapshotJson = {
      takenAt: new Date(NOW).toISOString(),
      workspaceFolders: [],
      servers: [
        { ...server('notes'), instances: [guardInstance] },
        { ...server('memory'), instances: [other] },
      ],
      notConfigured: [],
      processes: { state: 'ok' },
      files: [],
      diagnostics: [],
    } as unknown as Snapshot;
    const lines = formatInstances(snapshotJson).join('\n');
    assert.match(lines, /^ {2}notes +40 +Cursor \(30\) +1m +40 MB +- +- +DOWN: the server exited within 10 s/m);
    assert.match(lines, /pin 'mcp<2'/);
  });
});
