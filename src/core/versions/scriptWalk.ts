import { changedAt } from './fs';
import type { ResolveContext } from './lookup';

/**
 * The walk a loose script is judged by, for any language: from the script, breadth first, through
 * the local files each one loads, each with its change time. What a file loads is the language's
 * (`follow`); the bounds are the walk's.
 */

/** Local files followed from the script, at most: a project's own modules, not a whole tree. */
const MAX_LOCAL_FILES = 50;
/** Bytes of one source file read for what it loads: a larger one is judged by its time alone. */
const MAX_SOURCE_BYTES = 1024 * 1024;

export interface LocalFile {
  path: string;
  at?: number;
}

/**
 * The script and the local files it loads (and they load). `follow` reads one file's text for the
 * local files it loads; `readable` says which files are read at all (data and native addons load
 * nothing further).
 */
export async function walkLocalFiles(
  ctx: ResolveContext,
  script: string,
  follow: (file: string, text: string) => Promise<string[]>,
  readable: (file: string) => boolean = () => true,
): Promise<LocalFile[]> {
  const files: LocalFile[] = [];
  const queue = [script];
  const seen = new Set<string>();
  while (queue.length && files.length < MAX_LOCAL_FILES) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const st = await ctx.fs.stat(file);
    files.push({ path: file, at: changedAt(st) });
    if (!readable(file)) continue;
    if (st && st.size > MAX_SOURCE_BYTES) continue;
    queue.push(...(await follow(file, (await ctx.fs.readText(file)) ?? '')));
  }
  return files;
}
