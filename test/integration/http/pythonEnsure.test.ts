import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath } from '../../support/repo';
import { isAlive } from '../../support/liveness';
import {
  childPidOf,
  connectClient,
  echo,
  killMentioning,
  liveGuardOf,
  processesMentioning,
  shortTempDir,
  spawnCollect,
  stopEnsuredGuard,
} from './support';
import { PythonHttpVenv, pythonHttpVenv } from './pythonSdk';
import { tempDir } from '../versions/support';

/**
 * The buckaroo report: a shared HTTP server, started once for every client, is reused after its
 * package was upgraded, so clients talk to the old code. A real Python SDK server (`lgdemo-http`
 * on `mcp` from PyPI) installed in a venv, started through `mcp-lifeguard ensure`; upgraded with
 * pip; the next `ensure` replaces the old server, and 8 concurrent `ensure` calls start one.
 */
describe('mcp-lifeguard ensure --http: a Python server in a venv, upgraded with pip', function () {
  this.timeout(600_000);
  let venv: PythonHttpVenv;
  let root: string;
  let home: string;
  let client: Client | undefined;

  before(async function () {
    if (process.platform !== 'linux') this.skip();
    assert.ok(fs.existsSync(cliPath), `${cliPath} is built (npm run build)`);
    root = tempDir('lg-pyensure-');
    venv = await pythonHttpVenv(root, '1.0.0');
    home = shortTempDir();
  });

  after(async () => {
    await client?.close().catch(() => undefined);
    await stopEnsuredGuard(home);
    await killMentioning(root);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('the next ensure after `pip install` replaces the old server; 8 concurrent ensures start one', async () => {
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const ensure = async () => {
      const run = spawnCollect(
        process.execPath,
        [
          cliPath,
          'ensure',
          '--http',
          '--listen',
          `127.0.0.1:${port}`,
          '--name',
          'pyensure',
          '--stop-grace',
          '2',
          '--timeout',
          '240',
          '--',
          venv.bin,
        ],
        { env, cwd: home },
      );
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
    };

    const first = await ensure();
    assert.equal(first.code, 0, first.output);
    assert.equal(first.stdout, url);
    ({ client } = await connectClient(url));
    assert.equal(client.getServerVersion()?.version, '1.0.0');
    assert.match(await echo(client, 'old'), /^lgdemo-http 1\.0\.0 \(pid \d+\): old$/);
    const old = (await liveGuardOf(home))!;
    assert.equal(old.versions?.package?.name, 'lgdemo-http');
    assert.equal(old.versions?.package?.version, '1.0.0');
    const oldChild = await childPidOf(old);

    await venv.pip('lgdemo-http==2.0.0');

    const all = await Promise.all(Array.from({ length: 8 }, () => ensure()));
    for (const r of all) {
      assert.equal(r.code, 0, r.output);
      assert.equal(r.stdout, url);
    }
    assert.equal(
      all.filter((r) => /runs 1\.0\.0 but 2\.0\.0 is installed/.test(r.output)).length >= 1,
      true,
      all.map((r) => r.output).join('\n---\n'),
    );
    const fresh = (await liveGuardOf(home))!;
    assert.notEqual(fresh.pid, old.pid);
    assert.equal(fresh.versions?.package?.version, '2.0.0');
    assert.equal(isAlive(old.pid), false, 'the stale guard is gone');
    assert.equal(oldChild !== undefined && isAlive(oldChild), false, 'the stale server is gone');
    // One server and one guard, whatever the 8 calls raced for: the server's argv names the venv's script.
    const servers = processesMentioning(venv.bin).filter((argv) => !argv.some((a) => a.endsWith('cli.js')));
    assert.equal(servers.length, 1, JSON.stringify(servers));
    const guards = processesMentioning(venv.bin).filter(
      (argv) => argv.some((a) => a.endsWith('cli.js')) && argv.includes('run'),
    );
    assert.equal(guards.length, 1, JSON.stringify(guards));

    // The client that was talking to the old server goes on with the new code, on the same URL.
    assert.match(await echo(client, 'new'), /^lgdemo-http 2\.0\.0 \(pid \d+\): new$/);
    const { client: second } = await connectClient(url);
    assert.equal(second.getServerVersion()?.version, '2.0.0');
    await second.close();
  });
});
