import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Instance } from '../../../src/core/base/model';
import { instanceOf, npmWorld, project, run, snapshot, tempDir } from './support';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { npmTool } from '../../support/toolCache';
import { pastJudgedStart } from '../../support/judgedStart';

const MEM = '@modelcontextprotocol/server-memory';
const SDK = '@modelcontextprotocol/sdk';
/** An sdk release server-memory 2026.7.4's `^1.29.0` accepts, older than what a fresh install picks. */
const OLDER_SDK = '1.29.0';
const YARN = '1.22.22';
const PNPM = '9.15.9';
const YARN_FLAGS = ['--no-default-rc', '--non-interactive', '--no-progress', '--silent'];

/** An instance whose owner the engine could not decide (listed, never acted on). */
const undecided = (i: Instance): boolean => i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner');

function installedOf(i: Instance) {
  const inst = i.versions?.installed;
  if (inst?.state !== 'installed') throw new Error(`not installed: ${JSON.stringify(i.versions)}`);
  return inst;
}

/** The install that moves the tree must land clearly after the process started (the judge's clock slack), whatever the cache makes its speed. */
const pastStartOf = (i: Instance) => pastJudgedStart(i.startTime);

/**
 * Real yarn classic and real pnpm, installed from npm into the test tool cache, each installing the
 * real server-memory into a temp project (their caches and stores in the test's temp folder); the
 * server started from the project's own bin as a client would; the tree moved under it.
 */
describe('versions (integration): yarn classic and pnpm layouts under a running server', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('yarn classic: the closure is read from the hoisted tree, and a dependency-only move is stale, or not current on a first look', async () => {
    const yarn = path.join(await npmTool('yarn', YARN), 'yarn');
    const root = tempDir('lg-yarn-');
    const app = path.join(root, 'app');
    const yarnEnvOf = (dir: string) => ({
      ...process.env,
      YARN_CACHE_FOLDER: path.join(dir, 'yarn-cache'),
      YARN_ENABLE_TELEMETRY: '0',
      npm_config_update_notifier: 'false',
      /* yarn 1 would leave a compile cache in the temp folder */ DISABLE_V8_COMPILE_CACHE: '1',
    });
    const yarnEnv = yarnEnvOf(root);
    // What `yarn add` of 2026.7.4 leaves in a new app (the tree and yarn's cache), made once per
    // machine by real yarn; the dependency move below under the running server is this test's own.
    await npmWorld(root, `yarn-${YARN}-app-server-memory-2026.7.4`, async (dir) => {
      const fresh = path.join(dir, 'app');
      fs.mkdirSync(fresh);
      fs.writeFileSync(
        path.join(fresh, 'package.json'),
        JSON.stringify({ name: 'app', version: '1.0.0', private: true }),
      );
      await run(yarn, ['add', `${MEM}@2026.7.4`, ...YARN_FLAGS], { cwd: fresh, env: yarnEnvOf(dir) });
    });
    assert.equal(
      fs.existsSync(path.join(app, 'node_modules', '.package-lock.json')),
      false,
      'yarn classic writes no hidden lockfile',
    );

    const bin = path.join(app, 'node_modules', '.bin', 'mcp-server-memory');
    const env = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
    const projectDir = project(root, 'memory', bin, [], env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const lgHome = path.join(root, 'lg');
    const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);

    const before = await instanceOf(() => snapshot(home, projectDir, lgHome), 'memory', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    const sdkBefore = installedOf(before).environment?.packages[SDK];
    assert.match(sdkBefore ?? '', /^1\.\d+\.\d+$/, JSON.stringify(installedOf(before).environment));
    assert.notEqual(sdkBefore, OLDER_SDK, 'a fresh install picks a newer sdk than the one the test moves to');

    // Only a dependency moves: a `resolutions` pin (yarn classic's own way) that the server's `^1.29.0` also accepts.
    await pastStartOf(before);
    const manifest = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ ...manifest, resolutions: { [SDK]: OLDER_SDK } }),
    );
    await run(yarn, ['install', ...YARN_FLAGS], { cwd: app, env: yarnEnv });
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(app, 'node_modules', SDK, 'package.json'), 'utf8')).version,
      OLDER_SDK,
    );
    assert.equal(
      JSON.parse(fs.readFileSync(path.join(app, 'node_modules', MEM, 'package.json'), 'utf8')).version,
      '2026.7.4',
    );
    assert.equal(
      fs.existsSync(path.join(app, 'node_modules', MEM, 'node_modules', SDK)),
      false,
      'the server uses the hoisted sdk',
    );

    const watched = await instanceOf(() => snapshot(home, projectDir, lgHome), 'memory', child.pid!);
    const v = watched.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(watched.versions));
    if (v?.state !== 'stale') return;
    assert.equal(`${v.running} -> ${v.installed}`, '2026.7.4 -> 2026.7.4');
    assert.deepEqual(
      v.movedDependencies.filter((m) => m.name === SDK),
      [{ name: SDK, from: sdkBefore, to: OLDER_SDK }],
    );

    const firstLook = await instanceOf(
      () => snapshot(home, projectDir, path.join(root, 'lg-first-look')),
      'memory',
      child.pid!,
    );
    // Nothing recorded what it loaded, and yarn leaves nothing in npm's cache to infer from: changed since start, naming a moved file.
    const f = firstLook.versions?.verdict;
    assert.equal(f?.state, 'changed', JSON.stringify(firstLook.versions));
    assert.ok(
      f?.state === 'changed' &&
        f.changedFiles.some(
          (c) => c.path.includes(`${path.sep}sdk${path.sep}package.json`) || c.path.endsWith('.yarn-integrity'),
        ),
      JSON.stringify(f),
    );
    const inst = installedOf(firstLook);
    assert.equal(inst.environment?.packages[SDK], OLDER_SDK);
    assert.ok(
      (inst.changedAt ?? 0) > (firstLook.startTime ?? Infinity),
      `changedAt ${inst.changedAt} after the process started at ${firstLook.startTime}`,
    );
    await stopChildren([child]);
  });

  it("pnpm: the project's .bin shim resolves into the .pnpm store with the closure; an upgrade is stale naming both versions, the old process its entry's through the upgrade and a no-op install", async () => {
    const pnpm = path.join(await npmTool('pnpm', PNPM), 'pnpm');
    const root = tempDir('lg-pnpm-');
    const app = path.join(root, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    const pnpmEnv = { ...process.env, npm_config_update_notifier: 'false' };
    const pnpmRun = (...args: string[]) =>
      run(
        pnpm,
        [
          ...args,
          '--store-dir',
          path.join(root, 'pnpm-store'),
          '--cache-dir',
          path.join(root, 'pnpm-cache'),
          '--reporter',
          'silent',
        ],
        { cwd: app, env: pnpmEnv },
      );
    await pnpmRun('add', `${MEM}@2026.7.4`);

    const bin = path.join(app, 'node_modules', '.bin', 'mcp-server-memory');
    assert.equal(fs.lstatSync(bin).isFile(), true, 'pnpm writes a shell script, not a link');
    const env = { MEMORY_FILE_PATH: path.join(root, 'memory.jsonl') };
    const projectDir = project(root, 'memory', bin, [], env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const lgHome = path.join(root, 'lg');
    const take = () => snapshot(home, projectDir, lgHome);

    // The configured launch alone (no process yet): the shim is followed into the store.
    const server = (await take()).servers.find((s) => s.name === 'memory');
    const configured = server?.installed;
    assert.equal(
      configured?.state === 'installed' && `${configured.name}@${configured.version}`,
      `${MEM}@2026.7.4`,
      JSON.stringify(configured),
    );

    const child = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const before = await instanceOf(take, 'memory', child.pid!);
    const inst = installedOf(before);
    assert.equal(`${inst.name}@${inst.version}`, `${MEM}@2026.7.4`);
    assert.equal(inst.fromProcess, true, "read from the running process's own script path");
    assert.ok(inst.location.includes(`${path.sep}node_modules${path.sep}.pnpm${path.sep}`), inst.location);
    assert.match(inst.environment?.packages[SDK] ?? '', /^1\.\d+\.\d+$/, JSON.stringify(inst.environment));
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.ok(!undecided(before), JSON.stringify(before.verdicts));

    await pastStartOf(before);
    await pnpmRun('add', `${MEM}@2026.8.31`);
    const shim = fs.readFileSync(bin, 'utf8');
    const after = await instanceOf(take, 'memory', child.pid!);
    // pnpm rewrote the shim to the new release: the old process is still its entry's, decided.
    assert.equal(after.pid, child.pid, `still the entry's instance (shim now: ${shim})`);
    assert.ok(!undecided(after), JSON.stringify(after.verdicts));
    const v = after.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(after.versions));
    if (v?.state !== 'stale') return;
    assert.equal(v.package, MEM);
    assert.equal(`${v.running} -> ${v.installed}`, '2026.7.4 -> 2026.8.31');

    // A no-op `pnpm install` relinks the project: the process stays its entry's, never Not configured.
    await pnpmRun('install');
    const relinked = await take();
    assert.ok(!relinked.notConfigured.some((n) => n.pid === child.pid), JSON.stringify(relinked.notConfigured));
    const again = relinked.servers.find((s) => s.name === 'memory')?.instances.find((i) => i.pid === child.pid);
    assert.ok(again && !undecided(again), JSON.stringify(again?.verdicts));
    await stopChildren([child]);
  });
});
