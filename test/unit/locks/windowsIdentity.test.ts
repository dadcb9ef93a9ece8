import * as assert from 'node:assert/strict';
import { recordedTarget, runStopLadder } from '../../../src/core/actions/stopLadder';
import { judgeRecord, probeOfRow, probeProcess, processStartTime } from '../../../src/core/locks/liveness';
import { recordedMachine } from '../../../src/core/machine/recorded';
import type { Machine } from '../../../src/core/machine/types';
import { commandHash } from '../../../src/core/pids/identity';
import { liveReidentifyDeps, recordIdentity, reidentify } from '../../../src/core/pids/reidentify';
import { at, windowsProcessCommand, WindowsProcess, windowsLockRecord } from '../../support/realMachines';
import { virtualRecord } from '../../support/virtualMachine';

const node = '"C:\\Program Files\\nodejs\\node.exe"';
const rows: WindowsProcess[] = [
  { pid: 4, ppid: 0, created: '2026-11-19T08:00:00Z', commandLine: '', name: 'System' },
  ...[7201, 7202, 7203, 7204, 7205].map((pid, i) => ({
    pid,
    ppid: 7100,
    created: `2026-11-26T09:00:0${i}.${String(100 + i).padStart(3, '0')}Z`,
    commandLine: `${node} C:\\srv\\server${i}.js`,
    name: 'node.exe',
  })),
];

/** A Windows machine whose process query is counted each time it runs. */
function countingWindows(): { machine: Machine; runs: () => number } {
  const inner = recordedMachine(
    virtualRecord({
      platform: 'win32',
      home: 'C:\\Users\\ana',
      env: { USERPROFILE: 'C:\\Users\\ana', LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' },
      selfPid: 7450,
      now: at('2026-11-26T11:30:00Z'),
      files: {},
      commands: [windowsProcessCommand(rows)],
    }),
  );
  let runs = 0;
  const machine: Machine = {
    ...inner,
    run: (command) => {
      if (command.command === 'powershell.exe') runs++;
      return inner.run(command);
    },
  };
  return { machine, runs: () => runs };
}

const record = windowsLockRecord;

describe('Windows: a pid is named by its creation time, read from one process query per check', () => {
  it('records the creation time to the millisecond as a holder start, and the identity a child record needs', async () => {
    const { machine } = countingWindows();
    assert.equal(await processStartTime(7203, machine), at('2026-11-26T09:00:02.102Z'));
    assert.deepEqual(await recordIdentity(7203, liveReidentifyDeps(machine)), {
      pid: 7203,
      startTime: at('2026-11-26T09:00:02.102Z'),
      commandHash: commandHash(['C:\\Program Files\\nodejs\\node.exe', 'C:\\srv\\server2.js']),
    });
    assert.deepEqual(await probeProcess(9999, machine), { kind: 'gone' });
  });

  it('judges a lock record by the exact creation time: 1 ms off is a reused pid, a record without one is judged by pid alone', async () => {
    const started = at('2026-11-26T09:00:02.102Z');
    const row = { pid: 7203, ppid: 7100, argv: ['node.exe'], startTime: started };
    const probe = async () => probeOfRow(row);
    assert.equal((await judgeRecord(record(7203, started), probe)).state, 'live');
    const reused = await judgeRecord(record(7203, started - 1), probe);
    assert.equal(reused.state, 'dead');
    assert.match(reused.state === 'dead' ? reused.reason : '', /the pid was reused/);
    assert.equal((await judgeRecord(record(7203, 0), probe)).state, 'live', 'a record of an earlier writer (0)');
    assert.equal((await judgeRecord(record(7203, started), async () => probeOfRow(undefined))).state, 'dead');
  });

  it('a record whose creation time does not match is never signalled, and one without it names no process', async () => {
    const { machine } = countingWindows();
    const deps = liveReidentifyDeps(machine);
    const hash = commandHash(['C:\\Program Files\\nodejs\\node.exe', 'C:\\srv\\server2.js']);
    const exact = await reidentify({ pid: 7203, startTime: at('2026-11-26T09:00:02.102Z'), commandHash: hash }, deps);
    assert.equal(exact.ok, true);
    const other = await reidentify({ pid: 7203, startTime: at('2026-11-26T09:00:02.101Z'), commandHash: hash }, deps);
    assert.equal(!other.ok && other.reason, 'pid-reused');
    const bare = await reidentify({ pid: 7203, startTime: 0, commandHash: hash }, deps);
    assert.equal(!bare.ok && bare.reason, 'missing-identity');
  });

  it('a stop of five processes runs the process query once for the check before the signal, not once per pid', async () => {
    const { machine, runs } = countingWindows();
    const deps = liveReidentifyDeps(machine);
    const killed: Array<[number, number]> = [];
    const targets = rows
      .filter((r) => r.pid !== 4)
      .map((r) =>
        recordedTarget(
          {
            pid: r.pid,
            startTime: at(r.created),
            commandHash: commandHash(r.commandLine.replace(node, 'C:\\Program Files\\nodejs\\node.exe')),
          },
          { deps: { ...deps, kill: (pid) => void killed.push([pid, runs()]) } },
        ),
      );
    const result = await runStopLadder(targets, [{ kind: 'signal', signal: 'SIGKILL', waitMs: 0 }]);
    // The capture's processes never go: every one was checked, killed, and is still there.
    assert.equal(result.outcome, 'survived');
    assert.deepEqual(
      killed,
      [7201, 7202, 7203, 7204, 7205].map((pid) => [pid, 1]),
      'each kill came after one query that checked all five',
    );
  });
});
