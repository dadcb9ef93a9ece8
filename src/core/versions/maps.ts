// Mapped files and executables are read from /proc: Linux's, by POSIX path rules wherever the engine runs.
import { posix as path } from 'node:path';
import type { Bucket } from '../base/engineCache';
import type { Machine, MachineFs } from '../machine/types';

/**
 * Linux shows a mapped file that was deleted or replaced on disk as `<path> (deleted)` in
 * /proc/<pid>/maps: a native extension or shared library an upgrade replaced while the process
 * kept the old copy mapped. That is direct proof the process runs replaced code.
 */

const DELETED_LINE_END = ' (deleted)';

/**
 * The lines of maps text that end ` (deleted)`, found without splitting the whole text: a process
 * with numpy or pandas loaded maps thousands of regions, and none is deleted until an upgrade.
 */
export function deletedLines(text: string): string[] {
  const out: string[] = [];
  for (let at = text.indexOf(DELETED_LINE_END); at !== -1; at = text.indexOf(DELETED_LINE_END, at + 1)) {
    const end = at + DELETED_LINE_END.length;
    if (end !== text.length && text[end] !== '\n') continue;
    out.push(text.slice(text.lastIndexOf('\n', at) + 1, end));
  }
  return out;
}

/** Paths of mapped files marked `(deleted)`, each once. Anonymous and shared-memory mappings are not files. */
export function parseDeletedMappings(text: string): string[] {
  const out = new Set<string>();
  for (const line of deletedLines(text)) {
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*) \(deleted\)$/.exec(line);
    if (!m) continue;
    const path = m[1];
    if (path.startsWith('/memfd:') || path.startsWith('/dev/shm/') || path.startsWith('/SYSV')) continue;
    out.add(path);
  }
  return [...out];
}

/**
 * A library of the runtime itself: libnode and libpython, and the interpreter's own C modules
 * (`lib/python3.x/lib-dynload`, the standard library), not a package's (site-packages).
 */
export function isRuntimeLibrary(file: string): boolean {
  const base = path.basename(file);
  if (/^lib(node|python\d[\d.]*[dmut]*)\.so(\.|$)/.test(base)) return true;
  return (
    /\.so(\.|$)/.test(base) &&
    /\/lib(64)?\/python\d+\.\d+[dmt]*\//.test(file) &&
    !/\/(site-packages|dist-packages)\//.test(file)
  );
}

/**
 * Deleted mappings inside any of `roots` (the package's environment), or that are a root (a binary
 * is its own root): only those speak for this package.
 */
export function replacedWithin(deleted: readonly string[], roots: readonly string[]): string[] {
  const norm = roots.filter(Boolean).map((r) => (r.endsWith('/') ? r : `${r}/`));
  return deleted.filter((d) => norm.some((r) => d.startsWith(r) || `${d}/` === r));
}

/** Reads a process's maps; undefined when not on Linux or not readable (another user's process, gone). */
export async function readMaps(pid: number, machine: Machine): Promise<string | undefined> {
  if (machine.host.platform !== 'linux') return undefined;
  try {
    return await machine.fs.readText(`/proc/${pid}/maps`);
  } catch {
    // Not readable is an ordinary answer (the process exited, or belongs to someone else): no evidence either way.
    return undefined;
  }
}

/**
 * A process's maps kept between snapshots, by pid and start: reading the maps of a process with
 * native libraries loaded costs the kernel about 2 ms (100 KB of text), every few seconds for
 * every instance. Kept while nothing could have changed what they say: every folder of a mapped
 * file unchanged (a file deleted or replaced under a process changes its folder) and the process's
 * mappingToken the same (a library mapped since, or an exec, changes it). Read again after `ttlMs`
 * whatever they say. Only judgedLines are kept: a few KB a process.
 */
export const KEPT_MAPS = { name: 'process-maps', limit: 512, ttlMs: 5 * 60_000 } as const;

export interface KeptMaps {
  /** judgedLines of the maps. */
  text: string;
  /** mappingToken of the process's status when they were read. */
  token: string;
  /** Each folder of a mapped file, with its signature when the maps were read. */
  folders: ReadonlyMap<string, string>;
}

/** Pseudo-files and shared memory: not installed code, and their folders change all the time. */
function isPseudoPath(p: string): boolean {
  return p.startsWith('/dev/') || p.startsWith('/memfd:') || p.startsWith('/SYSV') || p.startsWith('/proc/');
}

/** The folders of the files a maps text names (deleted ones too), each once. Pure. */
export function mappedFolders(text: string): string[] {
  const out = new Set<string>();
  // A file maps several regions on consecutive lines: each after the first is passed over at once.
  let previous = '';
  for (let at = text.indexOf(' /'); at !== -1; at = text.indexOf(' /', at + 1)) {
    let end = text.indexOf('\n', at);
    if (end === -1) end = text.length;
    let file = text.slice(at + 1, end);
    at = end;
    if (file === previous) continue;
    previous = file;
    if (file.endsWith(DELETED_LINE_END)) file = file.slice(0, -DELETED_LINE_END.length);
    if (isPseudoPath(file)) continue;
    const slash = file.lastIndexOf('/');
    out.add(slash <= 0 ? '/' : file.slice(0, slash));
  }
  return [...out];
}

/**
 * What says a process maps the same files as before, from /proc/<pid>/status: its name and the
 * sizes of its executable's and its libraries' code (`VmExe`, `VmLib`; an exec or a library mapped
 * since changes them). Undefined without `VmLib` (not Linux's status). Pure.
 */
export function mappingToken(statusText: string): string | undefined {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(statusText)?.[1];
  const lib = field('VmLib');
  return lib === undefined ? undefined : `${field('Name') ?? ''}|${field('VmExe') ?? ''}|${lib}`;
}

/**
 * The lines of maps text a judgement reads (runtime.ts, mappedContent.ts): the runtime's own
 * libraries and every deleted mapping. What is kept between snapshots, and what a fresh read
 * answers too, so both say the same: a tenth of the text of a process with numpy loaded.
 */
export function judgedLines(text: string): string {
  const out: string[] = [];
  // A library maps four or five regions on consecutive lines: its file is judged once for all of them
  // (a process with pandas and pyarrow loaded maps a thousand regions of two hundred files).
  let previous = '';
  let judged = false;
  for (const line of text.split('\n')) {
    const at = line.indexOf(' /');
    if (at === -1) continue;
    const file = line.slice(at + 1);
    if (file !== previous) {
      previous = file;
      judged = file.endsWith(DELETED_LINE_END) || (file.includes('.so') && isRuntimeLibrary(file));
    }
    if (judged) out.push(line);
  }
  return out.join('\n');
}

/** A folder's signature: which folder it is and when its entries last changed. */
export function folderSignature(fs: MachineFs, folder: string): { signature: string; changedAt: number } {
  const st = fs.statSync(folder);
  return st
    ? { signature: `${st.ino}:${st.mtimeMs}:${st.ctimeMs}`, changedAt: Math.max(st.mtimeMs, st.ctimeMs) }
    : { signature: '-', changedAt: 0 };
}

/** A folder changed this close to a maps read may have changed during it: such maps are not kept. */
const FOLDER_SLACK_MS = 2000;

/**
 * A process's maps, from `kept` when nothing could have changed them since (KEPT_MAPS), else read
 * (and kept when they can be). `signature` is the snapshot's folder signature, asked once per folder.
 */
export async function readMapsKept(
  pid: number,
  startTime: number | undefined,
  machine: Machine,
  kept: Bucket<string, KeptMaps> | undefined,
  signature: (folder: string) => { signature: string; changedAt: number } = (f) => folderSignature(machine.fs, f),
): Promise<string | undefined> {
  if (machine.host.platform !== 'linux') return undefined;
  if (!kept || startTime === undefined) return readMaps(pid, machine);
  // A small file of /proc: read synchronously, as the process table's are (no trip through the thread pool).
  let status: string | undefined;
  try {
    status = machine.fs.readTextSync(`/proc/${pid}/status`);
  } catch {
    status = undefined; // another user's, or gone: read as if nothing were kept
  }
  const token = status === undefined ? undefined : mappingToken(status);
  if (token === undefined) return readMaps(pid, machine);
  const key = `${pid}@${startTime}`;
  const before = kept.get(key);
  if (before && before.token === token && [...before.folders].every(([f, sig]) => signature(f).signature === sig))
    return before.text;
  const readAt = machine.now();
  const full = await readMaps(pid, machine);
  if (full === undefined) {
    kept.delete(key);
    return undefined;
  }
  const folders = new Map<string, string>();
  let settled = true;
  for (const f of mappedFolders(full)) {
    const sig = signature(f);
    folders.set(f, sig.signature);
    if (sig.changedAt >= readAt - FOLDER_SLACK_MS) settled = false;
  }
  const text = judgedLines(full);
  if (settled) kept.set(key, { text, token, folders });
  else kept.delete(key);
  return text;
}
