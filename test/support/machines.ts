import * as path from 'node:path';
import type { HostEnv } from '../../src/core/base/hostEnv';
import { lifeguardPaths } from '../../src/core/base/paths';
import { createRecord, ensureLockSubdir } from '../../src/core/locks/generations';
import { ensureLockDir } from '../../src/core/locks/lockDir';
import { lockPathFor } from '../../src/core/locks/naming';
import { serializeRecord } from '../../src/core/locks/record';
import type { LockRecord } from '../../src/core/locks/types';
import { liveMachine } from '../../src/core/machine/live';
import { emptyFsRecord, MachineRecord } from '../../src/core/machine/record';
import { recordedMachine } from '../../src/core/machine/recorded';
import type { FileStat, Machine, ServerInfoAnswer } from '../../src/core/machine/types';
import type { ProcessInfo } from '../../src/core/pids/table';

/** The user the test runs as: a recorded process of this uid is this user's, as a real one would be. */
export const OWN_UID = process.getuid?.() ?? 0;

export interface TestMachineOptions {
  host: HostEnv;
  /** The process table, as Linux would show it in /proc (start times to the hundredth of a second). */
  processes?: readonly ProcessInfo[];
  /** `/proc/<pid>/maps` of the recorded processes; absent: not readable. */
  maps?: Readonly<Record<number, string | undefined>>;
  /** `/proc/<pid>/environ` of the recorded processes; absent: not readable. */
  environ?: Readonly<Record<number, Readonly<Record<string, string>>>>;
  /** `/proc/<pid>/cwd` and `/proc/<pid>/exe` of the recorded processes. */
  cwd?: Readonly<Record<number, string>>;
  exe?: Readonly<Record<number, string>>;
  /** The asking process (left out with its ancestors). */
  selfPid?: number;
  /** The clock; defaults to this machine's. */
  now?: () => number;
  /** How a running HTTP server answers for its serverInfo; defaults to "not asked". */
  serverInfo?: (url: string, transport: 'http' | 'sse') => Promise<ServerInfoAnswer>;
}

const dirStat = (uid: number): FileStat => ({ kind: 'dir', mtimeMs: 0, ctimeMs: 0, size: 0, ino: 1, uid, mode: 0o40555 });
const fileStat = (uid: number): FileStat => ({ kind: 'file', mtimeMs: 0, ctimeMs: 0, size: 0, ino: 1, uid, mode: 0o100444 });

/** Linux counts start times in hundredths of a second since boot. */
const TICK_MS = 10;

/**
 * A machine for tests: this machine's files (the fixture trees a test writes), with /proc recorded
 * from a given process table: the engine reads it through the same parsers as a real /proc, and
 * never this machine's own /proc (a recorded pid may be a real process here too). The clock, the
 * asking pid and the answers of HTTP servers are the test's.
 */
export function testMachine(o: TestMachineOptions): Machine {
  const processes = o.processes ?? [];
  const now = o.now ?? (() => Date.now());
  const starts = processes.map((p) => p.startTime).filter((t): t is number => t !== undefined);
  // A boot a while before the first start, on a whole second (as btime is).
  const boot = Math.floor(Math.min(now(), ...starts) / 1000) - 600;
  const record: MachineRecord = {
    host: { home: o.host.home, platform: 'linux', env: {} },
    selfPid: o.selfPid ?? 1,
    uid: OWN_UID,
    clock: [],
    fs: emptyFsRecord(),
    commands: [],
    serverInfo: [],
    pids: {},
  };
  const fs = record.fs;
  fs.readdir['/proc'] = [...processes.map((p) => String(p.pid)), 'self', 'stat', 'uptime'];
  fs.stat['/proc/self/stat'] = fileStat(OWN_UID);
  fs.readText['/proc/stat'] = `cpu  0 0 0 0\nbtime ${boot}\n`;
  fs.readText['/proc/uptime'] = `${((now() - boot * 1000) / 1000).toFixed(2)} 0.00\n`;
  fs.readText['/proc/sys/kernel/random/boot_id'] = 'a0000000-0000-4000-8000-000000000000\n';
  for (const p of processes) {
    const start = p.startTime ?? boot * 1000;
    if ((start - boot * 1000) % TICK_MS !== 0)
      throw new Error(`pid ${p.pid}: a start time Linux could show is a whole hundredth of a second (${start})`);
    const ticks = (start - boot * 1000) / TICK_MS;
    const uid = p.uid ?? OWN_UID;
    const comm = path.basename(p.argv[0] ?? '?').slice(0, 15);
    const cpuTicks = Math.round((p.cpuMs ?? 0) / TICK_MS);
    const rssPages = Math.round((p.memoryBytes ?? 0) / 4096);
    // Fields 3..24 of /proc/<pid>/stat: state, ppid, pgrp, session, tty_nr, ..., utime, stime, ..., starttime, vsize, rss.
    const fields = ['S', p.ppid, p.pid, p.pid, p.tty ? 34816 : 0, -1, 0, 0, 0, 0, 0, cpuTicks, 0, 0, 0, 20, 0, 1, 0, ticks, 0, rssPages];
    const dir = `/proc/${p.pid}`;
    fs.stat[dir] = dirStat(uid);
    fs.readText[`${dir}/stat`] = `${p.pid} (${comm}) ${fields.join(' ')}\n`;
    fs.readText[`${dir}/cmdline`] = `${p.argv.join('\0')}\0`;
    fs.readText[`${dir}/status`] = `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`;
    fs.readText[`${dir}/maps`] = o.maps?.[p.pid] ?? null;
    const env = o.environ?.[p.pid];
    fs.readText[`${dir}/environ`] = env ? `${Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\0')}\0` : null;
    fs.readlink[`${dir}/cwd`] = o.cwd?.[p.pid] ?? null;
    fs.readlink[`${dir}/exe`] = o.exe?.[p.pid] ?? null;
    record.pids[String(p.pid)] = true;
  }
  const live = liveMachine(o.host, { ...(o.serverInfo ? { serverInfo: o.serverInfo } : {}), selfPid: o.selfPid ?? 1 });
  const machine = recordedMachine(record, {
    fallback: { ...live, now, pidExists: () => false },
    // Nothing under /proc comes from this machine: a recorded pid may be a real one here too.
    owns: (p) => p === '/proc' || p.startsWith('/proc/'),
  });
  return { ...machine, host: o.host, kind: 'live' };
}

/**
 * A live lock record in the test home's lock folder, written the way a guard writes it (the
 * protocol's own writer): the snapshot finds it as it finds a real guard's.
 */
export async function writeLockRecord(host: HostEnv, record: LockRecord): Promise<void> {
  const dir = lifeguardPaths(host).locks;
  await ensureLockDir(dir);
  const lockPath = lockPathFor(dir, { serverName: record.serverName, resourceKey: record.resourceKey });
  ensureLockSubdir(lockPath);
  if (!createRecord(lockPath, 1, serializeRecord(record))) throw new Error(`${lockPath} already holds a record`);
}
