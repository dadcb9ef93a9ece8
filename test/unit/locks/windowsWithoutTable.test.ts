import * as assert from 'node:assert/strict';
import { judgeRecord, probeProcess, processStartTime } from '../../../src/core/locks/liveness';
import { recordedMachine } from '../../../src/core/machine/recorded';
import type { Machine } from '../../../src/core/machine/types';
import { readProcessTable } from '../../../src/core/pids/table';
import { at, windowsProcessCommand, windowsLockRecord } from '../../support/realMachines';
import { virtualRecord } from '../../support/virtualMachine';

/**
 * A Windows machine whose powershell.exe answers the process query with nothing and exit 0 (Wine's
 * stand-in does): pid 7450 (this process) runs, no other.
 */
function windowsWithoutTable(): Machine {
  const inner = recordedMachine(
    virtualRecord({
      platform: 'win32',
      home: 'C:\\Users\\ana',
      env: { USERPROFILE: 'C:\\Users\\ana', LOCALAPPDATA: 'C:\\Users\\ana\\AppData\\Local' },
      selfPid: 7450,
      now: at('2026-11-26T11:30:00Z'),
      files: {},
      commands: [{ ...windowsProcessCommand([]), stdout: '' }],
    }),
  );
  return { ...inner, pidExists: (pid) => pid === 7450 };
}

const record = windowsLockRecord;

describe('Windows without a process query (PowerShell missing, blocked or a stand-in)', () => {
  it('says the table is unavailable, never that no process runs', async () => {
    assert.deepEqual(await readProcessTable(windowsWithoutTable()), {
      state: 'unavailable',
      reason: 'the process table could not be read: powershell.exe printed no process table',
    });
  });

  it('writes and judges lock records by pid alone: a guard still takes its lock, a gone holder is dead', async () => {
    const machine = windowsWithoutTable();
    assert.equal(await processStartTime(7450, machine), 0);
    assert.deepEqual(await probeProcess(7450, machine), { kind: 'unknown-start' });
    assert.deepEqual(await probeProcess(9999, machine), { kind: 'gone' });
    const probe = (pid: number) => probeProcess(pid, machine);
    assert.equal((await judgeRecord(record(7450, 0), probe)).state, 'live');
    assert.equal((await judgeRecord(record(9999, 0), probe)).state, 'dead');
  });
});
