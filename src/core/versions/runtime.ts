// Mapped files and executables are read from /proc: Linux's, by POSIX path rules wherever the engine runs.
import { posix as path } from 'node:path';
import type { EngineCache } from '../base/engineCache';
import type { Machine, MachineFs } from '../machine/types';
import type { RuntimeReplaced } from '../base/versionTypes';
import { isRuntimeLibrary } from './maps';
import { compareReplaced, CONTENT_PROOFS, deletedRegions } from './mappedContent';

/**
 * The runtime a server runs on (node, python3.x), replaced under it: an upgrade of Node or Python
 * renames a new binary over the old one, and the process keeps running the old one. Linux says so:
 * `/proc/<pid>/exe` reads `<path> (deleted)`, and the old interpreter's libraries (libnode,
 * libpython, lib-dynload) are mapped `(deleted)`. This is a restart need of its own, never a stale
 * package: the package's verdict does not change.
 *
 * The parsers are pure (tested on stored /proc text and bytes); `readRuntime` is the thin reader.
 * The running version is read from the old binary's bytes (still readable through /proc/<pid>/exe,
 * or a mapped library), never by running it; the installed one from the bytes of the binary at the
 * path now (cached by its identity on disk), never by running it either.
 */

export type RuntimeKind = 'node' | 'python' | 'other';

const DELETED = ' (deleted)';

/** The runtime an executable is, by its name; undefined for a program that is not a known runtime (a server's own binary). */
export function runtimeKind(exe: string): RuntimeKind | undefined {
  const base = path
    .basename(exe.endsWith(DELETED) ? exe.slice(0, -DELETED.length) : exe)
    .toLowerCase()
    .replace(/\.exe$/, '');
  if (/^(node|nodejs)$/.test(base)) return 'node';
  if (/^(python|pythonw|python[23](\.\d+)?[dmt]*|pypy[23]?(\.\d+)?)$/.test(base)) return 'python';
  if (/^(bun|deno)$/.test(base)) return 'other';
  return undefined;
}

export interface MappedLibrary {
  path: string;
  deleted: boolean;
  /** The first region's addresses (the `map_files` link name is `<start>-<end>`). */
  start: string;
  end: string;
}

/** What /proc says about a process's runtime. */
export interface RuntimeSighting {
  kind: RuntimeKind;
  /** The executable's path, without ` (deleted)`. */
  exe: string;
  /** The executable on disk is not the one running (deleted or replaced). */
  exeReplaced: boolean;
  /** The runtime's own libraries the process maps, each once. */
  libraries: MappedLibrary[];
  /** `3.12` for Python, when the executable's name, a mapped libpython or `lib/python3.12` says it. */
  minor?: string;
}

/** Reads `/proc/<pid>/exe`'s link text and `/proc/<pid>/maps`. Pure. Undefined when the executable is not a runtime. */
export function parseRuntime(exeLink: string, mapsText: string | undefined): RuntimeSighting | undefined {
  const kind = runtimeKind(exeLink);
  if (!kind) return undefined;
  const exeReplaced = exeLink.endsWith(DELETED);
  const exe = exeReplaced ? exeLink.slice(0, -DELETED.length) : exeLink;
  const libraries = new Map<string, MappedLibrary>();
  // Each file once (a library maps several regions; the first names it), and only a shared object can be the runtime's.
  const seen = new Set<string>();
  for (const line of (mapsText ?? '').split('\n')) {
    const at = line.indexOf(' /');
    if (at === -1 || line.indexOf('.so', at) === -1) continue;
    // The path is what follows the first ` /` (no field before it holds one): a file's later regions
    // are passed over before the line is parsed.
    const named = line.slice(at + 1);
    const deleted = named.endsWith(DELETED);
    const file = deleted ? named.slice(0, -DELETED.length) : named;
    if (seen.has(file)) continue;
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+\S+\s+[0-9a-f]+\s+\S+\s+\d+\s+\//.exec(line);
    if (!m) continue;
    seen.add(file);
    if (file === exe || !isRuntimeLibrary(file)) continue;
    libraries.set(file, { path: file, deleted, start: m[1], end: m[2] });
  }
  const sighting: RuntimeSighting = { kind, exe, exeReplaced, libraries: [...libraries.values()] };
  if (kind === 'python') {
    const minor =
      /python(\d+\.\d+)/.exec(path.basename(exe))?.[1] ??
      sighting.libraries.map((l) => /python(\d+\.\d+)/.exec(l.path)?.[1]).find(Boolean);
    if (minor) sighting.minor = minor;
  }
  return sighting;
}

/** The files of a runtime: never part of a package's evidence (a replaced runtime is not a stale package). */
export function isRuntimeFile(file: string, sighting: RuntimeSighting | undefined): boolean {
  return !!sighting && (file === sighting.exe || isRuntimeLibrary(file));
}

/**
 * Version strings found in a piece of a runtime's bytes (read as latin1). Node: its release URLs
 * (`node-v22.11.0-headers.tar.gz`) and its user agent (`node.js/v22.11.0`). Python: a
 * NUL-terminated `3.12.N` of the known minor (PY_VERSION, possibly the tail of a longer string the
 * linker merged it into, such as the install prefix). Pure.
 */
export function versionCandidates(kind: RuntimeKind, text: string, minor?: string): string[] {
  const pattern = versionPattern(kind, minor);
  if (!pattern) return [];
  const out = new Set<string>();
  for (const m of text.matchAll(new RegExp(pattern, 'g'))) out.add(m.slice(1).find((g) => g !== undefined) ?? m[0]);
  return [...out];
}

/** The regular expression (its source) whose first defined group is a version of the runtime, when there is one to look for. */
export function versionPattern(kind: RuntimeKind, minor?: string): string | undefined {
  if (kind === 'node') return String.raw`node-v(\d+\.\d+\.\d+)-headers\.tar\.gz|node\.js\/v(\d+\.\d+\.\d+)(?![\d.])`;
  if (kind === 'python' && minor)
    return String.raw`(?<![\d.])(${minor.replace('.', '\\.')}\.\d+(?:(?:a|b|rc)\d+)?)\x00`;
  return undefined;
}

/** One version, when every candidate agrees; undefined when none or several were found. */
export function oneVersion(candidates: Iterable<string>): string | undefined {
  const all = new Set(candidates);
  return all.size === 1 ? [...all][0] : undefined;
}

/** The runtime's name in words: `node`, `python3.12` (its minor from the version when known), or the executable's name. */
export function runtimeName(s: Pick<RuntimeSighting, 'kind' | 'exe' | 'minor'>, version?: string): string {
  if (s.kind === 'node') return 'node';
  if (s.kind === 'python') {
    const minor = /^(\d+\.\d+)\./.exec(version ?? '')?.[1] ?? s.minor;
    return minor ? `python${minor}` : path.basename(s.exe);
  }
  return path.basename(s.exe);
}

/** The evidence of a replaced runtime, with its sentence. Pure. */
export function runtimeEvidence(
  s: RuntimeSighting,
  facts: {
    exeReplaced: boolean;
    libraries: string[];
    running?: string;
    installed?: string | 'missing';
    runningHow: string;
    installedHow: string;
  },
): RuntimeReplaced {
  const running = facts.running ?? 'unknown';
  const installed = facts.installed ?? 'unknown';
  const name = runtimeName(s, facts.running ?? (installed !== 'missing' ? facts.installed : undefined));
  const runs = facts.running ? `${name} ${facts.running}` : `${name} (version not known)`;
  const what = facts.exeReplaced
    ? `runs a replaced ${runs}`
    : `runs ${runs} with replaced libraries (${facts.libraries.map((l) => path.basename(l)).join(', ')})`;
  const now =
    installed === 'missing'
      ? `nothing is installed at ${s.exe} now`
      : installed === 'unknown'
        ? `the version installed at ${s.exe} could not be read`
        : installed === running
          ? `installed ${installed}, another build, at ${s.exe}`
          : `installed ${installed} at ${s.exe}`;
  return {
    state: 'replaced',
    runtime: name,
    path: s.exe,
    running,
    installed,
    runningHow: facts.runningHow,
    installedHow: facts.installedHow,
    libraries: facts.libraries,
    summary: `${what}; ${now}: restart it to run what is installed`,
  };
}

// ---------------------------------------------------------------------------------------------
// The thin reader (Linux).

/** Bytes scanned per file for a version at most. */
const SCAN_LIMIT = 512 * 1024 * 1024;

/** Every version candidate in a file, read in chunks by the Machine (undefined when it cannot be read). */
async function scanFile(
  fs: MachineFs,
  file: string,
  kind: RuntimeKind,
  minor: string | undefined,
): Promise<string[] | undefined> {
  const pattern = versionPattern(kind, minor);
  if (!pattern) return [];
  const found = await fs.searchBytes(file, pattern, SCAN_LIMIT);
  return found && [...new Set(found.map((m) => m.text))];
}

/** Whether the old executable (through /proc) and the file at its path now are byte for byte the same: a reinstall. */
async function sameExecutable(fs: MachineFs, pid: number, exe: string): Promise<boolean> {
  const [old, now] = await Promise.all([
    fs.stat(`/proc/${pid}/exe`).catch(() => undefined),
    fs.stat(exe).catch(() => undefined),
  ]);
  if (!old || !now || old.size !== now.size || old.size > SCAN_LIMIT) return false;
  const [a, b] = await Promise.all([
    fs.digest(`/proc/${pid}/exe`).catch(() => undefined),
    fs.digest(exe).catch(() => undefined),
  ]);
  return !!a && a === b;
}

/** What runs never changes for one process: read once per pid and start, kept in the engine's cache. */
const MEMO = { limit: 512 } as const;

function memos(cache: EngineCache | undefined) {
  return {
    running: cache?.bucket<string, Promise<{ version?: string; how: string }>>('runtime-running', MEMO),
    same: cache?.bucket<string, Promise<boolean>>('runtime-same-exe', MEMO),
    installed: cache?.bucket<string, Promise<{ version?: string; how: string }>>('runtime-installed', MEMO),
  };
}

/** The running version, from the old executable's bytes, else from a mapped runtime library's. */
async function runningVersion(
  fs: MachineFs,
  pid: number,
  s: RuntimeSighting,
): Promise<{ version?: string; how: string }> {
  const sources: Array<{ file: string; how: string }> = [
    { file: `/proc/${pid}/exe`, how: `read from the running executable (/proc/${pid}/exe)` },
    ...s.libraries.map((l) =>
      l.deleted
        ? { file: `/proc/${pid}/map_files/${l.start}-${l.end}`, how: `read from the mapped ${path.basename(l.path)}` }
        : { file: l.path, how: `read from ${l.path}, mapped by the process` },
    ),
  ];
  for (const source of sources) {
    const found = await scanFile(fs, source.file, s.kind, s.minor);
    const version = found && oneVersion(found);
    if (version) return { version, how: source.how };
  }
  return { how: 'not found in the running executable or its libraries' };
}

/**
 * The installed version, from the bytes of the binary at the path now, else of the runtime's
 * libraries at their paths now. Never by running it: the binary may be anything a process table
 * names (a workspace's venv, a file being replaced), and nothing of it is executed.
 */
async function installedVersion(fs: MachineFs, s: RuntimeSighting): Promise<{ version?: string; how: string }> {
  for (const file of [s.exe, ...s.libraries.map((l) => l.path)]) {
    const found = await scanFile(fs, file, s.kind, s.minor);
    const version = found && oneVersion(found);
    if (version) return { version, how: `read from ${file}` };
  }
  return { how: `not found in ${s.exe} or its libraries` };
}

/**
 * A link of /proc read synchronously: the kernel answers from memory, and a promise readlink per
 * instance per refresh cost more in its thread-pool round trip than the read. Undefined when the
 * process is gone or not ours (EACCES), as the promise readings were.
 */
export function procLink(fs: Pick<MachineFs, 'readlinkSync'>, path: string): string | undefined {
  try {
    return fs.readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** What a process's executable and maps say about its runtime (Linux; undefined elsewhere, or when not readable). */
export async function sightRuntime(
  pid: number,
  machine: Machine,
  mapsText: () => Promise<string | undefined>,
  cache?: EngineCache,
): Promise<RuntimeSighting | undefined> {
  if (machine.host.platform !== 'linux') return undefined;
  const link = procLink(machine.fs, `/proc/${pid}/exe`);
  if (!link || !runtimeKind(link)) return undefined;
  const text = await mapsText();
  // The same link and the same maps (kept between snapshots: the very string) read the same: a
  // Python process maps hundreds of its runtime's modules, and ten heavy servers made this parse the
  // largest part of a refresh.
  const sightings = cache?.bucket<string, { text: string | undefined; sighting: RuntimeSighting | undefined }>(
    'runtime-sightings',
    MEMO,
  );
  const key = `${pid}:${link}`;
  const kept = sightings?.get(key);
  if (kept && kept.text === text) return kept.sighting;
  const sighting = parseRuntime(link, text);
  sightings?.set(key, { text, sighting });
  return sighting;
}

/**
 * The evidence of a replaced runtime for one process, or undefined when its runtime is the one on
 * disk (or not a runtime, or not known: not Linux, not readable). An executable replaced by the
 * same bytes is a reinstall, not a replacement; so is a library whose old bytes equal the new.
 */
export async function readRuntime(
  pid: number,
  startTime: number | undefined,
  s: RuntimeSighting,
  mapsText: string | undefined,
  fs: MachineFs,
  cache?: EngineCache,
): Promise<RuntimeReplaced | undefined> {
  const deletedLibs = s.libraries.filter((l) => l.deleted).map((l) => l.path);
  if (!s.exeReplaced && !deletedLibs.length) return undefined;
  const memo = memos(cache);
  const remember = <T>(bucket: { getOrSet(k: string, f: () => T): T } | undefined, key: string, make: () => T): T =>
    bucket ? bucket.getOrSet(key, make) : make();
  const key = `${pid}@${startTime ?? '?'}`;
  const now = await fs.stat(s.exe).catch(() => undefined);
  const identity = now ? `${now.ino}:${now.size}:${now.mtimeMs}:${now.ctimeMs}` : 'missing';
  let exeReplaced = s.exeReplaced;
  if (exeReplaced && now)
    exeReplaced = !(await remember(memo.same, `${key}:${s.exe}:${identity}`, () => sameExecutable(fs, pid, s.exe)));
  let libraries = deletedLibs;
  if (libraries.length && mapsText && deletedRegions(mapsText).size) {
    const checks = await compareReplaced(
      pid,
      mapsText,
      libraries,
      fs,
      cache?.bucket(CONTENT_PROOFS.name, CONTENT_PROOFS),
    );
    libraries = libraries.filter((l) => checks.get(l)?.check !== 'identical');
  }
  if (!exeReplaced && !libraries.length) return undefined;
  const running = await remember(memo.running, key, () => runningVersion(fs, pid, s));
  const installed = now
    ? await remember(memo.installed, `${s.exe}:${identity}`, () => installedVersion(fs, s))
    : undefined;
  return runtimeEvidence(s, {
    exeReplaced,
    libraries,
    ...(running.version ? { running: running.version } : {}),
    ...(installed?.version ? { installed: installed.version } : now ? {} : { installed: 'missing' }),
    runningHow: running.how,
    installedHow: installed ? installed.how : `${s.exe} is gone`,
  });
}
