import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlShutdown } from '../../src/core/control';
import { listLocks, LockRecord } from '../../src/core/locks';
import { cliPath } from '../support/repo';
import { connectClient, echo, shortTempDir, spawnCollect, versionedServerPackage } from '../integration/http/support';
import type { Snapshot } from '../../src/core/base/model';
import { cli, FakeClient, server, startFakeClient, statusJson } from '../integration/processes/support/harness';
import { until } from '../support/poll';
import { isAlive, killAndWait } from '../support/liveness';
import { freePort } from '../support/startup';
import { processScenario } from './support';

/**
 * What a live guard lock owns is never an orphan: the guard `ensure` detaches is reparented to init
 * on purpose, and `kill-duplicates --yes` must leave it and its server running.
 */
describe('reliability: a server a live guard lock owns is never an orphan', function () {
  this.timeout(120_000);
  let home: string;
  let lifeguardHome: string;
  let port: number;

  before(function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
  });

  beforeEach(async () => {
    home = shortTempDir();
    // The same MCP_LIFEGUARD_HOME the harness's `cli` uses.
    lifeguardHome = path.join(home, '.lifeguard');
    port = await freePort();
  });

  async function liveGuards(): Promise<LockRecord[]> {
    const locks = await listLocks(path.join(lifeguardHome, 'locks')).catch(() => []);
    return locks.flatMap((l) => (l.state === 'live' && !l.record.serverName.endsWith('.ensure') ? [l.record] : []));
  }

  afterEach(async () => {
    for (const record of await liveGuards()) {
      if (record.control) await controlShutdown(record.control).catch(() => undefined);
      await until('the guard to stop', () => (isAlive(record.pid) ? undefined : true), 30_000).catch(() =>
        killAndWait(record.pid),
      );
    }
    // Whatever of this test still runs names its temp folder in its argv.
    for (const name of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        if (fs.readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(home)) await killAndWait(Number(name));
      } catch {
        // gone
      }
    }
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('kill-duplicates --yes leaves the HTTP server that ensure started answering', async () => {
    const server = versionedServerPackage(home, '1.0.0');
    const env = { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: lifeguardHome };
    const run = spawnCollect(
      process.execPath,
      [cliPath, 'ensure', '--http', '--listen', `127.0.0.1:${port}`, '--', server.command, ...server.args],
      { env, cwd: home },
    );
    assert.equal(await run.exited, 0, run.output());
    const url = `http://127.0.0.1:${port}/mcp`;
    // The user's own config names the URL ensure printed, and the same server as a stdio launch.
    const userDir = path.join(home, '.config', 'Code', 'User');
    fs.mkdirSync(userDir, { recursive: true });
    fs.writeFileSync(
      path.join(userDir, 'mcp.json'),
      JSON.stringify({
        servers: { web: { type: 'http', url }, local: { command: server.command, args: server.args } },
      }),
    );

    const [guard] = await liveGuards();
    assert.ok(guard, 'ensure left a live guard');
    const snap = await statusJson(home);
    const web = snap.servers.find((s) => s.name === 'web');
    assert.ok(web && web.instances.length === 1, JSON.stringify(web));
    for (const s of snap.servers) {
      for (const i of s.instances)
        assert.ok(
          !i.verdicts.some((v) => v.kind === 'orphan'),
          `${s.name} pid ${i.pid} is not an orphan: ${JSON.stringify(i.verdicts)}`,
        );
    }

    const k = await cli(home, ['kill-duplicates', '--yes', '--workspace', home]);
    assert.equal(k.code, 0, k.stdout + k.stderr);
    assert.ok(isAlive(guard.pid), `the guard (pid ${guard.pid}) still runs: ${k.stdout}`);
    const { client } = await connectClient(url);
    try {
      assert.equal(await echo(client, 'still here'), 'Echo: still here');
    } finally {
      await client.close().catch(() => undefined);
    }
  });
});

/**
 * One process, one entry: entries that share a launch key but not a launch (a bare name on PATH and
 * another folder's program of that name, `python -m pkg` of two venvs, npx in two projects) each
 * list only their own process; one that cannot be decided is flagged and never stopped in bulk.
 */
describe('reliability: each process belongs to the entry that launched it', function () {
  this.timeout(120_000);
  const scene = processScenario('lgown');

  /** Waits until every launch pid shows up as an instance somewhere, then returns the snapshot. */
  async function settled(launches: FakeClient[], env: Record<string, string> = {}): Promise<Snapshot> {
    const pids = launches.flatMap((l) => l.servers);
    return until(
      'every launch to be listed',
      async () => {
        const snap = await statusJson(scene.home, env);
        const listed = new Set(
          snap.servers.flatMap((s) => s.instances.flatMap((i) => [i.pid, ...i.launcherChain.map((c) => c.pid)])),
        );
        return pids.every((p) => listed.has(p)) ? snap : undefined;
      },
      30_000,
    );
  }

  /** The launch pids (the process each client spawned) an entry lists. */
  const listedBy = (snap: Snapshot, name: string): number[] =>
    server(snap, name)
      .instances.map((i) => i.launcherChain[0]?.pid ?? i.pid)
      .sort((a, b) => a - b);

  /** A copy of a real binary (sleep) under `name` in `dir`: its argv names it, /proc/<pid>/exe is that file. */
  function program(dir: string, name: string): string {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    fs.copyFileSync('/usr/bin/sleep', file);
    fs.chmodSync(file, 0o755);
    return file;
  }

  it("a bare name resolved through PATH, and another folder's program of that name, each list their own process", async () => {
    const name = `srv-${scene.tag}`;
    const aBin = path.dirname(program(path.join(scene.home, 'a', 'bin'), name));
    const bProgram = program(path.join(scene.home, 'b', 'bin'), name);
    const PATH = `${aBin}:${process.env.PATH}`;
    scene.userConfig({ onPath: { command: name, args: ['600'] }, inB: { command: bProgram, args: ['600'] } });
    const a = await startFakeClient({ command: name, args: ['600'], env: { PATH } }, scene.started);
    const b = await startFakeClient({ command: bProgram, args: ['600'] }, scene.started);
    const snap = await settled([a, b], { PATH });
    assert.deepEqual(listedBy(snap, 'onPath'), a.servers, 'the bare name is the PATH one only');
    assert.deepEqual(listedBy(snap, 'inB'), b.servers, 'the absolute path is its own only');
  });

  it("python -m pkg of two venvs: each venv's entry lists its own process", async () => {
    const src = path.join(scene.home, 'src');
    const pkg = `lgpkg_${scene.tag}`;
    fs.mkdirSync(path.join(src, pkg), { recursive: true });
    fs.writeFileSync(path.join(src, pkg, '__main__.py'), 'import time\ntime.sleep(600)\n');
    const { execFileSync } = await import('node:child_process');
    for (const v of ['va', 'vb']) execFileSync('python3', ['-m', 'venv', '--without-pip', path.join(scene.home, v)]);
    const py = (v: string) => path.join(scene.home, v, 'bin', 'python');
    scene.userConfig({
      venvA: { command: py('va'), args: ['-m', pkg], cwd: src },
      venvB: { command: py('vb'), args: ['-m', pkg], cwd: src },
    });
    const a = await startFakeClient({ command: py('va'), args: ['-m', pkg], cwd: src }, scene.started);
    const b = await startFakeClient({ command: py('vb'), args: ['-m', pkg], cwd: src }, scene.started);
    const snap = await settled([a, b]);
    assert.deepEqual(listedBy(snap, 'venvA'), a.servers);
    assert.deepEqual(listedBy(snap, 'venvB'), b.servers);
  });

  it("npx entries that differ only by cwd: each project's entry lists the process started in it", async () => {
    const bin = `lg-tool-${scene.tag}`;
    const project = (dir: string): string => {
      const pkgDir = path.join(dir, 'node_modules', bin);
      fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
      fs.mkdirSync(pkgDir, { recursive: true });
      fs.writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ name: path.basename(dir), version: '1.0.0', dependencies: { [bin]: '1.0.0' } }),
      );
      fs.writeFileSync(
        path.join(pkgDir, 'package.json'),
        JSON.stringify({ name: bin, version: '1.0.0', bin: { [bin]: 'cli.js' } }),
      );
      fs.writeFileSync(path.join(pkgDir, 'cli.js'), '#!/usr/bin/env node\nsetInterval(() => {}, 1 << 30);\n', {
        mode: 0o755,
      });
      fs.symlinkSync(path.join('..', bin, 'cli.js'), path.join(dir, 'node_modules', '.bin', bin));
      return dir;
    };
    const p1 = project(path.join(scene.home, 'p1'));
    const p2 = project(path.join(scene.home, 'p2'));
    scene.userConfig({
      inP1: { command: 'npx', args: [bin], cwd: p1 },
      inP2: { command: 'npx', args: [bin], cwd: p2 },
    });
    const env = {
      npm_config_cache: path.join(scene.home, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_offline: 'true',
    };
    const a = await startFakeClient({ command: 'npx', args: [bin], cwd: p1, env }, scene.started);
    const b = await startFakeClient({ command: 'npx', args: [bin], cwd: p2, env }, scene.started);
    const snap = await settled([a, b]);
    assert.deepEqual(listedBy(snap, 'inP1'), a.servers);
    assert.deepEqual(listedBy(snap, 'inP2'), b.servers);
  });

  it('entries that cannot be told apart flag the process as undecided, and kill-duplicates leaves it alone saying why', async () => {
    const name = `srv-${scene.tag}`;
    const file = program(path.join(scene.home, 'a', 'bin'), name);
    const PATH = `${path.dirname(file)}:${process.env.PATH}`;
    // The same program spelled two ways, in two clients' files: either could have started it.
    scene.userConfig({ byName: { command: name, args: ['600'] } });
    fs.mkdirSync(path.join(scene.home, '.config', 'Claude'), { recursive: true });
    fs.writeFileSync(
      path.join(scene.home, '.config', 'Claude', 'claude_desktop_config.json'),
      JSON.stringify({ mcpServers: { byPath: { command: file, args: ['600'] } } }),
    );
    const twice = await startFakeClient({ command: file, args: ['600'], count: 2, gapMs: 200 }, scene.started);
    const snap = await settled([twice], { PATH });
    const [older, newer] = twice.servers;
    const flagged = server(snap, 'byName').instances.find((i) => i.pid === older);
    assert.ok(flagged, JSON.stringify(server(snap, 'byName').instances));
    const owner = flagged.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
    assert.ok(owner && owner.kind === 'unknown', JSON.stringify(flagged.verdicts));
    assert.match(owner.reason, /'byName'.*'byPath'|'byPath'.*'byName'/);
    assert.ok(
      flagged.verdicts.some((v) => v.kind === 'duplicate'),
      'it is an older duplicate',
    );

    const k = await cli(scene.home, ['kill-duplicates', '--yes'], { PATH });
    assert.ok(isAlive(older) && isAlive(newer), `both still run: ${k.stdout}${k.stderr}`);
    assert.match(k.stdout, new RegExp(`pid ${older} left alone: claimed by`));
  });
});
