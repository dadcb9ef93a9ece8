import type { FileStat, Machine, MachineFs } from '../machine/types';

/**
 * Every input one snapshot pass read, each with what it was when read, so a later tick can tell
 * whether any of them changed without reading them whole again (quietTick.ts). A stat, a link or a
 * process's own file is its own answer; a file's or folder's signature is taken before its content
 * is read or it is listed (a write that lands between the two leaves the signature older than what
 * was read, so the next look sees a change). What cannot be checked so cheaply makes the pass not
 * reusable: a command run, a server or the network asked, a `/proc` file that is not one of the few
 * kinds below.
 */

/** How an input is looked at again: its stat (dev, ino, size, times, mode, owner), its link or real path, its text. */
type Probe = 'stat' | 'lstat' | 'realpath' | 'readlink' | 'text' | 'status';

export interface PassInput {
  probe: Probe;
  path: string;
  seen: string;
}

/** What one recorded pass read, and why it may not be reused, if it may not. */
export interface PassNotes {
  at: number;
  inputs: Map<string, PassInput>;
  /** Pids whose own files or existence the pass asked (besides the process table's rows). */
  pids: Set<number>;
  /** pid -> whether it existed when asked. */
  pidAnswers: Map<number, boolean>;
  unreusable?: string;
}

/**
 * The two clocks' distance a signature cannot see: a file written twice within this of a read can
 * keep its size and times (coarse file system clocks), so a path changed this recently is "racy".
 */
export const FS_TIME_RESOLUTION_MS = 2_000;

/** A process's `status` lines the engine reads and that do not move while it runs (not its memory, state or threads). */
const STABLE_STATUS = /^(Name|Umask|Tgid|Pid|PPid|Uid|Gid|Groups|NSpid|VmExe|VmLib):/;

/** How a `/proc` path is looked at again, or why it is not: kinds the engine reads of a process, and the rest. */
function procProbe(path: string, asked: Probe): Probe | 'table' | 'figures' | 'boot' | 'unreusable' {
  if (path === '/proc') return 'table';
  if (path === '/proc/stat' || path === '/proc/uptime' || path === '/proc/sys/kernel/random/boot_id') return 'boot';
  const m = /^\/proc\/(\d+|self|thread-self)(?:\/(.*))?$/.exec(path);
  if (!m) return 'unreusable';
  // Our own process's page size: a fact of the boot, worked out once.
  if (m[1] === 'self' || m[1] === 'thread-self') return 'boot';
  switch (m[2]) {
    case undefined:
    case 'stat':
    case 'cmdline':
      // The table's own reads: compared row by row (identity, parent, owner, terminal, command line).
      return 'table';
    case 'smaps_rollup':
      return 'figures';
    case 'environ':
      return 'text';
    case 'status':
      return 'status';
    case 'exe':
    case 'cwd':
    case 'root':
      return asked;
    default:
      return 'unreusable';
  }
}

/** An input's signature, and when it last changed (ms; -Infinity when it is not there or has no time). */
export interface Stamp {
  seen: string;
  changed: number;
}

/**
 * A path's stat as one string. A folder's lstat (`meta`) is read for what it is, whose and its
 * mode (the privacy checks, a link chain), never for its times: what is in it is read by listing it
 * or looking at its entries, each noted on its own, and its times change whenever anything is added
 * to it (`/tmp`, a home).
 */
function stampOf(s: FileStat | undefined, meta = false): Stamp {
  if (s === undefined) return { seen: 'absent', changed: -Infinity };
  const who = [s.kind, s.dev ?? '', s.ino, s.mode ?? '', s.uid ?? ''].join(':');
  if (meta && s.kind === 'dir') return { seen: who, changed: -Infinity };
  return { seen: [who, s.size, s.mtimeMs, s.ctimeMs].join(':'), changed: Math.max(s.mtimeMs, s.ctimeMs) };
}

function failure(err: unknown): Stamp {
  return { seen: `error:${(err as NodeJS.ErrnoException).code ?? 'EIO'}`, changed: -Infinity };
}

function stamped(stat: () => FileStat | undefined, meta = false): Stamp {
  try {
    return stampOf(stat(), meta);
  } catch (err) {
    return failure(err);
  }
}

/** A process's own file that is noted by its text (its environment, its status): `/proc/<pid>/environ` and `status`. */
function isProcText(path: string): boolean {
  return /^\/proc\/\d+\/(environ|status)$/.test(path);
}

/** What a process's file said, as its probe compares it. */
function textSeen(text: string | undefined, probe: Probe): string {
  if (text === undefined) return 'absent';
  return probe === 'status' ? `=${stableStatus(text)}` : `=${text}`;
}

function stableStatus(text: string): string {
  return text
    .split('\n')
    .filter((l) => STABLE_STATUS.test(l))
    .join('\n');
}

function answer(read: () => string | undefined): string {
  try {
    const a = read();
    return a === undefined ? 'absent' : `=${a}`;
  } catch (err) {
    return `error:${(err as NodeJS.ErrnoException).code ?? 'EIO'}`;
  }
}

/** A path's stat now as a `stat` probe sees it, with when it last changed. */
export function statStamp(fs: MachineFs, path: string): Stamp {
  return stamped(() => fs.statSync(path));
}

/** What an input is now, asked of `fs` as its probe says. */
export function probeNow(fs: MachineFs, probe: Probe, path: string): string {
  switch (probe) {
    case 'stat':
      return statStamp(fs, path).seen;
    case 'lstat':
      return stamped(() => fs.lstatSync(path), true).seen;
    case 'realpath':
      return answer(() => fs.realpathSync(path));
    case 'readlink':
      return answer(() => fs.readlinkSync(path));
    case 'text':
      return answer(() => fs.readTextSync(path));
    case 'status':
      return answer(() => {
        const text = fs.readTextSync(path);
        return text === undefined ? undefined : stableStatus(text);
      });
  }
}

/**
 * A Machine that answers as `inner` and, while a pass is recorded (`record`), notes each input the
 * pass reads. `racyAfter(at)`: the time after which a path's change makes the pass not reusable
 * (the settle window and the file system's time resolution before the pass began).
 */
export function notingMachine(inner: Machine): {
  machine: Machine;
  record: <T>(racyAfter: number, pass: () => Promise<T>) => Promise<{ value: T; notes: PassNotes }>;
  /** How many answers came from outside (commands, servers, the network) so far: one arriving is news. */
  outsideAnswers: () => number;
  /** Whether a pass is being noted now. */
  recording: () => boolean;
} {
  let notes: PassNotes | undefined;
  let racyAfter = Infinity;
  let outside = 0;
  const f = inner.fs;

  /** The input a read of `path` is, when it is one this pass has not noted yet (none: the table's own reads, figures, boot facts). */
  const inputOf = (asked: Probe, path: string): { probe: Probe; key: string } | undefined => {
    if (!notes) return undefined;
    let probe: Probe = asked;
    if (path === '/proc' || path.startsWith('/proc/')) {
      const kind = procProbe(path, asked);
      const pid = /^\/proc\/(\d+)\//.exec(path)?.[1];
      if (pid !== undefined && kind !== 'table') notes.pids.add(Number(pid));
      if (kind === 'unreusable') notes.unreusable ??= `read ${path}`;
      if (kind === 'table' || kind === 'figures' || kind === 'boot' || kind === 'unreusable') return undefined;
      probe = kind;
    }
    const key = `${probe}\0${path}`;
    return notes.inputs.has(key) ? undefined : { probe, key };
  };
  const put = (input: { probe: Probe; key: string }, path: string, { seen, changed }: Stamp) => {
    if (!notes || notes.inputs.has(input.key)) return;
    notes.inputs.set(input.key, { probe: input.probe, path, seen });
    // A change this recent can hide a second one in the same clock tick, and a verdict may still wait on it to settle.
    if (changed >= racyAfter && !path.startsWith('/proc/')) notes.unreusable ??= `${path} changed at ${changed}`;
  };
  /** A read whose answer is the input's own signature (a stat, a link, a process's file): noted from it, nothing read twice. */
  const answered =
    <A extends unknown[], R>(
      asked: Probe,
      read: (path: string, ...rest: A) => R,
      stampOf: (a: Awaited<R>, probe: Probe) => Stamp,
    ) =>
    (path: string, ...rest: A): R => {
      const input = inputOf(asked, path);
      if (!input) return read(path, ...rest);
      const failed = (err: unknown) => put(input, path, failure(err));
      let value: R;
      try {
        value = read(path, ...rest);
      } catch (err) {
        failed(err);
        throw err;
      }
      if (!(value instanceof Promise)) {
        put(input, path, stampOf(value as Awaited<R>, input.probe));
        return value;
      }
      return value.then(
        (v: Awaited<R>) => {
          put(input, path, stampOf(v, input.probe));
          return v;
        },
        (err: unknown) => {
          failed(err);
          throw err;
        },
      ) as R;
    };
  /** A read of what a file holds: its signature taken first (a write landing between the two leaves it older than what was read). */
  const content =
    <A extends unknown[], R>(read: (path: string, ...rest: A) => R) =>
    (path: string, ...rest: A): R => {
      const input = inputOf('stat', path);
      if (input)
        put(
          input,
          path,
          stamped(() => f.statSync(path)),
        );
      return read(path, ...rest);
    };
  /** A file's text: a process's own file noted from what was read, any other file's signature taken first. */
  const text = <R>(read: (path: string) => R) => {
    const fromAnswer = answered('stat', read, (t, probe) => ({
      seen: textSeen(t as string | undefined, probe),
      changed: -Infinity,
    }));
    const first = content(read);
    return (path: string): R => (isProcText(path) ? fromAnswer(path) : first(path));
  };
  const statOf = (a: FileStat | undefined, probe: Probe) => stampOf(a, probe === 'lstat');
  const linkOf = (a: string | undefined) => ({ seen: a === undefined ? 'absent' : `=${a}`, changed: -Infinity });
  const fromOutside = <T>(what: string, ask: () => Promise<T>): Promise<T> => {
    if (notes) notes.unreusable ??= what;
    return ask().finally(() => outside++);
  };

  const fs: MachineFs = {
    stat: answered('stat', f.stat.bind(f), statOf),
    lstat: answered('lstat', f.lstat.bind(f), statOf),
    readText: text(f.readText.bind(f)),
    readdir: content(f.readdir.bind(f)),
    realpath: answered('realpath', f.realpath.bind(f), linkOf),
    readlink: answered('readlink', f.readlink.bind(f), linkOf),
    readBytes: content(f.readBytes.bind(f)),
    digest: content(f.digest.bind(f)),
    searchBytes: content(f.searchBytes.bind(f)),
    readNoFollow: answered('lstat', f.readNoFollow.bind(f), (a) => stampOf(a?.stat, true)),
    readNoFollowSync: answered('lstat', f.readNoFollowSync.bind(f), (a) => stampOf(a?.stat, true)),
    statSync: answered('stat', f.statSync.bind(f), statOf),
    lstatSync: answered('lstat', f.lstatSync.bind(f), statOf),
    readTextSync: text(f.readTextSync.bind(f)),
    readdirSync: content(f.readdirSync.bind(f)),
    realpathSync: answered('realpath', f.realpathSync.bind(f), linkOf),
    readlinkSync: answered('readlink', f.readlinkSync.bind(f), linkOf),
    readBytesSync: content(f.readBytesSync.bind(f)),
    ...(f.lstatContent ? { lstatContent: answered('lstat', f.lstatContent.bind(f), statOf) } : {}),
    ...(f.dataKeyOfStandIn
      ? {
          dataKeyOfStandIn: (standIn: string) => {
            if (notes) notes.unreusable ??= 'a replay stand-in';
            return f.dataKeyOfStandIn?.(standIn);
          },
        }
      : {}),
  };

  const machine: Machine = {
    host: inner.host,
    selfPid: inner.selfPid,
    uid: inner.uid,
    accountHome: inner.accountHome,
    kind: inner.kind,
    now: () => inner.now(),
    fs,
    run: (command) => fromOutside(`ran ${command.command}`, () => inner.run(command)),
    once: (key, compute) => inner.once(key, compute),
    pidExists: (pid) => {
      const exists = inner.pidExists(pid);
      if (notes) {
        notes.pids.add(pid);
        if (!notes.pidAnswers.has(pid)) notes.pidAnswers.set(pid, exists);
      }
      return exists;
    },
    serverInfo: (url, transport) => fromOutside('asked a server', () => inner.serverInfo(url, transport)),
    net: { get: (request) => fromOutside('asked the network', () => inner.net.get(request)) },
  };

  return {
    machine,
    record: async (after, pass) => {
      // One pass at a time is noted: one that starts while another is noted is not kept (its reads land in the first's notes, which only makes them more).
      if (notes) return { value: await pass(), notes: { ...emptyNotes(inner.now()), unreusable: 'passes overlapped' } };
      notes = emptyNotes(inner.now());
      racyAfter = after;
      try {
        const value = await pass();
        return { value, notes };
      } finally {
        notes = undefined;
        racyAfter = Infinity;
      }
    },
    outsideAnswers: () => outside,
    recording: () => notes !== undefined,
  };
}

function emptyNotes(at: number): PassNotes {
  return { at, inputs: new Map(), pids: new Set(), pidAnswers: new Map() };
}
