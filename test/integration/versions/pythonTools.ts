import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { PYTHON, run } from './support';
import { cached, pipWheel, PIPX_VERSION, pypiWheel, pypiWheelhouse, pythonTool, uvBin } from '../../support/toolCache';
import { isolatedHome, writeBytecode } from '../../support/venv';

/**
 * The real PyPI server the uv and pipx tests install (`mcp-server-time`) at two releases, each
 * with its own wheelhouse (pip cannot download two pins of one project in one resolution), and a
 * second release of one of its dependencies for a dependency-only move.
 */
export const TIME = 'mcp-server-time';
export const OLD = '2026.8.18';
export const NEW = '2026.10.19';
export const DEP = 'tzdata';
export const DEP_OTHER = '2024.2';

/** Folders to install from offline: both releases' wheelhouses and the other dependency release. */
export async function timeWheels(): Promise<string[]> {
  return Promise.all([
    pypiWheelhouse(PYTHON, `${TIME}-${OLD}`, [`${TIME}==${OLD}`]),
    pypiWheelhouse(PYTHON, `${TIME}-${NEW}`, [`${TIME}==${NEW}`]),
    pypiWheel(PYTHON, DEP, DEP_OTHER),
  ]);
}

/**
 * A temp home at `<root>/home` with XDG folders under it; everything the tools write lands inside.
 * Python writes bytecode there as by default (a tool or server started again loads it compiled).
 */
export function toolHome(root: string): { home: string; env: Record<string, string> } {
  const home = path.join(root, 'home');
  return { home, env: { ...isolatedHome(home), ...writeBytecode } };
}

/**
 * A real stdio MCP server (it waits on stdin, kept open) started and sent `initialize`; resolves once
 * it answered, so its code is loaded (uvx builds its environment first, which may take a while).
 */
export async function startMcp(
  command: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  started: ChildProcess[],
): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
  started.push(child);
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const init = {
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'lg-test', version: '0' } },
  };
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`${command} ${args.join(' ')} did not answer initialize: ${err}`)),
      300_000,
    );
    child.once('exit', (code) => reject(new Error(`${command} ${args.join(' ')} exited (${code}): ${err}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      if (/"id":\s*1\b/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stdin?.write(`${JSON.stringify(init)}\n`);
  });
  child.removeAllListeners('exit');
  child.stdout?.removeAllListeners('data');
  child.stdout?.resume();
  return child;
}

/** The pip release pipx's shared libraries venv upgrades to, offline (pipx 1.18.4 asks for pip >= 26.1). */
const SHARED_PIP = '26.1.2';

export interface PipxSetup {
  home: string;
  pipxHome: string;
  /** PIPX_HOME, PIPX_BIN_DIR, ... and pip's offline settings: what a client's env would hold. */
  pipxEnv: Record<string, string>;
  /** The wheelhouses pipx installs from. */
  wheels: string[];
  /** Runs real pipx (`python3 -m pipx ARGS`) with that env. */
  pipxRun(...args: string[]): Promise<string>;
}

/**
 * pipx 1.18.4 from PyPI with its home and bin dir under a temp home, offline. Its shared libraries
 * (the venv whose pip every pipx venv runs) are pipx's own, made once per machine (pipxSharedLibs)
 * and shared: pipx's making of them is no test's subject, and each home's venvs link to them as
 * pipx links its default ones. `sharedLibs`: another folder for them instead.
 */
export async function pipxSetup(root: string, opts: { sharedLibs?: string } = {}): Promise<PipxSetup> {
  const [pipx, wheels, pip] = await Promise.all([
    pythonTool(PYTHON, 'pipx', PIPX_VERSION),
    timeWheels(),
    pipWheel(PYTHON, SHARED_PIP),
  ]);
  const sharedLibs = opts.sharedLibs ?? (await pipxSharedLibs(pipx, pip));
  const { home, env: homeEnv } = toolHome(root);
  const pipxHome = path.join(home, '.local', 'share', 'pipx');
  const pipxEnv: Record<string, string> = {
    ...homeEnv,
    PIPX_HOME: pipxHome,
    PIPX_BIN_DIR: path.join(home, '.local', 'bin'),
    PIPX_MAN_DIR: path.join(home, '.local', 'share', 'man'),
    PIPX_SHARED_LIBS: sharedLibs,
    // pipx upgrades its shared libraries when they are 30 days old: never in the shared ones.
    PIPX_DISABLE_SHARED_LIBS_AUTO_UPGRADE: '1',
    // pipx makes its venvs with uv when uv is on PATH: these tests' subject is pip's venvs and pipx's log.
    PIPX_DEFAULT_BACKEND: 'pip',
    PIP_NO_INDEX: '1',
    PIP_FIND_LINKS: [...wheels, pip].join(' '),
    PIP_CONFIG_FILE: '/dev/null',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
  };
  const env = { ...process.env, ...pipxEnv, PYTHONPATH: pipx };
  return {
    home,
    pipxHome,
    pipxEnv,
    wheels: [...wheels, pip],
    pipxRun: (...args) => run(PYTHON, ['-m', 'pipx', ...args], { env }),
  };
}

/**
 * pipx's shared libraries as real pipx makes them (`pipx upgrade-shared`: a venv, and pip
 * reinstalled in it at SHARED_PIP, offline), once per machine in the test cache. Tests' pipx runs
 * only read them (auto-upgrade disabled, see pipxSetup); pipx's lock file beside them is the one
 * thing they write there.
 */
function pipxSharedLibs(pipx: string, pip: string): Promise<string> {
  return cached('pipx-shared', `${PIPX_VERSION}-pip-${SHARED_PIP}`, async (dir) => {
    const home = path.join(dir, 'home');
    await run(PYTHON, ['-m', 'pipx', 'upgrade-shared'], {
      env: {
        ...process.env,
        ...isolatedHome(home),
        PYTHONPATH: pipx,
        PIPX_HOME: path.join(home, 'pipx'),
        PIPX_SHARED_LIBS: path.join(dir, 'shared'),
        PIPX_DEFAULT_BACKEND: 'pip',
        PIP_NO_INDEX: '1',
        PIP_FIND_LINKS: pip,
        PIP_CONFIG_FILE: '/dev/null',
        PIP_DISABLE_PIP_VERSION_CHECK: '1',
      },
    });
    fs.rmSync(home, { recursive: true, force: true });
  }).then((dir) => path.join(dir, 'shared'));
}

/** An instance's verdict, asserted stale (`when` says after what), for the fields a stale verdict has. */
export function staleVerdict(
  i: Instance,
  when: string,
): Extract<NonNullable<Instance['versions']>['verdict'], { state: 'stale' }> {
  const v = i.versions?.verdict;
  assert.equal(v?.state, 'stale', `${when}: ${JSON.stringify(i.versions)}`);
  return v?.state === 'stale' ? v : assert.fail('not stale');
}

/**
 * uv's folders under a temp home (cache, tools, bins), offline from the given wheelhouses, no
 * Python downloads, no user config: what a client's env would hold for uv and uvx.
 */
export function uvToolEnv(home: string, wheels: readonly string[]): Record<string, string> {
  return {
    UV_CACHE_DIR: path.join(home, '.cache', 'uv'),
    UV_TOOL_DIR: path.join(home, '.local', 'share', 'uv', 'tools'),
    UV_TOOL_BIN_DIR: path.join(home, '.local', 'bin'),
    UV_PYTHON_DOWNLOADS: 'never',
    // uv 0.13.9 has no environment variable for --no-index (UV_NO_INDEX is ignored): UV_OFFLINE
    // keeps every resolution to the find-links wheelhouses.
    UV_OFFLINE: '1',
    UV_FIND_LINKS: wheels.join(','),
    UV_NO_CONFIG: '1',
  };
}

/**
 * mcp-server-time at `version` installed by real `uv tool install` (offline, from the wheelhouses)
 * under a temp home at `<root>/home`: the home, uv's folder and the env a client of it would hold.
 */
export async function uvToolInstalled(
  root: string,
  version: string,
): Promise<{ home: string; bin: string; uvEnv: Record<string, string> }> {
  const [bin, wheels] = await Promise.all([uvBin(PYTHON), timeWheels()]);
  const { home, env: homeEnv } = toolHome(root);
  const uvEnv: Record<string, string> = {
    ...homeEnv,
    ...uvToolEnv(home, wheels),
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
  };
  await run(path.join(bin, 'uv'), ['tool', 'install', '--python', PYTHON, `${TIME}==${version}`], {
    env: { ...process.env, ...uvEnv },
  });
  return { home, bin, uvEnv };
}
