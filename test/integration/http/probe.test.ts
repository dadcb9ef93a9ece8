import * as assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { SessionStore } from '../../../src/core/http/sessionStore';
import { probeServerInfo } from '../../../src/core/machine/httpProbe';
import { askServerInfo } from '../../../src/core/machine/serverInfo';
import { HttpFront } from '../../../src/guard/http/front';
import { freePort, waitUntilAnswers } from '../../../src/guard/http/upstream';
import { everythingCommand, spawnCollect } from './support';
import { killAndWait, stopChildren } from '../../support/liveness';
import { fixturesDir } from '../../support/repo';
import { listenOn, Received, startHttpServer, startReady } from '../../support/startup';
import { makeTempDir } from '../../support/temp';
import { waitUntil } from '../../support/poll';

/** The JSON-RPC method of a request body, or its HTTP method when it carries none (GET, DELETE). */
const rpcOf = (r: { method: string; body: string }): string => {
  try {
    return (JSON.parse(r.body) as { method?: string }).method ?? r.method;
  } catch {
    return r.method;
  }
};

/** A recording proxy to `port`: every request lands in `seen`, then goes on unchanged, its answer streamed back. */
async function recordingProxy(seen: Received[], port: number): Promise<{ server: http.Server; port: number }> {
  return startHttpServer(seen, (req, res, body) => {
    const up = http.request(
      { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    up.end(body);
  });
}

describe('serverInfo probe of a running HTTP server', function () {
  this.timeout(120_000);

  const started: ChildProcess[] = [];
  after(async () => {
    await stopChildren(started);
  });

  it('asks a modern server with server/discover alone: no initialize, no session, no GET or DELETE', async function () {
    const port = await freePort();
    const log = path.join(makeTempDir('lg-probe-'), 'requests.jsonl');
    await startReady(
      process.execPath,
      [path.join(fixturesDir, 'eras', 'modern-http', 'server.mjs')],
      { cwd: fixturesDir, env: { PORT: String(port), FIXTURE_LOG: log }, ready: /listening on/ },
      started,
    );
    const url = `http://127.0.0.1:${port}/mcp`;
    const info = await probeServerInfo(url, { timeoutMs: 30_000 });
    assert.deepEqual(info, {
      state: 'known',
      name: 'lg-modern-http',
      version: '7.7.7',
      era: 'modern',
      protocolVersion: '2026-07-28',
      how: `server/discover at ${url}`,
    });
    const received = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Received & { url: string });
    assert.deepEqual(
      received.map((r) => `${r.method} ${rpcOf(r)}`),
      ['POST server/discover'],
      'one discover, nothing else',
    );
    assert.equal(received[0].headers['mcp-session-id'], undefined);
    // The snapshot's evidence goes through the same probe: the same answer, the same one request.
    const answer = await askServerInfo(url, 'http', 30_000);
    assert.deepEqual(answer, {
      ok: true,
      name: 'lg-modern-http',
      version: '7.7.7',
      era: 'modern',
      how: `server/discover at ${url}`,
    });
    assert.deepEqual(
      fs
        .readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => rpcOf(JSON.parse(l) as Received)),
      ['server/discover', 'server/discover'],
    );

    // No socket is kept open for reuse once the probe is done (fetch would keep one for about 4 s).
    const seen: Received[] = [];
    const proxy = await recordingProxy(seen, port);
    try {
      const again = await probeServerInfo(`http://127.0.0.1:${proxy.port}/mcp`, { timeoutMs: 30_000 });
      assert.equal(again.state === 'known' && again.era, 'modern');
      assert.equal(seen[0]?.headers.connection, 'close');
      const open = () =>
        new Promise<number>((resolve, reject) =>
          proxy.server.getConnections((err, n) => (err ? reject(err) : resolve(n))),
        );
      assert.ok(await waitUntil(async () => (await open()) === 0, 1000, 20), `${await open()} connection(s) left open`);
    } finally {
      proxy.server.closeAllConnections();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  });

  it('reads serverInfo with a real initialize and deletes its session afterwards', async function () {
    const port = await freePort();
    const cmd = everythingCommand();
    const server = spawnCollect(cmd.command, cmd.args, { env: { ...process.env, PORT: String(port) } });
    // Through a front with its own session map, to see the session come and go.
    const sessions = SessionStore.inMemory();
    const front = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      upstream: { ready: async () => ({ host: '127.0.0.1', port }) },
      sessions,
      maxBodyBytes: 1 << 20,
      upstreamTimeoutMs: 30_000,
      readyTimeoutMs: 30_000,
      allowedOrigins: [],
      log: () => undefined,
    });
    // And a recording proxy before the front, to see what the probe sends, in order.
    const seen: Received[] = [];
    let proxy: http.Server | undefined;
    try {
      assert.ok(await waitUntilAnswers({ host: '127.0.0.1', port }, '/mcp', 60_000));
      const address = await front.listen();
      const recorder = await recordingProxy(seen, address.port);
      proxy = recorder.server;
      const url = `http://127.0.0.1:${recorder.port}/mcp`;
      const info = await probeServerInfo(url, { timeoutMs: 30_000 });
      assert.equal(info.state, 'known', JSON.stringify(info));
      if (info.state !== 'known') return;
      assert.match(info.name, /everything/);
      assert.match(info.version, /^\d+\.\d+\.\d+/);
      assert.equal(info.era, 'legacy');
      assert.equal(info.how, `initialize at ${url}`);
      assert.equal(sessions.size, 0, 'the probe ended its session with DELETE');
      // Modern first; the legacy answer to it makes the probe fall back to initialize, and DELETE ends the session.
      const order = seen.map(rpcOf).filter((m) => m !== 'GET' && m !== 'notifications/initialized');
      assert.deepEqual(order, ['server/discover', 'initialize', 'DELETE'], JSON.stringify(seen.map(rpcOf)));
      // The snapshot's running-version evidence for HTTP servers goes through the same probe.
      const answer = await askServerInfo(url, 'http', 30_000);
      assert.deepEqual(answer, { ok: true, name: info.name, version: info.version, era: 'legacy', how: info.how });
      assert.equal(sessions.size, 0);
    } finally {
      if (proxy) {
        proxy.closeAllConnections();
        await new Promise<void>((resolve) => proxy!.close(() => resolve()));
      }
      await front.close();
      await killAndWait(server.child.pid);
    }
  });

  it('gives up within its timeout on a server that never answers', async function () {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => {
      sockets.push(s);
      s.on('error', () => undefined);
    });
    const port = await listenOn(silent);
    try {
      const info = await probeServerInfo(`http://127.0.0.1:${port}/mcp?token=abc123`, { timeoutMs: 1000 });
      assert.equal(info.state, 'unknown');
      if (info.state === 'unknown') {
        assert.match(info.reason, /no answer within 1000 ms|timed out/i);
        assert.doesNotMatch(info.reason, /abc123/);
      }
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('says why when nothing listens', async function () {
    const port = await freePort();
    const info = await probeServerInfo(`http://127.0.0.1:${port}/mcp`, { timeoutMs: 5000 });
    assert.equal(info.state, 'unknown');
  });
});
