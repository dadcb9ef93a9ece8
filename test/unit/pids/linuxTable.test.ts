import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { emptyFsRecord, MachineRecord } from '../../../src/core/machine/record';
import { recordedMachine } from '../../../src/core/machine/recorded';
import { readLinuxProcessTable } from '../../../src/core/pids/table';
import { tablesDir } from '../processes/support';

/**
 * The Linux process table from /proc, read from a recorded /proc: a kernel thread (stored text of a
 * real one) is listed by its name, as root's, from its stat alone; a process gets its cmdline and owner.
 */
describe('readLinuxProcessTable: kernel threads from their stat alone', () => {
  const record = (): MachineRecord => {
    const r: MachineRecord = {
      host: { home: '/home/u', platform: 'linux', env: {} },
      selfPid: 1,
      uid: 1000,
      clock: [],
      fs: emptyFsRecord(),
      commands: [],
      serverInfo: [],
      pids: {},
    };
    r.fs.readdir['/proc'] = ['10', '4242', 'self', 'stat'];
    r.fs.readText['/proc/stat'] = 'cpu  0 0 0 0\nbtime 1790000000\n';
    r.fs.readText['/proc/10/stat'] = fs.readFileSync(path.join(tablesDir, 'linux-proc-stat-kworker.txt'), 'utf8');
    r.fs.readText['/proc/4242/stat'] = '4242 (node) S 1 4242 4242 0 -1 4194560 0 0 0 0 5 2 0 0 20 0 1 0 500 0 100\n';
    r.fs.readText['/proc/4242/cmdline'] = 'node\0/srv/index.js\0';
    r.fs.stat['/proc/4242'] = { kind: 'dir', mtimeMs: 0, ctimeMs: 0, size: 0, ino: 1, uid: 1000, mode: 0o40555 };
    return r;
  };

  it('lists the kernel thread without reading its cmdline or owner, and the process with both', () => {
    const asked: string[] = [];
    const machine = recordedMachine(record(), { onMiss: (q) => asked.push(q) });
    const table = readLinuxProcessTable(machine);
    assert.deepEqual(
      table.map((p) => [p.pid, p.ppid, p.uid, p.argv]),
      [
        [10, 2, 0, ['[kworker/0:0H-events_highpri]']],
        [4242, 1, 1000, ['node', '/srv/index.js']],
      ],
    );
    // Nothing was asked of /proc/10 beyond its stat (the page size questions are /proc/self's).
    assert.deepEqual(
      asked.filter((q) => q.includes('/proc/10')),
      [],
    );
  });

  it('a process whose cmdline is gone (it exited meanwhile) is left out', () => {
    const r = record();
    delete r.fs.readText['/proc/4242/cmdline'];
    const table = readLinuxProcessTable(recordedMachine(r));
    assert.deepEqual(
      table.map((p) => p.pid),
      [10],
    );
  });
});
