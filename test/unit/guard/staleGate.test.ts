import * as assert from 'node:assert/strict';
import { StaleGate, StaleGateOptions } from '../../../src/guard/host/staleGate';
import { ResolvedVersion, StalePolicy } from '../../../src/guard/host/staleness';
import { engineVersions } from '../../support/engineProbe';

/** A stale gate with no timer, whose running child and installed version the test sets (the verdict is the engine's). */
function gate(policy: StalePolicy, extra: Partial<StaleGateOptions> = {}) {
  const state = {
    running: { state: 'known', name: 'pkg', version: '1.0.0', ecosystem: 'npm' } as ResolvedVersion,
    child: {} as object,
    installed: { state: 'known', name: 'pkg', version: '1.0.0', ecosystem: 'npm' } as ResolvedVersion,
    logs: [] as string[],
    judgements: 0,
  };
  const g = new StaleGate({
    stale: { policy, intervalMs: extra.stale?.intervalMs ?? 0 },
    serverName: 'srv',
    log: (line) => state.logs.push(line),
    currentChild: () => state.child,
    // The engine reads files: its answer comes on a later turn of the event loop.
    judgeChild: () => {
      state.judgements++;
      return new Promise((resolve) =>
        setImmediate(() => resolve({ child: state.child, versions: engineVersions(state.running, state.installed) })),
      );
    },
    isRunning: () => true,
    isIdle: () => true,
    restart: async () => undefined,
    ...extra,
  });
  return { g, state };
}

/** Lets the background check a tools/call started run to its end. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('guard: the stale gate under annotate', () => {
  it('says nothing until a check saw the server stale; a tools/call starts the check and is never held for it', async () => {
    const { g, state } = gate('annotate');
    assert.deepEqual(g.toolResultNotices(), []);
    state.installed = { state: 'known', name: 'pkg', version: '2.0.0', ecosystem: 'npm' };
    assert.equal(await g.refusal('tools/call', { name: 't' }), undefined);
    assert.deepEqual(g.toolResultNotices(), [], 'the check runs in the background');
    await settle();
    const [notice] = g.toolResultNotices();
    assert.equal(
      notice.split('. Restart it')[0],
      '[MCP Lifeguard] This server ("srv"): Stale: runs "pkg" "1.0.0", but "2.0.0" is installed',
    );
    g.noticesDelivered();
    assert.equal(g.toolResultNotices().length, 1, 'said on every result while stale');
    assert.match(
      state.logs.join('\n'),
      /srv: Stale: runs pkg 1\.0\.0, but 2\.0\.0 is installed \(--when-stale annotate\)/,
    );
  });

  it('forgets the verdict of a child that is gone: a restarted child is not called stale by it', async () => {
    const { g, state } = gate('annotate');
    state.installed = { state: 'known', name: 'pkg', version: '2.0.0', ecosystem: 'npm' };
    await g.refusal('tools/call', undefined);
    await settle();
    assert.equal(g.toolResultNotices().length, 1);
    state.running = state.installed;
    state.child = {};
    assert.deepEqual(g.toolResultNotices(), []);
  });

  it('tells of a newer release once, and never under other policies', async () => {
    const looked: string[] = [];
    const updateAvailable = async (v: ResolvedVersion & { state: 'known' }) => {
      looked.push(v.version);
      return { name: v.name, installed: v.version, latest: '9.0.0' };
    };
    const { g } = gate('annotate', { updateAvailable });
    g.start();
    await settle();
    assert.deepEqual(g.toolResultNotices(), [
      '[MCP Lifeguard] A newer release of "pkg" is available: "9.0.0" (installed "1.0.0").',
    ]);
    assert.equal(g.toolResultNotices().length, 1, 'still pending until delivered');
    g.noticesDelivered();
    assert.deepEqual(g.toolResultNotices(), []);
    await g.refusal('tools/call', undefined);
    await settle();
    assert.deepEqual(g.toolResultNotices(), []);
    assert.deepEqual(looked, ['1.0.0'], 'the cache is not read again once said');
    g.stop();

    for (const policy of ['warn', 'refuse-writes', 'refuse-all', 'restart-when-idle'] as const) {
      const other = gate(policy, { updateAvailable });
      other.state.installed = { state: 'known', name: 'pkg', version: '2.0.0', ecosystem: 'npm' };
      await other.g.refusal('tools/call', { name: 't' });
      await settle();
      assert.ok(
        other.g.toolResultNotices().every((n) => !n.includes('A newer release')),
        `${policy}: no newer-release notice`,
      );
    }
  });

  it('a shared server: the update and tools-changed notices are said once to each client, the stale one on every result', async () => {
    const looked: string[] = [];
    const { g, state } = gate('annotate', {
      updateAvailable: async (v) => {
        looked.push(v.version);
        return { name: v.name, installed: v.version, latest: '9.0.0' };
      },
    });
    const a = { key: '1', joinedAt: performance.now() };
    const b = { key: '2', joinedAt: performance.now() };
    await g.refusal('tools/call', undefined);
    await settle();
    g.noteToolsChanged('[MCP Lifeguard] tools changed');
    const c = { key: '3', joinedAt: performance.now() + 1 };
    const update = '[MCP Lifeguard] A newer release of "pkg" is available: "9.0.0" (installed "1.0.0").';
    assert.deepEqual(g.toolResultNotices(a), ['[MCP Lifeguard] tools changed', update]);
    g.noticesDelivered(a);
    assert.deepEqual(g.toolResultNotices(a), [], 'a was told');
    assert.deepEqual(g.toolResultNotices(b), ['[MCP Lifeguard] tools changed', update], 'b was not');
    assert.deepEqual(g.toolResultNotices(c), [update], 'c came after the tools changed: it listed them itself');
    g.noticesDelivered(c);
    assert.deepEqual(g.toolResultNotices(c), []);
    state.installed = { state: 'known', name: 'pkg', version: '2.0.0', ecosystem: 'npm' };
    await g.refusal('tools/call', undefined);
    await settle();
    for (const x of [a, c]) assert.equal(g.toolResultNotices(x).length, 1, 'the stale notice, for everyone');
    assert.deepEqual(looked, ['1.0.0', '2.0.0'], 'a shared server keeps reading the cache for the clients to come');
  });

  it('drops a pending update text when another version gets installed before it was said', async () => {
    const { g, state } = gate('annotate', {
      updateAvailable: async (v) =>
        v.version === '1.0.0' ? { name: v.name, installed: v.version, latest: '2.0.0' } : undefined,
    });
    await g.refusal('tools/call', undefined);
    await settle();
    assert.equal(g.toolResultNotices().length, 1);
    state.installed = { state: 'known', name: 'pkg', version: '2.0.0', ecosystem: 'npm' };
    await g.refusal('tools/call', undefined);
    await settle();
    const notices = g.toolResultNotices();
    assert.equal(notices.length, 1);
    assert.match(
      notices[0],
      /runs "pkg" "1\.0\.0", but "2\.0\.0" is installed/,
      'the stale notice only: 2.0.0 is no newer release any more',
    );
  });
});

describe('guard: the stale gate judges off the call path', () => {
  const newer: ResolvedVersion = { state: 'known', name: 'pkg', version: '2.0.0', ecosystem: 'npm' };

  it('a burst of tool calls starts one judgement, never two at once', async () => {
    const { g, state } = gate('annotate');
    for (let i = 0; i < 20; i++) await g.refusal('tools/call', { name: 't' });
    await settle();
    assert.equal(state.judgements, 1);
  });

  it('reuses a verdict younger than the check interval; an older one, or a new child, is judged again', async () => {
    // The gate's clock is the test's: how long a busy machine takes between two calls decides nothing.
    let clock = 0;
    const { g, state } = gate('annotate', { stale: { policy: 'annotate', intervalMs: 40 }, now: () => clock });
    await g.refusal('tools/call', undefined);
    await settle();
    assert.equal(state.judgements, 1);
    state.installed = newer;
    await g.refusal('tools/call', undefined);
    await settle();
    assert.equal(state.judgements, 1, 'within the interval the last verdict stands (the timer checks that often)');
    assert.deepEqual(g.toolResultNotices(), []);
    clock += 60;
    await g.refusal('tools/call', undefined);
    await settle();
    assert.equal(state.judgements, 2);
    assert.equal(g.toolResultNotices().length, 1, 'the next check saw the upgrade');
    state.child = {};
    state.running = newer;
    await g.refusal('tools/call', undefined);
    await settle();
    assert.equal(state.judgements, 3, 'a restarted child is judged at once');
    assert.deepEqual(g.toolResultNotices(), []);
  });

  it('under refuse-writes, a read let through while stale carries the stale notice as under annotate (warn and restart-when-idle add none)', async () => {
    const { g, state } = gate('refuse-writes', { stale: { policy: 'refuse-writes', intervalMs: 60_000 } });
    g.noteTools([
      { name: 'r', annotations: { readOnlyHint: true } },
      { name: 'w', annotations: { readOnlyHint: false } },
    ]);
    assert.equal(await g.refusal('tools/call', { name: 'r' }), undefined);
    assert.deepEqual(g.toolResultNotices(), [], 'nothing to say while it runs what is installed');
    state.installed = newer;
    assert.match((await g.refusal('tools/call', { name: 'w' })) ?? '', /is refused/);
    // The read is judged before it is let through: its result carries the notice, the first one too.
    assert.equal(await g.refusal('tools/call', { name: 'r' }), undefined);
    const [notice, ...more] = g.toolResultNotices();
    assert.deepEqual(more, []);
    assert.equal(
      notice.split('. Restart it')[0],
      '[MCP Lifeguard] This server ("srv"): Stale: runs "pkg" "1.0.0", but "2.0.0" is installed',
    );
    for (const policy of ['warn', 'restart-when-idle'] as const) {
      const other = gate(policy);
      other.state.installed = newer;
      await other.g.refusal('tools/call', { name: 'r' });
      await settle();
      assert.deepEqual(other.g.toolResultNotices(), [], policy);
    }
  });

  it('a refusing policy judges every call (a write is never let through on an old verdict), sharing one under way', async () => {
    const { g, state } = gate('refuse-writes', { stale: { policy: 'refuse-writes', intervalMs: 60_000 } });
    g.noteTools([{ name: 'w', annotations: { readOnlyHint: false } }]);
    assert.equal(await g.refusal('tools/call', { name: 'w' }), undefined);
    state.installed = newer;
    const [a, b] = await Promise.all([g.refusal('tools/call', { name: 'w' }), g.refusal('tools/call', { name: 'w' })]);
    assert.equal(state.judgements, 2, 'the two calls at once shared one judgement');
    assert.match(a ?? '', /2\.0\.0/);
    assert.equal(a, b);
  });

  it('a tool called before any tools/list answer went by is judged by its name: a read goes through, a write is refused as one', async () => {
    const { g, state } = gate('refuse-writes');
    state.installed = newer;
    assert.equal(await g.refusal('tools/call', { name: 'list_notes' }), undefined);
    assert.match((await g.refusal('tools/call', { name: 'add_note' })) ?? '', /its name says it changes data/);
    assert.match((await g.refusal('tools/call', { name: 'frobnicate' })) ?? '', /cannot be told/);
  });
});
