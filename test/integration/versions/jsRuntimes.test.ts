import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { npmTool } from '../../support/toolCache';
import { instanceOf, MEM, project, run, snapshot, tempDir } from './support';

/** The runtimes' npm packages (their binaries come in optional platform packages), pinned. */
const BUN_VERSION = '1.4.5';
const DENO_VERSION = '2.9.6';

/**
 * Other JavaScript runtimes run a server the way node does: the server is the package they run, never
 * the runtime. Real bun and deno from npm, the real server-memory from npm, each fetched by the
 * runtime itself into caches under the test's own home.
 */
describe('versions (integration): a server run by bun or deno is judged as the server package', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  afterEach(async () => {
    await stopChildren(started.splice(0));
  });

  it('bun: a project with `bun add` server-memory, run by bun: current naming server-memory, then stale after `bun add` of the next release', async () => {
    const bin = await npmTool('bun', BUN_VERSION);
    const bun = path.join(bin, 'bun');
    const root = tempDir('lg-bun-');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    // bun's install cache is the test's own: `bun add` hardlinks from it into the project.
    const env = {
      BUN_INSTALL_CACHE_DIR: path.join(root, 'bun-cache'),
      BUN_INSTALL: path.join(root, 'bun-home'),
      DO_NOT_TRACK: '1',
      MEMORY_FILE_PATH: path.join(root, 'memory.jsonl'),
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    };
    const app = path.join(root, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    await run(bun, ['add', `${MEM}@2026.7.4`], { cwd: app, env: { ...process.env, ...env } });
    const script = path.join(app, 'node_modules', MEM, 'dist', 'index.js');
    const projectDir = project(root, 'memory', bun, ['run', script], env);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), env);

    const child = await startReady(
      bun,
      ['run', script],
      { cwd: app, env: { ...process.env, ...env }, ready: /running on stdio/ },
      started,
    );
    const before = await instanceOf(take, 'memory', child.pid!);
    const b = before.versions;
    assert.equal(b?.verdict.state, 'current', JSON.stringify(b));
    assert.equal(b?.installed.state === 'installed' && `${b.installed.name} ${b.installed.version}`, `${MEM} 2026.7.4`);
    assert.equal(b?.running.state === 'known' && b.running.version, '2026.7.4');

    await run(bun, ['add', `${MEM}@2026.8.31`], { cwd: app, env: { ...process.env, ...env } });
    const after = await instanceOf(take, 'memory', child.pid!);
    const v = after.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(after.versions));
    if (v?.state !== 'stale') return;
    assert.equal(v.package, MEM);
    assert.equal(`${v.running} -> ${v.installed}`, '2026.7.4 -> 2026.8.31');
  });

  it("bunx: `bunx server-memory@2026.7.4` is its entry's by bun's install cache, judged as server-memory 2026.7.4 (not bun)", async () => {
    const bin = await npmTool('bun', BUN_VERSION);
    const root = tempDir('lg-bunx-');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const env = {
      BUN_INSTALL_CACHE_DIR: path.join(root, 'bun-cache'),
      BUN_INSTALL: path.join(root, 'bun-home'),
      DO_NOT_TRACK: '1',
      MEMORY_FILE_PATH: path.join(root, 'memory.jsonl'),
      PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    };
    const bunx = path.join(bin, 'bunx');
    const projectDir = project(root, 'memory', bunx, [`${MEM}@2026.7.4`], env);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), env);
    // Started in the project's folder, which has no package.json: bunx installs into its folder in bun's cache.
    const child = await startReady(
      bunx,
      [`${MEM}@2026.7.4`],
      { cwd: projectDir, env: { ...process.env, ...env }, ready: /running on stdio/ },
      started,
    );
    const inst = await instanceOf(take, 'memory', child.pid!);
    const b = inst.versions;
    assert.equal(b?.verdict.state, 'current', JSON.stringify(b));
    assert.equal(b?.installed.state === 'installed' && `${b.installed.name} ${b.installed.version}`, `${MEM} 2026.7.4`);
    assert.match(b?.installed.state === 'installed' ? (b.installed.location ?? '') : '', /[\\/]\.bunx-/);
    assert.deepEqual(
      inst.verdicts.filter((x) => x.kind === 'unknown'),
      [],
    );
  });

  it('deno: `deno run -A npm:server-memory@2026.7.4` is judged as server-memory 2026.7.4 from DENO_DIR, and stays its entry`s after the pin is edited', async () => {
    const bin = await npmTool('deno', DENO_VERSION);
    const deno = path.join(bin, 'deno');
    const root = tempDir('lg-deno-');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const env = {
      DENO_DIR: path.join(home, '.cache', 'deno'),
      DENO_NO_UPDATE_CHECK: '1',
      NO_COLOR: '1',
      MEMORY_FILE_PATH: path.join(root, 'memory.jsonl'),
    };
    const args = (version: string) => ['run', '-A', `npm:${MEM}@${version}`];
    const projectDir = project(root, 'memory', deno, args('2026.7.4'), env);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), env);

    // Started in the project's folder, which has no package.json: deno keeps the package in DENO_DIR.
    const child = await startReady(
      deno,
      args('2026.7.4'),
      { cwd: projectDir, env: { ...process.env, ...env }, ready: /running on stdio/ },
      started,
    );
    assert.ok(fs.existsSync(path.join(env.DENO_DIR, 'npm', 'registry.npmjs.org', MEM, '2026.7.4', 'package.json')));
    const before = await instanceOf(take, 'memory', child.pid!);
    const b = before.versions;
    assert.equal(b?.verdict.state, 'current', JSON.stringify(b));
    assert.equal(b?.installed.state === 'installed' && `${b.installed.name} ${b.installed.version}`, `${MEM} 2026.7.4`);
    assert.equal(b?.running.state === 'known' && b.running.version, '2026.7.4');

    // The user edits the pin; the running process is what the old line started, and still this entry's.
    fs.writeFileSync(
      path.join(projectDir, '.mcp.json'),
      JSON.stringify({ mcpServers: { memory: { command: deno, args: args('2026.8.31'), env } } }, null, 2),
    );
    const drifted = await instanceOf(take, 'memory', child.pid!);
    // Still proven to be this entry's (the same deno, so the same cache of its packages): no owner in doubt.
    assert.deepEqual(
      drifted.verdicts.filter((x) => x.kind === 'unknown'),
      [],
    );
    const v = drifted.versions?.verdict;
    assert.equal(v?.state, 'config-changed', JSON.stringify(drifted.versions));
    if (v?.state !== 'config-changed') return;
    assert.equal(v.running, `${MEM}@2026.7.4`);
    assert.equal(v.configured, `${MEM}@2026.8.31`);
  });
});
