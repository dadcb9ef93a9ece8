import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lifeguardPaths } from '../../src/core/base/paths';
import { launchRecordPath, recordHttpLaunch } from '../../src/core/http/launchRecord';
import { makeTempDir } from '../support/temp';
import { runCli } from './support';

/**
 * Start Server runs the `ensure` command line recorded for an HTTP entry's port: a file of the
 * user's that anything running as the user can edit. Through the built CLI's `status --json`
 * (`recordedLaunch`, what Start offers): a record edited to listen beyond loopback is never offered.
 */
describe('reliability: an edited HTTP launch record never makes Start listen beyond loopback', function () {
  this.timeout(60_000);
  const port = 40_000 + Math.floor(Math.random() * 20_000);
  const url = `http://127.0.0.1:${port}/mcp`;
  let home: string;

  beforeEach(() => {
    home = makeTempDir('lg-launchrec-');
    fs.mkdirSync(path.join(home, 'lg'), { mode: 0o700 });
    const config = path.join(home, '.config', 'Code', 'User', 'mcp.json');
    fs.mkdirSync(path.dirname(config), { recursive: true });
    fs.writeFileSync(config, JSON.stringify({ servers: { web: { type: 'http', url } } }));
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  const paths = () =>
    lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: path.join(home, 'lg') } });

  async function offered(): Promise<unknown> {
    const r = await runCli(['status', '--json'], {
      PATH: process.env.PATH,
      HOME: home,
      MCP_LIFEGUARD_HOME: path.join(home, 'lg'),
      MCP_LIFEGUARD_UPDATE_CHECK: '0',
    });
    assert.equal(r.code, 0, r.stderr);
    const snap = JSON.parse(r.stdout) as { servers: Array<{ name: string; recordedLaunch?: { argv: string[] } }> };
    return snap.servers.find((s) => s.name === 'web')?.recordedLaunch?.argv;
  }

  it('offers the record ensure wrote, and none of its edits that listen elsewhere', async () => {
    const argv = [
      'ensure',
      '--http',
      '--listen',
      `127.0.0.1:${port}`,
      '--',
      'node',
      'server.js',
      '--listen',
      '0.0.0.0:9',
    ];
    const written = await recordHttpLaunch(paths(), {
      host: '127.0.0.1',
      port,
      argv,
      cwd: home,
      recordedAt: new Date().toISOString(),
    });
    assert.ok(written.recorded);
    // The server's own arguments (after --) are its business: the genuine record is offered.
    assert.deepEqual(await offered(), argv);
    const file = launchRecordPath(paths(), port);
    const genuine = JSON.parse(fs.readFileSync(file, 'utf8')) as { host: string; argv: string[] };
    const edits: Array<{ why: string; host?: string; argv: string[] }> = [
      {
        why: 'edited to --allow-remote --listen 0.0.0.0',
        argv: ['ensure', '--http', '--allow-remote', '--listen', `0.0.0.0:${port}`, '--', 'node', 'server.js'],
      },
      {
        why: 'a remote listen without --allow-remote',
        argv: ['ensure', '--http', '--listen', `0.0.0.0:${port}`, '--', 'node', 'server.js'],
      },
      { why: '--listen=[::]', argv: ['ensure', '--http', `--listen=[::]:${port}`, '--', 'node', 'server.js'] },
      {
        why: 'a second --listen after the loopback one',
        argv: [
          'ensure',
          '--http',
          '--listen',
          `127.0.0.1:${port}`,
          '--listen',
          `0.0.0.0:${port}`,
          '--',
          'node',
          'server.js',
        ],
      },
      {
        why: '--allow-remote beside a loopback listen',
        argv: ['ensure', '--http', '--allow-remote=true', '--listen', `127.0.0.1:${port}`, '--', 'node', 'server.js'],
      },
      { why: 'no --listen at all', argv: ['ensure', '--http', '--', 'node', 'server.js'] },
      {
        why: 'a listen on another port',
        argv: ['ensure', '--http', '--listen', `127.0.0.1:${port + 1}`, '--', 'node', 'server.js'],
      },
      {
        why: "the record's host edited to 0.0.0.0",
        host: '0.0.0.0',
        argv: ['ensure', '--http', '--listen', `0.0.0.0:${port}`, '--', 'node', 'server.js'],
      },
      { why: 'the host edited to a remote name with a loopback listen', host: 'example.com', argv },
      {
        why: "a listen on another loopback address than the record's host",
        argv: ['ensure', '--http', '--listen', `[::1]:${port}`, '--', 'node', 'server.js'],
      },
    ];
    for (const edit of edits) {
      fs.writeFileSync(file, JSON.stringify({ ...genuine, host: edit.host ?? genuine.host, argv: edit.argv }), {
        mode: 0o600,
      });
      assert.equal(await offered(), undefined, edit.why);
    }
    fs.writeFileSync(file, JSON.stringify(genuine), { mode: 0o600 });
    assert.deepEqual(await offered(), argv, 'the genuine record again');
  });
});
