import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { SessionStore } from '../../../src/core/http/sessionStore';
import { probeServerInfo } from '../../../src/core/http/probe';
import { askServerInfo } from '../../../src/core/versions/serverInfo';
import { HttpFront } from '../../../src/guard/http/front';
import { freePort, waitUntilAnswers } from '../../../src/guard/http/upstream';
import { everythingCommand, spawnCollect } from './support';
import { killAndWait } from '../../support/liveness';
import { listenOn } from '../../support/startup';

describe('serverInfo probe of a running HTTP server', function () {
  this.timeout(120_000);

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
    try {
      assert.ok(await waitUntilAnswers({ host: '127.0.0.1', port }, '/mcp', 60_000));
      const address = await front.listen();
      const info = await probeServerInfo(`http://127.0.0.1:${address.port}/mcp`, { timeoutMs: 30_000 });
      assert.equal(info.state, 'known', JSON.stringify(info));
      if (info.state !== 'known') return;
      assert.match(info.name, /everything/);
      assert.match(info.version, /^\d+\.\d+\.\d+/);
      assert.equal(sessions.size, 0, 'the probe ended its session with DELETE');
      // The snapshot's running-version evidence for HTTP servers goes through the same probe.
      const answer = await askServerInfo(`http://127.0.0.1:${address.port}/mcp`, 'http', 30_000);
      assert.deepEqual(answer, { ok: true, name: info.name, version: info.version });
      assert.equal(sessions.size, 0);
    } finally {
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
