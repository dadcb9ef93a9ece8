import { pathFor } from '../base/hostEnv';
import { isOwnLink } from './fs';
import type { ResolveContext } from './lookup';

/**
 * The symbolic links on the way from a path as a process names it to the file it loaded
 * (`~/opt/x/dist/index.js` with `~/opt/x -> x-1.2`, Homebrew's `opt/`, stow, a deploy script's
 * `current`), each with its own change time. A link re-pointed after the process started changed
 * what that path loads, though every file it reaches now may be older than the start: the link is
 * the one thing that moved. Each link is read as evidence in itself (`lstatContent`), so a cached
 * resolution is read again when one is re-pointed. Links inside `node_modules` are left out (isOwnLink).
 */
export async function linksOnPath(ctx: ResolveContext, file: string): Promise<Array<{ path: string; at: number }>> {
  const p = pathFor(ctx.host);
  if (!p.isAbsolute(file)) return [];
  const links: Array<{ path: string; at: number }> = [];
  const { root } = p.parse(file);
  let at = root;
  for (const part of file
    .slice(root.length)
    .split(/[\\/]+/)
    .filter(Boolean)) {
    const next = p.join(at, part);
    // Each folder on the way is looked at for what it is (a folder stays one whatever is added to
    // it: `/tmp`, a home); only a link that counts is evidence, read again at every refresh.
    const st = await (ctx.fs.lstatKind ?? ctx.fs.lstat)(next).catch(() => undefined);
    if (st?.kind !== 'link') {
      at = next;
      continue;
    }
    if (isOwnLink(next)) {
      const own = (await ctx.fs.lstatContent?.(next).catch(() => undefined)) ?? st;
      links.push({ path: next, at: Math.max(own.mtimeMs, own.ctimeMs) });
    }
    const real = await ctx.fs.realpath(next).catch(() => undefined);
    if (real === undefined) return links;
    at = real;
  }
  return links;
}
