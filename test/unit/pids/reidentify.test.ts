import * as assert from 'node:assert/strict';
import type { ProcessIdentity } from '../../../src/core/pids/identity';
import { commandHash } from '../../../src/core/pids/identity';
import { RecordedProcess, reidentify, ReidentifyDeps } from '../../../src/core/pids/reidentify';

const BOOT = '3469a6c0-5bb3-4d5d-909a-cfbb992d2a66';
const live: ProcessIdentity = {
  pid: 4242,
  startTime: 1_795_271_243_650,
  commandLine: 'node /srv/server.js --port 3000',
  uid: 1000,
  linux: { bootId: BOOT, startTicks: 264_281 },
};
const exact: RecordedProcess = {
  pid: 4242,
  startTime: live.startTime,
  commandHash: commandHash(live.commandLine),
  linux: { bootId: BOOT, startTicks: 264_281 },
};

function deps(found: ProcessIdentity | null = live, uid = 1000): ReidentifyDeps {
  return { readIdentity: async () => found ?? undefined, getuid: () => uid, selfPid: 50 };
}

describe('reidentify: the one rule before any signal', () => {
  it('accepts the exact process: same start ticks and boot, command line and user', async () => {
    assert.equal((await reidentify(exact, deps())).ok, true);
  });

  it('on Linux the start ticks decide, not a wall-clock start time a clock step moved', async () => {
    assert.equal((await reidentify({ ...exact, startTime: exact.startTime! + 1000 }, deps())).ok, true);
  });

  const refused: [string, Partial<RecordedProcess>, ProcessIdentity | null, number, string, RegExp][] = [
    [
      'a start tick off by one (10 ms)',
      { ...exact, linux: { bootId: BOOT, startTicks: 264_282 } },
      live,
      1000,
      'pid-reused',
      /tick 264281 since boot, not 264282/,
    ],
    [
      'another boot',
      { ...exact, linux: { bootId: 'other', startTicks: 264_281 } },
      live,
      1000,
      'other-boot',
      /before the machine restarted/,
    ],
    [
      'a start time 15 ms off (no ticks recorded)',
      { ...exact, linux: undefined, startTime: live.startTime + 15 },
      live,
      1000,
      'pid-reused',
      /not .* as recorded/,
    ],
    [
      'another command line',
      { ...exact, commandHash: commandHash('sleep 60') },
      live,
      1000,
      'command-changed',
      /does not run the recorded command line/,
    ],
    ['another user', exact, live, 1001, 'other-user', /uid 1000, not to the current user \(uid 1001\)/],
    [
      'no command hash',
      { ...exact, commandHash: undefined },
      live,
      1000,
      'missing-identity',
      /record of pid 4242 has no commandHash/,
    ],
    [
      'no start time',
      { ...exact, startTime: undefined },
      live,
      1000,
      'missing-identity',
      /record of pid 4242 has no startTime/,
    ],
    ['a start time of 0 (none known)', { ...exact, startTime: 0 }, live, 1000, 'missing-identity', /has no startTime/],
    [
      'a malformed linux field',
      { ...exact, linux: { bootId: BOOT } as never },
      live,
      1000,
      'missing-identity',
      /has no linux/,
    ],
    ['pid 1', { ...exact, pid: 1 }, live, 1000, 'protected-pid', /never signalled/],
    ['a negative pid (a process group)', { ...exact, pid: -4242 }, live, 1000, 'protected-pid', /never signalled/],
    ['itself', { ...exact, pid: 50 }, live, 1000, 'self', /this process/],
    ['a zombie', exact, { ...live, zombie: true }, 1000, 'gone', /has exited/],
    ['a process that is gone', exact, null, 1000, 'gone', /has exited/],
  ];
  for (const [what, recorded, found, uid, reason, detail] of refused) {
    it(`refuses ${what}`, async () => {
      const r = await reidentify(recorded, deps(found, uid));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.equal(r.reason, reason);
      assert.match(r.detail, detail);
    });
  }

  it('an OS that will not answer is a refusal, not an error', async () => {
    const r = await reidentify(exact, { ...deps(), readIdentity: async () => Promise.reject(new Error('EACCES')) });
    assert.deepEqual(r.ok ? undefined : r.reason, 'unverifiable');
  });
});
