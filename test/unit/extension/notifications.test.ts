import * as assert from 'node:assert/strict';
import {
  batchUpdates,
  currentTargets,
  decideNotifications,
  eventOver,
  Notification,
  notificationIds,
  NotificationSettings,
} from '../../../src/extension/viewModel/notifications';
import { direction } from '../../../src/core/versions/direction';
import type { VmVerdict } from '../../../src/core/report/input';
import { changed, CLAUDE, instance, server, snapshot, source, stale, VSCODE_HERE } from './fixtures';

const on: NotificationSettings = { onUpgrade: true, onRegistryUpdate: true };
const fresh = { seen: new Set<string>(), muted: new Set<string>() };
/** What a window remembers once it has shown these. */
const seenAfter = (...shown: Notification[]) => ({
  seen: new Set(shown.flatMap(notificationIds)),
  muted: new Set<string>(),
});

describe('extension view-model: notification decisions', () => {
  const memory = server('server-memory', {
    instances: [instance(1, { verdicts: [stale()] }), instance(2, { verdicts: [stale()] }), instance(3)],
  });

  it('a newly stale server gives one notification naming versions and the count', () => {
    const n = decideNotifications(snapshot([memory]), fresh, on);
    assert.equal(n.length, 1);
    assert.ok(n[0].kind === 'stale');
    assert.equal(
      n[0].message,
      '@modelcontextprotocol/server-memory upgraded 2026.7.4 → 2026.8.31; 2 instances (2 in Claude Desktop) still run 2026.7.4.',
    );
    assert.deepEqual(n[0].actions, ['Restart...', 'Show']);
    assert.deepEqual(n[0].pids, [1, 2]);
  });

  it('says where the old code runs: per client, one started by hand from a terminal, and one no known client started, in the words the rest of the product uses', () => {
    const unknown = { id: 'unknown' as const, name: 'unknown' };
    const mixed = server('server-memory', {
      instances: [
        instance(1, { verdicts: [stale()] }),
        instance(2, { verdicts: [stale()], client: unknown }),
        instance(4, { verdicts: [stale()], client: unknown }),
        instance(5, { verdicts: [stale()], client: { id: 'terminal', name: 'terminal', pid: 9 } }),
      ],
    });
    const [n] = decideNotifications(snapshot([mixed]), fresh, on);
    assert.match(
      n.message,
      /; 4 instances \(1 in Claude Desktop, 2 with no known client, 1 started from a terminal\) still run 2026\.7\.4\.$/,
    );
    assert.doesNotMatch(n.message, /unknown origin|in terminal/);
  });

  it('a window is named as its group is, by the client table: code-server and VS Code Server are VS Code', () => {
    const remote = server('server-memory', {
      instances: [
        instance(1, { verdicts: [stale()], client: { id: 'vscode', name: 'code-server', pid: 3 } }),
        instance(2, { verdicts: [stale()], client: { id: 'vscode', name: 'VS Code Server', pid: 4 } }),
      ],
    });
    const [n] = decideNotifications(snapshot([remote]), fresh, on);
    assert.match(n.message, /; 2 instances \(2 in VS Code\) still run 2026\.7\.4\.$/);
  });

  it("a shared server's old code runs in its clients, never of unknown origin", () => {
    const shared = instance(5, {
      verdicts: [stale()],
      client: { id: 'unknown', name: 'unknown' },
      lock: {
        serverName: 'memory',
        attached: [{ clientName: 'Claude Desktop' }, { clientName: 'Claude Code' }, { clientName: 'Claude Code' }],
      },
    });
    const [n] = decideNotifications(snapshot([server('server-memory', { instances: [shared] })]), fresh, on);
    assert.match(n.message, /; 1 instance \(1 in Claude Desktop and Claude Code\) still runs 2026\.7\.4\.$/);
  });

  it('a process two entries claim is one instance in the message', () => {
    const shared = instance(7, { verdicts: [stale()] });
    const [n] = decideNotifications(
      snapshot([server('memory', { instances: [shared] }), server('notes', { instances: [shared] })]),
      fresh,
      on,
    );
    assert.match(n.message, /; 1 instance \(1 in Claude Desktop\) still runs 2026\.7\.4\.$/);
    assert.ok(n.kind === 'stale' && n.pids.length === 1);
  });

  it('is not repeated once seen, but a later upgrade is a new event', () => {
    const [first] = decideNotifications(snapshot([memory]), fresh, on);
    assert.deepEqual(decideNotifications(snapshot([memory]), seenAfter(first), on), []);
    const again = server('server-memory', { instances: [instance(1, { verdicts: [stale('2026.8.31', '2026.9.1')] })] });
    const n = decideNotifications(snapshot([again]), seenAfter(first), on);
    assert.equal(n.length, 1);
    assert.equal(
      n[0].message,
      '@modelcontextprotocol/server-memory upgraded 2026.8.31 → 2026.9.1; 1 instance (1 in Claude Desktop) still runs 2026.8.31.',
    );
  });

  it('the same move again is news once the processes it left were restarted; one of them restarted is not', () => {
    const ran = (pid: number, startTime: number, running: string, installed: string) =>
      instance(pid, { startTime, verdicts: [stale(running, installed)] });
    // 7.4 -> 8.31 under pids 1 and 2, said; then an outside downgrade to 7.4, said.
    const [up] = decideNotifications(
      snapshot([
        server('memory', { instances: [ran(1, 100, '2026.7.4', '2026.8.31'), ran(2, 100, '2026.7.4', '2026.8.31')] }),
      ]),
      fresh,
      on,
    );
    const [down] = decideNotifications(
      snapshot([
        server('memory', { instances: [ran(1, 100, '2026.8.31', '2026.7.4'), ran(2, 100, '2026.8.31', '2026.7.4')] }),
      ]),
      seenAfter(up),
      on,
    );
    assert.ok(down?.kind === 'stale' && down.direction === 'downgrade');
    const memo = seenAfter(up, down);
    // Pid 2 restarted onto 7.4 (the same pid, a new start) and pid 1 still old: not news of the upgrade again.
    assert.deepEqual(
      decideNotifications(
        snapshot([server('memory', { instances: [ran(1, 100, '2026.7.4', '2026.8.31')] })]),
        memo,
        on,
      ),
      [],
    );
    // Both restarted onto 7.4, then 8.31 installed again: the same move, new processes left behind.
    const again = decideNotifications(
      snapshot([
        server('memory', { instances: [ran(1, 100, '2026.7.4', '2026.8.31'), ran(2, 200, '2026.7.4', '2026.8.31')] }),
      ]),
      memo,
      on,
    );
    assert.equal(again.length, 1);
    assert.equal(
      again[0].message,
      '@modelcontextprotocol/server-memory upgraded 2026.7.4 → 2026.8.31; 2 instances (2 in Claude Desktop) still run 2026.7.4.',
    );
  });

  it('respects "Don\'t ask for this server" and the setting', () => {
    assert.deepEqual(decideNotifications(snapshot([memory]), { seen: new Set(), muted: new Set([memory.id]) }, on), []);
    assert.deepEqual(decideNotifications(snapshot([memory]), fresh, { ...on, onUpgrade: false }), []);
  });

  it('changed since start is its own event and says what happened, not "upgraded"; a verdict still settling never notifies', () => {
    const ch = server('server-memory', { instances: [instance(1, { verdicts: [changed()] })] });
    const [n] = decideNotifications(snapshot([ch]), fresh, on);
    assert.ok(n?.kind === 'stale');
    assert.equal(
      n.message,
      '@modelcontextprotocol/server-memory: its files changed after 1 instance (1 in Claude Desktop) started; restart to load what is installed.',
    );
    assert.match(n.eventId, /^changed:/);
    const settling = server('server-memory', {
      instances: [
        instance(1, {
          verdicts: [{ kind: 'unknown', question: 'stale', reason: 'npm ci (pid 9) is running', settling: true }],
        }),
      ],
    });
    assert.deepEqual(decideNotifications(snapshot([settling]), fresh, on), []);
  });

  it('nothing for fresh or unknown instances', () => {
    const s = server('m', {
      instances: [
        instance(1),
        instance(2, { verdicts: [{ kind: 'unknown', question: 'stale', reason: 'no record' }] }),
      ],
    });
    assert.deepEqual(decideNotifications(snapshot([s]), fresh, on), []);
  });

  it('registry updates: once per package version, even when several servers use it', () => {
    const u = { package: '@modelcontextprotocol/server-memory', installed: '2026.8.31', latest: '2026.9.1' };
    const snap = snapshot([server('a', { updateAvailable: u }), server('b', { updateAvailable: u })]);
    const n = decideNotifications(snap, fresh, on);
    assert.equal(n.length, 1);
    assert.ok(n[0].kind === 'update');
    assert.equal(n[0].message, '@modelcontextprotocol/server-memory 2026.9.1 is available (2 entries use 2026.8.31).');
    assert.deepEqual(decideNotifications(snap, { ...seenAfter(n[0]) }, on), []);
    assert.deepEqual(decideNotifications(snap, fresh, { ...on, onRegistryUpdate: false }), []);
  });

  it('one package change shared by two entries in two clients is one notification, naming the package, both clients and the count', () => {
    const vs = source({
      client: 'vscode',
      scope: 'user',
      label: 'VS Code User',
      file: '/h/.config/Code/User/mcp.json',
    });
    const a = server('memory', {
      instances: [instance(1, { verdicts: [stale()] }), instance(2, { verdicts: [stale()] })],
    });
    const b = server('kb', { source: vs, instances: [instance(3, { client: VSCODE_HERE, verdicts: [stale()] })] });
    const n = decideNotifications(snapshot([a, b]), fresh, on);
    assert.equal(n.length, 1);
    assert.ok(n[0].kind === 'stale');
    assert.equal(
      n[0].message,
      '@modelcontextprotocol/server-memory upgraded 2026.7.4 → 2026.8.31; 3 instances (2 in Claude Desktop, 1 in VS Code) still run 2026.7.4.',
    );
    assert.deepEqual(n[0].pids, [1, 2, 3]);
    assert.ok(n[0].actions.length <= 2);
  });

  it('a downgrade is called one', () => {
    const s = server('memory', { instances: [instance(1, { verdicts: [stale('2026.8.31', '2026.7.4')] })] });
    const [n] = decideNotifications(snapshot([s]), fresh, on);
    assert.ok(n?.kind === 'stale');
    assert.equal(n.direction, 'downgrade');
    assert.match(n.message, /^@modelcontextprotocol\/server-memory downgraded 2026\.8\.31 → 2026\.7\.4;/);
    assert.equal(direction(['1.0.0'], '1.0.1'), 'upgrade');
    assert.equal(direction(['1.2.0', '0.9.0'], '1.0.0'), 'change');
    assert.equal(direction(['changed since start'], '1.0.0'), 'change');
  });

  it('Restart... of an old notification acts on what runs the old code now, and says the event is over rather than "no running instance"', () => {
    const before = server('memory', { instances: [instance(1, { verdicts: [stale()] })] });
    const [n] = decideNotifications(snapshot([before]), fresh, on);
    assert.ok(n?.kind === 'stale');
    // Since the toast: pid 1 was restarted into a fresh pid 5, and a new stale pid 7 appeared in another client.
    const now = server('memory', {
      instances: [instance(5), instance(7, { client: { ...CLAUDE, pid: 101 }, verdicts: [stale()] })],
    });
    const targets = currentTargets(snapshot([now]), n);
    assert.deepEqual(
      targets.map((t) => t.instances.map((i) => i.pid)),
      [[7]],
    );
    // All restarted: nothing to do, in words that do not deny the running fresh instance.
    assert.deepEqual(currentTargets(snapshot([server('memory', { instances: [instance(5)] })]), n), []);
    assert.equal(
      eventOver(n),
      'Every instance of @modelcontextprotocol/server-memory already runs 2026.8.31 or has stopped: nothing to restart.',
    );
  });
});

describe('extension view-model: every restart cause is notified when seen, once per cause', () => {
  const runtime = (running: string, installed: string): VmVerdict => ({
    kind: 'restart',
    cause: 'runtime',
    package: 'node',
    running,
    installed,
    summary: `runs a replaced node ${running}; installed ${installed}`,
  });
  const config: VmVerdict = {
    kind: 'restart',
    cause: 'config',
    package: 'pkg',
    running: 'pkg@1.0.0',
    installed: 'pkg@2.0.0',
    summary: 'pkg: the configuration now launches pkg@2.0.0',
  };

  it('a runtime replaced under an instance whose package event was already notified is notified at once, not with the next package event', () => {
    const seenPackage = decideNotifications(
      snapshot([server('memory', { instances: [instance(1, { verdicts: [stale()] })] })]),
      fresh,
      on,
    );
    assert.equal(seenPackage.length, 1);
    const memory = seenAfter(...seenPackage);
    // The next refresh: the same package event, and node replaced under the same process.
    const both = snapshot([
      server('memory', { instances: [instance(1, { verdicts: [stale(), runtime('22.11.0', '22.12.0')] })] }),
    ]);
    const n = decideNotifications(both, memory, on);
    assert.equal(n.length, 1, JSON.stringify(n));
    assert.ok(n[0].kind === 'stale' && n[0].cause === 'runtime');
    assert.equal(
      n[0].message,
      'node was replaced (22.11.0 → 22.12.0); 1 instance (1 in Claude Desktop) still runs the old node: restart to run it.',
    );
    // Restart... of it acts on that instance: its runtime event is one of its causes.
    assert.deepEqual(
      currentTargets(both, n[0]).map((t) => t.instances.map((i) => i.pid)),
      [[1]],
    );
    // Not again on the next refresh; again when a new cause appears (node replaced once more, a config change).
    notificationIds(n[0]).forEach((id) => memory.seen.add(id));
    assert.deepEqual(decideNotifications(both, memory, on), []);
    const later = decideNotifications(
      snapshot([
        server('memory', { instances: [instance(1, { verdicts: [stale(), runtime('22.11.0', '22.13.0'), config] })] }),
      ]),
      memory,
      on,
    );
    assert.deepEqual(
      later.map((x) => x.kind === 'stale' && x.cause),
      ['runtime', 'config'],
    );
  });

  it('each cause of one refresh is its own notification: changed since start, config changed, runtime replaced, stale', () => {
    const n = decideNotifications(
      snapshot([
        server('a', { instances: [instance(1, { verdicts: [changed(), runtime('22.11.0', '22.12.0')] })] }),
        server('b', { instances: [instance(2, { verdicts: [config] })] }),
        server('c', { instances: [instance(3, { verdicts: [stale()] })] }),
      ]),
      fresh,
      on,
    );
    assert.deepEqual(n.map((x) => x.kind === 'stale' && x.cause).sort(), ['changed', 'config', 'runtime', 'version']);
  });
});

describe('extension view-model: a server down, and the MCP Registry’s word, are notified once each', () => {
  const down = {
    kind: 'down' as const,
    since: '2026-11-25T07:04:10.296Z',
    reason: "it exited within 10 s of starting 3 times in a row. Its last output: ModuleNotFoundError: pin 'mcp<2'",
  };
  const notes = server('notes', { instances: [instance(40, { verdicts: [down], lock: { serverName: 'notes' } })] });

  it('a guard that gave up on its server: one warning naming the cause, not again for the same event, none with upgrade notifications off', () => {
    const [n] = decideNotifications(snapshot([notes]), fresh, on);
    assert.deepEqual(n, {
      kind: 'down',
      eventId: 'down:notes@2026-11-25T07:04:10.296Z',
      serverId: notes.id,
      // One line: the server's own error, not the guard's whole account (Show has it).
      message: "notes is down: it does not start (ModuleNotFoundError: pin 'mcp<2').",
      rollBack: false,
      since: down.since,
    });
    assert.deepEqual(decideNotifications(snapshot([notes]), seenAfter(n), on), []);
    assert.deepEqual(decideNotifications(snapshot([notes]), fresh, { ...on, onUpgrade: false }), []);
  });

  it('a server that went down once a restart replaced one that served: Roll Back offered at once', () => {
    const ranWith = { package: { name: 'notes-server', version: '1.0.0' } };
    const after = server('notes', {
      rollbackable: true,
      instances: [instance(40, { verdicts: [{ ...down, ranWith }], lock: { serverName: 'notes' } })],
    });
    const [n] = decideNotifications(snapshot([after]), fresh, on);
    assert.equal(n.kind === 'down' && n.rollBack, true);
  });

  it('registry notices of one look are one notification: four at window open are one toast, stale ones stay their own', () => {
    const u = (pkg: string) => ({ package: pkg, installed: '1.0.0', latest: '1.1.0' });
    const servers = [
      server('a', { updateAvailable: u('pkg-a') }),
      server('b', { updateAvailable: u('pkg-b') }),
      server('c', { updateAvailable: u('pkg-c') }),
      server('d', {
        registryStatus: {
          name: 'io.example/d',
          status: 'deprecated',
          message: 'use io.example/e',
          registry: 'https://r.example',
          checkedAt: '2026-11-25T00:00:00Z',
        },
      }),
      server('server-memory', { instances: [instance(1, { verdicts: [stale()] })] }),
    ];
    const decided = decideNotifications(snapshot(servers), fresh, on);
    assert.equal(decided.filter((n) => n.kind === 'update').length, 4);
    const toasts = batchUpdates(decided);
    assert.equal(toasts.length, 2);
    assert.equal(toasts[0].kind, 'stale');
    const batch = toasts[1];
    assert.ok(batch.kind === 'updates');
    assert.deepEqual(batch.eventIds.length, 4);
    assert.equal(
      batch.message,
      '4 registry notices: d: Deprecated in the MCP Registry (io.example/d): use io.example/e; pkg-a 1.1.0 is available (a uses 1.0.0); pkg-b 1.1.0 is available (b uses 1.0.0); pkg-c 1.1.0 is available (c uses 1.0.0).',
    );
    // One notice alone is shown as it is.
    assert.deepEqual(batchUpdates(decided.slice(0, 2)), decided.slice(0, 2));
  });

  it('an entry the MCP Registry deprecated: said once, with its message', () => {
    const deprecated = server('memory', {
      registryStatus: {
        name: 'io.example/memory',
        status: 'deprecated',
        message: 'use io.example/memory2',
        registry: 'https://r.example',
        checkedAt: '2026-11-25T00:00:00Z',
      },
    });
    const [n] = decideNotifications(snapshot([deprecated]), fresh, on);
    assert.deepEqual(n, {
      kind: 'update',
      eventId: 'registry:io.example/memory:deprecated',
      serverId: deprecated.id,
      message: 'memory: Deprecated in the MCP Registry (io.example/memory): use io.example/memory2',
    });
    assert.deepEqual(decideNotifications(snapshot([deprecated]), fresh, { ...on, onRegistryUpdate: false }), []);
  });
});
