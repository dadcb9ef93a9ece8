import type { HostEnv } from '../base/hostEnv';

/**
 * The one port through which the engine reads the world: files (and, on Linux, /proc, which is
 * files too), commands it runs (ps, PowerShell, docker, lsof), the servers it asks over HTTP, the
 * clock, and who and where it is. `liveMachine` reads this machine; `recordedMachine` replays a
 * capture, so a snapshot of any user's machine (macOS and Windows included) can be taken again in
 * a test. Everything above this folder asks the Machine, never `node:fs` or `child_process`.
 */
export interface Machine {
  /** Home, platform and environment: where configs and caches live. */
  readonly host: HostEnv;
  /** The process asking (left out of the snapshot with its ancestors). */
  readonly selfPid: number;
  /** The user whose processes are anyone's instances; undefined where the OS has no uid (Windows). */
  readonly uid: number | undefined;
  /**
   * The home the OS gives this account (its passwd entry), whatever HOME says: when HOME is moved
   * (a test, a sandbox), the user's clients still run there. Undefined where not known (a capture
   * that did not record it).
   */
  readonly accountHome: string | undefined;
  /** `live`: this machine, where actions may act and our own files may be written; `recorded`: a capture. */
  readonly kind: 'live' | 'recorded';
  /** Milliseconds since the epoch. */
  now(): number;
  readonly fs: MachineFs;
  /** Runs a program (never through a shell) and returns what it printed; never throws. */
  run(command: MachineCommand): Promise<CommandOutput>;
  /**
   * A fact that holds for the life of this machine's boot (the boot time, the page size), computed
   * once per Machine: a replay computes it from its own record, never from this machine's.
   */
  once<T>(key: string, compute: () => T): T;
  /** Whether a pid exists (signal 0: another user's process exists too). */
  pidExists(pid: number): boolean;
  /** Asks a running HTTP or SSE server for its serverInfo (serverInfo.ts); never throws. */
  serverInfo(url: string, transport: 'http' | 'sse'): Promise<ServerInfoAnswer>;
  /** The network as a registry's reader asks it: one GET, its answer read whole up to a bound. */
  readonly net: MachineNet;
}

/**
 * One HTTP GET (a registry's document): its status, the headers the callers read (`location`,
 * `content-type`) and its body as text, read no further than `maxBytes`. A redirect is an answer
 * (its `location`), never followed here: a caller that follows one asks again. Never throws.
 */
export interface MachineNet {
  get(request: NetRequest): Promise<NetAnswer>;
}

export interface NetRequest {
  url: string;
  /** Sent as they are and never recorded (an `accept`): a header that names a credential has no place here. */
  headers?: Readonly<Record<string, string>>;
  maxBytes: number;
  /** Ends the wait (a timeout over the whole exchange, redirects included). */
  signal: AbortSignal;
}

/**
 * What a GET got: an answer (`headers` by lower-case name, only those callers read), one whose
 * body is larger than the bound (not read past it), or why there was none (`aborted`: the
 * caller's signal ended it).
 */
export type NetAnswer =
  | { kind: 'answer'; status: number; headers: Record<string, string>; body: string }
  | { kind: 'too-big'; status: number }
  | { kind: 'failed'; message: string; aborted: boolean };

/** A file's metadata, as much as every platform gives. */
export interface FileStat {
  kind: 'file' | 'dir' | 'link' | 'other';
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  /** The device; with the inode, size and change time it names one file's content for a cache. */
  dev?: number;
  /** The owner (POSIX); undefined on Windows. */
  uid?: number;
  /** Permission bits and type (POSIX `st_mode`). */
  mode?: number;
}

/**
 * Reads of files and folders. "Not there" (ENOENT, ENOTDIR) is an answer (`undefined`); any other
 * failure throws an error with its `code` (EACCES, ELOOP...). The synchronous twins answer the same
 * way: the launch checks and the cache's validation pass re-stat hundreds of paths, where sync is
 * about ten times cheaper than a trip through the thread pool.
 */
export interface MachineFs {
  stat(path: string): Promise<FileStat | undefined>;
  /** Does not follow a final symlink: a retargeted link changes its own ctime. */
  lstat(path: string): Promise<FileStat | undefined>;
  readText(path: string): Promise<string | undefined>;
  readdir(path: string): Promise<string[] | undefined>;
  realpath(path: string): Promise<string | undefined>;
  readlink(path: string): Promise<string | undefined>;
  /**
   * Up to `length` bytes of a regular file from `position` (fewer at its end). Opened without
   * waiting on a FIFO; a file that is not regular reads as undefined.
   */
  readBytes(path: string, position: number, length: number): Promise<Buffer | undefined>;
  /**
   * The SHA-256 of a file's content, streamed (never whole in memory): a content proof. With a
   * range, of `length` bytes from `position` only, zeros standing for what lies past the file's end
   * (the last page of a mapping past the end of its file reads so).
   */
  digest(path: string, range?: { position: number; length: number }): Promise<string | undefined>;
  /**
   * Every match of `pattern` (a regular expression's source, matched globally against the bytes
   * read as latin1) in the first `limit` bytes of a file, read a chunk at a time: what a binary
   * says of itself (a version string, a header's offset) without holding or recording it whole. A
   * match is its offset and its first capture group (else the whole match). Undefined when it
   * cannot be read.
   */
  searchBytes(path: string, pattern: string, limit: number): Promise<ByteMatch[] | undefined>;
  /**
   * A file of our own (a lock record, a state file): never through a link at its name (O_NOFOLLOW,
   * then a look at what was opened), never more than `maxBytes`. Undefined when it is not there.
   */
  readNoFollow(path: string, maxBytes: number): Promise<NoFollowRead | undefined>;
  readNoFollowSync(path: string, maxBytes: number): NoFollowRead | undefined;
  statSync(path: string): FileStat | undefined;
  lstatSync(path: string): FileStat | undefined;
  readTextSync(path: string): string | undefined;
  readdirSync(path: string): string[] | undefined;
  realpathSync(path: string): string | undefined;
  readlinkSync(path: string): string | undefined;
  readBytesSync(path: string, position: number, length: number): Buffer | undefined;
  /**
   * An lstat whose answer is evidence in itself (a development server's own files: their change
   * times are the verdict), so a cache re-checks it on every refresh, like a file whose content was
   * read. The same answer as `lstat`; only trackers tell it apart.
   */
  lstatContent?(path: string): Promise<FileStat | undefined>;
  /**
   * A replay's answer for a value its capture kept only as a stand-in (a config's env value naming
   * a data path): the key of that path (sources/dataPaths.ts `dataKey`) when the path or its folder
   * was there, else undefined. A live machine reads the path itself and has none.
   */
  dataKeyOfStandIn?(standIn: string): string | undefined;
}

/** A match of MachineFs.searchBytes. */
export interface ByteMatch {
  at: number;
  text: string;
}

/**
 * What a no-follow read found at a name: a regular file and its text, one too big to read (no
 * text), a symbolic link (never followed), or something else (a fifo, a folder).
 */
export type NoFollowRead =
  | { kind: 'file'; stat: FileStat; text: string }
  | { kind: 'too-big'; stat: FileStat }
  | { kind: 'link'; stat: FileStat }
  | { kind: 'other'; stat: FileStat };

/** A program run with arguments, never through a shell. */
export interface MachineCommand {
  command: string;
  args: readonly string[];
  /** Added to the machine's environment (`LC_ALL=C` for a parseable date). */
  env?: Readonly<Record<string, string>>;
  timeoutMs?: number;
  /** Bytes of output kept; past it the run fails (the process table of a very busy machine is large). */
  maxBuffer?: number;
}

/**
 * What a run printed. `code` is its exit status (null when it was killed or never started);
 * `error` says why it did not run or was cut short (ENOENT: not installed; a timeout).
 */
export interface CommandOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  error?: { code?: string; message: string };
}

/** The MCP protocol era a server speaks: the 2025 revisions, or 2026-07-28 and later. */
export type ProtocolEra = 'legacy' | 'modern';

/** `how`: the way it was asked and where (`server/discover at <url>`, `initialize at <url>`), credentials masked. */
export type ServerInfoAnswer =
  { ok: true; name: string; version: string; era: ProtocolEra; how: string } | { ok: false; reason: string };

/** A failed file read with its errno code, as node:fs throws it: the live and recorded machines throw the same. */
export function fsError(code: string, message: string): NodeJS.ErrnoException {
  const err = new Error(message) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

/** Whether a file error means "not there" (ENOENT, or a path through a file). */
export function isAbsent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
