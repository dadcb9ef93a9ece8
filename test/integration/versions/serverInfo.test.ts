import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { askServerInfo } from '../../../src/core/machine/serverInfo';
import type { Snapshot } from '../../../src/core/base/model';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { takeSnapshot } from '../../../src/core/snapshot';
import { run, tempDir } from './support';
import { stopChildren } from '../../support/liveness';
import { freePort, startReady } from '../../support/startup';

const EVERYTHING = path.join(
  repoRoot,
  'node_modules',
  '@modelcontextprotocol',
  'server-everything',
  'dist',
  'index.js',
);

/** A real HTTP MCP server (server-everything over streamable HTTP), already running, asked for its serverInfo. */
describe('versions (integration): serverInfo of a running HTTP server', function () {
  this.timeout(300_000);
  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it("reads serverInfo.version, and a version unrelated to the package's is not taken as the running version", async () => {
    const port = await freePort();
    const server = await startReady(
      process.execPath,
      [EVERYTHING, 'streamableHttp'],
      { cwd: repoRoot, env: { PORT: String(port) }, ready: /listening on port/ },
      started,
    );
    const url = `http://127.0.0.1:${port}/mcp`;
    const answer = await askServerInfo(url, 'http', 10_000);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const reported = answer.ok ? answer.version : '';
    assert.ok(reported, 'a version was reported');

    const root = tempDir('lg-info-');
    const project = path.join(root, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { everything: { type: 'http', url } } }),
    );
    const snap = await takeSnapshot({
      host: {
        home: root,
        platform: process.platform,
        env: { ...process.env, HOME: root, MCP_LIFEGUARD_HOME: path.join(root, 'lg') },
      },
      workspaceFolders: [project],
      // The project is the user's own: its URL entries are asked (an untrusted one's never are).
      workspaceTrusted: true,
      engine: { registry: false, docker: false },
    });
    const entry = snap.servers.find((s) => s.name === 'everything')!;
    if (entry.listener?.state !== 'local') {
      // Without a way to see who listens (no /proc/net/tcp, no lsof) there is no instance to ask about.
      assert.equal(entry.instances.length, 0);
      return;
    }
    const instance = entry.instances.find(
      (i) => i.pid === server.pid || i.launcherChain.some((c) => c.pid === server.pid),
    );
    assert.ok(instance, JSON.stringify(entry.instances.map((i) => i.pid)));
    const v = instance.versions;
    assert.deepEqual(v?.serverInfo?.version, reported);
    assert.equal(v?.installed.state === 'installed' && v.installed.name, '@modelcontextprotocol/server-everything');
    if (v?.installed.state === 'installed' && v.installed.version !== reported) {
      // The server reports a hard-coded version, not its package's: it must not make the instance stale.
      assert.notEqual(v.verdict.state, 'stale', JSON.stringify(v));
      assert.notEqual(v.running.state === 'known' && v.running.source, 'server-info');
    }
  });

  it('status --json shows what a modern server states through server/discover, with its era and how', async () => {
    const port = await freePort();
    const log = path.join(tempDir('lg-info-log-'), 'requests.jsonl');
    const server = await startReady(
      process.execPath,
      [path.join(fixturesDir, 'eras', 'modern-http', 'server.mjs')],
      { cwd: fixturesDir, env: { PORT: String(port), FIXTURE_LOG: log }, ready: /listening on/ },
      started,
    );
    const url = `http://127.0.0.1:${port}/mcp`;
    const root = tempDir('lg-info-');
    const project = path.join(root, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(
      path.join(project, '.mcp.json'),
      JSON.stringify({ mcpServers: { modern: { type: 'http', url } } }),
    );
    const env = {
      PATH: process.env.PATH,
      HOME: root,
      MCP_LIFEGUARD_HOME: path.join(root, 'lg'),
      MCP_LIFEGUARD_UPDATE_CHECK: '0',
    };
    const snap = JSON.parse(
      await run(process.execPath, [cliPath, 'status', '--json', '--workspace', project, '--trust-workspace'], { env }),
    ) as Snapshot;
    const entry = snap.servers.find((s) => s.name === 'modern')!;
    if (entry.listener?.state !== 'local') {
      // Without a way to see who listens (no /proc/net/tcp, no lsof) there is no instance to ask about.
      assert.equal(entry.instances.length, 0);
      return;
    }
    const instance = entry.instances.find((i) => i.pid === server.pid);
    assert.ok(instance, JSON.stringify(entry.instances.map((i) => i.pid)));
    const v = instance.versions;
    assert.deepEqual(v?.serverInfo, {
      name: 'lg-modern-http',
      version: '7.7.7',
      era: 'modern',
      how: `server/discover at ${url}`,
    });
    // It names its own package (the fixture's package.json beside it): trusted as the running version.
    assert.equal(v?.running.state === 'known' && `${v.running.version} ${v.running.source}`, '7.7.7 server-info');
    assert.match(v?.running.state === 'known' ? v.running.how : '', /server\/discover/);
    const methods = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { method: string; body: string });
    assert.ok(
      methods.length > 0 &&
        methods.every((r) => r.method === 'POST' && JSON.parse(r.body).method === 'server/discover'),
      JSON.stringify(methods),
    );
  });

  it('reads serverInfo over the legacy HTTP+SSE transport: the endpoint event, then the initialize answer on the stream', async () => {
    const port = await freePort();
    await startReady(
      process.execPath,
      [EVERYTHING, 'sse'],
      { cwd: repoRoot, env: { PORT: String(port) }, ready: /running on port/ },
      started,
    );
    const url = `http://127.0.0.1:${port}/sse`;
    const answer = await askServerInfo(url, 'sse', 10_000);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.ok(answer.ok && /^\d+\.\d+\.\d+/.test(answer.version), JSON.stringify(answer));
    assert.deepEqual(answer.ok && { era: answer.era, how: answer.how }, { era: 'legacy', how: `initialize at ${url}` });
  });

  it('answers "no" quickly and plainly when nothing listens', async () => {
    const port = await freePort();
    const answer = await askServerInfo(`http://127.0.0.1:${port}/mcp`, 'http', 5000);
    assert.equal(answer.ok, false);
    assert.match(answer.ok ? '' : answer.reason, /fetch failed|ECONNREFUSED|initialize failed/);
  });
});
