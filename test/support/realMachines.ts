import { PS_TABLE_ARGS, WINDOWS_PROCESS_QUERY } from '../../src/core/pids/table';
import { PS_ENV } from '../../src/core/pids/identity';
import { psEnvironArgs } from '../../src/core/processes/joinedEnviron';
import type { SnapshotRequest } from '../../src/core/snapshot/engine';
import type { MachineRecord } from '../../src/core/machine/record';
import type { LockRecord } from '../../src/core/locks/types';
import type { VirtualMachineSpec } from './virtualMachine';

/**
 * Builders for machines this suite cannot run on, written the way their tools print them: macOS's
 * `ps` table and Windows' PowerShell process query (the formats src/core/pids/table.ts parses).
 * Captures of real users' machines (test/fixtures/captures) are written with these, so a change of
 * the table's columns is made here once.
 */

/** A machine described by what is on it, with the request `status` made there. */
export interface DescribedCapture {
  name: string;
  request: SnapshotRequest;
  record: MachineRecord;
}

/**
 * A machine rebuilt from what a user published: the listing and configs of a public issue. `filled`
 * says what the listing lacked and was filled in (start times, memory, a config the user did not
 * paste); `reported` is what the user saw go wrong, in their words where short.
 */
export interface RealCapture extends DescribedCapture {
  platform: 'darwin' | 'win32';
  source: string;
  reported: string;
  filled: string;
}

export const at = (iso: string): number => Date.parse(iso);
export const json = (v: unknown): string => JSON.stringify(v, null, 2);

/** `ps -o lstart` under PS_ENV (UTC). */
export function lstart(iso: string): string {
  const d = new Date(iso);
  const day = d.toUTCString().slice(0, 3);
  const month = d.toUTCString().slice(8, 11);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** One row of macOS's `ps`: `args` is the one line ps prints (arguments joined by spaces). */
export interface MacProcess {
  pid: number;
  ppid: number;
  uid?: number;
  /** Resident size, KiB (ps's `rss`). */
  rssKb?: number;
  /** CPU time used, as ps's `time` prints it on macOS (minutes:seconds.hundredths, `12:34.56`). */
  cpu?: string;
  tty?: string;
  /** ISO time the process started. */
  start: string;
  args: string;
}

/** The text of `ps PS_TABLE_ARGS` on macOS for these rows. */
export function macPsTable(rows: readonly MacProcess[]): string {
  return (
    rows
      .map(
        (r) =>
          `${String(r.pid).padStart(5)} ${String(r.ppid).padStart(5)} ${String(r.uid ?? 501).padStart(5)} ${String(r.rssKb ?? 40960).padStart(6)} ${(r.cpu ?? '0:00.10').padStart(9)} ${(r.tty ?? '??').padEnd(8)} ${lstart(r.start)} ${r.args}`,
      )
      .join('\n') + '\n'
  );
}

/** The recorded run of the process-table command on macOS. */
export function macPsCommand(rows: readonly MacProcess[]): NonNullable<VirtualMachineSpec['commands']>[number] {
  return { command: 'ps', args: PS_TABLE_ARGS, env: { ...PS_ENV }, stdout: macPsTable(rows) };
}

/**
 * The recorded run of `ps -E` on macOS for these rows, each with the environment it started with
 * (ps prints it after the command line, every pair joined by one space; none for a process whose
 * environment it may not read: give `env` undefined).
 */
export function macPsEnvironCommand(
  rows: ReadonlyArray<MacProcess & { env?: Readonly<Record<string, string>> }>,
): NonNullable<VirtualMachineSpec['commands']>[number] {
  const sorted = [...rows].sort((a, b) => a.pid - b.pid);
  const line = (r: (typeof rows)[number]) =>
    `${String(r.pid).padStart(5)} ${lstart(r.start)} ${r.args}${Object.entries(r.env ?? {})
      .map(([k, v]) => ` ${k}=${v}`)
      .join('')}`;
  return {
    command: 'ps',
    args: psEnvironArgs(sorted.map((r) => r.pid)),
    env: { ...PS_ENV },
    stdout: sorted.map(line).join('\n') + '\n',
  };
}

/**
 * A Windows user's environment, as a process of theirs inherits it: npm's global prefix and Node on
 * Path, then `pathBefore` (folders an installer added, such as uv's `%USERPROFILE%\\.local\\bin`),
 * then the system's.
 */
export function windowsEnv(home: string, pathBefore: readonly string[] = []): Record<string, string> {
  return {
    USERPROFILE: home,
    APPDATA: `${home}\\AppData\\Roaming`,
    LOCALAPPDATA: `${home}\\AppData\\Local`,
    Path: [`${home}\\AppData\\Roaming\\npm`, 'C:\\Program Files\\nodejs', ...pathBefore, 'C:\\WINDOWS\\system32'].join(
      ';',
    ),
    PATHEXT: '.COM;.EXE;.BAT;.CMD',
    USERNAME: home.split('\\').pop() ?? 'user',
  };
}

/** One row of Windows' process query (Win32_Process). */
export interface WindowsProcess {
  pid: number;
  ppid: number;
  /** ISO creation time (to the millisecond where the source gives it). */
  created: string;
  /** Private bytes (PrivatePageCount): Task Manager's "commit size". */
  privateBytes?: number;
  /** CPU time in kernel and in user mode, ms (the query prints both in 100 ns units). */
  kernelMs?: number;
  userMs?: number;
  /** The command line exactly as Windows keeps it ('' where it is not readable). */
  commandLine: string;
  name: string;
}

/** The CSV PowerShell prints for WINDOWS_PROCESS_QUERY for these rows. */
export function windowsProcessCsv(rows: readonly WindowsProcess[]): string {
  return (
    [
      '"ProcessId","ParentProcessId","Created","PrivatePageCount","KernelModeTime","UserModeTime","CommandLine","Name"',
      ...rows.map((r) =>
        [
          r.pid,
          r.ppid,
          Date.parse(r.created),
          r.privateBytes ?? 40_000_000,
          (r.kernelMs ?? 150) * 10_000,
          (r.userMs ?? 850) * 10_000,
          r.commandLine,
          r.name,
        ]
          .map((v) => `"${String(v).replace(/"/g, '""')}"`)
          .join(','),
      ),
    ].join('\r\n') + '\r\n'
  );
}

/** The recorded run of the process-table command on Windows. */
export function windowsProcessCommand(
  rows: readonly WindowsProcess[],
): NonNullable<VirtualMachineSpec['commands']>[number] {
  return {
    command: 'powershell.exe',
    args: ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_PROCESS_QUERY],
    stdout: windowsProcessCsv(rows),
  };
}

/** A guard's lock record on a Windows machine: its holder's pid and creation time (ms). */
export function windowsLockRecord(pid: number, startTime: number): LockRecord {
  return {
    protocol: 1,
    pid,
    startTime,
    serverName: 's',
    resourceKey: 'r',
    command: [],
    cwd: 'C:\\',
    startedAt: new Date(startTime).toISOString(),
  };
}
