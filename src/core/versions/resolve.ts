import { linksOnPath } from './linkChain';
import { pathFor } from '../base/hostEnv';
import { isCliBundleText } from '../base/ownBundle';
import { isGuard as isGuardLaunch } from '../processes/argv';
import { pythonPathRoots } from './pythonPath';
import { withDevSource } from './devSource';
import { parseDockerRun } from './docker';
import { extensionFolderOfLaunch, readExtension } from './extension';
import { LaunchSpec, ResolveContext } from './lookup';
import { denoPinnedRelease } from './npmPackages';
import { parseLaunch } from '../launch/parse';
import { inRunnerEnvironment, inUvTool, parseLayeredRunner, parsePythonRunner, uvCacheDir } from './python';
import { uvCacheHistory } from './uvCacheHistory';
import { pnpmProjectNow } from './pnpmProject';
import { pnpProjectNow } from './yarnPnp';
import type { ParsedLaunch } from '../launch/types';
import { fromProcess, processScript } from './fromProcess';
import { fromLaunch } from './fromLaunch';
import type { Resolution, ResolveOptions } from './resolution';
import type { Installed } from '../base/versionTypes';

export type { Resolution, ResolveOptions } from './resolution';

/**
 * The order of resolution's questions: an extension's folder, then the running process's own argv
 * (fromProcess.ts), weighed against what its runner or package manager resolves now (a pinned uvx
 * on a uv tool, a pnpm or Plug'n'Play project), then the configured launch (fromLaunch.ts), the
 * guard's wrapping unwrapped at either step. Those two weighings stay here, beside the order that
 * asks them: every file of the engine costs the guard's bundle a module of its own.
 */

/**
 * Resolves what is installed for a launch, and for a running instance, where its code is. The
 * running process's own argv wins when it names a script or module (it is where the code was
 * loaded from); otherwise the configured launch is followed like the client would.
 */
export async function resolveInstalled(
  ctx: ResolveContext,
  launch: LaunchSpec,
  options: ResolveOptions = {},
): Promise<Resolution> {
  const released = await withLinkTimes(ctx, await resolveRelease(ctx, launch, options), options);
  // A runtime that runs the exact release its command line pins says what runs (deno's `npm:pkg@1.2.3`).
  const pinned = released.running || !options.processArgv ? undefined : denoPinnedRelease(options.processArgv);
  const resolution = pinned ? Object.assign({}, released, { running: pinned }) : released;
  // Our own package (a guard whose server could not be told) is not a server under development.
  if (isGuard(resolution.installed)) return resolution;
  try {
    return Object.assign({}, resolution, { installed: await withDevSource(ctx, resolution.installed) });
  } catch (err) {
    return { installed: { state: 'unknown', reason: `could not read the source folder: ${(err as Error).message}` } };
  }
}

/**
 * A process's script reached through symbolic links: a link changed after its start changed what the
 * path loads, so its time counts among the installed files' (`changedAt`). Only for an instance.
 */
async function withLinkTimes(ctx: ResolveContext, r: Resolution, options: ResolveOptions): Promise<Resolution> {
  const inst = r.installed;
  if (!options.processArgv || inst.state !== 'installed') return r;
  const full = processScript(ctx, options.processArgv, options.processCwd);
  if (full === undefined) return r;
  const links = await linksOnPath(ctx, full);
  if (!links.length) return r;
  const newest = Math.max(...links.map((l) => l.at));
  return inst.changedAt !== undefined && inst.changedAt >= newest
    ? r
    : Object.assign({}, r, { installed: Object.assign({}, inst, { changedAt: newest }) });
}

async function resolveRelease(ctx: ResolveContext, launch: LaunchSpec, options: ResolveOptions): Promise<Resolution> {
  try {
    // Code Claude Desktop installed as an extension: the extension's folder is what is installed.
    const platform = ctx.host.platform;
    const parsed = options.reading ?? parseLaunch([launch.command, ...launch.args]);
    const own = options.processArgv
      ? extensionFolderOfLaunch(options.processArgv, options.processCwd ?? launch.cwd, platform)
      : undefined;
    const extension = own ?? extensionFolderOfLaunch([launch.command, ...launch.args], launch.cwd, platform, parsed);
    if (extension) return { installed: await readExtension(ctx, extension, own !== undefined) };
    if (options.processArgv && !parseDockerRun(launch, parsed)) {
      const processCwd = options.processCwd ?? launch.cwd;
      // A process the entry's launch started runs with the entry's PYTHONPATH (matching compares them).
      const own = await fromProcess(ctx, options.processArgv, processCwd, pythonPathRoots(ctx, launch.env, processCwd));
      if (own && isGuard(own)) {
        // The process is our own guard (`mcp-lifeguard run ... -- server`): the server is what it runs.
        const inner = afterDoubleDash(options.processArgv);
        if (inner)
          return resolveRelease(
            ctx,
            { command: inner[0], args: inner.slice(1), cwd: launch.cwd },
            Object.assign({}, options, { processArgv: undefined, reading: undefined }),
          );
      } else if (
        own?.state === 'installed' &&
        own.location &&
        inRunnerEnvironment(own.location) &&
        (parsePythonRunner(launch, parsed) ?? parseLayeredRunner(launch, parsed))
      ) {
        // uvx / pipx run / uv run --with: the environment the launch resolves to now (a newer one in the cache, say).
        const now = await fromLaunch(ctx, launch, options, parsed);
        return { installed: now.installed.state === 'installed' ? now.installed : own };
      } else if (
        own?.state === 'installed' &&
        own.location &&
        inUvTool(own.location) &&
        uvxPin(launch, parsed) !== undefined
      ) {
        // uvx reuses an installed `uv tool` that satisfies the entry's pin: the pin, not the tool, says what it runs next.
        return { installed: await pinnedUvxNow(ctx, launch, options, parsed, own) };
      } else if (own?.state === 'installed') {
        // A package manager's folder the project no longer resolves (pnpm keeps old releases): judged against what it does.
        return (await packageManagerNow(ctx, own, options, launch.cwd)) ?? { installed: own };
      } else if (own && own.state !== 'unknown') return { installed: own };
    }
    const resolved = await fromLaunch(ctx, launch, options, parsed);
    // A config wrapped with the guard: resolve the server command it wraps. The guard is known by
    // its package where the launch resolves to it, else by its name (`mcp-lifeguard run -- cmd`
    // where this machine's PATH has no mcp-lifeguard: the entry still runs cmd wherever its client has one).
    const argv = [launch.command, ...launch.args];
    const wrapped =
      isGuard(resolved.installed) ||
      (isGuardLaunch(argv) && (resolved.installed.state === 'unknown' || (await isGuardLauncher(ctx, launch.command))));
    const inner = wrapped ? afterDoubleDash([launch.command, ...launch.args]) : undefined;
    if (inner)
      return resolveRelease(
        ctx,
        { command: inner[0], args: inner.slice(1), cwd: launch.cwd },
        Object.assign({}, options, { processArgv: undefined, reading: undefined }),
      );
    return resolved;
  } catch (err) {
    return { installed: { state: 'unknown', reason: `could not read the installation: ${(err as Error).message}` } };
  }
}

/**
 * A pinned `uvx pkg==X` whose process runs from an installed `uv tool` (uvx reuses one that
 * satisfies the pin): what its next start runs is what the pin resolves to (the tool while it still
 * has X, else an environment of X in uv's cache). With only X's wheel in uv's cache, X is named but
 * what uvx builds from it is not known until it does. With X nowhere on disk, uvx fetches X at its next start: not the
 * tool's version, whatever the tool moved to.
 */
async function pinnedUvxNow(
  ctx: ResolveContext,
  launch: LaunchSpec,
  options: ResolveOptions,
  parsed: ParsedLaunch,
  tool: Extract<Installed, { state: 'installed' }>,
): Promise<Installed> {
  const now = await fromLaunch(ctx, launch, options, parsed);
  if (now.installed.state === 'installed') return now.installed;
  const pin = uvxPin(launch, parsed) ?? '';
  // No environment of it, but its wheel unpacked in uv's cache (the tool's own install left it): uvx
  // builds its next environment from that, resolving its dependencies then, so the release is named
  // and what the environment will hold stays unknown (a copy of it would be judged as the process's code).
  const history = await uvCacheHistory(ctx, uvCacheDir(ctx), tool.name);
  const held = history.state === 'found' ? history.unpacks.filter((u) => u.version === pin).at(-1) : undefined;
  const archive = held && (await ctx.fs.realpath(held.bucket));
  if (held && archive)
    return {
      state: 'unknown',
      ecosystem: 'python',
      name: tool.name,
      reason: `its entry pins ${tool.name} ${pin}, which the uv tool it ran from no longer holds (${tool.version} now); uv's cache holds the wheel of ${tool.name} ${pin} (${archive}, unpacked ${new Date(held.fetchedAt).toISOString()}): uvx builds its environment from it at its next start, its dependencies resolved then`,
    };
  return {
    state: 'unknown',
    ecosystem: 'python',
    name: tool.name,
    reason: `its entry pins ${tool.name} ${pin}, which neither the uv tool it ran from (${tool.version} now) nor uv's cache holds${history.state === 'none' ? ` (${history.reason})` : ''}: uvx fetches ${pin} at its next start`,
  };
}

/** The version a `uvx` launch pins (`pkg==X`, `pkg@X`, `--from pkg==X`), if any. */
function uvxPin(launch: LaunchSpec, parsed: ParsedLaunch): string | undefined {
  const r = parsePythonRunner(launch, parsed);
  return r?.runner === 'uvx' ? r.version : undefined;
}

/** What the project of a package the process runs from resolves now, where its package manager keeps releases it no longer installs. */
async function packageManagerNow(
  ctx: ResolveContext,
  own: Extract<Installed, { state: 'installed' }>,
  options: ResolveOptions,
  configuredCwd: string | undefined,
): Promise<Resolution | undefined> {
  const cwd = options.processCwd ?? configuredCwd;
  const full = processScript(ctx, options.processArgv ?? [], cwd ?? ctx.host.home);
  return (await pnpmProjectNow(ctx, own, full)) ?? (await pnpProjectNow(ctx, own, cwd));
}

/**
 * Whether a configured program is the launcher of an installed guard (`<root>/bin/mcp-lifeguard`,
 * the command Wrap and Share write), known by its content: a shell script, so no package says so.
 */
async function isGuardLauncher(ctx: ResolveContext, program: string): Promise<boolean> {
  if (!pathFor(ctx.host).isAbsolute(program)) return false;
  const prefix = await ctx.fs.readBytes?.(program, 0, 512).catch(() => undefined);
  return prefix !== undefined && isCliBundleText(prefix.toString('utf8'));
}

/** MCP Lifeguard's own package: a launch through the guard is judged by the server it wraps. */
function isGuard(installed: Installed): boolean {
  return installed.state === 'installed' && installed.ecosystem === 'npm' && installed.name === 'mcp-lifeguard';
}

function afterDoubleDash(argv: readonly string[]): string[] | undefined {
  const i = argv.indexOf('--');
  return i >= 0 && i + 1 < argv.length ? argv.slice(i + 1) : undefined;
}
