import type { ByteMatch, CommandOutput, FileStat, NetAnswer, NoFollowRead, ServerInfoAnswer } from './types';

/**
 * What a Machine answered, question by question: the body of a capture (`mcp-lifeguard capture`)
 * and what `recordedMachine` replays. Plain JSON. A path's answer is the value, `null` for "not
 * there", or the error it failed with.
 */
export interface MachineRecord {
  host: { home: string; platform: NodeJS.Platform; env: Record<string, string> };
  selfPid: number;
  uid?: number;
  /** The account's own home (Machine.accountHome); absent in older captures. */
  accountHome?: string;
  /** Every answer of the clock, in order (a replay repeats the last one once they run out). */
  clock: number[];
  fs: FsRecord;
  commands: CommandRecord[];
  /** pid -> whether it existed when asked. */
  pids: Record<string, boolean>;
  /** The facts of the boot the Machine worked out once (`once`: the boot time, the page size, how early start times read). */
  facts?: Record<string, unknown>;
  serverInfo: ServerInfoRecord[];
  /** What each URL asked over the network answered (a registry's document), in the order asked; absent in older captures. */
  net?: NetRecord[];
  /**
   * A config secret's stand-in -> the key of the data path it names (sources/dataPaths.ts), for
   * each whose path or folder was there: the one answer about a secret value a replay needs (the
   * questions that name the value are left out), so it judges two entries' data as the capture did.
   */
  dataKeys?: Record<string, string>;
}

export type RecordedError = { error: string; message: string };
export type Recorded<T> = T | null | RecordedError;

export interface FsRecord {
  stat: Record<string, Recorded<FileStat>>;
  lstat: Record<string, Recorded<FileStat>>;
  readText: Record<string, Recorded<string>>;
  readdir: Record<string, Recorded<string[]>>;
  realpath: Record<string, Recorded<string>>;
  readlink: Record<string, Recorded<string>>;
  /** path -> `position:length` -> the bytes, base64; or `*` -> the whole file, from which any part is read. */
  readBytes: Record<string, Record<string, Recorded<string>>>;
  /** `path` for a whole file, `path@position+length` for a range. */
  digest: Record<string, Recorded<string>>;
  /** `path` -> `limit pattern` -> the matches. */
  searchBytes: Record<string, Record<string, Recorded<ByteMatch[]>>>;
  /** path -> what a no-follow read of at most `maxBytes` found (keyed by the path alone: our files are read with one limit). */
  readNoFollow: Record<string, Recorded<NoFollowRead>>;
}

export type FsOp = keyof FsRecord;

export interface CommandRecord {
  command: string;
  args: string[];
  env?: Record<string, string>;
  output: CommandOutput;
}

export interface ServerInfoRecord {
  url: string;
  transport: 'http' | 'sse';
  answer: ServerInfoAnswer;
}

/** One GET and its answer; the request's headers are not kept (the URL and the caller say what was asked). */
export interface NetRecord {
  url: string;
  answer: NetAnswer;
}

export function emptyFsRecord(): FsRecord {
  return {
    stat: {},
    lstat: {},
    readText: {},
    readdir: {},
    realpath: {},
    readlink: {},
    readBytes: {},
    digest: {},
    searchBytes: {},
    readNoFollow: {},
  };
}

export function isRecordedError(a: unknown): a is RecordedError {
  return typeof a === 'object' && a !== null && !Array.isArray(a) && typeof (a as RecordedError).error === 'string';
}

/** The key of a command run: the same program, arguments and added environment are the same question. */
export function commandKey(c: {
  command: string;
  args: readonly string[];
  env?: Readonly<Record<string, string>>;
}): string {
  return JSON.stringify([c.command, c.args, c.env ?? {}]);
}

/** The key of a digest answer: the path, and the range when there is one. */
export function digestKey(path: string, range?: { position: number; length: number }): string {
  return range ? `${path}@${range.position}+${range.length}` : path;
}

/** The key of a file's whole content among its byte reads. */
export const WHOLE_FILE = '*';
