import { promises as fsp, Stats } from 'node:fs';
import * as path from 'node:path';
import { parseLaunch } from '../launch/parse';
import { hasSeparator, programName } from '../launch/program';
import { which } from '../launch/which';

/**
 * A minimal npm resolver: which installed package a launch command runs, and its version now.
 * Covers a package's bin (`.../node_modules/.bin/x` or its target) and `node <script>`; launches it
 * cannot see through (npx, wrappers) resolve to `unknown`, never to a guess.
 */

export type NpmVersion = { state: 'known'; name: string; version: string; ecosystem: 'npm' } | { state: 'unknown'; reason: string };

/** The script a launch executes: the command itself, or the script `node` runs. */
export async function launchedScript(launch: { command: string; args: readonly string[]; cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<string | undefined> {
  const command = await resolveOnPath(launch.command, launch.cwd, launch.env);
  if (!command) return undefined;
  if (/^(node|nodejs)$/.test(programName(command)) || command === process.execPath) {
    // `node --require hook.cjs server.js`: the option's value is not the script.
    const parsed = parseLaunch(['node', ...launch.args]);
    return parsed.target.kind === 'script' && parsed.interpreter === 'node' ? path.resolve(launch.cwd, parsed.target.script) : undefined;
  }
  return command;
}

/** Resolves a command name like a shell would (PATH), or a path against cwd. */
export async function resolveOnPath(command: string, cwd: string, env: Readonly<Record<string, string | undefined>>): Promise<string | undefined> {
  if (hasSeparator(command)) return path.resolve(cwd, command);
  return which(command, process.platform, env, async (candidate) => {
    try {
      return (await fsp.stat(candidate)).isFile();
    } catch {
      return false; // not in this PATH entry: try the next one
    }
  });
}

/**
 * The package.json of the npm package that contains `file` (following the bin symlink): the nearest
 * one with a name and a version, not looking past the package's node_modules folder.
 */
export async function findOwningPackageJson(file: string): Promise<string | undefined> {
  let dir: string;
  try {
    dir = path.dirname(await fsp.realpath(file));
  } catch {
    return undefined;
  }
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    try {
      const json = JSON.parse(await fsp.readFile(candidate, 'utf8')) as { name?: unknown; version?: unknown };
      // A nested package.json with only {"type": "module"} (common under dist/) is not the package.
      if (typeof json.name === 'string' && typeof json.version === 'string') return candidate;
    } catch {
      // no package.json here, or not JSON: keep walking up
    }
    const up = path.dirname(dir);
    if (up === dir || path.basename(dir) === 'node_modules') return undefined;
    dir = up;
  }
}

/**
 * Reads a package's installed version, re-reading package.json only when it changed (mtime, size or
 * inode: an `npm install` replaces the folder), so asking on every request costs one stat.
 */
export class NpmInstalledVersion {
  private cached: { key: string; value: NpmVersion } | undefined;

  constructor(readonly packageJsonPath: string) {}

  async installed(): Promise<NpmVersion> {
    let st: Stats;
    try {
      st = await fsp.stat(this.packageJsonPath);
    } catch (err) {
      return { state: 'unknown', reason: `${this.packageJsonPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}` };
    }
    const key = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (this.cached?.key === key) return this.cached.value;
    let value: NpmVersion;
    try {
      const json = JSON.parse(await fsp.readFile(this.packageJsonPath, 'utf8')) as { name?: unknown; version?: unknown };
      value =
        typeof json.name === 'string' && typeof json.version === 'string'
          ? { state: 'known', name: json.name, version: json.version, ecosystem: 'npm' }
          : { state: 'unknown', reason: `${this.packageJsonPath} has no name or version` };
    } catch (err) {
      value = { state: 'unknown', reason: `${this.packageJsonPath}: ${(err as Error).message}` };
    }
    this.cached = { key, value };
    return value;
  }
}

/** The installed-version source of a launch, or undefined when it does not run a resolvable npm package. */
export async function npmVersionOfLaunch(launch: { command: string; args: readonly string[]; cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<NpmInstalledVersion | undefined> {
  const script = await launchedScript(launch);
  if (!script) return undefined;
  const pkg = await findOwningPackageJson(script);
  return pkg ? new NpmInstalledVersion(pkg) : undefined;
}
