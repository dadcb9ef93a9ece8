import * as assert from 'node:assert/strict';
import {
  judgeRecord,
  linuxProcessIdentity,
  parseProcStatState,
  parsePsStatLstart,
  probeProcess,
  processStartTime,
  START_TIME_TOLERANCE_MS,
} from '../../../src/core/locks/liveness';
import type { LockRecord } from '../../../src/core/locks/types';

function recordFor(pid: number, startTime: number): LockRecord {
  return {
    protocol: 1,
    pid,
    startTime,
    serverName: 's',
    resourceKey: 'r',
    command: [],
    cwd: '/',
    startedAt: new Date(startTime).toISOString(),
  };
}

describe('locks: is a holder alive?', () => {
  it('parses the state and start ticks of /proc/<pid>/stat, even with ") " in the command name', () => {
    const stat =
      '4242 (we ) ird) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 10 18446744073709551615';
    assert.deepEqual(parseProcStatState(stat), { state: 'S', startTicks: 987654 });
    assert.equal(parseProcStatState('garbage'), undefined);
  });

  it('parses ps stat and lstart (macOS, BSD)', () => {
    const parsed = parsePsStatLstart('Ss   Mon Nov 16 09:12:03 2026\n');
    assert.equal(parsed?.state, 'Ss');
    assert.equal(parsed?.startTime, new Date(2026, 10, 16, 9, 12, 3).getTime());
    assert.equal(parsePsStatLstart('Z+ Mon Nov 16 09:12:03 2026')?.state, 'Z+');
    assert.equal(parsePsStatLstart(''), undefined);
  });

  it('a record naming this very process with its start time is live', async () => {
    const judged = await judgeRecord(recordFor(process.pid, await processStartTime()));
    assert.equal(judged.state, 'live');
  });

  it('a record naming a live pid with a different start time is dead: the pid was reused', async () => {
    const start = await processStartTime();
    const judged = await judgeRecord(recordFor(process.pid, start - 60_000));
    assert.equal(judged.state, 'dead');
    assert.match(judged.state === 'dead' ? judged.reason : '', /alive but started at .* the pid was reused/);
    assert.equal((await judgeRecord(recordFor(process.pid, start + START_TIME_TOLERANCE_MS + 1))).state, 'dead');
  });

  describe('on Linux, by boot id and clock ticks since boot', () => {
    const running = async () => ({
      kind: 'running' as const,
      startTime: 1_800_000_000_000,
      linux: { bootId: 'boot-a', startTicks: 5000 },
    });

    it('a wall-clock step does not make a live holder look dead', async () => {
      const record = { ...recordFor(7, 1_800_000_000_000 - 3_600_000), linux: { bootId: 'boot-a', startTicks: 5000 } };
      assert.equal((await judgeRecord(record, running)).state, 'live');
    });

    it('the same boot with other start ticks is a reused pid', async () => {
      const judged = await judgeRecord(
        { ...recordFor(7, 1_800_000_000_000), linux: { bootId: 'boot-a', startTicks: 4999 } },
        running,
      );
      assert.equal(judged.state, 'dead');
      assert.match(judged.state === 'dead' ? judged.reason : '', /tick 5000 since boot, not 4999: the pid was reused/);
    });

    it('a record from another boot is dead: the machine restarted', async () => {
      const judged = await judgeRecord(
        { ...recordFor(7, 1_800_000_000_000), linux: { bootId: 'boot-b', startTicks: 5000 } },
        running,
      );
      assert.equal(judged.state, 'dead');
      assert.match(judged.state === 'dead' ? judged.reason : '', /before the machine restarted/);
    });

    it('a malformed linux field is ignored and the start time decides', async () => {
      const record = {
        ...recordFor(7, 1_800_000_000_000),
        linux: { bootId: 3, startTicks: 'x' },
      } as unknown as LockRecord;
      assert.equal((await judgeRecord(record, running)).state, 'live');
    });

    it('this process has one on Linux (none elsewhere)', async () => {
      const mine = await linuxProcessIdentity();
      if (process.platform === 'linux') assert.match(mine?.bootId ?? '', /^[0-9a-f-]{36}$/);
      else assert.equal(mine, undefined);
    });
  });

  it('a record naming a pid that no longer exists is dead', async () => {
    const judged = await judgeRecord(recordFor(2 ** 22 + 12345, 1), async () => ({ kind: 'gone' }));
    assert.equal(judged.state, 'dead');
    assert.equal((await probeProcess(2 ** 30)).kind, 'gone'); // beyond any pid_max
  });

  it('a zombie (exited, not yet reaped) is dead; an unknown start time is judged by pid alone', async () => {
    assert.equal((await judgeRecord(recordFor(7, 1), async () => ({ kind: 'zombie' }))).state, 'dead');
    assert.equal((await judgeRecord(recordFor(7, 1), async () => ({ kind: 'unknown-start' }))).state, 'live');
  });
});
