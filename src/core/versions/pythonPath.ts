import { pathFor } from '../base/hostEnv';
import type { Installed } from '../base/versionTypes';
import { envVar } from '../launch/which';
import type { ResolveContext } from './lookup';
import { distributions, readPythonPackage } from './python';
import { resolvePythonScript } from './pythonScript';

/**
 * An entry's PYTHONPATH: Python puts its folders before site-packages, so a module found there is
 * the server's code (a checkout's `src`, a folder `pip install --target` filled), whatever the
 * interpreter has installed under the same name. The value is read for resolution only and never
 * shown: only the files found under it are named.
 */

/** The folders of an entry's PYTHONPATH, absolute (relative ones from the launch's folder), in order; empty entries dropped, as Python drops them. */
export function pythonPathRoots(
  ctx: ResolveContext,
  env: Readonly<Record<string, string | undefined>> | undefined,
  cwd: string | undefined,
): string[] {
  const value = env && envVar(env, 'PYTHONPATH');
  if (!value) return [];
  const p = pathFor(ctx.host);
  const delimiter = ctx.host.platform === 'win32' ? ';' : ':';
  const out: string[] = [];
  for (const part of value.split(delimiter)) {
    if (!part) continue;
    const dir = p.resolve(cwd ?? ctx.host.home, part);
    if (!out.includes(dir)) out.push(dir);
  }
  return out;
}

/**
 * `interpreter -m module` where the module is under a PYTHONPATH root: the distribution installed
 * there when a `dist-info` there provides it, else the module's own files (the file `-m` runs, a
 * package's `__main__.py`, and the local modules it imports), judged as a loose script is.
 * Undefined when no root holds the module's top-level package.
 */
export async function resolveOnPythonPath(
  ctx: ResolveContext,
  roots: readonly string[],
  interpreter: string,
  module: string,
  fromProcess: boolean,
): Promise<Installed | undefined> {
  const p = pathFor(ctx.host);
  const parts = module.split('.');
  for (const root of roots) {
    const top = p.join(root, parts[0]);
    const here = (await ctx.fs.stat(top))?.kind === 'dir' || (await ctx.fs.stat(`${top}.py`))?.kind === 'file';
    if (!here) continue;
    if ((await distributions(ctx, root)).size > 0) {
      const pkg = await readPythonPackage(
        ctx,
        { dir: root, how: `PYTHONPATH folder ${root}` },
        { module },
        fromProcess,
      );
      if (pkg?.state === 'installed') return pkg;
    }
    const asPackage = p.join(root, ...parts, '__main__.py');
    const file = (await ctx.fs.stat(asPackage))?.kind === 'file' ? asPackage : `${p.join(root, ...parts)}.py`;
    return resolvePythonScript(ctx, interpreter, file, fromProcess, { module: true, label: module, roots });
  }
  return undefined;
}
