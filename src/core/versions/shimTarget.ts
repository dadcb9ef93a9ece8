import { pathFor } from '../base/hostEnv';
import { pathCandidates } from '../launch/which';
import {
  asdfPlugin,
  MAX_VERSION_SHIM_BYTES,
  pyenvVersionNames,
  readVersionShim,
  toolVersions,
  VersionShim,
} from '../launch/versionShim';
import { envValue, ResolveContext } from './lookup';

/**
 * What a version manager's shim found on PATH would exec if the client started the entry now: the
 * interpreter of the version selected for the entry's folder, read from the files the manager reads
 * (pyenv: `PYENV_VERSION`, `.python-version` in the folder or above it, `<root>/version`; asdf:
 * `ASDF_<PLUGIN>_VERSION`, `.tool-versions` in the folder, above it or in the home), or the program
 * found on PATH after the shims (`system`). Undefined when `file` is no shim; `{ reason }` when the
 * selection cannot be read here (mise's own configuration).
 */
export async function shimTarget(
  ctx: ResolveContext,
  file: string,
  cwd: string | undefined,
): Promise<{ shim: VersionShim; file?: string; reason?: string } | undefined> {
  const shim = await readShim(ctx, file);
  if (!shim) return undefined;
  const p = pathFor(ctx.host);
  const versions = await selectedVersions(ctx, shim, cwd);
  if (!versions) return { shim, reason: `${file} is ${shim.manager}'s shim: which version it runs is not read here` };
  for (const v of versions) {
    if (v === 'system') {
      const after = pathCandidates(shim.program, ctx.host.platform, ctx.host.env);
      const i = after.findIndex((f) => p.dirname(f) === shim.shims);
      for (const f of after.slice(i + 1)) if ((await ctx.fs.stat(f))?.kind === 'file') return { shim, file: f };
      continue;
    }
    const dir = shim.manager === 'pyenv' ? p.join(shim.installs, v) : p.join(shim.installs, plugin(shim), v);
    const bin = p.join(dir, 'bin', shim.program);
    if ((await ctx.fs.stat(bin))?.kind === 'file') return { shim, file: bin };
  }
  return {
    shim,
    reason: `${file} is ${shim.manager}'s shim, and the version it selects (${versions.join(' ') || 'none'}) has no ${shim.program}`,
  };
}

async function readShim(ctx: ResolveContext, file: string): Promise<VersionShim | undefined> {
  const p = pathFor(ctx.host);
  if (p.basename(p.dirname(file)) !== 'shims') return undefined;
  const l = await ctx.fs.lstat(file);
  if (l?.kind === 'link') return readVersionShim(file, undefined, await ctx.fs.realpath(file));
  if (l?.kind !== 'file' || l.size > MAX_VERSION_SHIM_BYTES) return undefined;
  const text = await ctx.fs.readText(file);
  const shim = readVersionShim(file, text);
  return shim ? { ...shim, ...(shim.manager === 'asdf' ? { plugin: asdfPlugin(text) } : {}) } : undefined;
}

const plugin = (shim: VersionShim & { plugin?: string }): string => shim.plugin ?? 'python';

/** The version names the manager selects for a folder, in order; undefined when that is not read here (mise). */
async function selectedVersions(
  ctx: ResolveContext,
  shim: VersionShim & { plugin?: string },
  cwd: string | undefined,
): Promise<string[] | undefined> {
  const p = pathFor(ctx.host);
  const above = async (name: string, read: (text: string) => string[] | undefined): Promise<string[] | undefined> => {
    let dir = cwd;
    for (let depth = 0; dir !== undefined && depth < 64; depth++) {
      const text = await ctx.fs.readText(p.join(dir, name));
      const found = text !== undefined ? read(text) : undefined;
      if (found?.length) return found;
      const up = p.dirname(dir);
      dir = up === dir ? undefined : up;
    }
    return undefined;
  };
  if (shim.manager === 'pyenv') {
    const env = envValue(ctx.host, 'PYENV_VERSION');
    if (env) return env.split(':').filter(Boolean);
    const local = await above('.python-version', pyenvVersionNames);
    if (local) return local;
    const global = await ctx.fs.readText(p.join(shim.root, 'version'));
    const names = global !== undefined ? pyenvVersionNames(global) : [];
    return names.length ? names : ['system'];
  }
  if (shim.manager === 'asdf') {
    const name = plugin(shim);
    const env = envValue(ctx.host, `ASDF_${name.toUpperCase()}_VERSION`);
    if (env) return env.split(/\s+/).filter(Boolean);
    const read = (text: string) => toolVersions(text, name);
    const local = await above('.tool-versions', read);
    if (local) return local;
    const home = await ctx.fs.readText(p.join(ctx.host.home, '.tool-versions'));
    return (home !== undefined ? read(home) : undefined) ?? [];
  }
  return undefined;
}
