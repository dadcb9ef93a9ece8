import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostEnv } from '../../src/core/base/hostEnv';
import { lifeguardPaths } from '../../src/core/base/paths';
import { createRecord, ensureLockSubdir } from '../../src/core/locks/generations';
import { ensureLockDir } from '../../src/core/locks/lockDir';
import { lockPathFor } from '../../src/core/locks/naming';
import { serializeRecord } from '../../src/core/locks/record';
import type { LockRecord } from '../../src/core/locks/types';
import { liveMachine } from '../../src/core/machine/live';
import { emptyFsRecord, FsRecord, MachineRecord } from '../../src/core/machine/record';
import { recordedMachine } from '../../src/core/machine/recorded';
import type { FileStat, Machine, ServerInfoAnswer } from '../../src/core/machine/types';
import type { ProcessInfo } from '../../src/core/pids/table';
import type { VersionFs } from '../../src/core/versions/fs';

/**
 * A Linux machine's record that answers only `fs` (nothing else was read): home `/home/u`, pid 1
 * asking, and `uid` as its user where the test reads owners.
 */
export function linuxRecord(fs: FsRecord = emptyFsRecord(), uid?: number): MachineRecord {
  return {
    host: { home: '/home/u', platform: 'linux', env: {} },
    selfPid: 1,
    ...(uid !== undefined ? { uid } : {}),
    clock: [],
    fs,
    commands: [],
    pids: {},
    serverInfo: [],
  };
}

/** The user the test runs as: a recorded process of this uid is this user's, as a real one would be. */
export const OWN_UID = process.getuid?.() ?? 0;

export interface TestMachineOptions {
  host: HostEnv;
  /** The process table, as Linux would show it in /proc (start times rounded to the hundredth of a second, as Linux keeps them). */
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
  /**
   * Loopback ports listened on, each with the pid whose fd holds the socket (in /proc/net/tcp and
   * /proc/<pid>/fd, as Linux shows them); absent: /proc/net/tcp is not readable.
   */
  listening?: Readonly<Record<number, number>>;
  /** How a running HTTP server answers for its serverInfo; defaults to "not asked". */
  serverInfo?: (url: string, transport: 'http' | 'sse') => Promise<ServerInfoAnswer>;
}

const dirStat = (uid: number): FileStat => ({
  kind: 'dir',
  mtimeMs: 0,
  ctimeMs: 0,
  size: 0,
  ino: 1,
  uid,
  mode: 0o40555,
});
const fileStat = (uid: number): FileStat => ({
  kind: 'file',
  mtimeMs: 0,
  ctimeMs: 0,
  size: 0,
  ino: 1,
  uid,
  mode: 0o100444,
});

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
  const boot = Math.max(0, Math.floor(Math.min(now(), ...starts) / 1000) - 600);
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
    // Linux keeps a start to the hundredth of a second: the snapshot reads this one so rounded.
    const ticks = Math.max(0, Math.round(((p.startTime ?? boot * 1000) - boot * 1000) / TICK_MS));
    const uid = p.uid ?? OWN_UID;
    const comm = path.basename(p.argv[0] ?? '?').slice(0, 15);
    const cpuTicks = Math.round((p.cpuMs ?? 0) / TICK_MS);
    const rssPages = Math.round((p.memoryBytes ?? 0) / 4096);
    // Fields 3..24 of /proc/<pid>/stat: state, ppid, pgrp, session, tty_nr, ..., utime, stime, ..., starttime, vsize, rss.
    const fields = [
      'S',
      p.ppid,
      p.pid,
      p.pid,
      p.tty ? 34816 : 0,
      -1,
      0,
      0,
      0,
      0,
      0,
      cpuTicks,
      0,
      0,
      0,
      20,
      0,
      1,
      0,
      ticks,
      0,
      rssPages,
    ];
    const dir = `/proc/${p.pid}`;
    fs.stat[dir] = dirStat(uid);
    fs.readText[`${dir}/stat`] = `${p.pid} (${comm}) ${fields.join(' ')}\n`;
    fs.readText[`${dir}/cmdline`] = `${p.argv.join('\0')}\0`;
    fs.readText[`${dir}/status`] = `Name:\t${comm}\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`;
    fs.readText[`${dir}/maps`] = o.maps?.[p.pid] ?? null;
    const env = o.environ?.[p.pid];
    fs.readText[`${dir}/environ`] = env
      ? `${Object.entries(env)
          .map(([k, v]) => `${k}=${v}`)
          .join('\0')}\0`
      : null;
    fs.readlink[`${dir}/cwd`] = o.cwd?.[p.pid] ?? null;
    fs.readlink[`${dir}/exe`] = o.exe?.[p.pid] ?? null;
    record.pids[String(p.pid)] = true;
  }
  if (o.listening) {
    // 127.0.0.1 (little-endian hex, as x86 Linux writes it) in state 0A (LISTEN), one inode per port.
    const sockets = Object.entries(o.listening).map(([port, pid], n) => ({
      port: Number(port),
      pid,
      inode: 90000 + n,
    }));
    fs.readText['/proc/net/tcp'] = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      ...sockets.map(
        (x, n) =>
          `   ${n}: 0100007F:${x.port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 0A 00000000:00000000 00:00000000 00000000 ${OWN_UID} 0 ${x.inode} 1 0000000000000000 100 0 0 10 0`,
      ),
      '',
    ].join('\n');
    fs.readText['/proc/net/tcp6'] = null;
    for (const x of sockets) {
      fs.readdir[`/proc/${x.pid}/fd`] = ['0', '1', '2', '3'];
      fs.readlink[`/proc/${x.pid}/fd/3`] = `socket:[${x.inode}]`;
    }
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
 * The live lock records of the test home's lock folder, and no others: written the way a guard
 * writes them (the protocol's own writer), so the snapshot finds them as it finds a real guard's.
 */
export async function writeLockRecords(host: HostEnv, records: readonly LockRecord[]): Promise<void> {
  const dir = lifeguardPaths(host).locks;
  fs.rmSync(dir, { recursive: true, force: true });
  await ensureLockDir(dir);
  const numbers = new Map<string, number>();
  for (const record of records) {
    const lockPath = lockPathFor(dir, { serverName: record.serverName, resourceKey: record.resourceKey }, path);
    ensureLockSubdir(lockPath);
    const n = (numbers.get(lockPath) ?? 0) + 1;
    numbers.set(lockPath, n);
    if (!createRecord(lockPath, n, serializeRecord(record))) throw new Error(`${lockPath} already holds record ${n}`);
  }
}

/** File reads that find nothing: for a judgement whose evidence a test gives whole. */
export const noFiles: VersionFs = {
  stat: async () => undefined,
  lstat: async () => undefined,
  readText: async () => undefined,
  readdir: async () => undefined,
  realpath: async () => undefined,
};
