import * as assert from 'node:assert/strict';
import * as z from 'zod';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import type { LockRecord } from '../../../src/core/locks';
import type { VmVerdict } from '../../../src/core/report/input';
import { counts, hasProblems, instanceVerdicts, serverState } from '../../../src/core/report/state';
import { describeVerdict } from '../../../src/core/report/evidence';
import { whatToDo } from '../../../src/core/report/evidenceDocument';
import { idleOf, markGuarded } from '../../../src/core/processes/guarded';
import { healthReport } from '../../../src/agent/health';
import { HEALTH_OUTPUT } from '../../../src/agent/schemas';
import { formatInstances } from '../../../src/cli/format/status';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { TreeNode } from '../../../src/extension/viewModel/treeModel';
import { instance, NOW, server, snapshot } from './fixtures';
import { versionDoctor } from '../../../src/core/report/versionDoctor';
import { versionsSummary } from '../../../src/core/report/versionSummary';
import { doctorText } from '../../../src/cli/format/doctor';
import { entry, GLOBAL, MEM, npm } from '../report/doctorFacts';

/** A guard run with `--idle-stop 600` that stopped its server (its lock record's words). */
const idle: Extract<VmVerdict, { kind: 'idle' }> = {
  kind: 'idle',
  since: '2026-11-25T09:00:00.000Z',
  afterMs: 600_000,
};

const guardOf = (pid: number) => instance(pid, { verdicts: [idle], lock: { serverName: 'notes', control: '/s' } });

describe('a guard that stopped its server for idleness (`run --idle-stop`): idle in every face, never a problem', () => {
  const snap = snapshot([
    server('notes', { instances: [guardOf(40)] }),
    server('memory', { instances: [instance(41)] }),
  ]);

  it('the lock record says it: read into an idle verdict when well-formed, never from a record that says down too', () => {
    const record = { pid: 40, startTime: NOW, serverName: 'notes', resourceKey: 'k' } as unknown as LockRecord;
    assert.deepEqual(idleOf({ ...record, idle: { since: idle.since, afterMs: 600_000 } }), {
      since: idle.since,
      afterMs: 600_000,
    });
    // A lazy start's record has no idle time: the server was never started.
    assert.deepEqual(idleOf({ ...record, idle: { since: idle.since } }), { since: idle.since });
    assert.match(
      describeVerdict({ kind: 'idle', since: idle.since }),
      /^Idle: its server is started by the first request \(run --lazy-start\); none came since /,
    );
    for (const bad of [undefined, 'x', { since: 1, afterMs: 5 }, { since: 's', afterMs: -1 }, { afterMs: 5 }])
      assert.equal(idleOf({ ...record, idle: bad } as unknown as LockRecord), undefined, JSON.stringify(bad));
    const guard = { pid: 40, startTime: NOW, verdicts: [], launcherChain: [] } as unknown as Instance;
    markGuarded([guard], [{ ...record, idle: { since: idle.since, afterMs: 600_000 } }]);
    assert.deepEqual(guard.verdicts, [idle]);
    const downToo = { pid: 40, startTime: NOW, verdicts: [], launcherChain: [] } as unknown as Instance;
    markGuarded(
      [downToo],
      [{ ...record, idle: { since: idle.since, afterMs: 1 }, down: { since: idle.since, reason: 'crash loop' } }],
    );
    assert.deepEqual(
      downToo.verdicts.map((v) => v.kind),
      ['down'],
    );
  });

  it('is counted as a running instance, raises no warning, and reads idle (no version to be unsure of)', () => {
    const c = counts(snap);
    assert.deepEqual([c.instances, c.running, c.restart.down, c.unknown], [2, 2, 0, 0]);
    assert.equal(hasProblems(c), false);
    assert.equal(serverState(snap.servers[0]).kind, 'running');
    assert.deepEqual(instanceVerdicts(guardOf(40)), ['idle']);
    const m = statusBarModel({ state: 'ready', snapshot: snap }, { alwaysShow: false });
    assert.ok(m.visible);
    assert.equal(m.warning, false);
    assert.equal(m.text, '$(pulse) MCP 2');
  });

  it('the tree: the instance row says idle with a pause icon; its tooltip says when and for how long', () => {
    const ctx = { trusted: true, now: NOW, guardAvailable: true };
    const serverNode: TreeNode = childNodes(rootNodes(snap).find((n) => n.kind === 'group')!)[0];
    const [guard] = childNodes(serverNode);
    const g = treeItem(guard, ctx, ['/ws/a']);
    assert.match(g.label as string, /^idle · pid 40/);
    assert.deepEqual(g.icon, { id: 'debug-pause' });
    assert.match(
      g.tooltip!,
      /Idle: its server was stopped at 2026-11-25T09:00:00\.000Z after 10 min 0 s without a request/,
    );
  });

  it('the agent face, Show Evidence and status say idle, and that the next request starts it', () => {
    const report = healthReport(snap);
    const notes = report.servers.find((s) => s.name === 'notes')!;
    assert.deepEqual(notes.instances[0].verdicts, ['idle']);
    assert.match(notes.instances[0].why[0], /^Idle: /);
    assert.match(
      notes.instances[0].whatToDo,
      /starts the server again, in the client's session, when the next request comes/,
    );
    const parsed = z.object(HEALTH_OUTPUT).safeParse(JSON.parse(JSON.stringify(report)));
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
    assert.match(describeVerdict(idle), /the next request starts it again$/);
    assert.match(whatToDo(guardOf(40)), /^Nothing to do/);

    const guardInstance = {
      pid: 40,
      ppid: 1,
      startTime: NOW - 60_000,
      commandLine: 'node mcp-lifeguard.js run --name notes --idle-stop 600 -- python srv.py',
      commandHash: 'x',
      client: { id: 'cursor', name: 'Cursor', pid: 30 },
      memoryBytes: 40 * 1024 * 1024,
      launcherChain: [],
      verdicts: [idle],
      lock: { serverName: 'notes', resourceKey: 'k' },
    } as unknown as Instance;
    const lines = formatInstances({
      takenAt: new Date(NOW).toISOString(),
      workspaceFolders: [],
      servers: [{ ...server('notes'), instances: [guardInstance] }],
      notConfigured: [],
      processes: { state: 'ok' },
      files: [],
      diagnostics: [],
    } as unknown as Snapshot).join('\n');
    assert.match(lines, /^ {2}notes +40 +Cursor \(30\) +1m +40 MB +idle: its server was stopped at/m);
  });

  it('the version it is about, never `?`: what the next request starts (installed), else what its last server ran', () => {
    const record = {
      pid: 40,
      startTime: NOW,
      serverName: 'notes',
      resourceKey: 'k',
      idle: { since: idle.since, afterMs: 600_000 },
      versions: { package: { name: 'notes-mcp', version: '1.1.0', ecosystem: 'npm' } },
    } as unknown as LockRecord;
    // The guard's record keeps what its last server started with.
    assert.deepEqual(idleOf(record)?.ran, { name: 'notes-mcp', version: '1.1.0' });
    const ranIdle = { ...idle, ran: { name: 'notes-mcp', version: '1.1.0' } };
    assert.match(
      describeVerdict(ranIdle),
      /without a request; its last server ran notes-mcp 1\.1\.0; the next request/,
    );
    const ctx = { trusted: true, now: NOW, guardAvailable: true };
    const faces = (s: ReturnType<typeof server>) => {
      const snap2 = snapshot([s]);
      const serverNode: TreeNode = childNodes(rootNodes(snap2).find((n) => n.kind === 'group')!)[0];
      const row = treeItem(childNodes(serverNode)[0], ctx, []);
      const bar = statusBarModel({ state: 'ready', snapshot: snap2 }, { alwaysShow: true });
      const tip = bar.visible ? bar.tooltip : '';
      return { row: row.description, tip: /\| notes \|[^\n]*/.exec(tip)?.[0] ?? tip };
    };
    const guard = (v: Extract<VmVerdict, { kind: 'idle' }>) =>
      instance(40, { verdicts: [v], lock: { serverName: 'notes', control: '/s' } });
    // Installed where its entry resolves: that is what the next request starts, labelled as installed.
    const starts = faces(server('notes', { installedVersion: '1.2.0', instances: [guard(ranIdle)] }));
    assert.equal(starts.row, 'starts 1.2.0 (installed) · guarded · 84 MB');
    assert.equal(starts.tip, String.raw`| notes | Claude Desktop | 40 | starts 1.2.0 \(installed\) (idle) |  |`);
    // Nothing resolved now: what its last server ran, as its guard recorded it.
    const ran = faces(server('notes', { instances: [guard(ranIdle)] }));
    assert.equal(ran.row, 'last ran 1.1.0 · guarded · 84 MB');
    assert.equal(ran.tip, '| notes | Claude Desktop | 40 | last ran 1.1.0 (idle) |  |');
    // Neither known: nothing said, never `?`.
    const none = faces(server('notes', { instances: [guard(idle)] }));
    assert.equal(none.row, 'guarded · 84 MB');
    assert.equal(none.tip, '| notes | Claude Desktop | 40 | - (idle) |  |');
  });

  it('Show Versions and `doctor`: an idle guard is idle, with what it starts next, never a version `?` to look into', () => {
    const installed = npm(GLOBAL, '2026.8.31', 'x');
    const guardInstance = {
      pid: 40,
      ppid: 1,
      commandLine: 'node mcp-lifeguard.js run --idle-stop 600 -- mcp-server-memory',
      commandHash: 'h',
      client: { id: 'cursor', name: 'Cursor' },
      launcherChain: [],
      verdicts: [{ ...idle, ran: { name: MEM, version: '2026.7.4' } }],
    } as unknown as Instance;
    const a = versionDoctor({
      server: 'memory',
      package: { ecosystem: 'npm', name: MEM },
      entries: [entry('cursor', 'Cursor', 'mcp-server-memory', [], installed, [guardInstance])],
      copies: [],
      releases: [],
    } as unknown as Parameters<typeof versionDoctor>[0]);
    assert.deepEqual(
      a.instances.map((i) => [i.runs, i.installed, i.idle, i.needsRestart]),
      [['starts 2026.8.31 (installed)', '2026.8.31', true, false]],
    );
    const summary = versionsSummary(a);
    assert.notEqual(summary.next.kind, 'unknown');
    assert.equal(summary.groups[0].idle, true);
    assert.match(
      doctorText(a).join('\n'),
      /pid 40 \(Cursor\) is idle, starts 2026\.8\.31 \(installed\): its server was stopped at .*its last server ran .*2026\.7\.4/,
    );
  });
});
