import { pathFor } from '../base/hostEnv';
import type { ResolveContext } from './lookup';

/**
 * Site folders a site-packages adds to its interpreter's path through its `.pth` files:
 * `uv run --with` runs the command in an ephemeral venv whose only content is
 * `_uv_ephemeral_overlay.pth`, `import site; site.addsitedir(...)` of the environment holding the
 * `--with` requirements (in uv's cache) and then of the base environment. What runs is found there.
 * Read as text, never run.
 */

/** The folders `site.addsitedir(...)` calls in a `.pth` file's text add, in order (string and bytes literals only). */
export function addedSiteDirs(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    // Python runs a .pth line only when it starts with `import`; any other line is a folder of its own.
    if (!/^import[ \t]/.test(line)) continue;
    const call = /site\.addsitedir\(\s*(?:__import__\(\s*["']os["']\s*\)\.fsdecode\(\s*)?b?(["'])((?:\\.|(?!\1).)*)\1/g;
    for (let m = call.exec(line); m; m = call.exec(line)) out.push(unescapePython(m[2]));
  }
  return out;
}

/** The escapes of a Python literal a path holds: `\\xNN` (bytes of UTF-8 in a bytes literal) and a character escaped as itself. */
function unescapePython(s: string): string {
  if (!/\\x[0-9a-fA-F]{2}/.test(s)) return s.replace(/\\(.)/g, '$1');
  const bytes = s.replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_, h: string | undefined, c: string | undefined) =>
    h !== undefined ? String.fromCharCode(parseInt(h, 16)) : c!,
  );
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The site folders a site-packages's `.pth` files add (not itself), in the order Python adds them (files sorted by name). */
export async function layeredSites(ctx: ResolveContext, sitePackages: string): Promise<string[]> {
  const p = pathFor(ctx.host);
  const pth = ((await ctx.fs.readdir(sitePackages)) ?? []).filter((f) => f.endsWith('.pth')).sort();
  const out: string[] = [];
  for (const file of pth) {
    const text = await ctx.fs.readText(p.join(sitePackages, file));
    for (const dir of addedSiteDirs(text ?? '')) if (dir !== sitePackages && !out.includes(dir)) out.push(dir);
  }
  return out;
}
