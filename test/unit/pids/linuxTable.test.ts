import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { EngineCache } from '../../../src/core/base/engineCache';
import { emptyFsRecord, MachineRecord } from '../../../src/core/machine/record';
import { recordedMachine } from '../../../src/core/machine/recorded';
import { KEPT_KERNEL_THREADS, KeptKernelThread, kernelThreadKeeper } from '../../../src/core/pids/keptKernelThreads';
import { engineTableKeeper } from '../../../src/core/pids/keptRows';
import { ProcessInfo, readLinuxProcessTable } from '../../../src/core/pids/table';
import { linuxRecord } from '../../support/machines';
import { tablesDir } from '../processes/support';

/**
 * The Linux process table from /proc, read from a recorded /proc: a kernel thread (stored text of a
 * real one) is listed by its name, as root's, from its stat alone; a process gets its cmdline and owner.
 */
describe('readLinuxProcessTable: kernel threads from their stat alone', () => {
  const record = (): MachineRecord => {
    const r = linuxRecord(emptyFsRecord(), 1000);
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

/**
 * An engine's reads of the table keep its kernel threads by their /proc folder's inode: a kept row
 * is one stat, and any change of the pid's process (an exit, a pid taken by a new process, kernel
 * thread or not) is read afresh. A property: after any sequence of starts, exits and reused pids,
 * the table read with what the engine keeps equals the table read from nothing.
 */
describe('readLinuxProcessTable: kernel threads kept across reads', () => {
  const KTHREAD_FLAGS = 69238880; // PF_KTHREAD set, as in the stored kworker stat
  const USER_FLAGS = 4194560;
  interface Proc {
    pid: number;
    kernel: boolean;
    ino: number;
    start: number;
  }
  const statText = (p: Proc) =>
    `${p.pid} (${p.kernel ? `kworker/${p.pid}` : 'node'}) S ${p.kernel ? 2 : 1} 0 0 0 -1 ${p.kernel ? KTHREAD_FLAGS : USER_FLAGS} 0 0 0 0 5 2 0 0 20 0 1 0 ${p.start} 0 ${p.kernel ? 0 : 100}\n`;
  const recordOf = (procs: readonly Proc[]): MachineRecord => {
    const r = linuxRecord(emptyFsRecord(), 1000);
    r.fs.readdir['/proc'] = [...procs.map((p) => String(p.pid)), 'self', 'stat'];
    r.fs.readText['/proc/stat'] = 'cpu  0 0 0 0\nbtime 1790000000\n';
    for (const p of procs) {
      r.fs.readText[`/proc/${p.pid}/stat`] = statText(p);
      if (!p.kernel) r.fs.readText[`/proc/${p.pid}/cmdline`] = `node\0/srv/${p.start}.js\0`;
      r.fs.stat[`/proc/${p.pid}`] = {
        kind: 'dir',
        mtimeMs: 0,
        ctimeMs: 0,
        size: 0,
        ino: p.ino,
        uid: p.kernel ? 0 : 1000,
        mode: 0o40555,
      };
    }
    return r;
  };
  /** A machine over the record as it is now, counting the stat files read. */
  const counted = (procs: readonly Proc[], statsRead: string[]) => {
    const machine = recordedMachine(recordOf(procs));
    const fs = machine.fs;
    return {
      ...machine,
      fs: {
        ...fs,
        readTextSync: (p: string) => {
          if (/^\/proc\/\d+\/stat$/.test(p)) statsRead.push(p);
          return fs.readTextSync(p);
        },
      },
    };
  };
  const keptBucket = () =>
    new EngineCache(() => 0).bucket<number, KeptKernelThread>(KEPT_KERNEL_THREADS.name, KEPT_KERNEL_THREADS);

  it('reads a kernel thread seen twice with the same folder by one stat, and a pid taken by a new process afresh', () => {
    const kept = keptBucket();
    const kworker: Proc = { pid: 10, kernel: true, ino: 7, start: 24 };
    const node: Proc = { pid: 4242, kernel: false, ino: 9, start: 500 };
    const reads: string[][] = [];
    const read = (procs: Proc[]) => {
      const statsRead: string[] = [];
      const machine = counted(procs, statsRead);
      const table = readLinuxProcessTable(machine, kernelThreadKeeper(machine, kept));
      reads.push(statsRead);
      return table.map((p) => [p.pid, p.uid, p.argv[0], p.startTime]);
    };
    read([kworker, node]);
    read([kworker, node]);
    const third = read([kworker, node]);
    // First sight and the read that learns the folder: both stats; after that the process's alone.
    assert.deepEqual(reads, [
      ['/proc/10/stat', '/proc/4242/stat'],
      ['/proc/10/stat', '/proc/4242/stat'],
      ['/proc/4242/stat'],
    ]);
    assert.deepEqual(third[0], [10, 0, '[kworker/10]', 1790000000240]);
    // The kernel thread exits and a user process takes its pid: a new folder, read afresh.
    const reused: Proc = { pid: 10, kernel: false, ino: 8, start: 900 };
    assert.deepEqual(read([reused, node])[0], [10, 1000, 'node', 1790000009000]);
    // And a new kernel thread at that pid: read afresh too.
    const again: Proc = { pid: 10, kernel: true, ino: 11, start: 950 };
    read([again, node]);
    assert.deepEqual(read([again, node])[0], [10, 0, '[kworker/10]', 1790000009500]);
  });

  it('equals the table read from nothing after any sequence of starts, exits and reused pids', () => {
    type Step =
      | { kind: 'start'; kernel: boolean }
      | { kind: 'exit'; at: number }
      | { kind: 'reuse'; at: number; kernel: boolean };
    const step = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), kernel: fc.boolean() }),
      fc.record({ kind: fc.constant('exit' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('reuse' as const), at: fc.nat(), kernel: fc.boolean() }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 30 }),
        fc.array(fc.nat({ max: 3 }), { maxLength: 30 }),
        (steps, repeats) => {
          const kept = keptBucket();
          let procs: Proc[] = [];
          let next = 100;
          let ino = 1000;
          steps.forEach((s: Step, i) => {
            if (s.kind === 'start') procs.push({ pid: next++, kernel: s.kernel, ino: ino++, start: next * 10 });
            else if (procs.length > 0) {
              const at = s.at % procs.length;
              if (s.kind === 'exit') procs = procs.filter((_, j) => j !== at);
              else procs[at] = { pid: procs[at].pid, kernel: s.kernel, ino: ino++, start: (next += 3) * 10 };
            }
            // Each state read a few times over, as an engine's ticks do while nothing changes.
            for (let r = 0; r <= (repeats[i] ?? 1); r++)
              assert.deepEqual(
                readLinuxProcessTable(counted(procs, []), kernelThreadKeeper(counted(procs, []), kept)),
                readLinuxProcessTable(counted(procs, [])),
              );
          });
        },
      ),
    );
  });
});

/**
 * An engine's reads of the table keep each user process's row with the texts it was made from
 * (pids/keptRows.ts): the same `stat`, `cmdline` and owner give the kept row, anything else is
 * parsed again. Every text is read each time, so a pid taken by a new process (another start), an
 * exec or a rewritten title (another command line), a new parent, owner, memory or CPU time reads
 * as the process is now. A property: after any sequence of such changes, the table read with what
 * the engine keeps equals the table read from nothing.
 */
describe('readLinuxProcessTable: user processes kept by what their rows were made from', () => {
  interface Proc {
    pid: number;
    ppid: number;
    start: number;
    args: string;
    uid: number;
    rss: number;
    cpu: number;
  }
  const recordOf = (procs: readonly Proc[]): MachineRecord => {
    const r = linuxRecord(emptyFsRecord(), 1000);
    r.fs.readdir['/proc'] = [...procs.map((p) => String(p.pid)), 'self', 'stat'];
    r.fs.readText['/proc/stat'] = 'cpu  0 0 0 0\nbtime 1790000000\n';
    for (const p of procs) {
      r.fs.readText[`/proc/${p.pid}/stat`] =
        `${p.pid} (node) S ${p.ppid} 0 0 0 -1 4194560 0 0 0 0 ${p.cpu} 2 0 0 20 0 1 0 ${p.start} 0 ${p.rss}\n`;
      r.fs.readText[`/proc/${p.pid}/cmdline`] = `node\0${p.args}\0`;
      r.fs.stat[`/proc/${p.pid}`] = {
        kind: 'dir',
        mtimeMs: 0,
        ctimeMs: 0,
        size: 0,
        ino: p.pid,
        uid: p.uid,
        mode: 0o40555,
      };
    }
    return r;
  };
  const keeperOf = (cache: EngineCache, machine: ReturnType<typeof recordedMachine>) =>
    engineTableKeeper(machine, cache);
  const readKept = (procs: readonly Proc[], cache: EngineCache) => {
    const machine = recordedMachine(recordOf(procs));
    return readLinuxProcessTable(machine, keeperOf(cache, machine));
  };
  const node: Proc = { pid: 4242, ppid: 1, start: 500, args: '/srv/index.js', uid: 1000, rss: 100, cpu: 5 };

  it('gives the kept row for the same reads, and reads a changed start, command line, owner, parent or figure afresh', () => {
    const cache = new EngineCache(() => 0);
    const first = readKept([node], cache)[0];
    assert.equal(readKept([node], cache)[0], first, 'the same reads give the kept row itself');
    const changes: Array<[Partial<Proc>, (p: ProcessInfo) => unknown, unknown]> = [
      // The pid taken by a new process: another start tick, the same command line.
      [{ start: 501 }, (p) => p.startTime, 1790000005010],
      // An exec or a rewritten title: the same start, another command line.
      [{ args: '/srv/other.js' }, (p) => p.argv, ['node', '/srv/other.js']],
      [{ uid: 1001 }, (p) => p.uid, 1001],
      [{ ppid: 7 }, (p) => p.ppid, 7],
      [{ rss: 200 }, (p) => p.memoryBytes, 200 * 4096],
      [{ cpu: 9 }, (p) => p.cpuMs, 110],
    ];
    for (const [change, field, expected] of changes) {
      const changed = readKept([{ ...node, ...change }], cache)[0];
      assert.notEqual(changed, first, JSON.stringify(change));
      assert.deepEqual(field(changed), expected, JSON.stringify(change));
      // And back: the kept row is the one just made, so the first reads make a row again.
      assert.deepEqual(readKept([node], cache)[0], first);
    }
  });

  it('equals the table read from nothing after any sequence of starts, exits, reused pids, execs and changes', () => {
    type Step =
      | { kind: 'start' }
      | { kind: 'exit'; at: number }
      | { kind: 'reuse'; at: number }
      | { kind: 'exec'; at: number }
      | { kind: 'setuid'; at: number }
      | { kind: 'reparent'; at: number }
      | { kind: 'run'; at: number; rss: number };
    const at = fc.nat();
    const step = fc.oneof(
      fc.record({ kind: fc.constant('start' as const) }),
      fc.record({ kind: fc.constant('exit' as const), at }),
      fc.record({ kind: fc.constant('reuse' as const), at }),
      fc.record({ kind: fc.constant('exec' as const), at }),
      fc.record({ kind: fc.constant('setuid' as const), at }),
      fc.record({ kind: fc.constant('reparent' as const), at }),
      fc.record({ kind: fc.constant('run' as const), at, rss: fc.nat({ max: 3 }) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 30 }),
        fc.array(fc.nat({ max: 2 }), { maxLength: 30 }),
        (steps, repeats) => {
          const cache = new EngineCache(() => 0);
          let procs: Proc[] = [];
          let next = 100;
          steps.forEach((s: Step, i) => {
            if (s.kind === 'start')
              procs.push({
                pid: next,
                ppid: 1,
                start: next * 10,
                args: `/srv/${next++}.js`,
                uid: 1000,
                rss: 100,
                cpu: 0,
              });
            else if (procs.length > 0) {
              const j = s.at % procs.length;
              const p = procs[j];
              if (s.kind === 'exit') procs = procs.filter((_, k) => k !== j);
              // A new process at the same pid, running the same command line.
              else if (s.kind === 'reuse') procs[j] = { ...p, start: (next += 3) * 10, cpu: 0 };
              else if (s.kind === 'exec') procs[j] = { ...p, args: `${p.args}x` };
              else if (s.kind === 'setuid') procs[j] = { ...p, uid: p.uid === 1000 ? 0 : 1000 };
              else if (s.kind === 'reparent') procs[j] = { ...p, ppid: p.ppid === 1 ? 2 : 1 };
              else procs[j] = { ...p, cpu: p.cpu + 1, rss: p.rss + s.rss };
            }
            // Each state read a few times over, as an engine's ticks do while nothing changes.
            for (let r = 0; r <= (repeats[i] ?? 1); r++)
              assert.deepEqual(readKept(procs, cache), readLinuxProcessTable(recordedMachine(recordOf(procs))));
          });
        },
      ),
    );
  });
});
