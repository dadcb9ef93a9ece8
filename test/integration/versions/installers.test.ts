import * as assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import type { Snapshot } from '../../../src/core/base/model';
import { fixtureVenv, instanceOf, memoryInProject, MEM, NPM, npmEnv, project, run, snapshot, tempDir } from './support';
import { exited, stopChildren } from '../../support/liveness';
import { pastJudgedStart } from '../../support/judgedStart';
import { until, waitUntil } from '../../support/poll';
import { pastQuietPeriod } from '../../support/settle';
import { listenOn, startReady } from '../../support/startup';
import { offlineVenv } from '../../support/venv';

/**
 * An installer holds only the verdicts of what it can write. Real npm and real pip, each kept at
 * work by a package index on loopback that takes the request and never answers (so the installer
 * runs for as long as the test needs, then fails and writes nothing): one in an unrelated folder or
 * venv, one in the server's own tree or venv. The server's package is upgraded (real installs, done)
 * after the held installer started, and the quiet period (the tests' short one, support/settle.ts)
 * is waited out: only the installer can hold the verdict then.
 */
describe('versions (integration): an installer holds only what it can write', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  const installers: ChildProcess[] = [];
  const stalls: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    // An installer whose index went away fails and cleans up after itself: given the time to, then stopped.
    for (const s of stalls.splice(0)) await s.close();
    await waitUntil(() => installers.every(exited), 30_000);
    installers.splice(0);
    await stopChildren(started.splice(0));
  });

  /** A package index that takes every request and never answers, until closed. */
  async function stallingIndex(): Promise<{ url: string; asked: () => number; close(): Promise<void> }> {
    let asked = 0;
    const sockets = new Set<Socket>();
    const server = http.createServer(() => void asked++);
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    const port = await listenOn(server);
    const stall = {
      url: `http://127.0.0.1:${port}`,
      asked: () => asked,
      close: () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          server.close(() => resolve());
        }),
    };
    stalls.push(stall);
    return stall;
  }

  /** Starts an installer that stays at work (its index never answers) until the index closes. */
  async function heldInstaller(
    command: string,
    args: string[],
    opts: { cwd: string; env: NodeJS.ProcessEnv },
    index: { asked: () => number },
  ): Promise<ChildProcess> {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: 'ignore' });
    started.push(child);
    installers.push(child);
    await until(`${command} ${args.join(' ')} asking its index`, () => index.asked() > 0 || exited(child), 120_000);
    assert.ok(!exited(child), `${command} exited before it asked its index`);
    return child;
  }

  const verdictOf = (s: Snapshot, name: string, pid: number) =>
    s.servers.find((x) => x.name === name)?.instances.find((i) => i.pid === pid)?.versions?.verdict;

  describe('npm', () => {
    const OLD = '2026.7.4';
    const NEW = '2026.8.31';

    async function watchedServer() {
      const root = tempDir('lg-inst-npm-');
      const { prefix, bin, env, projectDir, home } = await memoryInProject(root, OLD);
      const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
      const take = () =>
        snapshot(home, projectDir, path.join(root, 'lg'), { npm_config_cache: path.join(root, 'npm-cache') });
      const seen = await instanceOf(take, 'memory', child.pid!);
      assert.equal(seen.versions?.verdict.state, 'current');
      return { root, prefix, child, take, startTime: seen.startTime };
    }

    /** `npm install is-number` against the stalling index, in `cwd`. */
    const stalledNpm = async (root: string, cwd: string) => {
      const index = await stallingIndex();
      const child = await heldInstaller(
        NPM,
        ['install', 'is-number', '--registry', `${index.url}/`, '--fetch-retries', '0', '--fetch-timeout', '300000'],
        { cwd, env: { ...npmEnv(root), npm_config_cache: path.join(root, 'stalled-cache') } },
        index,
      );
      return { index, child };
    };

    /** A server upgraded while an `npm install` runs in an unrelated project: its verdict is not held. */
    async function unrelatedNpmDoesNotHold(before?: (root: string) => Promise<void>) {
      const { root, prefix, child, take, startTime } = await watchedServer();
      const other = path.join(root, 'other');
      fs.mkdirSync(other);
      fs.writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'other', version: '1.0.0' }));
      const elsewhere = await stalledNpm(root, other);
      await before?.(root);
      // The upgrade is told from what the server loaded: written after its start as the engine judges it.
      await pastJudgedStart(startTime);
      await run(NPM, ['install', '--prefix', prefix, `${MEM}@${NEW}`], { env: npmEnv(root) });
      await pastQuietPeriod(Date.now());
      assert.ok(!exited(elsewhere.child), 'the unrelated npm install still runs');
      const v = verdictOf(await take(), 'memory', child.pid!);
      assert.equal(v?.state, 'stale', JSON.stringify(v));
      assert.equal(v?.state === 'stale' && `${v.running} -> ${v.installed}`, `${OLD} -> ${NEW}`);
    }

    it('an `npm install` in an unrelated project does not hold the verdict of a server installed elsewhere', () =>
      unrelatedNpmDoesNotHold());

    it('nor does one whose debug log another npm run deleted while it runs (npm keeps at most logs-max)', () =>
      unrelatedNpmDoesNotHold(async (root) => {
        const logs = path.join(root, 'stalled-cache', '_logs');
        // npm opens its debug log when it first writes to it, which a busy machine can delay past its
        // first request to the index: waited for, not assumed.
        const held = await until(
          `npm's debug log in ${logs}`,
          () => {
            const names = fs.existsSync(logs) ? fs.readdirSync(logs).filter((f) => /-debug-\d+\.log$/.test(f)) : [];
            return names.length > 0 && names;
          },
          60_000,
        );
        for (const f of held) fs.rmSync(path.join(logs, f));
      }));

    it("an `npm install` in the server's own project holds it (saying what it writes) until it exits", async () => {
      const { root, prefix, child, take, startTime } = await watchedServer();
      const own = await stalledNpm(root, prefix);
      await pastJudgedStart(startTime);
      await run(NPM, ['install', '--prefix', prefix, `${MEM}@${NEW}`], { env: npmEnv(root) });
      await pastQuietPeriod(Date.now());
      assert.ok(!exited(own.child), 'the npm install in the server tree still runs');
      const v = verdictOf(await take(), 'memory', child.pid!);
      assert.ok(v?.state === 'unknown' && v.settling, JSON.stringify(v));
      assert.match(
        v.state === 'unknown' ? v.reason : '',
        new RegExp(
          `^npm install \\(pid \\d+\\) is running \\(it writes the tree in [^)]*${path.basename(root)}[/\\\\]prefix`,
        ),
      );
      await own.index.close();
      await until('the held npm install to exit', () => exited(own.child), 60_000);
      const after = await instanceOf(take, 'memory', child.pid!);
      const a = after.versions?.verdict;
      assert.equal(a?.state === 'stale' && `${a.running} -> ${a.installed}`, `${OLD} -> ${NEW}`, JSON.stringify(a));
    });
  });

  describe('pip', () => {
    const ready = /lgdemo-server \S+ \(lgdemo_dep \S+\) running on stdio/;

    async function watchedServer() {
      const root = tempDir('lg-inst-pip-');
      const server = await fixtureVenv(root);
      await server.pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
      const projectDir = project(root, 'demo', server.py, ['-m', 'lgdemo_server']);
      const home = path.join(root, 'home');
      fs.mkdirSync(home);
      const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
      const child = await startReady(server.py, ['-m', 'lgdemo_server'], { cwd: projectDir, ready }, started);
      const seen = await instanceOf(take, 'demo', child.pid!);
      assert.equal(seen.versions?.verdict.state, 'current');
      return { root, server, child, take, projectDir, startTime: seen.startTime };
    }

    const pipEnv = (root: string) => {
      // Its build and wheel folders under the test's own.
      const tmp = path.join(root, 'tmp');
      fs.mkdirSync(tmp, { recursive: true });
      return {
        ...process.env,
        TMPDIR: tmp,
        PIP_CONFIG_FILE: '/dev/null',
        PIP_DISABLE_PIP_VERSION_CHECK: '1',
        PIP_FIND_LINKS: '',
        PIP_EXTRA_INDEX_URL: '',
      };
    };
    const stalledArgs = (url: string) => [
      'install',
      '--index-url',
      `${url}/simple/`,
      '--timeout',
      '300',
      '--retries',
      '0',
      'lgdemo-unrelated',
    ];

    it('`python -m pip install` in another venv does not hold the verdict of a server in its own venv', async () => {
      const { root, server, child, take, projectDir, startTime } = await watchedServer();
      const other = await offlineVenv(path.join(root, 'other'), []);
      const index = await stallingIndex();
      const elsewhere = await heldInstaller(
        other.py,
        ['-m', 'pip', ...stalledArgs(index.url)],
        { cwd: projectDir, env: pipEnv(root) },
        index,
      );
      await pastJudgedStart(startTime);
      await server.pip('lgdemo-dep==2.0.0');
      await pastQuietPeriod(Date.now());
      assert.ok(!exited(elsewhere), 'the pip install in the other venv still runs');
      const v = verdictOf(await take(), 'demo', child.pid!);
      assert.equal(v?.state, 'stale', JSON.stringify(v));
      assert.deepEqual(v?.state === 'stale' && v.movedDependencies, [
        { name: 'lgdemo-dep', from: '1.0.0', to: '2.0.0' },
      ]);
    });

    it("`<venv>/bin/pip install` (run by its venv's interpreter, as the process table shows it) in the server's venv holds it until it exits", async () => {
      const { root, server, child, take, projectDir, startTime } = await watchedServer();
      const index = await stallingIndex();
      const pipScript = path.join(server.venv, 'bin', 'pip');
      const own = await heldInstaller(pipScript, stalledArgs(index.url), { cwd: projectDir, env: pipEnv(root) }, index);
      // What the process table shows: the venv's interpreter running the pip script.
      const argv = fs.readFileSync(`/proc/${own.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      assert.equal(path.dirname(argv[0]), path.join(server.venv, 'bin'), argv.join(' '));
      assert.match(path.basename(argv[0]), /^python/, argv.join(' '));
      assert.equal(argv[1], pipScript, argv.join(' '));
      await pastJudgedStart(startTime);
      await server.pip('lgdemo-dep==2.0.0');
      await pastQuietPeriod(Date.now());
      assert.ok(!exited(own), 'the pip install in the server venv still runs');
      const v = verdictOf(await take(), 'demo', child.pid!);
      assert.ok(v?.state === 'unknown' && v.settling, JSON.stringify(v));
      assert.match(
        v.state === 'unknown' ? v.reason : '',
        new RegExp(
          `^pip install \\(pid ${own.pid}\\) is running \\(it writes the environment [^)]*${path.basename(root)}`,
        ),
      );
      await index.close();
      await until('the held pip install to exit', () => exited(own), 60_000);
      const after = await instanceOf(take, 'demo', child.pid!);
      assert.equal(after.versions?.verdict.state, 'stale', JSON.stringify(after.versions));
    });
  });
});
