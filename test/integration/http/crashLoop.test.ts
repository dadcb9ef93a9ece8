import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlStatus } from '../../../src/core/control';
import { listLocks } from '../../../src/core/locks';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath } from '../../support/repo';
import { killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';
import { shortTempDir, spawnCollect } from './support';

/** A server that answers on $PORT and exits on its own soon after: a crash loop in the making. */
const SHORT_LIVED = `
const http = require('node:http');
http.createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{}'); })
  .listen(Number(process.env.PORT), '127.0.0.1', () => setTimeout(() => {
    process.stderr.write('Error: the index at ./data is from a newer version ' + process.env.DB_PASSWORD + '\\n');
    process.exit(3);
  }, 700));
`;

describe('run --http: the crash-loop rule is the one `run` has, with the same options', function () {
  this.timeout(120_000);
  let home: string;
  const pids: number[] = [];

  beforeEach(() => {
    home = shortTempDir();
  });

  afterEach(async () => {
    for (const pid of pids.splice(0)) await killAndWait(pid);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('stops restarting after --crash-limit quick exits in a row and answers 502 saying why; its record says it is down, with its last output', async () => {
    const script = path.join(home, 'short-lived.cjs');
    fs.writeFileSync(script, SHORT_LIVED);
    const port = await freePort();
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home, DB_PASSWORD: 'pw-0c1d2e3f4a' };
    const guard = spawnCollect(
      process.execPath,
      [
        cliPath,
        'run',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--name',
        'shortlived',
        '--crash-limit',
        '2',
        '--crash-window',
        '30',
        '--',
        process.execPath,
        script,
      ],
      { env, cwd: home },
    );
    pids.push(guard.child.pid!);
    const paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    const control = await until('the guard to hold its lock', async () => {
      const live = (await listLocks(paths.locks)).find((l) => l.state === 'live');
      return live && 'record' in live ? live.record.control : undefined;
    });
    const failed = await until(
      'the guard to give up on the server',
      async () => {
        const s = await controlStatus(control);
        return s.ok && s.result.state === 'failed' ? s.result : undefined;
      },
      60_000,
    );
    assert.equal(failed.restarts, 1, 'one restart after the first exit, none after the second');
    const res = await fetch(`http://127.0.0.1:${port}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
    });
    assert.equal(res.status, 502);
    const body = await res.text();
    assert.match(
      body,
      /2 times in a row.*Its last output: Error: the index at \.\/data is from a newer version <redacted>/,
    );
    // The record says so (status, the tree and the badge read it); the password is never repeated.
    const down = await until('the record to say down', async () => {
      const live = (await listLocks(paths.locks)).find((l) => l.state === 'live');
      return live && 'record' in live ? live.record.down : undefined;
    });
    assert.match(down.reason, /Its last output: Error: the index/);
    assert.deepEqual(down.output, ['Error: the index at ./data is from a newer version <redacted>']);
    assert.ok(!body.includes('pw-0c1d2e3f4a') && !JSON.stringify(down).includes('pw-0c1d2e3f4a'));
    guard.child.kill('SIGTERM');
    assert.equal(await guard.exited, 0, guard.output());
  });
});
