import type { CommandOutput, Machine } from '../machine/types';
import { LINUX_CLOCK_TICKS, linuxBootTime, linuxStartTimeMs, parseLstart, parseProcPidStat, PS_ENV } from './identity';
import { splitWindowsCommandLine } from '../launch/shellWords';
import { ReadFolder, splitJoinedArgs } from './joinedArgs';

/**
 * One row of the process table. Read once per snapshot; everything else (tree, matching, owning
 * client, verdicts) works on these rows, so it is all testable on recorded tables.
 */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  /**
   * argv as the OS reports it. On macOS `ps` gives one line with the arguments joined by spaces: it
   * is split back by pids/joinedArgs.ts, a path with spaces kept whole where its folders prove it.
   */
  argv: string[];
  /** Set when argv was split from such a joined line: a space inside an argument may look like one between two. */
  argvJoined?: true;
  uid?: number;
  /** Milliseconds since the epoch; absent when the OS gave none (then "which is newer" is unknown). */
  startTime?: number;
  /** Resident memory (RSS) on Linux and macOS; private bytes on Windows (docs/status-json.md). */
  memoryBytes?: number;
  /** CPU time used since it started (user + system), ms; absent where the table gives none. */
  cpuMs?: number;
  /** Whether the process has a controlling terminal; absent when unknown. */
  tty?: boolean;
}

export type ProcessTableResult =
  | { state: 'ok'; processes: ProcessInfo[]; method: 'procfs' | 'ps' | 'powershell' }
  | { state: 'unavailable'; reason: string };

/** Splits the text of /proc/<pid>/cmdline into argv. A process that rewrote its title (npm sets `npm exec x`) is split on spaces. */
export function parseProcCmdline(text: string): string[] {
  const argv = text.split('\0');
  while (argv.length > 0 && argv[argv.length - 1] === '') argv.pop();
  if (argv.length === 1 && /\s/.test(argv[0])) return argv[0].trim().split(/\s+/);
  return argv;
}

/** The page size, learned from our own process: VmRSS (kB) in status over rss (pages) in stat. */
function linuxPageSize(machine: Machine): number {
  return machine.once('linux.pageSize', () => {
    try {
      const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(machine.fs.readTextSync('/proc/self/status') ?? '')?.[1]);
      const pages = parseProcPidStat(machine.fs.readTextSync('/proc/self/stat') ?? '')?.rssPages;
      // Snap to a power of two: the two reads are not simultaneous.
      if (kb > 0 && pages) return 2 ** Math.round(Math.log2((kb * 1024) / pages));
    } catch {
      // 4096, the page size of nearly every Linux machine.
    }
    return 4096;
  });
}

/** The user every kernel thread runs as. */
const KERNEL_UID = 0;

/**
 * What a reader of the table keeps between its reads (pids/keptKernelThreads.ts): asked first for
 * a row it still holds for the pid, and told each row read with whether it is a kernel thread.
 */
export interface TableKeeper {
  kept(pid: number): ProcessInfo | undefined;
  /** What a user process's row was last made from, with the row (pids/keptRows.ts). */
  lastRead?(pid: number): KeptRead | undefined;
  read(row: ProcessInfo, kernelThread: boolean, made?: RowRead): void;
}

/**
 * What a user process's row is made from: its `stat` and `cmdline` as read, and its folder's
 * owner. The row is a function of these alone (with the boot's time and the page size), so the
 * same three make the same row: a changed start, parent, state, memory, CPU, command line or
 * owner is a changed text.
 */
export interface RowRead {
  stat: string;
  cmdline: string;
  uid: number;
}

export interface KeptRead extends RowRead {
  row: ProcessInfo;
}

/**
 * Linux: reads /proc directly (stat, cmdline and the directory's owner per pid; a kernel thread's
 * stat alone, as it is root's and has no command line). Measured faster than `ps`
 * (bench/processes.bench.ts). Processes that exit while being read are skipped. `keeper`: an
 * engine's rows kept across its reads (a kernel thread seen before, pids/keptKernelThreads.ts).
 */
export function readLinuxProcessTable(machine: Machine, keeper?: TableKeeper): ProcessInfo[] {
  const procRoot = '/proc';
  const boot = linuxBootTime(machine);
  const pageSize = linuxPageSize(machine);
  const out: ProcessInfo[] = [];
  for (const name of machine.fs.readdirSync(procRoot) ?? []) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const pid = Number(name);
    let stat: string | undefined;
    let cmdline: string | undefined;
    let uid: number | undefined;
    let parsed: ReturnType<typeof parseProcPidStat>;
    try {
      const kept = keeper?.kept(pid);
      if (kept) {
        out.push(kept);
        continue;
      }
      // Synchronous on purpose: /proc reads never block on disk, and 1,000 awaits cost more than the reads.
      stat = machine.fs.readTextSync(`${procRoot}/${name}/stat`);
      if (stat === undefined) continue; // exited meanwhile
      // A user process whose three reads are what its kept row was made from is that row, not parsed again.
      const last = keeper?.lastRead?.(pid);
      const same = last?.stat === stat;
      parsed = same ? undefined : parseProcPidStat(stat);
      if (!parsed && !same) continue;
      // A kernel thread (often half of a machine's pids) has no cmdline and runs as root: its two
      // other reads are skipped, on every refresh.
      if (!parsed?.kernelThread) {
        cmdline = machine.fs.readTextSync(`${procRoot}/${name}/cmdline`);
        uid = machine.fs.statSync(`${procRoot}/${name}`)?.uid;
        if (cmdline === undefined || uid === undefined) continue; // exited meanwhile
        if (same && cmdline === last.cmdline && uid === last.uid) {
          out.push(last.row);
          continue;
        }
        parsed ??= parseProcPidStat(stat);
      }
      if (!parsed) continue;
    } catch {
      continue; // exited meanwhile (ESRCH)
    }
    let argv = cmdline === undefined ? [] : parseProcCmdline(cmdline);
    if (argv.length === 0) {
      // Kernel threads (and zombies) have no cmdline: keep the comm name so the row is still readable.
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      argv = [`[${comm}]`];
    }
    const row: ProcessInfo = {
      pid,
      ppid: parsed.ppid,
      argv,
      uid: uid ?? KERNEL_UID,
      startTime: linuxStartTimeMs(boot, parsed.startTicks),
      memoryBytes: Number.isFinite(parsed.rssPages) ? parsed.rssPages * pageSize : undefined,
      cpuMs: Number.isFinite(parsed.cpuTicks) ? (parsed.cpuTicks * 1000) / LINUX_CLOCK_TICKS : undefined,
      tty: parsed.tty,
    };
    out.push(row);
    keeper?.read(
      row,
      parsed.kernelThread,
      cmdline === undefined || uid === undefined ? undefined : { stat, cmdline, uid },
    );
  }
  return out;
}

/** The `ps` arguments whose output parsePsTable reads (macOS, BSD; also valid on Linux). */
export const PS_TABLE_ARGS = ['-axww', '-o', 'pid=,ppid=,uid=,rss=,time=,tty=,lstart=,args='];

/**
 * `ps -o time` (user + system CPU time) in ms: macOS and the BSDs print minutes, seconds and
 * hundredths (`0:00.32`, `1234:56.78`), procps `[DD-]HH:MM:SS`.
 */
export function parsePsCpuTime(text: string): number | undefined {
  const m = /^(?:(\d+)-)?(\d+(?::\d+){1,2})(?:[.,](\d+))?$/.exec(text);
  if (!m) return undefined;
  const parts = m[2].split(':').map(Number);
  const [h, min, s] = parts.length === 3 ? parts : [0, ...parts];
  const fraction = m[3] ? Number(`0.${m[3]}`) : 0;
  return ((Number(m[1] ?? 0) * 24 + h) * 3600 + min * 60 + s + fraction) * 1000;
}

/**
 * Parses `ps -axww -o pid=,ppid=,uid=,rss=,time=,tty=,lstart=,args=` run with PS_ENV (the C locale,
 * UTC): "  812     1   501  40960   0:12.34 ??       Mon Nov 16 09:12:03 2026 /Applications/Claude.app/...".
 * `rss` is in KiB; `lstart` is UTC with one-second resolution, parsed like readProcessIdentity
 * parses it so the two agree. The command line is split by splitJoinedArgs, through `readFolder`
 * (the folders of the machine the table is from); without it, a path with spaces stays split.
 */
export function parsePsTable(text: string, readFolder: ReadFolder = () => undefined): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  const re =
    /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}\s+\d{4})\s+(.*)$/;
  for (const line of text.split(/\r?\n/)) {
    const m = re.exec(line);
    if (!m) continue;
    const startTime = parseLstart(m[7]);
    const cpuMs = parsePsCpuTime(m[5]);
    out.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      uid: Number(m[3]),
      memoryBytes: Number(m[4]) * 1024,
      ...(cpuMs !== undefined ? { cpuMs } : {}),
      tty: !/^\?+$|^-$/.test(m[6]),
      startTime: Number.isFinite(startTime) ? startTime : undefined,
      argv: splitJoinedArgs(m[8], readFolder),
      argvJoined: true,
    });
  }
  return out;
}

/** A folder reader for one read of the table: each folder read once, however many lines name it. */
function folderReader(machine: Machine): ReadFolder {
  const read = new Map<string, readonly string[] | undefined>();
  return (folder) => {
    if (!read.has(folder)) {
      let names: string[] | undefined;
      try {
        names = machine.fs.readdirSync(folder);
      } catch {
        // Not allowed (another user's folder, macOS's privacy prompts): it proves nothing.
      }
      read.set(folder, names);
    }
    return read.get(folder);
  };
}

/**
 * The PowerShell query whose CSV output parseWindowsProcessCsv reads. `Created` is CreationDate in
 * ms since the epoch (truncated: the same value on every read, so it pins a pid to one process);
 * KernelModeTime and UserModeTime are CPU time in 100 ns units; PrivatePageCount, despite its name,
 * is the process's private bytes (Task Manager's "commit size"): memory no other process shares.
 */
export const WINDOWS_PROCESS_QUERY =
  'Get-CimInstance Win32_Process | Select-Object ProcessId,ParentProcessId,@{n="Created";e={[DateTimeOffset]::new($_.CreationDate).ToUnixTimeMilliseconds()}},PrivatePageCount,KernelModeTime,UserModeTime,CommandLine,Name | ConvertTo-Csv -NoTypeInformation';

/** 100 ns units (Win32_Process' KernelModeTime and UserModeTime) per millisecond. */
const WINDOWS_TIME_UNITS_PER_MS = 10_000;

/**
 * Parses the CSV of WINDOWS_PROCESS_QUERY. Command lines are split Windows-style: double quotes
 * group, backslashes are literal. Memory is private bytes; a table of the earlier query, which
 * gave the working set (`WorkingSetSize`) instead, is read with that.
 */
export function parseWindowsProcessCsv(text: string): ProcessInfo[] {
  const rows = parseCsv(text);
  const header = rows.shift();
  if (!header) return [];
  const col = (name: string) => header.indexOf(name);
  const [iPid, iPpid, iCreated, iPrivate, iWs, iKernel, iUser, iCmd, iName] = [
    'ProcessId',
    'ParentProcessId',
    'Created',
    'PrivatePageCount',
    'WorkingSetSize',
    'KernelModeTime',
    'UserModeTime',
    'CommandLine',
    'Name',
  ].map(col);
  const out: ProcessInfo[] = [];
  for (const r of rows) {
    const pid = Number(r[iPid]);
    if (!Number.isInteger(pid)) continue;
    const cmd = r[iCmd] ?? '';
    const memory = count(r[iPrivate]) ?? count(r[iWs]);
    const kernel = count(r[iKernel]);
    const user = count(r[iUser]);
    out.push({
      pid,
      ppid: Number(r[iPpid]) || 0,
      argv: cmd ? splitWindowsCommandLine(cmd) : [r[iName] ?? ''],
      startTime: count(r[iCreated]),
      memoryBytes: memory,
      cpuMs:
        kernel !== undefined && user !== undefined
          ? Math.floor((kernel + user) / WINDOWS_TIME_UNITS_PER_MS)
          : undefined,
    });
  }
  return out;
}

/** A CSV cell that holds a whole number (absent columns and empty cells are undefined: not readable). */
function count(cell: string | undefined): number | undefined {
  if (cell === undefined || !/^\d+$/.test(cell)) return undefined;
  return Number(cell);
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Reads the whole process table of this machine, or says why it could not (`keeper`: readLinuxProcessTable's). */
export async function readProcessTable(machine: Machine, keeper?: TableKeeper): Promise<ProcessTableResult> {
  const platform = machine.host.platform;
  try {
    if (platform === 'linux' && machine.fs.statSync('/proc/self/stat') !== undefined) {
      return { state: 'ok', processes: readLinuxProcessTable(machine, keeper), method: 'procfs' };
    }
    if (platform === 'win32') {
      const out = await machine.run({
        command: 'powershell.exe',
        args: ['-NoProfile', '-NonInteractive', '-Command', WINDOWS_PROCESS_QUERY],
      });
      const csv = ranOk(out, 'powershell.exe');
      // Every Windows table has a header and a row for this process: nothing at all (a stand-in
      // powershell.exe, as Wine's, exits 0 and prints nothing) is no table, never "no processes".
      if (!csv.trim()) throw new Error('powershell.exe printed no process table');
      return { state: 'ok', processes: parseWindowsProcessCsv(csv), method: 'powershell' };
    }
    // ps-list cannot be bundled (it reads import.meta.url at load), so run the same `ps` it would.
    const out = await machine.run({ command: 'ps', args: PS_TABLE_ARGS, env: PS_ENV });
    return { state: 'ok', processes: parsePsTable(ranOk(out, 'ps'), folderReader(machine)), method: 'ps' };
  } catch (err) {
    return {
      state: 'unavailable',
      reason: `the process table could not be read: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** What a command printed, or an error saying why it did not run to a good end. */
function ranOk(out: CommandOutput, name: string): string {
  if (out.code === 0) return out.stdout;
  throw new Error(
    out.error ? `${name}: ${out.error.message}` : `${name} exited with ${out.code}: ${out.stderr.trim()}`,
  );
}
