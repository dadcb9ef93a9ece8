import * as assert from 'node:assert/strict';
import { planKillDuplicates } from '../../../src/core/actions/killDuplicates';
import { InstanceIdentity, StopDeps, stopInstance, stopSucceeded } from '../../../src/core/actions/stop';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { ProcessIdentity } from '../../../src/core/pids/identity';
import { commandHash } from '../../../src/core/pids/identity';
import { TREE_MARK_VAR } from '../../../src/core/pids/treeMark';

/** A fake OS: processes by pid; kill removes them unless they ignore the signal. */
function fakeOs(procs: Record<number, ProcessIdentity & { ppid?: number; ignoresTerm?: boolean }>, uid = 1000) {
  const signals: string[] = [];
  let clock = 0;
  const deps: StopDeps = {
    readIdentity: async (pid) => {
      const p = procs[pid];
      return p ? { pid: p.pid, startTime: p.startTime, commandLine: p.commandLine, uid: p.uid } : undefined;
    },
    readTable: async () =>
      Object.values(procs).map((p) => ({
        pid: p.pid,
        ppid: p.ppid ?? 1,
        argv: p.commandLine.split(' '),
        uid: p.uid,
        startTime: p.startTime,
      })),
    kill: (pid, signal) => {
      signals.push(`${signal} ${pid}`);
      if (!procs[pid]) throw Object.assign(new Error('no such process'), { code: 'ESRCH' });
      if (signal === 'SIGKILL' || !procs[pid].ignoresTerm) delete procs[pid];
    },
    getuid: () => uid,
    selfPid: 50,
    ancestorPids: async () => new Set([40, 30]),
    sleep: async (ms) => {
      clock += ms;
    },
    now: () => clock,
  };
  return { deps, signals };
}

const server = (pid: number, extra: Partial<ProcessIdentity & { ppid: number; ignoresTerm: boolean }> = {}) => ({
  pid,
  startTime: 1000 + pid,
  commandLine: `node /srv/mcp-server-x.js --id ${pid}`,
  uid: 1000,
  ...extra,
});

const instanceOf = (p: ProcessIdentity, chain: Instance['launcherChain'] = []) => ({
  pid: p.pid,
  startTime: p.startTime,
  commandHash: commandHash(p.commandLine),
  launcherChain: chain,
});

describe('stop: re-identify, TERM, grace, KILL, verify', () => {
  it('stops a server, its descendants and its launcher chain, step by step', async () => {
    const launcher = { ...server(100), commandLine: 'sh -c mcp-server-x' };
    const main = server(101, { ppid: 100 });
    const child = server(102, { ppid: 101 });
    const { deps, signals } = fakeOs({ 100: launcher, 101: main, 102: child });
    const r = await stopInstance(
      instanceOf(main, [
        {
          pid: 100,
          startTime: launcher.startTime,
          commandLine: 'sh -c mcp-server-x',
          commandHash: commandHash(launcher.commandLine),
        },
      ]),
      deps,
      { graceMs: 1000 },
    );
    assert.equal(r.outcome, 'stopped');
    assert.equal(stopSucceeded(r), true);
    assert.deepEqual(signals.sort(), ['SIGTERM 100', 'SIGTERM 101', 'SIGTERM 102']);
    assert.deepEqual(
      r.steps.map((s) => s.step),
      ['reidentify', 'reidentify', 'signal', 'signal', 'signal', 'wait', 'verify'],
    );
  });

  it("signals the server's descendants only as re-identified: never another user's, one older than its parent, or a pid reused after the table was read", async () => {
    const main = server(101);
    const own = server(102, { ppid: 101 });
    const root = server(103, { ppid: 101, uid: 0 });
    const older = server(104, { ppid: 101, startTime: 500 });
    const reused = server(105, { ppid: 101 });
    const { deps, signals } = fakeOs({ 101: main, 102: own, 103: root, 104: older, 105: reused });
    const readTable = deps.readTable;
    // Pid 105 exits right after the table is read and its pid goes to another process.
    const procs = { 105: reused };
    deps.readTable = async () => {
      const table = await readTable();
      procs[105].startTime = 9999;
      return table;
    };
    const r = await stopInstance(instanceOf(main), deps, { graceMs: 100 });
    assert.deepEqual(signals.sort(), ['SIGTERM 101', 'SIGTERM 102']);
    const skipped = r.steps.flatMap((s) => (s.step === 'skip' ? [s.pid] : []));
    assert.deepEqual(skipped.sort(), [103, 104, 105]);
  });

  it("takes what a guarded server started that left its tree by the server's own mark (its guard gone): never another tree's, nor by a mark it inherited", async () => {
    // 101: a server its guard (gone) started with mark M; 102 its child; 110 a daemon it started by a
    // double fork (now under init); 111 the daemon's child; 120 another server's process with mark N;
    // 109 a process with M started before the server (it cannot be the server's).
    const procs = {
      101: server(101),
      102: server(102, { ppid: 101 }),
      110: server(110, { ppid: 1 }),
      111: server(111, { ppid: 110 }),
      120: server(120, { ppid: 1 }),
      109: server(109, { ppid: 1, startTime: 900 }),
    };
    const environ: Record<number, Map<string, string>> = {
      101: new Map([[TREE_MARK_VAR, 'M']]),
      102: new Map([[TREE_MARK_VAR, 'M']]),
      110: new Map([[TREE_MARK_VAR, 'M']]),
      111: new Map([[TREE_MARK_VAR, 'M']]),
      120: new Map([[TREE_MARK_VAR, 'N']]),
      109: new Map([[TREE_MARK_VAR, 'M']]),
    };
    const { deps, signals } = fakeOs({ ...procs });
    deps.readEnviron = (pid) => environ[pid];
    const r = await stopInstance(instanceOf(procs[101]), deps, { graceMs: 100 });
    assert.equal(r.outcome, 'stopped', r.message);
    assert.deepEqual(signals.sort(), ['SIGTERM 101', 'SIGTERM 102', 'SIGTERM 110', 'SIGTERM 111']);

    // A server whose parent carries the same mark inherited it: the mark names that tree, not its own.
    const inherited = { 100: server(100), 101: server(101, { ppid: 100 }), 110: server(110, { ppid: 1 }) };
    const again = fakeOs({ ...inherited });
    again.deps.readEnviron = (pid) => environ[pid] ?? (pid === 100 ? new Map([[TREE_MARK_VAR, 'M']]) : undefined);
    await stopInstance(instanceOf(inherited[101]), again.deps, { graceMs: 100 });
    assert.deepEqual(again.signals, ['SIGTERM 101']);
  });

  it('sends SIGKILL after the grace period to what ignored SIGTERM, and verifies it is gone', async () => {
    const main = server(101, { ignoresTerm: true });
    const { deps, signals } = fakeOs({ 101: main });
    const r = await stopInstance(instanceOf(main), deps, { graceMs: 300, pollMs: 100 });
    assert.equal(r.outcome, 'stopped');
    assert.deepEqual(signals, ['SIGTERM 101', 'SIGKILL 101']);
    const wait = r.steps.find((s) => s.step === 'wait');
    assert.ok(wait && wait.step === 'wait' && wait.ms >= 300 && wait.remaining[0] === 101);
  });

  const refusals: [string, () => { os: Parameters<typeof fakeOs>; target: InstanceIdentity }, string][] = [
    ['pid 1', () => ({ os: [{ 1: server(1) }], target: instanceOf(server(1)) }), 'protected-pid'],
    ['ourselves', () => ({ os: [{ 50: server(50) }], target: instanceOf(server(50)) }), 'self'],
    ['an ancestor', () => ({ os: [{ 40: server(40) }], target: instanceOf(server(40)) }), 'ancestor'],
    [
      'a reused pid (another start time)',
      () => ({ os: [{ 101: server(101, { startTime: 99999 }) }], target: instanceOf(server(101)) }),
      'pid-reused',
    ],
    [
      'a changed command line',
      () => ({ os: [{ 101: server(101, { commandLine: 'vim notes.txt' }) }], target: instanceOf(server(101)) }),
      'command-changed',
    ],
    [
      'another user',
      () => ({ os: [{ 101: server(101, { uid: 1001 }) }], target: instanceOf(server(101)) }),
      'other-user',
    ],
    [
      'no recorded start time',
      () => ({ os: [{ 101: server(101) }], target: { ...instanceOf(server(101)), startTime: undefined } }),
      'missing-identity',
    ],
    [
      'no recorded command hash',
      () => ({
        os: [{ 101: server(101) }],
        target: { ...instanceOf(server(101)), commandHash: undefined as unknown as string },
      }),
      'missing-identity',
    ],
  ];
  for (const [what, setup, reason] of refusals) {
    it(`refuses ${what}, signals nothing, and says why`, async () => {
      const { os, target } = setup();
      const { deps, signals } = fakeOs(...os);
      const r = await stopInstance(target, deps, { graceMs: 100 });
      assert.equal(r.outcome, 'refused');
      assert.equal(stopSucceeded(r), false);
      assert.equal(r.reason, reason);
      assert.match(r.message, /^refused: /);
      assert.deepEqual(signals, []);
    });
  }

  it('reports an instance that already exited as gone, without signalling', async () => {
    const { deps, signals } = fakeOs({});
    const r = await stopInstance(instanceOf(server(101)), deps);
    assert.equal(r.outcome, 'gone');
    assert.equal(stopSucceeded(r), true, 'nothing of it runs: what was asked is done');
    assert.deepEqual(signals, []);
  });

  it('a stop succeeded when nothing of it runs: stopped or gone, never refused or failed', () => {
    assert.deepEqual(
      (['stopped', 'gone', 'refused', 'failed'] as const).map((outcome) => stopSucceeded({ outcome })),
      [true, true, false, false],
    );
  });

  it('leaves a launcher alone when it no longer matches its recorded start time', async () => {
    const main = server(101, { ppid: 100 });
    const { deps, signals } = fakeOs({ 100: server(100, { startTime: 5 }), 101: main });
    const r = await stopInstance(instanceOf(main, [{ pid: 100, startTime: 1100, commandLine: 'sh' }]), deps);
    assert.equal(r.outcome, 'stopped');
    assert.deepEqual(signals, ['SIGTERM 101']);
    assert.ok(r.steps.some((s) => s.step === 'skip' && s.pid === 100));
  });
});

describe('kill-duplicates plan', () => {
  const inst = (pid: number, verdicts: Instance['verdicts']): Instance => ({
    pid,
    ppid: 1,
    startTime: pid,
    commandLine: 'x',
    commandHash: 'h',
    client: { id: 'vscode', name: 'VS Code', pid: 9 },
    launcherChain: [],
    matchedBy: 'prog:x',
    verdicts,
  });
  const ref = (pid: number) => ({ pid, client: { id: 'vscode' as const, name: 'VS Code', pid: 9 } });
  const dup = (pid: number, keep: number): Instance =>
    inst(pid, [
      {
        kind: 'duplicate',
        identityKey: 'k',
        client: ref(keep).client,
        keep: ref(keep),
        instances: [ref(pid), ref(keep)],
      },
    ]);
  const snapshot = (servers: { name: string; instances: Instance[] }[]) =>
    ({
      servers: servers.map((s, i) => ({ id: `id${i}`, launchKey: 'k', ...s })),
      notConfigured: [inst(77, [{ kind: 'orphan', launchPid: 77, ppid: 1, reason: 'r' }])],
    }) as unknown as Snapshot;

  it('takes older duplicates and orphans, keeps the newest, never the not-configured group, each pid once', () => {
    const shared = dup(10, 12);
    const s = snapshot([
      {
        name: 'memory',
        instances: [shared, inst(12, []), inst(13, [{ kind: 'orphan', launchPid: 13, ppid: 1, reason: 'r' }])],
      },
      { name: 'memory-too', instances: [shared] },
      { name: 'other', instances: [inst(20, [{ kind: 'shared', singleWriter: true, instances: [] }])] },
    ]);
    assert.deepEqual(
      planKillDuplicates(s).map((p) => [p.pid, p.reason, p.keep]),
      [
        [10, 'duplicate', 12],
        [13, 'orphan', undefined],
      ],
    );
    assert.deepEqual(planKillDuplicates(s, 'other'), []);
  });
});
