import * as assert from 'node:assert/strict';
import {
  LadderStage,
  recordedTarget,
  RecordedTargetDeps,
  runStopLadder,
  StopTarget,
} from '../../../src/core/actions/stopLadder';
import type { ProcessIdentity } from '../../../src/core/pids/identity';
import { commandHash } from '../../../src/core/pids/identity';

/** A fake clock: sleeping moves it; nothing waits for real. */
function fakeClock() {
  let t = 0;
  return { sleep: async (ms: number) => void (t += ms), now: () => t };
}

/** A fake process that ends on the stages it honours; everything sent to it is logged. */
function fakeTarget(
  endsOn: Array<'ask' | 'SIGTERM' | 'SIGKILL'>,
  log: string[],
  extra: { exitAfterPolls?: number } = {},
) {
  let alive = true;
  let polls = 0;
  const target: StopTarget<string> & { ask(): void } = {
    ask: () => {
      log.push('ask');
      if (endsOn.includes('ask')) alive = false;
    },
    identify: async () => (alive ? { ok: true } : { ok: false, refusal: 'gone' }),
    signal: (signal) => {
      log.push(signal);
      if (endsOn.includes(signal)) alive = false;
    },
    isGone: async () => {
      if (extra.exitAfterPolls !== undefined && ++polls >= extra.exitAfterPolls) alive = false;
      return !alive;
    },
  };
  return target;
}

const ladderFor = (t: { ask(): void }, graceMs = 1000): LadderStage[] => [
  { kind: 'ask', ask: () => t.ask(), waitMs: 500 },
  { kind: 'signal', signal: 'SIGTERM', waitMs: graceMs },
  { kind: 'signal', signal: 'SIGKILL', waitMs: 2000 },
];

describe('stop ladder: ask, TERM, grace, KILL, each signal after a check', () => {
  for (const stage of ['ask', 'SIGTERM', 'SIGKILL'] as const) {
    it(`ends at the ${stage} stage for a process that honours it, and sends nothing after`, async () => {
      const log: string[] = [];
      const t = fakeTarget([stage], log);
      const r = await runStopLadder([t], ladderFor(t), fakeClock());
      assert.deepEqual(r, { outcome: 'stopped', stage });
      assert.deepEqual(log, ['ask', 'SIGTERM', 'SIGKILL'].slice(0, ['ask', 'SIGTERM', 'SIGKILL'].indexOf(stage) + 1));
    });
  }

  it('a tree: the ask waits for the first target alone, then TERM goes to what is left of the tree, the first target gone', async () => {
    const serverLog: string[] = [];
    const childLog: string[] = [];
    const server = fakeTarget(['ask'], serverLog);
    const child = fakeTarget(['SIGTERM'], childLog);
    const waits: [string, number][] = [];
    const r = await runStopLadder(
      [server, child],
      [{ kind: 'ask', ask: () => server.ask(), waitMs: 500, waitFor: 'first' }, ...ladderFor(server).slice(1)],
      { ...fakeClock(), onWaited: (stage, ms) => waits.push([stage, ms]) },
    );
    assert.deepEqual(r, { outcome: 'stopped', stage: 'SIGTERM' });
    assert.deepEqual(serverLog, ['ask'], 'the server, gone after the ask, gets no signal');
    assert.deepEqual(childLog, ['SIGTERM'], 'its child, which was not asked, gets TERM');
    assert.deepEqual(waits, [
      ['ask', 0],
      ['SIGTERM', 0],
    ]);
  });

  it('waits the full grace for a process that ignores TERM, then sends KILL', async () => {
    const log: string[] = [];
    const t = fakeTarget(['SIGKILL'], log);
    const waits: [string, number][] = [];
    const r = await runStopLadder([t], ladderFor(t, 3000), {
      ...fakeClock(),
      pollMs: 100,
      onWaited: (stage, ms) => waits.push([stage, ms]),
    });
    assert.deepEqual(r, { outcome: 'stopped', stage: 'SIGKILL' });
    assert.deepEqual(log, ['ask', 'SIGTERM', 'SIGKILL']);
    assert.deepEqual(waits, [
      ['ask', 500],
      ['SIGTERM', 3000],
      ['SIGKILL', 0],
    ]);
  });

  it('ends early when the process exits during a wait, seen by checks that start quick and slow down, without the next signal', async () => {
    const log: string[] = [];
    const t = fakeTarget([], log, { exitAfterPolls: 3 });
    const waits: [string, number][] = [];
    const r = await runStopLadder(
      [t],
      [
        { kind: 'signal', signal: 'SIGTERM', waitMs: 5000 },
        { kind: 'signal', signal: 'SIGKILL', waitMs: 5000 },
      ],
      { ...fakeClock(), pollMs: 100, onWaited: (stage, ms) => waits.push([stage, ms]) },
    );
    assert.deepEqual(r, { outcome: 'stopped', stage: 'SIGTERM' });
    assert.deepEqual(log, ['SIGTERM']);
    // Checked at once, after 25 ms, after 50 more: the third check sees it gone.
    assert.deepEqual(waits, [['SIGTERM', 75]]);
  });

  it('checks a process that ignores TERM no more often than at first, and never more than pollMs apart', async () => {
    const log: string[] = [];
    const t = fakeTarget(['SIGKILL'], log);
    const clock = fakeClock();
    const pauses: number[] = [];
    await runStopLadder([t], [{ kind: 'signal', signal: 'SIGTERM', waitMs: 500 }], {
      now: clock.now,
      sleep: async (ms) => {
        pauses.push(ms);
        await clock.sleep(ms);
      },
      pollMs: 100,
    });
    assert.deepEqual(pauses, [25, 50, 100, 100, 100, 100, 25]);
  });

  it('reports a process that survives every stage', async () => {
    const log: string[] = [];
    const t = fakeTarget([], log);
    const r = await runStopLadder([t], ladderFor(t), fakeClock());
    assert.equal(r.outcome, 'survived');
    assert.deepEqual(r.outcome === 'survived' && r.remaining, [t]);
    assert.deepEqual(log, ['ask', 'SIGTERM', 'SIGKILL']);
  });

  it('signals nothing to a target whose check refuses, and says why', async () => {
    const log: string[] = [];
    const t = fakeTarget([], log);
    t.identify = async () => ({ ok: false, refusal: 'not ours' });
    const refused: string[] = [];
    const r = await runStopLadder([t], ladderFor(t), {
      ...fakeClock(),
      onRefused: (_t, signal, why) => refused.push(`${signal}: ${why}`),
    });
    assert.deepEqual(r, { outcome: 'refused', stage: 'SIGTERM', refusal: 'not ours' });
    assert.deepEqual(log, ['ask']);
    assert.deepEqual(refused, ['SIGTERM: not ours']);
  });

  it('a signal that throws ends the ladder, or with onSignalError "wait" lets the wait judge', async () => {
    const boom = Object.assign(new Error('no such process'), { code: 'ESRCH' });
    const throwing = (gone: boolean): StopTarget<string> => ({
      identify: async () => ({ ok: true }),
      signal: () => {
        throw boom;
      },
      isGone: async () => gone,
    });
    assert.deepEqual(
      await runStopLadder([throwing(false)], [{ kind: 'signal', signal: 'SIGTERM', waitMs: 100 }], fakeClock()),
      { outcome: 'signal-failed', stage: 'SIGTERM', error: boom },
    );
    const failed: unknown[] = [];
    const r = await runStopLadder([throwing(true)], [{ kind: 'signal', signal: 'SIGTERM', waitMs: 100 }], {
      ...fakeClock(),
      onSignalError: 'wait',
      onSignalFailed: (_t, _s, e) => failed.push(e),
    });
    assert.deepEqual(r, { outcome: 'stopped', stage: 'SIGTERM' });
    assert.deepEqual(failed, [boom]);
  });
});

describe('stop ladder on a recorded pid: re-identified before every signal', () => {
  const live: ProcessIdentity = {
    pid: 4242,
    startTime: 1_795_271_243_650,
    commandLine: 'node /srv/server.js',
    uid: 1000,
  };
  const record = { pid: 4242, startTime: live.startTime, commandHash: commandHash(live.commandLine) };

  /** A pid that ignores TERM; after `reusedAfter` signals the pid names another process. */
  function os(options: { reusedAfter?: number; uid?: number } = {}) {
    const signals: string[] = [];
    let current: ProcessIdentity | undefined = live;
    const deps: RecordedTargetDeps = {
      readIdentity: async () => current,
      getuid: () => options.uid ?? 1000,
      selfPid: 50,
      kill: (pid, signal) => {
        signals.push(`${signal} ${pid}`);
        if (signals.length === options.reusedAfter) current = { ...live, startTime: live.startTime + 7000 };
      },
    };
    return { deps, signals };
  }
  const stages: LadderStage[] = [
    { kind: 'signal', signal: 'SIGTERM', waitMs: 300 },
    { kind: 'signal', signal: 'SIGKILL', waitMs: 300 },
  ];

  it('never signals a pid that changed identity between two stages', async () => {
    const { deps, signals } = os({ reusedAfter: 1 });
    // The wait counts the pid as the old process until the wait ends; only the check before KILL sees the reuse.
    let polls = 0;
    const target = recordedTarget(record, { deps, isGone: async () => ++polls > 100 });
    const r = await runStopLadder([target], stages, { ...fakeClock(), pollMs: 100 });
    assert.deepEqual(signals, ['SIGTERM 4242']);
    assert.equal(r.outcome, 'refused');
    assert.equal(r.outcome === 'refused' && r.refusal.reason, 'pid-reused');
  });

  it('counts a pid that no longer re-identifies as gone while waiting', async () => {
    const { deps, signals } = os({ reusedAfter: 1 });
    const r = await runStopLadder([recordedTarget(record, { deps })], stages, fakeClock());
    assert.deepEqual(r, { outcome: 'stopped', stage: 'SIGTERM' });
    assert.deepEqual(signals, ['SIGTERM 4242']);
  });

  it('sends TERM then KILL to the exact process that ignores TERM', async () => {
    const { deps, signals } = os();
    const r = await runStopLadder([recordedTarget(record, { deps })], stages, fakeClock());
    assert.equal(r.outcome, 'survived'); // the fake OS never removes it
    assert.deepEqual(signals, ['SIGTERM 4242', 'SIGKILL 4242']);
  });

  it('refuses another user, an ancestor of ours and an incomplete record, signalling nothing', async () => {
    const cases: [
      ReturnType<typeof os>,
      Parameters<typeof recordedTarget>[0],
      ReadonlySet<number> | undefined,
      string,
    ][] = [
      [os({ uid: 1001 }), record, undefined, 'other-user'],
      [os(), record, new Set([4242]), 'ancestor'],
      [os(), { pid: 4242, commandHash: record.commandHash }, undefined, 'missing-identity'],
    ];
    for (const [{ deps, signals }, rec, ancestors, reason] of cases) {
      const r = await runStopLadder([recordedTarget(rec, { deps, ancestors })], stages, fakeClock());
      assert.equal(r.outcome === 'refused' && r.refusal.reason, reason);
      assert.deepEqual(signals, []);
    }
  });
});
