import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlShutdown } from '../../src/core/control';
import { listLocks, LockRecord } from '../../src/core/locks';
import { freePort } from '../../src/guard/http/upstream';
import { cliPath } from '../support/repo';
import { connectClient, echo, isAlive, killAndWait, shortTempDir, spawnCollect, versionedServerPackage, waitFor } from '../integration/http/support';
import { cli, statusJson } from '../integration/processes/support/harness';

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
      await waitFor('the guard to stop', () => (isAlive(record.pid) ? undefined : true), 30_000).catch(() => killAndWait(record.pid));
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
    const run = spawnCollect(process.execPath, [cliPath, 'ensure', '--http', '--listen', `127.0.0.1:${port}`, '--', server.command, ...server.args], { env, cwd: home });
    assert.equal(await run.exited, 0, run.output());
    const url = `http://127.0.0.1:${port}/mcp`;
    // The user's own config names the URL ensure printed, and the same server as a stdio launch.
    const userDir = path.join(home, '.config', 'Code', 'User');
    fs.mkdirSync(userDir, { recursive: true });
    fs.writeFileSync(path.join(userDir, 'mcp.json'), JSON.stringify({ servers: { web: { type: 'http', url }, local: { command: server.command, args: server.args } } }));

    const [guard] = await liveGuards();
    assert.ok(guard, 'ensure left a live guard');
    const snap = await statusJson(home);
    const web = snap.servers.find((s) => s.name === 'web');
    assert.ok(web && web.instances.length === 1, JSON.stringify(web));
    for (const s of snap.servers) {
      for (const i of s.instances) assert.ok(!i.verdicts.some((v) => v.kind === 'orphan'), `${s.name} pid ${i.pid} is not an orphan: ${JSON.stringify(i.verdicts)}`);
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
