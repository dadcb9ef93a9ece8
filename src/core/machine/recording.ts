import { commandKey, digestKey, emptyFsRecord, FsOp, isRecordedError, MachineRecord, Recorded } from './record';
import { later } from './recorded';
import { CommandOutput, FileStat, fsError, Machine, MachineFs, NetAnswer } from './types';

type PathOp = Exclude<FsOp, 'readBytes' | 'searchBytes'>;

/**
 * A Machine that answers as `inner` does and writes down every answer: what one snapshot read,
 * replayable by `recordedMachine`. Each question is asked of `inner` once: a later ask of the same
 * path, pid or command gets the answer written down, as a replay would. A machine changes while a
 * snapshot reads it (a process ends between two reads of its files), and a record holds one answer
 * per question, so the snapshot taken while recording is the one its record replays to. The record
 * is raw (env values, command lines, config texts as read): `capture/` redacts it before it leaves
 * the process.
 */
export function recordingMachine(inner: Machine): { machine: Machine; record: () => MachineRecord } {
  const fsRecord = emptyFsRecord();
  const clock: number[] = [];
  const commands: MachineRecord['commands'] = [];
  const runs = new Map<string, Promise<CommandOutput>>();
  const serverInfo: MachineRecord['serverInfo'] = [];
  const net: NonNullable<MachineRecord['net']> = [];
  const gets = new Map<string, Promise<NetAnswer>>();
  const pids: Record<string, boolean> = {};
  const facts = new Map<string, unknown>();

  /** Writes down an answer: the value, `null` for "not there", or the error it failed with. */
  const put = (op: PathOp, path: string, answer: Recorded<unknown>) => {
    (fsRecord[op] as Record<string, Recorded<unknown>>)[path] = answer;
  };
  const known = (op: PathOp, path: string) => Object.prototype.hasOwnProperty.call(fsRecord[op], path);
  /** The answer written down, given again as a fresh read gives it (a copy; a failure thrown anew). */
  const again = <T>(op: PathOp, path: string): T | undefined => {
    const a = (fsRecord[op] as Record<string, Recorded<unknown>>)[path];
    if (a === null || a === undefined) return undefined;
    if (isRecordedError(a)) throw fsError(a.error, a.message);
    return structuredClone(a) as T;
  };
  // Asks of inner still under way: a second ask of the same question waits for the first's answer.
  const asking = new Map<string, Promise<unknown>>();
  const failed = (err: unknown): Recorded<unknown> => {
    const e = err as NodeJS.ErrnoException;
    return { error: e.code ?? 'EIO', message: e.message };
  };
  const note = <T>(op: PathOp, path: string, answer: () => T | undefined) => {
    if (known(op, path)) return again<T>(op, path);
    try {
      const value = answer();
      put(op, path, value ?? null);
      return value;
    } catch (err) {
      put(op, path, failed(err));
      throw err;
    }
  };
  const noteAsync = <T>(op: PathOp, path: string, ask: () => Promise<T | undefined>): Promise<T | undefined> => {
    if (known(op, path)) return later(() => again<T>(op, path));
    const key = `${op}\0${path}`;
    const pending = asking.get(key);
    if (pending) return pending.then(() => again<T>(op, path));
    const answer = ask()
      .then(
        (value) => {
          // A synchronous read of the path answered first: that answer is the one.
          if (known(op, path)) return again<T>(op, path);
          put(op, path, value ?? null);
          return value;
        },
        (err: unknown) => {
          if (known(op, path)) return again<T>(op, path);
          put(op, path, failed(err));
          throw err;
        },
      )
      .finally(() => asking.delete(key));
    asking.set(key, answer);
    return answer;
  };
  const noteBytes = (path: string, position: number, length: number, value: Buffer | undefined) => {
    (fsRecord.readBytes[path] ??= {})[`${position}:${length}`] = value === undefined ? null : value.toString('base64');
    return value;
  };
  const copyStat = (s: FileStat | undefined) => (s ? { ...s } : s);

  const i = inner.fs;
  const fs: MachineFs = {
    stat: (p) => noteAsync('stat', p, () => i.stat(p).then(copyStat)),
    lstat: (p) => noteAsync('lstat', p, () => i.lstat(p).then(copyStat)),
    lstatContent: (p) => noteAsync('lstat', p, () => (i.lstatContent ?? i.lstat)(p).then(copyStat)),
    readText: (p) => noteAsync('readText', p, () => i.readText(p)),
    readdir: (p) => noteAsync('readdir', p, () => i.readdir(p)),
    realpath: (p) => noteAsync('realpath', p, () => i.realpath(p)),
    readlink: (p) => noteAsync('readlink', p, () => i.readlink(p)),
    digest: (p, range) => noteAsync('digest', digestKey(p, range), () => i.digest(p, range)),
    searchBytes: async (p, pattern, limit) => {
      const found = await i.searchBytes(p, pattern, limit);
      (fsRecord.searchBytes[p] ??= {})[`${limit} ${pattern}`] = found ?? null;
      return found;
    },
    readNoFollow: (p, max) => noteAsync('readNoFollow', p, () => i.readNoFollow(p, max)),
    readNoFollowSync: (p, max) => note('readNoFollow', p, () => i.readNoFollowSync(p, max)),
    readBytes: async (p, position, length) => noteBytes(p, position, length, await i.readBytes(p, position, length)),
    statSync: (p) => note('stat', p, () => copyStat(i.statSync(p))),
    lstatSync: (p) => note('lstat', p, () => copyStat(i.lstatSync(p))),
    readTextSync: (p) => note('readText', p, () => i.readTextSync(p)),
    readdirSync: (p) => note('readdir', p, () => i.readdirSync(p)),
    realpathSync: (p) => note('realpath', p, () => i.realpathSync(p)),
    readlinkSync: (p) => note('readlink', p, () => i.readlinkSync(p)),
    readBytesSync: (p, position, length) => noteBytes(p, position, length, i.readBytesSync(p, position, length)),
  };

  const machine: Machine = {
    host: inner.host,
    selfPid: inner.selfPid,
    uid: inner.uid,
    kind: inner.kind,
    now: () => {
      const t = inner.now();
      clock.push(t);
      return t;
    },
    fs,
    // Computed through this recording machine, so what the fact read is recorded too.
    once: <T>(key: string, compute: () => T): T => {
      if (!facts.has(key)) facts.set(key, compute());
      return facts.get(key) as T;
    },
    pidExists: (pid) => (pids[String(pid)] ??= inner.pidExists(pid)),
    // A command is run once: a second run of it in one snapshot is a cache miss of ours, not news.
    run: (command) => {
      const key = commandKey(command);
      const first = runs.get(key);
      if (first) return first;
      const output = inner.run(command).then((out) => {
        commands.push({
          command: command.command,
          args: [...command.args],
          ...(command.env ? { env: { ...command.env } } : {}),
          output: out,
        });
        return out;
      });
      runs.set(key, output);
      return output;
    },
    serverInfo: async (url, transport) => {
      const answer = await inner.serverInfo(url, transport);
      serverInfo.push({ url, transport, answer });
      return answer;
    },
    // A URL is asked once, as a command is run once: a second ask in one snapshot gets the first answer.
    net: {
      get: (request) => {
        const first = gets.get(request.url);
        if (first) return first.then((a) => structuredClone(a));
        const answer = inner.net.get(request).then((a) => {
          net.push({ url: request.url, answer: structuredClone(a) });
          return a;
        });
        gets.set(request.url, answer);
        return answer;
      },
    },
  };

  return {
    machine,
    record: () => ({
      host: { home: inner.host.home, platform: inner.host.platform, env: definedEnv(inner.host.env) },
      selfPid: inner.selfPid,
      ...(inner.uid !== undefined ? { uid: inner.uid } : {}),
      clock: [...clock],
      fs: fsRecord,
      commands: [...commands],
      pids: { ...pids },
      // Plain values only: a fact a replay could not hold as JSON is worked out again there.
      facts: Object.fromEntries(
        [...facts].filter(([, v]) => v === null || ['number', 'string', 'boolean'].includes(typeof v)),
      ),
      serverInfo: [...serverInfo],
      net: [...net],
    }),
  };
}

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
