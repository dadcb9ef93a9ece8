import { pathFor } from '../base/hostEnv';
import { Installed } from '../base/versionTypes';
import { parseLaunch } from '../launch/parse';
import type { ParsedLaunch } from '../launch/types';
import { changedAt, changedAtOf } from './fs';
import { isRecord, readJson, ResolveContext } from './lookup';

/**
 * Claude Desktop extensions (MCP Bundles): code Claude Desktop unpacked into
 * `<Claude>/Claude Extensions/<id>/` and replaces there when it updates the extension. What is
 * installed is the folder: its version is its manifest's `version`, its change time the newest
 * change among its files (an update rewrites them all, the manifest with them).
 */

const EXTENSIONS_FOLDER = 'Claude Extensions';
/** A bundle carries its dependencies: the walk stops after this many entries (the newest seen so far stand). */
const MAX_ENTRIES = 5000;
const MAX_DEPTH = 16;

/** The extension folder (`<...>/Claude Extensions/<id>`) a path lies in, from the path alone. */
export function extensionFolderOf(file: string, platform: NodeJS.Platform): string | undefined {
  const p = pathFor({ platform });
  if (!p.isAbsolute(file)) return undefined;
  const parts = p.normalize(file).split(p.sep);
  const i = parts.lastIndexOf(EXTENSIONS_FOLDER);
  if (i < 1 || i + 1 >= parts.length || parts[i + 1] === '' || parts[i + 1].startsWith('.')) return undefined;
  return parts.slice(0, i + 2).join(p.sep) || p.sep;
}

/**
 * The extension folder a launch runs code from: its script, its program, or the folder it moves
 * to (`uv --directory ${__dirname} run ...`). A package a runner fetches (`npx -y pkg`) is not the
 * extension's code, even when the extension names it.
 */
export function extensionFolderOfLaunch(
  argv: readonly string[],
  cwd: string | undefined,
  platform: NodeJS.Platform,
  parsed: ParsedLaunch = parseLaunch(argv),
): string | undefined {
  const p = pathFor({ platform });
  const t = parsed.target;
  const candidates = [
    t.kind === 'script' ? t.script : undefined,
    t.kind === 'program' ? t.program : undefined,
    parsed.cwd,
  ];
  for (const c of candidates) {
    if (c === undefined) continue;
    const full = p.isAbsolute(c) ? c : cwd !== undefined && p.isAbsolute(cwd) ? p.resolve(cwd, c) : undefined;
    const folder = full !== undefined ? extensionFolderOf(full, platform) : undefined;
    if (folder) return folder;
  }
  return undefined;
}

/**
 * The newest change among a folder's files and folders (bounded). Each is a probe for the resolution
 * cache (re-checked every few seconds, not on every refresh: a bundle carries thousands of files);
 * the manifest, which every update rewrites, is read as content and re-checked on every refresh.
 */
async function newestChange(ctx: ResolveContext, root: string): Promise<number | undefined> {
  const p = pathFor(ctx.host);
  let newest: number | undefined;
  let entries = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const name of (await ctx.fs.readdir(dir)) ?? []) {
      if (++entries > MAX_ENTRIES) return;
      const full = p.join(dir, name);
      const st = await ctx.fs.lstat(full);
      const at = changedAt(st);
      if (at !== undefined && (newest === undefined || at > newest)) newest = at;
      if (st?.kind === 'dir' && depth < MAX_DEPTH) await walk(full, depth + 1);
    }
  };
  await walk(root, 0);
  return newest;
}

/** What an extension folder holds: its manifest's name and version, and its newest change. */
export async function readExtension(ctx: ResolveContext, folder: string, fromProcess: boolean): Promise<Installed> {
  const p = pathFor(ctx.host);
  const id = p.basename(folder);
  const file = p.join(folder, 'manifest.json');
  const manifest = await readJson(ctx.fs, file);
  if (manifest === undefined) {
    const parent = changedAt(await ctx.fs.stat(p.dirname(folder)));
    return {
      state: 'missing',
      ecosystem: 'mcpb',
      name: id,
      how: `Claude Desktop extension ${id}: ${file} is gone`,
      location: folder,
      ...(fromProcess ? { fromProcess } : {}),
      ...(parent !== undefined ? { goneAt: parent } : {}),
    };
  }
  if (manifest instanceof Error) return { state: 'unknown', reason: manifest.message, ecosystem: 'mcpb', name: id };
  if (!isRecord(manifest) || typeof manifest.version !== 'string')
    return { state: 'unknown', reason: `${file} has no version`, ecosystem: 'mcpb', name: id };
  const changed = changedAtOf([changedAt(await ctx.fs.stat(file)), await newestChange(ctx, folder)]);
  return {
    state: 'installed',
    ecosystem: 'mcpb',
    name: typeof manifest.name === 'string' && manifest.name ? manifest.name : id,
    version: manifest.version,
    how: `Claude Desktop extension ${id} (manifest.json)`,
    location: folder,
    ...changed,
    ...(fromProcess ? { fromProcess } : {}),
  };
}
