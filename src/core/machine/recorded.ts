import { commandKey, digestKey, FsOp, isRecordedError, MachineRecord, Recorded, WHOLE_FILE } from './record';
import { redactUrl } from '../base/redact';
import { CommandOutput, fsError, Machine, MachineFs, NetAnswer } from './types';

export interface RecordedMachineOptions {
  /** Told of every question the record has no answer for (answered as "not there", or a command that did not run). */
  onMiss?: (what: string) => void;
  /**
   * Asked what the record does not answer, instead of "not there": a record laid over another
   * Machine (tests lay a recorded process table over this machine's fixture files).
   */
  fallback?: Machine;
  /** Paths the record answers for alone, never the fallback: what it does not hold there is not there. */
  owns?: (path: string) => boolean;
}

/**
 * A Machine that answers from a record (`recordingMachine`'s, or a capture's): the same engine
 * takes the same snapshot of a machine that is not this one, a macOS or Windows machine included.
 * A file the record does not know is not there; a command it does not know did not run.
 */
export function recordedMachine(record: MachineRecord, options: RecordedMachineOptions = {}): Machine {
  const miss = options.onMiss ?? (() => undefined);
  const fallback = options.fallback;
  const files = recordedFs(record, miss);
  const commands = new Map(record.commands.map((c) => [commandKey(c), c.output]));
  const clock = record.clock.length ? record.clock : undefined;
  let tick = 0;
  const facts = new Map<string, unknown>(Object.entries(record.facts ?? {}));

  return {
    host: { home: record.host.home, platform: record.host.platform, env: { ...record.host.env } },
    selfPid: record.selfPid,
    uid: record.uid,
    accountHome: record.accountHome,
    kind: 'recorded',
    now: () => (clock ? clock[Math.min(tick++, clock.length - 1)] : (fallback?.now() ?? 0)),
    fs: fallback ? layered(record, files, fallback.fs, options.owns ?? (() => false)) : files,
    once: <T>(key: string, compute: () => T): T => {
      if (!facts.has(key)) facts.set(key, compute());
      return facts.get(key) as T;
    },
    pidExists: (pid) => {
      const found = record.pids?.[String(pid)];
      if (found === undefined && fallback) return fallback.pidExists(pid);
      if (found === undefined) miss(`pid ${pid}`);
      return found ?? false;
    },
    run: async (command): Promise<CommandOutput> => {
      const output = commands.get(commandKey(command));
      if (output) return structuredClone(output);
      if (fallback) return fallback.run(command);
      miss(`run ${command.command} ${command.args.join(' ')}`);
      return { code: null, stdout: '', stderr: '', error: { code: 'ENOENT', message: 'not in the capture' } };
    },
    serverInfo: async (url, transport) => {
      const found = record.serverInfo.find((s) => s.url === url && s.transport === transport);
      if (found) return structuredClone(found.answer);
      if (fallback) return fallback.serverInfo(url, transport);
      miss(`serverInfo ${url}`);
      return { ok: false, reason: 'not asked when the capture was taken' };
    },
    // No connection is opened: a URL the capture did not ask is unreachable. The capture keeps a
    // URL with its credentials masked (capture/redactRecord.ts), so it is looked up masked too.
    net: {
      get: async (request): Promise<NetAnswer> => {
        const found = record.net?.find((n) => n.url === request.url || n.url === redactUrl(request.url));
        if (found) return structuredClone(found.answer);
        if (fallback) return fallback.net.get(request);
        miss(`net ${redactUrl(request.url)}`);
        return { kind: 'failed', message: 'unreachable: the capture did not ask this URL', aborted: false };
      },
    },
  };
}

/** The record's file answers; a question it holds no answer to is told to `miss` and answered as "not there". */
function recordedFs(record: MachineRecord, miss: (what: string) => void): MachineFs {
  const answer = <T>(op: PathOp, path: string): T | undefined => {
    if (!answers(record, op, path)) {
      miss(`${op} ${path}`);
      return undefined;
    }
    const a = (record.fs[op] as Record<string, Recorded<T>>)[path];
    if (a === null) return undefined;
    if (isRecordedError(a)) throw fsError(a.error, a.message);
    // A copy of an object (a stat, a listing, a no-follow read): callers may keep or change what
    // they get, as they may with a fresh read. Their values are strings and numbers: a shallow copy is one.
    return copyAnswer(a) as T;
  };
  const bytes = (path: string, position: number, length: number): Buffer | undefined => {
    const a = record.fs.readBytes?.[path]?.[`${position}:${length}`];
    const whole = wholeFile(record, path);
    if (a === undefined && whole !== undefined)
      return Buffer.from(whole, 'base64').subarray(position, position + length);
    if (a === undefined) {
      miss(`readBytes ${path} ${position}:${length}`);
      return undefined;
    }
    if (a === null) return undefined;
    if (isRecordedError(a)) throw fsError(a.error, a.message);
    return Buffer.from(a, 'base64');
  };

  return {
    stat: (p) => later(() => answer('stat', p)),
    lstat: (p) => later(() => answer('lstat', p)),
    readText: (p) => later(() => answer('readText', p)),
    readdir: (p) => later(() => answer('readdir', p)),
    realpath: (p) => later(() => answer('realpath', p)),
    readlink: (p) => later(() => answer('readlink', p)),
    digest: (p, range) => later(() => answer('digest', digestKey(p, range))),
    searchBytes: (p, pattern, limit) =>
      later(() => {
        const a = searched(record, p, pattern, limit);
        if (a === undefined) miss(`searchBytes ${p}`);
        return a && !isRecordedError(a) ? structuredClone(a) : undefined;
      }),
    readBytes: (p, position, length) => later(() => bytes(p, position, length)),
    readNoFollow: (p) => later(() => answer('readNoFollow', p)),
    readNoFollowSync: (p) => answer('readNoFollow', p),
    statSync: (p) => answer('stat', p),
    lstatSync: (p) => answer('lstat', p),
    readTextSync: (p) => answer('readText', p),
    readdirSync: (p) => answer('readdir', p),
    realpathSync: (p) => answer('realpath', p),
    readlinkSync: (p) => answer('readlink', p),
    readBytesSync: bytes,
    dataKeyOfStandIn: (v) => record.dataKeys?.[v],
  };
}

/** A synchronous answer as the async port gives it: its value resolved, or what it threw rejected. */
export function later<T>(f: () => T): Promise<T> {
  try {
    return Promise.resolve(f());
  } catch (err) {
    return Promise.reject(err as Error);
  }
}

/** The file questions asked by path alone (a read of bytes or a search is asked by more). */
type PathOp = Exclude<FsOp, 'readBytes' | 'searchBytes'>;

/** Whether the record holds an answer to `op` of `path` ("not there" is one). */
function answers(record: MachineRecord, op: PathOp, path: string): boolean {
  return Object.prototype.hasOwnProperty.call(record.fs[op] ?? {}, path);
}

/** A file the record holds whole (`*`, a machine described rather than captured): any part of it is read from that. */
function wholeFile(record: MachineRecord, path: string): string | undefined {
  const whole = record.fs.readBytes?.[path]?.[WHOLE_FILE];
  return typeof whole === 'string' ? whole : undefined;
}

/** The record's answer to a search of a file's bytes, when it holds one. */
function searched(record: MachineRecord, path: string, pattern: string, limit: number) {
  return record.fs.searchBytes?.[path]?.[`${limit} ${pattern}`];
}

/** The record's answer where it has one, the other files' elsewhere. */
function layered(record: MachineRecord, mine: MachineFs, other: MachineFs, owns: (path: string) => boolean): MachineFs {
  const by = (op: PathOp, p: string) => (owns(p) || answers(record, op, p) ? mine : other);
  const bytesBy = (p: string, position: number, length: number) =>
    owns(p) ||
    record.fs.readBytes?.[p]?.[`${position}:${length}`] !== undefined ||
    record.fs.readBytes?.[p]?.[WHOLE_FILE] !== undefined
      ? mine
      : other;
  return {
    ...twinsBy(by),
    digest: (p, range) => by('digest', digestKey(p, range)).digest(p, range),
    searchBytes: (p, pattern, limit) =>
      (owns(p) || searched(record, p, pattern, limit) !== undefined ? mine : other).searchBytes(p, pattern, limit),
    readBytes: (p, position, length) => bytesBy(p, position, length).readBytes(p, position, length),
    readNoFollow: (p, max) => by('readNoFollow', p).readNoFollow(p, max),
    readNoFollowSync: (p, max) => by('readNoFollow', p).readNoFollowSync(p, max),
    readBytesSync: (p, position, length) => bytesBy(p, position, length).readBytesSync(p, position, length),
    dataKeyOfStandIn: (v) => mine.dataKeyOfStandIn?.(v),
  };
}

/** The questions of a path alone that have a synchronous twin: `stat` and `statSync`, and so on. */
const TWINNED = ['stat', 'lstat', 'readText', 'readdir', 'realpath', 'readlink'] as const;
type TwinnedOp = (typeof TWINNED)[number];

/** Each twinned question, both its async and its sync form, asked of the files `by` chooses for its path. */
function twinsBy(by: (op: TwinnedOp, path: string) => MachineFs): Pick<MachineFs, TwinnedOp | `${TwinnedOp}Sync`> {
  const asked: Record<string, (path: string) => unknown> = {};
  for (const op of TWINNED) {
    const sync = `${op}Sync` as const;
    asked[op] = (p) => by(op, p)[op](p);
    asked[sync] = (p) => by(op, p)[sync](p);
  }
  return asked as Pick<MachineFs, TwinnedOp | `${TwinnedOp}Sync`>;
}

/** A fresh copy of a recorded answer: strings as they are, an array or an object one level deep (a stat's fields, a listing's names). */
function copyAnswer(a: unknown): unknown {
  if (Array.isArray(a)) return [...(a as unknown[])];
  if (a && typeof a === 'object') {
    const o = { ...(a as Record<string, unknown>) };
    // A no-follow read holds its stat.
    if (o.stat && typeof o.stat === 'object') o.stat = { ...(o.stat as object) };
    return o;
  }
  return a;
}
