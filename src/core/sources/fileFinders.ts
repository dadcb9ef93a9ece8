import { pathFor } from '../base/hostEnv';
import { ListDir, SourceContext, SourceFile } from './types';

/** The same relative file in each workspace folder. */
export function inEachFolder(...rel: string[]) {
  return async (ctx: SourceContext): Promise<SourceFile[]> =>
    ctx.workspaceFolders.map((folder) => ({ file: pathFor(ctx.host).join(folder, ...rel), workspaceFolder: folder }));
}

export function one(build: (ctx: SourceContext) => string | undefined) {
  return async (ctx: SourceContext): Promise<SourceFile[]> => {
    const file = build(ctx);
    return file ? [{ file }] : [];
  };
}

/** Several files of one place (a folder's config files of every name the client reads), in the client's order. */
export function several(build: (ctx: SourceContext) => Array<string | undefined>) {
  return async (ctx: SourceContext): Promise<SourceFile[]> =>
    build(ctx)
      .filter((file): file is string => !!file)
      .map((file) => ({ file }));
}

/** Each of several relative files in each workspace folder. */
export function inEachFolderAll(...rels: string[][]) {
  return async (ctx: SourceContext): Promise<SourceFile[]> =>
    ctx.workspaceFolders.flatMap((folder) =>
      rels.map((rel) => ({ file: pathFor(ctx.host).join(folder, ...rel), workspaceFolder: folder })),
    );
}

export async function listOrEmpty(listDir: ListDir, dir: string): Promise<string[]> {
  try {
    return await listDir(dir);
  } catch {
    // A missing folder (no profiles, no .code-workspace) means no such files: nothing to report.
    return [];
  }
}

/** Continue's block files: every .yaml, .yml and .json in an `mcpServers` folder. */
export function blockFiles(dirs: (ctx: SourceContext) => string[], inWorkspace = false) {
  return async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> => {
    const p = pathFor(ctx.host);
    const out: SourceFile[] = [];
    for (const [i, dir] of dirs(ctx).entries()) {
      for (const name of (await listOrEmpty(listDir, dir)).sort()) {
        if (/\.(ya?ml|json)$/i.test(name))
          out.push({ file: p.join(dir, name), ...(inWorkspace ? { workspaceFolder: ctx.workspaceFolders[i] } : {}) });
      }
    }
    return out;
  };
}

/**
 * A client's agent files, each with its own `mcpServers`: those whose names `names` matches in the
 * user's folder and in the same relative folder of each workspace folder, and in their subfolders
 * down to `depth` levels (an agent's name is its path there).
 */
export function agentFiles(
  user: (ctx: SourceContext) => string | undefined,
  workspace: string[],
  names: RegExp,
  depth = 0,
) {
  return {
    user: async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> => {
      const dir = user(ctx);
      return dir ? filesIn(ctx, listDir, dir, names, depth) : [];
    },
    workspace: async (ctx: SourceContext, listDir: ListDir): Promise<SourceFile[]> => {
      const p = pathFor(ctx.host);
      const out: SourceFile[] = [];
      for (const folder of ctx.workspaceFolders)
        out.push(...(await filesIn(ctx, listDir, p.join(folder, ...workspace), names, depth, folder)));
      return out;
    },
  };
}

/** The files of a folder whose names match, by name, then those of its subfolders down to `depth`. */
async function filesIn(
  ctx: SourceContext,
  listDir: ListDir,
  dir: string,
  names: RegExp,
  depth: number,
  workspaceFolder?: string,
): Promise<SourceFile[]> {
  const p = pathFor(ctx.host);
  const out: SourceFile[] = [];
  const subfolders: string[] = [];
  for (const name of (await listOrEmpty(listDir, dir)).sort()) {
    if (names.test(name)) out.push({ file: p.join(dir, name), ...(workspaceFolder ? { workspaceFolder } : {}) });
    // Any other name may be a folder: listing a file finds nothing in it.
    else if (depth > 0 && !name.startsWith('.')) subfolders.push(p.join(dir, name));
  }
  for (const sub of subfolders) out.push(...(await filesIn(ctx, listDir, sub, names, depth - 1, workspaceFolder)));
  return out;
}

/** A file under the home folder and one in each workspace folder (at the same place unless named). */
export function homeAndFolders(home: string[], workspace = home) {
  return { user: one((ctx) => pathFor(ctx.host).join(ctx.host.home, ...home)), workspace: inEachFolder(...workspace) };
}
