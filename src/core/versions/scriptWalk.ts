import { pathFor } from '../base/hostEnv';
import { notOwnCode } from './devSource';
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

/** Folder levels below a file that loads by computed names, read for the source files it may load. */
const MAX_BESIDE_DEPTH = 3;

/**
 * The source files (`source`: which names are code) in `dir` and the folders below it, breadth first
 * and bounded: what a file that loads code by computed names (`require(path.join(dir, name))`,
 * `importlib.import_module('plugins.' + name)`) may load from beside it. A reader cannot tell
 * which; it can watch them all.
 */
export async function sourcesBeside(ctx: ResolveContext, dir: string, source: RegExp): Promise<string[]> {
  const p = pathFor(ctx.host);
  const out: string[] = [];
  let level = [dir];
  for (let depth = 0; depth <= MAX_BESIDE_DEPTH && level.length && out.length < MAX_LOCAL_FILES; depth++) {
    const next: string[] = [];
    for (const folder of level) {
      for (const name of ((await ctx.fs.readdir(folder)) ?? []).sort()) {
        if (out.length >= MAX_LOCAL_FILES) break;
        const full = p.join(folder, name);
        const st = await ctx.fs.stat(full);
        if (st?.kind === 'file' && source.test(name)) out.push(full);
        else if (st?.kind === 'dir' && !notOwnCode(name)) next.push(full);
      }
    }
    level = next;
  }
  return out;
}
