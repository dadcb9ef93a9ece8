import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { controlStatus } from '../../../src/core/control';
import { listLocks, LockRecord } from '../../../src/core/locks';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { RunningHttpGuard, startHttpGuard } from '../../../src/guard/http/startHttpGuard';
import { freePort } from '../../../src/guard/http/upstream';
import { makeTempDir } from '../../support/temp';
import { fixtureVenv } from '../versions/support';
import { until } from '../../support/poll';
import { everythingGuardOptions, shortTempDir } from './support';

/**
 * Makes `python -m lgdemo_server` answer HTTP on $PORT: a sitecustomize (on PYTHONPATH, for the
 * guarded launch only) serves before the stdio main module runs. The process is still the venv's
 * Python running the installed lgdemo-server, which is what the version probe resolves.
 */
const SITECUSTOMIZE = `import os
if os.environ.get("LGDEMO_HTTP") == "1":
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(405)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
`;

/**
 * `run --http` over a Python server in a real venv: the HTTP guard uses the same version probe as
 * the stdio guard, so status and the lock record name the Python package, and the stale gate sees
 * an upgrade (restart-when-idle restarts onto it).
 */
describe('mcp-lifeguard run --http: a Python server in a venv', function () {
  this.timeout(600_000);
  let root: string;
  let home: string;
  let guard: RunningHttpGuard | undefined;

  before(function () {
    root = makeTempDir('lg-http-py-');
    home = shortTempDir();
  });

  after(async function () {
    await guard?.shutdown('test over');
    fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('reports the package version in status and the lock record, and restarts onto an upgrade when idle', async function () {
    const { py, pip } = await fixtureVenv(root);
    await pip('lgdemo-server==1.0.0', 'lgdemo-dep==1.0.0');
    const site = path.join(root, 'site');
    fs.mkdirSync(site);
    fs.writeFileSync(path.join(site, 'sitecustomize.py'), SITECUSTOMIZE);

    const paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    const identity = { serverName: 'lgdemo', resourceKey: 'python-http' };
    const started = await startHttpGuard(
      everythingGuardOptions(
        { home, identity, paths, port: await freePort() },
        {
          launch: {
            command: py,
            args: ['-m', 'lgdemo_server'],
            cwd: root,
            env: { ...process.env, PYTHONPATH: site, LGDEMO_HTTP: '1' },
          },
          whenStale: 'restart-when-idle',
          staleIntervalMs: 200,
        },
      ),
    );
    assert.equal(started.kind, 'running', JSON.stringify(started));
    guard = (started as { guard: RunningHttpGuard }).guard;

    const liveRecord = async (): Promise<LockRecord | undefined> => {
      const live = (await listLocks(paths.locks)).find((l) => l.state === 'live');
      return live && 'record' in live ? live.record : undefined;
    };
    const record = (await liveRecord())!;
    assert.deepEqual(record.versions?.package, { name: 'lgdemo-server', version: '1.0.0', ecosystem: 'python' });
    const before = await controlStatus(record.control!);
    assert.ok(before.ok);
    assert.equal(before.result.runningVersion, 'lgdemo-server 1.0.0');
    assert.equal(before.result.state, 'running');

    await pip('lgdemo-server==1.1.0');
    const after = await until(
      'the guard to restart onto lgdemo-server 1.1.0',
      async () => {
        const s = await controlStatus(record.control!);
        return s.ok && s.result.state === 'running' && s.result.runningVersion === 'lgdemo-server 1.1.0'
          ? s.result
          : undefined;
      },
      120_000,
    );
    assert.notEqual(after.childPid, before.result.childPid);
    assert.equal(after.restarts, 1);
    assert.equal((await liveRecord())?.versions?.package?.version, '1.1.0');
  });
});
