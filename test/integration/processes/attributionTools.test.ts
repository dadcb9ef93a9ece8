import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import { takeSnapshot } from '../../../src/core/snapshot';
import { until } from '../../support/poll';
import { killAll, stopChildren } from '../../support/liveness';
import { makeTempDir } from '../../support/temp';
import { waitForOutput } from '../../support/startup';
import { npmTool, PIPX_VERSION, pythonTool, toolCacheRoot, uvBin } from '../../support/toolCache';
import { PYTHON } from '../../support/run';
import { pipxSetup, startMcp, TIME, OLD, timeWheels, toolHome } from '../versions/pythonTools';

const TSX = '4.19.2';
const NODEMON = '3.1.10';
const PNPM = '9.15.9';
const BUN = '1.4.5';
const YARN = '4.18.1';
const MEMORY = '@modelcontextprotocol/server-memory@2026.8.31';

/** A project folder whose `.mcp.json` holds these servers. */
function projectWith(root: string, servers: Record<string, unknown>): string {
  const dir = path.join(root, 'project');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, '.mcp.json'), JSON.stringify({ mcpServers: servers }, null, 2));
  return dir;
}

function take(home: string, projectDir: string, env: Record<string, string> = {}): Promise<Snapshot> {
  return takeSnapshot({
    host: {
      home,
      platform: process.platform,
      env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: path.join(home, '.lg'), ...env },
    },
    workspaceFolders: [projectDir],
    engine: { registry: false, docker: false },
  });
}

const undecided = (i: Instance): boolean => i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner');
/** Why an instance's owner is undecided, when it is. */
function whyUndecided(i: Instance | undefined): string | undefined {
  const v = i?.verdicts.find((x) => x.kind === 'unknown' && x.question === 'owner');
  return v?.kind === 'unknown' ? v.reason : undefined;
}
/** The instance of `name` whose launch started as `pid`, once listed. */
function instanceFor(s: Snapshot, name: string, pid: number): Instance | undefined {
  return s.servers
    .find((x) => x.name === name)
    ?.instances.find((i) => i.pid === pid || i.launcherChain.some((c) => c.pid === pid));
}

/** Resolves once each runner's server printed that it serves (its fetch done, its modules loaded). */
async function serving(runners: readonly ChildProcess[]): Promise<void> {
  await Promise.all(runners.map((c) => waitForOutput(c, /running on stdio/, 180_000)));
  for (const c of runners) c.stderr?.resume();
}

/**
 * Attribution with the real tools that rewrite or replace what runs: tsx running a TypeScript server
 * in a child, nodemon restarting one, pipx exec'ing into its cached environment, and uv's
 * `--directory`. Each process stays its entry's (never read `ok` under Not configured). pnpm
 * relinking a project's bin shim under its server is held in versions/layouts.test.ts, whose real
 * pnpm project it shares.
 */
describe("attribution (integration): real tsx, nodemon, pipx and uv launches stay their entry's", function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  /** Temp folders whose runners' servers outlive their runner when it is stopped (bunx's, yarn's node child). */
  const tags: string[] = [];

  before(function () {
    if (process.platform !== 'linux') this.skip();
  });

  afterEach(async () => {
    await stopChildren(started.splice(0));
    for (const tag of tags.splice(0)) await killAll([], tag);
  });

  it('tsx: the instance is the node child that runs the TypeScript server; the tsx launcher is above it', async () => {
    const tsxBin = path.join(await npmTool('tsx', TSX), 'tsx');
    const root = makeTempDir('lg-tsx-attr-');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const server = path.join(root, 'srv', 'mcp-server.ts');
    fs.mkdirSync(path.dirname(server));
    fs.writeFileSync(
      server,
      'const wait: number = 110000;\nprocess.stdin.resume();\nsetTimeout(() => process.exit(0), wait);\n',
    );
    const projectDir = projectWith(root, { ts: { command: tsxBin, args: [server] } });
    const child = spawn(tsxBin, [server], { cwd: projectDir, stdio: ['pipe', 'ignore', 'ignore'] });
    started.push(child);
    const inst = await until("the tsx server's node child", async () => {
      const i = instanceFor(await take(home, projectDir), 'ts', child.pid!);
      return i && i.pid !== child.pid ? i : undefined;
    });
    assert.ok(
      inst.launcherChain.some((c) => c.pid === child.pid),
      'tsx is a launcher of the instance',
    );
    assert.match(inst.commandLine, /mcp-server\.ts/);
    assert.doesNotMatch(inst.commandLine, /\.bin\/tsx/, 'the instance is the child, not tsx');
    assert.ok(!undecided(inst), JSON.stringify(inst.verdicts));
  });

  it('nodemon: the instance is the node child it runs, and a restart on a change is a new start', async () => {
    const nodemon = path.join(await npmTool('nodemon', NODEMON), 'nodemon');
    const root = makeTempDir('lg-nodemon-attr-');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const server = path.join(root, 'srv', 'mcp-server.js');
    fs.mkdirSync(path.dirname(server));
    fs.writeFileSync(server, 'process.stdin.resume();\nsetTimeout(() => process.exit(0), 110000);\n');
    const projectDir = projectWith(root, {
      watched: { command: nodemon, args: ['--watch', path.dirname(server), server] },
    });
    const child = spawn(nodemon, ['--watch', path.dirname(server), server], {
      cwd: projectDir,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    started.push(child);
    // A child nodemon has forked but not yet exec'd still carries nodemon's command line: waited past.
    const first = await until("nodemon's node child", async () => {
      const i = instanceFor(await take(home, projectDir), 'watched', child.pid!);
      return i && i.pid !== child.pid && !/[\\/]\.bin[\\/]nodemon\b|nodemon[\\/]bin/.test(i.commandLine)
        ? i
        : undefined;
    });
    assert.ok(
      first.launcherChain.some((c) => c.pid === child.pid),
      'nodemon is a launcher of the instance',
    );
    assert.doesNotMatch(
      first.commandLine,
      /[\\/]\.bin[\\/]nodemon\b|nodemon[\\/]bin/,
      'the instance is the child, not nodemon',
    );
    assert.ok(!undecided(first), JSON.stringify(first.verdicts));
    // Saved again each look until nodemon restarts (a save before its watcher was set up is not seen).
    let saves = 0;
    const second = await until('a new child after the save', async () => {
      fs.writeFileSync(
        server,
        `process.stdin.resume();\nsetTimeout(() => process.exit(0), 110000);\n// saved ${++saves}\n`,
      );
      const i = instanceFor(await take(home, projectDir), 'watched', child.pid!);
      // A child a later save's restart ends while it is read has no start to compare: the next look has one.
      return i && i.pid !== first.pid && i.pid !== child.pid && i.startTime !== undefined ? i : undefined;
    });
    assert.ok(
      (second.startTime ?? 0) > (first.startTime ?? 0),
      `pid ${first.pid} started at ${first.startTime}, pid ${second.pid} at ${second.startTime}`,
    );
  });

  it("pipx run --spec pkg==X app: the app pipx execs into its cached environment is the entry's", async () => {
    const root = makeTempDir('lg-pipx-attr-');
    const px = await pipxSetup(root);
    const args = ['-m', 'pipx', 'run', '--spec', `${TIME}==${OLD}`, TIME];
    const projectDir = projectWith(root, { time: { command: PYTHON, args } });
    // The client runs pipx as a module of its tool folder, with pipx's home and offline pip settings.
    const pipxPath = await pythonTool(PYTHON, 'pipx', PIPX_VERSION);
    const child = await startMcp(
      PYTHON,
      args,
      projectDir,
      { ...process.env, ...px.pipxEnv, PYTHONPATH: pipxPath },
      started,
    );
    const inst = await until("the app pipx exec'd into", async () =>
      instanceFor(await take(px.home, projectDir, px.pipxEnv), 'time', child.pid!),
    );
    assert.equal(inst.pid, child.pid, 'pipx replaced itself: the same pid runs the app');
    assert.match(inst.commandLine, /pipx\/\.cache\//, inst.commandLine);
    assert.ok(!undecided(inst), JSON.stringify(inst.verdicts));
    const settled = await until('a settled verdict', async () => {
      const i = instanceFor(await take(px.home, projectDir, px.pipxEnv), 'time', child.pid!);
      return i && !(i.versions?.verdict.state === 'unknown' && i.versions.verdict.settling) ? i : undefined;
    });
    // The environment pipx built just before it exec'd is what the process loaded, not a change under it.
    assert.equal(settled.versions?.verdict.state, 'current', JSON.stringify(settled.versions));
  });

  it("pnpm dlx: the run from this home's pnpm cache is the npx entry's, proven; the same package run from another home's is nobody's", async () => {
    const pnpm = path.join(await npmTool('pnpm', PNPM), 'pnpm');
    const root = makeTempDir('lg-pnpm-dlx-attr-');
    const homeOf = (name: string): string => {
      const dir = path.join(root, name);
      fs.mkdirSync(dir);
      return dir;
    };
    const mine = homeOf('home');
    const theirs = homeOf('other-home');
    const projectDir = projectWith(root, { mem: { command: 'npx', args: ['-y', MEMORY] } });
    // One store for every run (downloaded once), each home's own dlx cache under its ~/.cache/pnpm.
    const store = path.join(toolCacheRoot(), `pnpm-store-dlx-${PNPM}`);
    const dlx = (home: string): ChildProcess => {
      const env = { ...process.env, HOME: home, npm_config_store_dir: store } as NodeJS.ProcessEnv;
      delete env.XDG_CACHE_HOME;
      delete env.npm_config_cache_dir;
      const child = spawn(pnpm, ['dlx', MEMORY], { cwd: projectDir, env, stdio: ['pipe', 'ignore', 'ignore'] });
      started.push(child);
      return child;
    };
    const own = dlx(mine);
    const stranger = dlx(theirs);
    // Each home's server itself running (not only its pnpm, still fetching, or the process between:
    // a runner with no server yet cannot be compared, and is listed undecided until it has one).
    const serverOf = (home: string) =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .some((p) => {
          try {
            const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
            return cmd.includes(path.join(home, '.cache', 'pnpm')) && cmd.includes('dist/index.js');
          } catch {
            return false;
          }
        });
    const snap = await until('both dlx servers running', async () => {
      if (!serverOf(theirs) || !serverOf(mine)) return undefined;
      const s = await take(mine, projectDir);
      const i = instanceFor(s, 'mem', own.pid!);
      return i && i.pid !== own.pid && i.commandLine.includes('dist/index.js') ? s : undefined;
    });
    const mineFound = instanceFor(snap, 'mem', own.pid!)!;
    assert.ok(
      !undecided(mineFound),
      `this home's dlx run is proven the entry's: ${mineFound.commandLine} ${JSON.stringify(mineFound.verdicts)}`,
    );
    assert.equal(
      instanceFor(snap, 'mem', stranger.pid!),
      undefined,
      `another home's pnpm dlx run is not the entry's: ${JSON.stringify(snap.servers.find((s) => s.name === 'mem')?.instances.map((i) => [i.pid, i.commandLine]))}`,
    );
  });

  it("bunx: the run from this home's bun cache is the npx entry's, proven, also once its files are deleted; the same package run from another home's is nobody's", async () => {
    const bin = await npmTool('bun', BUN);
    const root = makeTempDir('lg-bunx-attr-');
    tags.push(root);
    const mine = path.join(root, 'home');
    const theirs = path.join(root, 'other-home');
    const projectDir = projectWith(root, { mem: { command: 'npx', args: ['-y', MEMORY] } });
    // Each home's bunx installs into its own ~/.bun/install/cache/.bunx-<uid>/ (bun's defaults).
    const bunx = (home: string): ChildProcess => {
      fs.mkdirSync(home, { recursive: true });
      const env = { ...process.env, HOME: home, DO_NOT_TRACK: '1' } as NodeJS.ProcessEnv;
      delete env.BUN_INSTALL;
      delete env.BUN_INSTALL_CACHE_DIR;
      const child = spawn(path.join(bin, 'bunx'), [MEMORY], {
        cwd: projectDir,
        env,
        stdio: ['pipe', 'ignore', 'pipe'],
      });
      started.push(child);
      return child;
    };
    const own = bunx(mine);
    const stranger = bunx(theirs);
    // Both servers serving: every module loaded, so deleting their files below leaves them running.
    await serving([own, stranger]);
    const runFolder = (home: string) => path.join(home, '.bun', 'install', 'cache', `.bunx-${process.getuid!()}`);
    const snap = await until("this home's bunx server listed", async () => {
      const s = await take(mine, projectDir);
      const i = instanceFor(s, 'mem', own.pid!);
      return i && i.pid !== own.pid ? s : undefined;
    });
    const listed = (s: Snapshot) =>
      JSON.stringify(s.servers.find((x) => x.name === 'mem')?.instances.map((i) => [i.pid, i.commandLine]));
    assert.ok(!undecided(instanceFor(snap, 'mem', own.pid!)!), "this home's bunx run is proven the entry's");
    assert.equal(instanceFor(snap, 'mem', stranger.pid!), undefined, `another home's bunx run: ${listed(snap)}`);

    // Both runs' installs deleted while they serve: the path each recorded still names its home's cache.
    fs.rmSync(runFolder(mine), { recursive: true, force: true });
    fs.rmSync(runFolder(theirs), { recursive: true, force: true });
    const gone = await take(mine, projectDir);
    const ownGone = instanceFor(gone, 'mem', own.pid!);
    assert.ok(ownGone && !undecided(ownGone), `this home's deleted run stays proven: ${listed(gone)}`);
    assert.equal(instanceFor(gone, 'mem', stranger.pid!), undefined, `another home's deleted run: ${listed(gone)}`);
  });

  it("yarn dlx: this home's run from yarn's temporary project is listed under the npx entry undecided, saying why, never claimed, also once its files are deleted; another home's is not the entry's at all", async () => {
    const yarn = path.join(await npmTool('@yarnpkg/cli-dist', YARN), 'yarn');
    const root = makeTempDir('lg-yarn-dlx-attr-');
    tags.push(root);
    const mine = path.join(root, 'home');
    const theirs = path.join(root, 'other-home');
    // One temp folder for both homes, as the OS's is: yarn dlx makes its project there for each run.
    const tmp = path.join(root, 'tmp');
    fs.mkdirSync(tmp);
    const projectDir = projectWith(root, { mem: { command: 'npx', args: ['-y', MEMORY] } });
    const dlx = (home: string): ChildProcess => {
      fs.mkdirSync(home, { recursive: true });
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: home,
        TMPDIR: tmp,
        YARN_ENABLE_TELEMETRY: '0',
        // server-memory imports zod through its SDK, undeclared: Plug'n'Play's strict mode refuses it.
        YARN_NODE_LINKER: 'node-modules',
      };
      const child = spawn(yarn, ['dlx', MEMORY], { cwd: projectDir, env, stdio: ['pipe', 'ignore', 'pipe'] });
      started.push(child);
      return child;
    };
    const own = dlx(mine);
    const stranger = dlx(theirs);
    await serving([own, stranger]);
    const projects = (): string[] =>
      fs
        .readdirSync(tmp)
        .filter((d) => d.startsWith('xfs-'))
        .map((d) => path.join(tmp, d));
    const listed = (s: Snapshot) =>
      JSON.stringify(
        s.servers.find((x) => x.name === 'mem')?.instances.map((i) => [i.pid, i.commandLine, whyUndecided(i)]),
      );
    const snap = await until("this home's yarn dlx server listed", async () => {
      const s = await take(mine, projectDir);
      const a = instanceFor(s, 'mem', own.pid!);
      return a && a.pid !== own.pid ? s : undefined;
    });
    assert.match(
      whyUndecided(instanceFor(snap, 'mem', own.pid!)) ?? '',
      /yarn dlx's temporary project/,
      `this home's yarn dlx run: ${listed(snap)}`,
    );
    // Another home's run (its HOME neither ours nor the account's) is that home's: not under the entry at all.
    assert.equal(instanceFor(snap, 'mem', stranger.pid!), undefined, `another home's yarn dlx run: ${listed(snap)}`);

    // The runs' temporary projects deleted while they serve: still listed undecided, never claimed.
    for (const dir of projects()) fs.rmSync(dir, { recursive: true, force: true });
    const gone = await take(mine, projectDir);
    assert.match(
      whyUndecided(instanceFor(gone, 'mem', own.pid!)) ?? '',
      /yarn dlx's temporary project/,
      `a deleted yarn dlx run: ${listed(gone)}`,
    );
    assert.equal(instanceFor(gone, 'mem', stranger.pid!), undefined, `another home's deleted run: ${listed(gone)}`);
  });

  it("uv --directory D run server.py: the folder is part of the launch; the same script in another folder is not the entry's", async () => {
    const [uvDir] = await Promise.all([uvBin(PYTHON), timeWheels()]);
    const root = makeTempDir('lg-uvdir-attr-');
    const { home, env: homeEnv } = toolHome(root);
    const mine = path.join(root, 'weather');
    const theirs = path.join(root, 'other', 'weather');
    const body = 'import sys, time\nsys.stdin.readline()\ntime.sleep(110)\n';
    for (const d of [mine, theirs]) {
      fs.mkdirSync(d, { recursive: true });
      fs.writeFileSync(path.join(d, 'weather.py'), body);
    }
    const uv = path.join(uvDir, 'uv');
    const projectDir = projectWith(root, {
      weather: { command: uv, args: ['--directory', mine, 'run', '--no-project', 'weather.py'] },
    });
    const env = { ...process.env, ...homeEnv, UV_OFFLINE: '1', UV_PYTHON: PYTHON, UV_NO_MANAGED_PYTHON: '1' };
    const own = spawn(uv, ['--directory', mine, 'run', '--no-project', 'weather.py'], {
      cwd: projectDir,
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const stranger = spawn(uv, ['--directory', theirs, 'run', '--no-project', 'weather.py'], {
      cwd: projectDir,
      env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    started.push(own, stranger);
    const snap = await until("the entry's own uv run", async () => {
      const s = await take(home, projectDir, homeEnv);
      const i = instanceFor(s, 'weather', own.pid!);
      return i && /weather\.py/.test(i.commandLine) ? s : undefined;
    });
    const weather = snap.servers.find((s) => s.name === 'weather')!;
    assert.equal(
      instanceFor(snap, 'weather', stranger.pid!),
      undefined,
      `the same script in another folder is not the entry's: ${JSON.stringify(weather.instances.map((i) => [i.pid, i.commandLine]))}`,
    );
    assert.ok(!undecided(instanceFor(snap, 'weather', own.pid!)!));
  });
});
