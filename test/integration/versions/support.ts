import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance, ServerStatus, Snapshot } from '../../../src/core/base/model';
import { currentHostEnv } from '../../../src/core/machine/live';
import { takeSnapshot } from '../../../src/core/snapshot';
import type { VersionFs } from '../../../src/core/versions/fs';
import type { ResolveContext } from '../../../src/core/versions/lookup';
import { until } from '../../support/poll';
import { fixturesDir } from '../../support/repo';
import { testSettleEnv } from '../../support/settle';
import { cached, copyTree } from '../../support/toolCache';
import { PYTHON, run } from '../../support/run';
import { offlineVenv, OfflineVenv, VenvHolding } from '../../support/venv';

export { PYTHON, run } from '../../support/run';
export { copyTree, copyTreeSync } from '../../support/toolCache';
export { makeTempDir as tempDir } from '../../support/temp';

/**
 * A real venv under `root` and the fixture wheels built beside it; `pip` installs from those local
 * files only (no index, no user or site pip configuration pointing elsewhere), and from the
 * `findLinks` folders (cached PyPI wheelhouses) too; `holding`: what it holds before (offlineVenv).
 */
export async function fixtureVenv(
  root: string,
  opts: { findLinks?: string[]; copies?: boolean; python?: string; holding?: VenvHolding } = {},
): Promise<OfflineVenv> {
  const wheels = path.join(root, 'wheels');
  await run(PYTHON, [path.join(fixturesDir, 'python', 'build_wheels.py'), wheels]);
  return offlineVenv(root, [wheels, ...(opts.findLinks ?? [])], {
    copies: opts.copies,
    python: opts.python,
    holding: opts.holding,
  });
}

/** A workspace folder whose `.mcp.json` configures one stdio server. */
export function project(
  root: string,
  name: string,
  command: string,
  args: string[],
  env: Record<string, string> = {},
): string {
  const dir = path.join(root, 'project');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, '.mcp.json'),
    JSON.stringify({ mcpServers: { [name]: { command, args, env } } }, null, 2),
  );
  return dir;
}

export const MEM = '@modelcontextprotocol/server-memory';
export const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
export const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';

/** npm with a cache of the test's own (`<root>/npm-cache`), and no audit, fund or update chatter. */
export function npmEnv(root: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    npm_config_cache: path.join(root, 'npm-cache'),
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
}

/**
 * What `install` writes under a folder with a real installer from the npm registry (npm's trees and
 * its cache `<dir>/npm-cache`, as npmEnv points npm at; yarn's tree and its cache), made once per
 * machine and kept in the test cache under `key`, then
 * copied into `root` (links as links, times as npm wrote them): the same files a fresh install would
 * leave, without paying for the install in every test. npm's debug logs are left out. `key` must
 * change whenever `install` does. What a test does after the copy (an upgrade, an uninstall) is a
 * real npm run in `root` against the copied cache, as on a user's machine.
 */
export async function npmWorld(root: string, key: string, install: (dir: string) => Promise<unknown>): Promise<void> {
  const template = await npmTemplate(key, install);
  fs.mkdirSync(root, { recursive: true });
  await copyTree(`${template}/.`, root);
}

/** npmWorld's template of `key`: made once per machine, never written after (copy it, never change it). */
function npmTemplate(key: string, install: (dir: string) => Promise<unknown>): Promise<string> {
  return cached('npm-world', key, async (dir) => {
    await install(dir);
    fs.rmSync(path.join(dir, 'npm-cache', '_logs'), { recursive: true, force: true });
  });
}

/**
 * What a first `npx -y @modelcontextprotocol/server-memory` leaves in a fresh npm cache
 * `<root>/npm-cache` (npmWorld: once per machine): the `_npx/<hash>` folder of the unpinned spec,
 * which a later `npx -y` of it (any arguments after the spec) finds, and updates should a newer
 * release be out.
 */
export async function npxMemoryCache(root: string): Promise<void> {
  await npmWorld(root, 'npx-latest', (dir) =>
    run(NPX, ['-y', '-p', MEM, 'node', '-e', '0'], { cwd: dir, env: npmEnv(dir) }),
  );
}

/**
 * What a first `npx -y @modelcontextprotocol/server-memory@V` leaves in a fresh npm cache
 * `<root>/npm-cache` for each V of `versions` (npmWorld: once per machine): the `_npx/<hash>` folder
 * of each pinned spec, from which a later `npx -y` of that spec runs the release without installing
 * it again, as on a machine that ran the pin before. A test whose subject is npx's own fetch runs
 * npx on an empty cache instead.
 */
export async function npxPinnedMemoryCache(root: string, versions: string[]): Promise<void> {
  await npmWorld(root, `npx-${versions.join('+')}`, async (dir) => {
    for (const version of versions)
      await run(NPX, ['-y', '-p', `${MEM}@${version}`, 'node', '-e', '0'], { cwd: dir, env: npmEnv(dir) });
  });
}

const projectKey = (specs: string[]) => `project-${specs.join('+').replace(/[\\/@]/g, '_')}`;
const installProject = (specs: string[]) => (dir: string) =>
  run(NPM, ['install', '--prefix', path.join(dir, 'prefix'), ...specs], { env: npmEnv(dir) });

/**
 * The prefix real npm left after `npm install --prefix PREFIX server-memory@version` (memoryInProject's,
 * made once per machine): a template to copy (copyTree) where a test needs that tree, never to change.
 */
export async function memoryPrefixTemplate(version: string): Promise<string> {
  const specs = [`${MEM}@${version}`];
  return path.join(await npmTemplate(projectKey(specs), installProject(specs)), 'prefix');
}

/**
 * server-memory at `version` installed with real npm into `<root>/prefix`, its npm cache in
 * `<root>/npm-cache` (npmWorld: once per machine): the prefix and the bin. `extra` packages are
 * installed beside it in the same `npm install`.
 */
export async function memoryPrefix(
  root: string,
  version: string,
  extra: string[] = [],
): Promise<{ prefix: string; bin: string }> {
  const specs = [`${MEM}@${version}`, ...extra];
  await npmWorld(root, projectKey(specs), installProject(specs));
  const prefix = path.join(root, 'prefix');
  return { prefix, bin: path.join(prefix, 'node_modules', '.bin', 'mcp-server-memory') };
}

/**
 * server-memory at `version` installed with real npm into `<root>/prefix` (memoryPrefix: once per
 * machine), configured by its bin in a project's `.mcp.json`, and an empty home folder: what most
 * version tests start from.
 */
export async function memoryInProject(
  root: string,
  version: string,
  extra: string[] = [],
): Promise<{ prefix: string; bin: string; env: Record<string, string>; projectDir: string; home: string }> {
  const { prefix, bin } = await memoryPrefix(root, version, extra);
  const env = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
  const projectDir = project(root, 'memory', bin, [], env);
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  return { prefix, bin, env, projectDir, home };
}

/**
 * server-memory at `version` installed globally with real npm into `<root>/global` (npmWorld: once
 * per machine), configured by name in a project's `.mcp.json` (found on PATH, as users do after
 * `npm i -g`), and an empty home.
 */
export async function memoryGlobal(
  root: string,
  version: string,
): Promise<{
  globalPrefix: string;
  binDir: string;
  PATH: string;
  env: Record<string, string>;
  projectDir: string;
  home: string;
}> {
  const globalPrefix = path.join(root, 'global');
  await npmWorld(root, `global-${version}`, (dir) =>
    run(NPM, ['install', '-g', '--prefix', path.join(dir, 'global'), `${MEM}@${version}`], { env: npmEnv(dir) }),
  );
  const binDir = path.join(globalPrefix, 'bin');
  const env = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
  const projectDir = project(root, 'memory', 'mcp-server-memory', [], env);
  const home = path.join(root, 'home');
  fs.mkdirSync(home);
  return { globalPrefix, binDir, PATH: `${binDir}${path.delimiter}${process.env.PATH}`, env, projectDir, home };
}

/** A project `<dir>/app` (a package.json of its own) and `npm install` of server-memory in its folder, which adds the dependency. */
async function installApp(dir: string, version: string): Promise<void> {
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  await run(NPM, ['install', `${MEM}@${version}`], { env: npmEnv(dir), cwd: app });
}

/**
 * What `npm install server-memory@version` in a new project leaves (installApp: `<template>/app`,
 * and npm's cache `<template>/npm-cache`), made once per machine: a template to copy (copyTree),
 * never to change.
 */
export function memoryAppTemplate(version: string): Promise<string> {
  return npmTemplate(`app-${version}`, (dir) => installApp(dir, version));
}

/**
 * server-memory installed with real npm (npmWorld: once per machine) globally into `<root>/global`
 * at `globalVersion`, and at `appVersion` into a project `<root>/app` (installApp), one npm cache
 * for both.
 */
export async function globalAndApp(root: string, globalVersion: string, appVersion: string): Promise<void> {
  await npmWorld(root, `global-${globalVersion}-app-${appVersion}`, async (dir) => {
    await run(NPM, ['install', '-g', '--prefix', path.join(dir, 'global'), `${MEM}@${globalVersion}`], {
      env: npmEnv(dir),
    });
    await installApp(dir, appVersion);
  });
}

/**
 * A snapshot of this machine's processes against a fixture home, with all of our own files under
 * `lgHome`, judged with the tests' short quiet period after a change (support/settle.ts; a test of
 * the quiet period itself passes `MCP_LIFEGUARD_SETTLE_MS` in `extraEnv`).
 */
export function snapshot(
  home: string,
  projectDir: string,
  lgHome: string,
  extraEnv: Record<string, string> = {},
): Promise<Snapshot> {
  return takeSnapshot({
    host: {
      home,
      platform: process.platform,
      env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: lgHome, ...testSettleEnv, ...extraEnv },
    },
    workspaceFolders: [projectDir],
    engine: { registry: false, docker: false },
  });
}

export function serverIn(s: Snapshot, name: string): ServerStatus {
  const found = s.servers.find((x) => x.name === name);
  if (!found) throw new Error(`no server '${name}' in the snapshot: ${s.servers.map((x) => x.name).join(', ')}`);
  return found;
}

/**
 * Polls snapshots until the server has an instance for `pid` whose version judgement is not waiting
 * for an install to settle (bounded: a loaded machine may be slow).
 */
export async function instanceOf(take: () => Promise<Snapshot>, name: string, pid: number): Promise<Instance> {
  let last = '';
  return until(
    () => `a settled instance of ${name} for pid ${pid} (instances: ${last})`,
    async () => {
      const server = serverIn(await take(), name);
      last = JSON.stringify(server.instances.map((i) => [i.pid, i.commandLine, i.versions?.verdict]));
      const found = server.instances.find((i) => i.pid === pid || i.launcherChain.some((c) => c.pid === pid));
      return found?.versions?.verdict.state === 'unknown' && found.versions.verdict.settling ? undefined : found;
    },
    60_000,
    500,
  );
}

/** The user's npm configuration, as the engine reads it, with the test's npm cache, its files read through `fs`. */
export function npmCacheContext(cache: string, fs: VersionFs): ResolveContext {
  return { host: currentHostEnv({ ...process.env, npm_config_cache: cache }), fs };
}
