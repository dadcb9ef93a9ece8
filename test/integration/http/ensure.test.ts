import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { controlShutdown } from '../../../src/core/control';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath } from '../../support/repo';
import {
  childPidOf,
  connectClient,
  echo,
  killMentioning,
  liveGuardOf,
  processesMentioning,
  shortTempDir,
  spawnCollect,
  versionedServerPackage,
  stopEnsuredGuard,
} from './support';
import { until } from '../../support/poll';
import { isAlive, killAndWait } from '../../support/liveness';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { launchRecordPath, readHttpLaunch } from '../../../src/core/http/launchRecord';
import { takeSnapshot } from '../../../src/core/snapshot';
import { runEnsure } from '../../../src/extension/actions/runEnsure';
import { installedLauncher } from '../guard/support';

/**
 * `mcp-lifeguard ensure` through the built CLI, with real processes: idempotent, version-checked,
 * one server however many ensure at once, and a clear message when the port is someone else's.
 */
describe('mcp-lifeguard ensure --http', function () {
  this.timeout(300_000);
  let home: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  let server: ReturnType<typeof versionedServerPackage>;
  let client: Client | undefined;
  const extraPids: number[] = [];

  before(function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
  });

  beforeEach(async function () {
    home = shortTempDir();
    env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    port = await freePort();
    server = versionedServerPackage(home, '1.0.0');
  });

  const liveGuard = () => liveGuardOf(home);

  afterEach(async function () {
    await client?.close().catch(() => undefined);
    client = undefined;
    await stopEnsuredGuard(home);
    for (const pid of extraPids.splice(0)) await killAndWait(pid);
    // Anything of this test still running (an orphan of a SIGKILLed guard) goes too: its argv names our temp dir.
    await killMentioning(home);
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function ensure(extra: string[] = []): Promise<{ code: number | null; output: string; stdout: string }> {
    const args = [
      cliPath,
      'ensure',
      '--http',
      '--listen',
      `127.0.0.1:${port}`,
      '--stop-grace',
      '2',
      ...extra,
      '--',
      server.command,
      ...server.args,
    ];
    const run = spawnCollect(process.execPath, args, { env, cwd: home });
    const code = await run.exited;
    const output = run.output();
    return {
      code,
      output,
      stdout: output
        .split('\n')
        .filter((l) => l.startsWith('http://'))
        .join('\n'),
    };
  }

  const url = () => `http://127.0.0.1:${port}/mcp`;

  it('starts the server once, prints its URL, and a second call reuses it', async function () {
    const first = await ensure();
    assert.equal(first.code, 0, first.output);
    assert.equal(first.stdout, url());
    const guard = (await liveGuard())!;
    assert.equal(guard.versions?.package?.version, '1.0.0');
    const child = await childPidOf(guard);
    const second = await ensure();
    assert.equal(second.code, 0, second.output);
    assert.equal(second.stdout, url());
    assert.equal((await liveGuard())!.pid, guard.pid);
    assert.equal(await childPidOf(guard), child);
  });

  it('records its command line for Start (private, no secret); the snapshot of an HTTP entry at that port carries it, and running it again serves again', async function () {
    assert.equal((await ensure()).code, 0);
    const paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    const file = launchRecordPath(paths, port);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const record = await readHttpLaunch(paths, url());
    assert.deepEqual(record?.argv, [
      'ensure',
      '--http',
      '--listen',
      `127.0.0.1:${port}`,
      '--stop-grace',
      '2',
      '--',
      server.command,
      ...server.args,
    ]);
    assert.equal(record?.cwd, home);
    assert.equal(
      await readHttpLaunch(paths, `http://localhost:${port}/other`).then((r) => r?.port),
      port,
      'any loopback name of the port',
    );
    assert.equal(await readHttpLaunch(paths, `http://192.0.2.1:${port}/mcp`), undefined, 'never a remote URL');

    // An HTTP entry in a project's config at that URL: the snapshot says what Start would run.
    const project = path.join(home, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { web: { type: 'http', url: url() } } }),
    );
    const take = () =>
      takeSnapshot({
        host: { home, platform: process.platform, env: { ...process.env, HOME: home, MCP_LIFEGUARD_HOME: home } },
        workspaceFolders: [project],
        versions: false,
      });
    const web = (await take()).servers.find((x) => x.name === 'web');
    assert.deepEqual(web?.recordedLaunch?.argv, record?.argv);

    // Stopped, then started again the way Start in VS Code does: the installed guard runs the record.
    const guard = (await liveGuard())!;
    const child = await childPidOf(guard);
    await controlShutdown(guard.control!);
    await until(
      'the guard and its server to stop',
      () => (!isAlive(guard.pid) && (child === undefined || !isAlive(child)) ? true : undefined),
      30_000,
    );
    const started = await runEnsure(installedLauncher(paths), record!.argv, record!.cwd, env);
    assert.equal(started.ok, true, started.message);
    assert.equal(started.url, url());
    ({ client } = await connectClient(url()));
    assert.equal(await echo(client, 'again'), 'Echo: again');

    // A command line with a token in it is never recorded: the old record stays, and ensure says why.
    await client.close();
    client = undefined;
    const again = (await liveGuard())!;
    await controlShutdown(again.control!);
    await until('the guard to stop', () => (!isAlive(again.pid) ? true : undefined), 30_000);
    const withToken = spawnCollect(
      process.execPath,
      [
        cliPath,
        'ensure',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--',
        server.command,
        ...server.args,
        '--api-key',
        'sk-live-abcdef0123456789',
      ],
      { env, cwd: home },
    );
    assert.equal(await withToken.exited, 0, withToken.output());
    assert.match(withToken.output(), /not recorded for Start: argument \d+ holds what looks like a secret/);
    assert.ok(!fs.readFileSync(file, 'utf8').includes('sk-live-abcdef0123456789'));
  });

  it('after the guard and its server are SIGKILLed, ensure starts them again and the client goes on', async function () {
    assert.equal((await ensure()).code, 0);
    ({ client } = await connectClient(url()));
    assert.equal(await echo(client, 'one'), 'Echo: one');
    const guard = (await liveGuard())!;
    const child = await childPidOf(guard);
    await killAndWait(guard.pid);
    assert.ok(child !== undefined && isAlive(child), 'a SIGKILLed guard leaves its server behind');
    const again = await ensure();
    assert.equal(again.code, 0, again.output);
    assert.notEqual((await liveGuard())!.pid, guard.pid);
    assert.equal(isAlive(child!), false, 'the new guard stopped the server its predecessor left behind');
    assert.equal(await echo(client, 'two'), 'Echo: two');
  });

  it('replaces a stale server: the installed version moved on', async function () {
    assert.equal((await ensure()).code, 0);
    ({ client } = await connectClient(url()));
    assert.equal(await echo(client, 'old'), 'Echo: old');
    const old = (await liveGuard())!;
    const oldChild = await childPidOf(old);
    fs.writeFileSync(server.packageJson, JSON.stringify({ name: 'lifeguard-http-fixture', version: '1.1.0' }));
    const replaced = await ensure();
    assert.equal(replaced.code, 0, replaced.output);
    assert.match(replaced.output, /runs 1\.0\.0 but 1\.1\.0 is installed/);
    const fresh = (await liveGuard())!;
    assert.notEqual(fresh.pid, old.pid);
    assert.equal(fresh.versions?.package?.version, '1.1.0');
    assert.equal(isAlive(old.pid), false, 'the stale guard is gone');
    assert.equal(oldChild !== undefined && isAlive(oldChild), false, 'the stale server is gone');
    assert.equal(await echo(client, 'new'), 'Echo: new');
  });

  it('20 concurrent ensures start one server and all print its URL', async function () {
    const results = await Promise.all(Array.from({ length: 20 }, () => ensure(['--timeout', '240'])));
    for (const r of results) {
      assert.equal(r.code, 0, r.output);
      assert.equal(r.stdout, url());
    }
    const serverScript = path.join(home, 'pkg', 'server.mjs');
    const servers = processesMentioning(serverScript).filter((argv) => !argv.some((a) => a.endsWith('cli.js')));
    assert.equal(servers.length, 1, JSON.stringify(servers));
    const guards = processesMentioning(serverScript).filter(
      (argv) => argv.some((a) => a.endsWith('cli.js')) && argv.includes('run'),
    );
    assert.equal(guards.length, 1, JSON.stringify(guards));
  });

  it('fails with the pid of a foreign process holding the port', async function () {
    const squatter = spawnCollect(process.execPath, [
      '-e',
      `require('node:http').createServer((q, s) => s.end('not mcp')).listen(${port}, '127.0.0.1', () => console.log('up'))`,
    ]);
    extraPids.push(squatter.child.pid!);
    await until('the squatter to listen', () => (squatter.output().includes('up') ? true : undefined));
    const result = await ensure();
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, new RegExp(`held by pid ${squatter.child.pid}\\b`));
    assert.equal(await liveGuard(), undefined, 'no guard was left running');
  });
});
