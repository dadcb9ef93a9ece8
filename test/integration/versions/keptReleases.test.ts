import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { pastJudgedStart } from '../../support/judgedStart';
import { killAndWait, stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { npmTool } from '../../support/toolCache';
import { instanceOf, MEM, npmWorld, project, run, snapshot, tempDir } from './support';

/** Pinned releases of the package managers, from npm; a change here downloads once more. */
const PNPM = '12.21.0';
const YARN = '4.18.1';

function staleNames(i: Instance): string {
  const v = i.versions?.verdict;
  return v?.state === 'stale' ? `${v.package} ${v.running} -> ${v.installed}` : JSON.stringify(i.versions?.verdict);
}

/**
 * Package managers that keep the releases they no longer install: pnpm leaves the old folder of a
 * package in its virtual store after an upgrade. A running server is judged against what its
 * project resolves now, never against the folder it runs from. Real tools and the real
 * server-memory from npm, every cache and store under the test's own temp folder.
 */
describe('versions (integration): a server run from a release its package manager keeps is judged against what the project resolves now', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  /** Servers a runner started below a child of the test's: stopped by their own pid. */
  const below: number[] = [];
  afterEach(async () => {
    for (const pid of below.splice(0)) await killAndWait(pid, 'SIGTERM');
    await stopChildren(started.splice(0));
  });

  it('pnpm: after `pnpm add` of the next release under a running server, the old store folder pnpm keeps reads stale naming both versions, also on a first look', async () => {
    const pnpm = path.join(await npmTool('pnpm', PNPM), 'pnpm');
    const root = tempDir('lg-pnpm-kept-');
    const app = path.join(root, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const pnpmAdd = (spec: string) =>
      run(
        pnpm,
        [
          'add',
          spec,
          '--store-dir',
          path.join(root, 'pnpm-store'),
          '--cache-dir',
          path.join(root, 'pnpm-cache'),
          '--reporter',
          'silent',
        ],
        { cwd: app, env: { ...process.env, npm_config_update_notifier: 'false' } },
      );
    await pnpmAdd(`${MEM}@2026.7.4`);
    const bin = path.join(app, 'node_modules', '.bin', 'mcp-server-memory');
    const env = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
    const projectDir = project(root, 'memory', bin, [], env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = (lgHome = path.join(root, 'lg')) => snapshot(home, projectDir, lgHome);

    const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const before = await instanceOf(() => take(), 'memory', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));

    await pastJudgedStart(before.startTime);
    await pnpmAdd(`${MEM}@2026.8.31`);
    const store = path.join(app, 'node_modules', '.pnpm');
    assert.ok(
      fs.readdirSync(store).some((d) => d.startsWith('@modelcontextprotocol+server-memory@2026.7.4')),
      'pnpm keeps the old release in its store',
    );

    const after = await instanceOf(() => take(), 'memory', child.pid!);
    assert.equal(staleNames(after), `${MEM} 2026.7.4 -> 2026.8.31`);
    const installed = after.versions?.installed;
    assert.ok(
      installed?.state === 'installed' && installed.location.includes('server-memory@2026.8.31'),
      JSON.stringify(installed),
    );

    // A first look (nothing recorded of the process): its own command line names the release it runs.
    const fresh = await take(path.join(root, 'lg-fresh'));
    const first = fresh.servers.find((s) => s.name === 'memory')?.instances.find((i) => i.pid === child.pid);
    assert.ok(first, `still the entry's instance: ${JSON.stringify(fresh.notConfigured.map((n) => n.commandLine))}`);
    assert.equal(staleNames(first), `${MEM} 2026.7.4 -> 2026.8.31`);
    assert.equal(first.versions?.running.state === 'known' && first.versions.running.source, 'launch-pin');
  });

  it("yarn Plug'n'Play: `yarn mcp-server-memory` runs the server from yarn's zip cache; it is the entry's instance, read inside its archive, and stale naming both versions after `yarn up`", async () => {
    const yarn = path.join(await npmTool('@yarnpkg/cli-dist', YARN), 'yarn');
    const root = tempDir('lg-yarn-pnp-');
    const app = path.join(root, 'app');
    // Every cache and setting of yarn's own under the folder (yarn reads ~/.yarnrc.yml: its own home too).
    const yarnEnvOf = (dir: string) => ({
      HOME: path.join(dir, 'yarn-home'),
      YARN_CACHE_FOLDER: path.join(dir, 'yarn-cache'),
      YARN_GLOBAL_FOLDER: path.join(dir, 'yarn-global'),
      YARN_ENABLE_GLOBAL_CACHE: 'false',
      YARN_ENABLE_TELEMETRY: 'false',
      YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
      YARN_ENABLE_PROGRESS_BARS: 'false',
    });
    // yarn runs a bin from a folder it makes in the temp folder (`xfs-<hex>`) and removes on exit: a
    // server ended by the test's cleanup leaves it, so it is made in this test's own folder.
    const yarnTmp = path.join(root, 'tmp');
    fs.mkdirSync(yarnTmp);
    const yarnEnv = { ...yarnEnvOf(root), TMPDIR: yarnTmp };
    // What `yarn add` of 2026.7.4 leaves in a new Plug'n'Play app (the app, yarn's cache, its global
    // folder and home), made once per machine by real yarn; `yarn up` below under the running server
    // is this test's own.
    await npmWorld(root, `yarn-${YARN}-pnp-app-server-memory-2026.7.4`, async (dir) => {
      const fresh = path.join(dir, 'app');
      fs.mkdirSync(fresh);
      fs.mkdirSync(path.join(dir, 'yarn-home'));
      fs.writeFileSync(
        path.join(fresh, 'package.json'),
        JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
      );
      // server-memory imports zod without declaring it; Plug'n'Play refuses that unless the project declares it for it.
      fs.writeFileSync(
        path.join(fresh, '.yarnrc.yml'),
        'nodeLinker: pnp\npackageExtensions:\n  "@modelcontextprotocol/server-memory@*":\n    dependencies:\n      zod: "*"\n',
      );
      await run(yarn, ['add', `${MEM}@2026.7.4`], { cwd: fresh, env: { ...process.env, ...yarnEnvOf(dir) } });
    });
    const yarnRun = (...args: string[]) => run(yarn, args, { cwd: app, env: { ...process.env, ...yarnEnv } });
    assert.ok(fs.existsSync(path.join(app, '.pnp.cjs')) && !fs.existsSync(path.join(app, 'node_modules')));

    const args = ['--cwd', app, 'mcp-server-memory'];
    const env = { ...yarnEnv, MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
    const projectDir = project(root, 'memory', yarn, args, env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = (lgHome = path.join(root, 'lg')) => snapshot(home, projectDir, lgHome, env);

    // The entry as configured: the package whose bin yarn runs, never yarn's own.
    const configured = (await take()).servers.find((s) => s.name === 'memory')?.installed;
    assert.equal(
      configured?.state === 'installed' && `${configured.name} ${configured.version}`,
      `${MEM} 2026.7.4`,
      JSON.stringify(configured),
    );

    const child = await startReady(yarn, args, { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const before = await instanceOf(() => take(), 'memory', child.pid!);
    if (before.pid !== child.pid) below.push(before.pid);
    // The instance is the server yarn started (node running inside the archive), yarn a launcher above it.
    assert.notEqual(before.pid, child.pid, before.commandLine);
    assert.match(before.commandLine, /\.zip[\\/]node_modules[\\/]@modelcontextprotocol[\\/]server-memory[\\/]/);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const inst = before.versions?.installed;
    assert.equal(
      inst?.state === 'installed' && `${inst.name} ${inst.version}`,
      `${MEM} 2026.7.4`,
      JSON.stringify(inst),
    );

    await pastJudgedStart(before.startTime);
    await yarnRun('up', `${MEM}@2026.8.31`);
    const cache = fs.readdirSync(yarnEnv.YARN_CACHE_FOLDER);
    assert.ok(
      cache.some((f) => f.startsWith('@modelcontextprotocol-server-memory-npm-2026.7.4-')),
      `yarn keeps the old archive in its cache: ${cache.join(', ')}`,
    );

    const after = await instanceOf(() => take(), 'memory', child.pid!);
    assert.equal(after.pid, before.pid);
    assert.equal(staleNames(after), `${MEM} 2026.7.4 -> 2026.8.31`);

    // A first look: the archive its command line names is the release it runs.
    const fresh = await take(path.join(root, 'lg-fresh'));
    const first = fresh.servers.find((s) => s.name === 'memory')?.instances.find((i) => i.pid === before.pid);
    assert.ok(first, `still the entry's instance: ${JSON.stringify(fresh.notConfigured.map((n) => n.commandLine))}`);
    assert.equal(staleNames(first), `${MEM} 2026.7.4 -> 2026.8.31`);
  });
});
