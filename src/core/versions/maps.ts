import type { Machine } from '../machine/types';

/**
 * Linux shows a mapped file that was deleted or replaced on disk as `<path> (deleted)` in
 * /proc/<pid>/maps: a native extension or shared library an upgrade replaced while the process
 * kept the old copy mapped. That is direct proof the process runs replaced code.
 */

/** Paths of mapped files marked `(deleted)`, each once. Anonymous and shared-memory mappings are not files. */
export function parseDeletedMappings(text: string): string[] {
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const m = /^\S+\s+\S+\s+\S+\s+\S+\s+\d+\s+(\/.*) \(deleted\)$/.exec(line);
    if (!m) continue;
    const path = m[1];
    if (path.startsWith('/memfd:') || path.startsWith('/dev/shm/') || path.startsWith('/SYSV')) continue;
    out.add(path);
  }
  return [...out];
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
