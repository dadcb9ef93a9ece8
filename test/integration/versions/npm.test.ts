import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  instanceOf,
  MEM,
  memoryInProject,
  NPM,
  npmEnv,
  NPX,
  npxPinnedMemoryCache,
  project,
  run,
  snapshot,
  tempDir,
} from './support';
import { stopChildren } from '../../support/liveness';
import { startReady } from '../../support/startup';
import { pastJudgedStart } from '../../support/judgedStart';

/**
 * The real thing: server-memory installed with real `npm install` into a temp prefix (and a temp
 * npm cache), started as a client would, upgraded with real `npm install`, restarted.
 */
describe('versions (integration): an npm server upgraded under a running instance', function () {
  this.timeout(600_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('is current before the upgrade, stale with both versions after it, current again after a restart', async () => {
    const root = tempDir('lg-npm-');
    const { prefix, bin, env, projectDir, home } = await memoryInProject(root, '2026.7.4');
    const lgHome = path.join(root, 'lg');
    const take = () => snapshot(home, projectDir, lgHome);

    const first = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const before = await instanceOf(take, 'memory', first.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.equal(before.versions?.running.state === 'known' && before.versions.running.version, '2026.7.4');
    assert.equal(before.versions?.installed.state === 'installed' && before.versions.installed.version, '2026.7.4');
    // Its environment is its dependency closure in the real tree npm wrote.
    assert.match(
      before.versions?.installed.state === 'installed'
        ? (before.versions.installed.environment?.packages['@modelcontextprotocol/sdk'] ?? '')
        : '',
      /^\d+\.\d+\.\d+/,
    );

    await run(NPM, ['install', '--prefix', prefix, `${MEM}@2026.8.31`], { env: npmEnv(root) });
    const after = await instanceOf(take, 'memory', first.pid!);
    const v = after.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(after.versions));
    if (v?.state !== 'stale') return;
    assert.equal(v.package, MEM);
    assert.equal(v.running, '2026.7.4');
    assert.equal(v.installed, '2026.8.31');
    assert.equal(v.runningLearnedFrom, 'first-seen');
    assert.ok(v.since, 'since when it is stale');

    await stopChildren([first]);
    const second = await startReady(bin, [], { cwd: projectDir, env, ready: /running on stdio/ }, started);
    const restarted = await instanceOf(take, 'memory', second.pid!);
    assert.equal(restarted.versions?.verdict.state, 'current', JSON.stringify(restarted.versions));
    assert.equal(restarted.versions?.running.state === 'known' && restarted.versions.running.version, '2026.8.31');

    // Uninstalled under the running instance: stale, "installed: missing".
    await run(NPM, ['uninstall', '--prefix', prefix, MEM], { env: npmEnv(root) });
    const gone = await instanceOf(take, 'memory', second.pid!);
    const g = gone.versions?.verdict;
    assert.equal(g?.state, 'stale', JSON.stringify(gone.versions));
    assert.equal(g?.state === 'stale' && `${g.running} -> ${g.installed}`, '2026.8.31 -> missing');
  });

  it('a server upgrade that drops a dependency the project keeps: stale, the dependency "no longer a dependency (still installed)", not "removed"', async () => {
    const root = tempDir('lg-npm-left-');
    // A small server package of our own, packed by npm: 1.0.0 needs pkce-challenge, 1.1.0 no longer does.
    const pack = async (version: string, dependencies: Record<string, string>) => {
      const src = path.join(root, `src-${version}`);
      fs.mkdirSync(src, { recursive: true });
      fs.writeFileSync(
        path.join(src, 'package.json'),
        JSON.stringify({ name: 'lg-left-server', version, bin: { 'lg-left-server': 'index.js' }, dependencies }),
      );
      fs.writeFileSync(
        path.join(src, 'index.js'),
        "#!/usr/bin/env node\nconsole.error('lg-left-server ready');\nprocess.stdin.resume();\n",
      );
      await run(NPM, ['pack', '--pack-destination', root], { cwd: src, env: npmEnv(root) });
      return path.join(root, `lg-left-server-${version}.tgz`);
    };
    const v1 = await pack('1.0.0', { 'pkce-challenge': '5.0.1', 'content-type': '1.0.5' });
    const v2 = await pack('1.1.0', { 'content-type': '1.0.5' });
    const prefix = path.join(root, 'prefix');
    // The project depends on pkce-challenge itself: it stays installed when the server drops it.
    await run(NPM, ['install', '--prefix', prefix, v1, 'pkce-challenge@5.0.1'], { env: npmEnv(root) });
    const bin = path.join(prefix, 'node_modules', '.bin', 'lg-left-server');
    const projectDir = project(root, 'left', bin, []);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'));
    const child = await startReady(bin, [], { cwd: projectDir, ready: /lg-left-server ready/ }, started);
    const before = await instanceOf(take, 'left', child.pid!);
    assert.equal(before.versions?.verdict.state, 'current', JSON.stringify(before.versions));
    assert.deepEqual(
      before.versions?.installed.state === 'installed' && before.versions.installed.environment?.packages,
      { 'content-type': '1.0.5', 'pkce-challenge': '5.0.1' },
    );

    // The upgrade's files are told from the server's start (process start times are coarse).
    await pastJudgedStart(before.startTime);
    await run(NPM, ['install', '--prefix', prefix, v2], { env: npmEnv(root) });
    assert.ok(fs.existsSync(path.join(prefix, 'node_modules', 'pkce-challenge', 'package.json')));
    const after = await instanceOf(take, 'left', child.pid!);
    const v = after.versions?.verdict;
    assert.equal(v?.state, 'stale', JSON.stringify(after.versions));
    if (v?.state !== 'stale') return;
    assert.equal(`${v.running} -> ${v.installed}`, '1.0.0 -> 1.1.0');
    assert.deepEqual(v.movedDependencies, [{ name: 'pkce-challenge', from: '5.0.1', stillInstalled: '5.0.1' }]);
    assert.match(v.summary, /pkce-challenge 5\.0\.1 -> \(no longer a dependency, still installed\)/);
    assert.doesNotMatch(v.summary, /removed/);
  });

  it('resolves a real `npx -y pkg@version` launch to the npx cache folder npx made (npm_config_cache respected)', async () => {
    const root = tempDir('lg-npx-');
    // The `_npx` folder a first run of the pin made (npx itself, once per machine): this run starts
    // the server from it, as every later run of the pin does.
    await npxPinnedMemoryCache(root, ['2026.7.4']);
    const cache = path.join(root, 'npm-cache');
    const env = {
      npm_config_cache: cache,
      npm_config_update_notifier: 'false',
      MEMORY_FILE_PATH: path.join(root, 'memory.jsonl'),
    };
    const projectDir = project(root, 'memory', 'npx', ['-y', `${MEM}@2026.7.4`], env);
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
    const child = await startReady(
      npx,
      ['-y', `${MEM}@2026.7.4`],
      { cwd: projectDir, env, ready: /running on stdio/ },
      started,
    );
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { npm_config_cache: cache });
    const instance = await instanceOf(take, 'memory', child.pid!);
    const inst = instance.versions?.installed;
    assert.equal(inst?.state === 'installed' && inst.version, '2026.7.4', JSON.stringify(instance.versions));
    assert.ok(
      inst?.state === 'installed' && inst.location.startsWith(path.join(cache, '_npx')),
      inst?.state === 'installed' ? inst.location : '',
    );
    assert.equal(instance.versions?.verdict.state, 'current');
    const server = (await take()).servers.find((s) => s.name === 'memory');
    assert.match(server?.installed?.state === 'installed' ? server.installed.how : '', /^npx cache /);
    await stopChildren([child]);
  });

  it("npx -p, npx --package= and npm exec --package= with a bin named apart from its package: each process is its entry's, current, then not current once the pin moves", async () => {
    const root = tempDir('lg-npxp-');
    await npxPinnedMemoryCache(root, ['2026.7.4', '2026.8.31']);
    const cache = path.join(root, 'npm-cache');
    const env = { npm_config_cache: cache, npm_config_update_notifier: 'false' };
    const launches = (version: string): Record<string, [string, string[]]> => ({
      eq: [NPX, ['-y', `--package=${MEM}@${version}`, '--', 'mcp-server-memory']],
      p: [NPX, ['-y', '-p', `${MEM}@${version}`, 'mcp-server-memory', '--p']],
      exec: [NPM, ['exec', '--yes', `--package=${MEM}@${version}`, '--', 'mcp-server-memory', '--exec']],
    });
    const projectDir = path.join(root, 'project');
    fs.mkdirSync(projectDir, { recursive: true });
    const configure = (version: string) =>
      fs.writeFileSync(
        path.join(projectDir, '.mcp.json'),
        JSON.stringify({
          mcpServers: {
            ...Object.fromEntries(
              Object.entries(launches(version)).map(([name, [command, args]]) => [
                name,
                { command, args, env: { ...env, MEMORY_FILE_PATH: path.join(root, `${name}.jsonl`) } },
              ]),
            ),
            // The same launch as `p` on other data: another server, which nothing here runs.
            pOther: {
              command: launches(version).p[0],
              args: launches(version).p[1],
              env: { ...env, MEMORY_FILE_PATH: path.join(root, 'other.jsonl') },
            },
          },
        }),
      );
    configure('2026.7.4');
    const home = path.join(root, 'home');
    fs.mkdirSync(home);
    const pids: Record<string, number> = {};
    for (const [name, [command, args]] of Object.entries(launches('2026.7.4'))) {
      const child = await startReady(
        command,
        args,
        {
          cwd: projectDir,
          env: { ...env, MEMORY_FILE_PATH: path.join(root, `${name}.jsonl`) },
          ready: /running on stdio/,
        },
        started,
      );
      pids[name] = child.pid!;
    }
    // A stranger: `p`'s very command line, run from another home's npm cache and folder.
    const elsewhere = tempDir('lg-npxp-stranger-');
    await npxPinnedMemoryCache(elsewhere, ['2026.7.4']);
    const stranger = await startReady(
      NPX,
      launches('2026.7.4').p[1],
      {
        cwd: elsewhere,
        env: {
          npm_config_cache: path.join(elsewhere, 'npm-cache'),
          npm_config_update_notifier: 'false',
          MEMORY_FILE_PATH: path.join(elsewhere, 'm.jsonl'),
        },
        ready: /running on stdio/,
      },
      started,
    );
    const take = () => snapshot(home, projectDir, path.join(root, 'lg'), { npm_config_cache: cache });
    const ours = new Set(Object.values(pids));
    for (const [name, pid] of Object.entries(pids)) {
      const inst = await instanceOf(take, name, pid);
      ours.add(inst.pid);
      assert.deepEqual(
        inst.verdicts.filter((v) => v.kind === 'unknown'),
        [],
        `${name}: proven its entry's`,
      );
      assert.equal(inst.versions?.verdict.state, 'current', `${name}: ${JSON.stringify(inst.versions?.verdict)}`);
    }
    // Other processes of this machine may run the same bin; none of this test's is Not configured.
    const first = await take();
    assert.deepEqual(
      first.notConfigured.filter((p) => ours.has(p.pid)).map((p) => p.commandLine),
      [],
    );
    // The stranger is no entry's, and the entry of other data claims nothing.
    const claimed = first.servers.flatMap((srv) =>
      srv.instances
        .filter((i) => i.pid === stranger.pid || i.launcherChain.some((c) => c.pid === stranger.pid))
        .map((i) => `${srv.name}: pid ${i.pid}`),
    );
    assert.deepEqual(claimed, [], 'the stranger from another npm cache is claimed');
    assert.deepEqual(
      first.servers.filter((srv) => srv.name === 'pOther').flatMap((srv) => srv.instances.map((i) => i.pid)),
      [],
    );

    // The user moves every pin: what runs is what the old lines started.
    configure('2026.8.31');
    for (const [name, pid] of Object.entries(pids)) {
      const inst = await instanceOf(take, name, pid);
      const v = inst.versions?.verdict;
      assert.equal(v?.state, 'config-changed', `${name}: ${JSON.stringify(v)}`);
      if (v?.state !== 'config-changed') return;
      assert.equal(v.running, `${MEM}@2026.7.4`, name);
      assert.equal(v.configured, `${MEM}@2026.8.31`, name);
    }
    await stopChildren(started.splice(0));
  });
});
