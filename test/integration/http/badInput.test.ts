import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { SessionStore } from '../../../src/core/http/sessionStore';
import { UpstreamAddress } from '../../../src/guard/http/exchange';
import { HttpFront } from '../../../src/guard/http/front';
import { listenOn, Received, startHttpServer } from '../../support/startup';

describe('HTTP front: bad input and a silent upstream', function () {
  let upstream: http.Server;
  let silent: net.Server;
  let silentSockets: net.Socket[] = [];
  let front: HttpFront;
  let frontUrl: string;
  let upstreamPort: number;
  let silentPort: number;
  let target: UpstreamAddress;
  // What the fake upstream saw: the front must pass requests on untouched but for the session id.
  const seen: Received[] = [];
  const logs: string[] = [];
  const sessions = SessionStore.inMemory();

  before(async function () {
    ({ server: upstream, port: upstreamPort } = await startHttpServer(seen, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': 'upstream-1' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id: 1, result: {} }));
    }));
    // Accepts connections and never answers: the "upstream not answering" case.
    silent = net.createServer((socket) => {
      silentSockets.push(socket);
      socket.on('error', () => undefined);
    });
    silentPort = await listenOn(silent);
    target = { host: '127.0.0.1', port: upstreamPort };
    front = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      upstream: { ready: async () => target },
      sessions,
      maxBodyBytes: 1024,
      upstreamTimeoutMs: 1500,
      readyTimeoutMs: 1000,
      allowedOrigins: ['https://allowed.example'],
      log: (line) => logs.push(line),
    });
    const address = await front.listen();
    frontUrl = `http://127.0.0.1:${address.port}/mcp`;
  });

  after(async function () {
    await front.close();
    for (const s of silentSockets) s.destroy();
    silentSockets = [];
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  beforeEach(() => {
    target = { host: '127.0.0.1', port: upstreamPort };
    seen.length = 0;
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(frontUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body,
    });

  it('answers a malformed JSON body with 400 and a JSON-RPC parse error, without bothering the server', async function () {
    const res = await post('{"jsonrpc": "2.0", "method": ');
    assert.equal(res.status, 400);
    const body = (await res.json()) as { error: { code: number } };
    assert.equal(body.error.code, -32700);
    assert.equal(seen.length, 0);
  });

  it('refuses a body over the cap with 413', async function () {
    const res = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping', params: { pad: 'x'.repeat(5000) } }),
    );
    assert.equal(res.status, 413);
    const body = (await res.json()) as { error: { code: number; message: string } };
    assert.match(body.error.message, /too large/);
    assert.equal(seen.length, 0);
  });

  it('refuses a foreign Origin with 403 and lets loopback and listed origins through', async function () {
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} });
    const foreign = await post(ping, { origin: 'https://evil.example' });
    assert.equal(foreign.status, 403);
    assert.equal(seen.length, 0);
    assert.equal((await post(ping, { origin: 'http://localhost:6274' })).status, 200);
    assert.equal((await post(ping, { origin: 'https://allowed.example' })).status, 200);
    assert.equal(seen.length, 2);
  });

  it('answers a session id it never issued with 404 and JSON-RPC error -32001', async function () {
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }), {
      'mcp-session-id': 'never-issued',
    });
    assert.equal(res.status, 404);
    const body = (await res.json()) as { error: { code: number } };
    assert.equal(body.error.code, -32001);
    assert.equal(seen.length, 0);
  });

  it('hands out its own session id and maps it to the upstream one', async function () {
    const init = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    );
    const sid = init.headers.get('mcp-session-id');
    assert.ok(sid && sid !== 'upstream-1', `client-facing id: ${sid}`);
    await init.text();
    await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }), {
      'mcp-session-id': sid,
      authorization: 'Bearer secret-token',
    });
    const last = seen[seen.length - 1];
    assert.equal(last.headers['mcp-session-id'], 'upstream-1');
    assert.equal(last.headers.authorization, 'Bearer secret-token');
    assert.ok(!logs.some((l) => l.includes('secret-token')), 'auth headers are never logged');
  });

  it('answers 502 with a JSON-RPC error when the server does not answer within the timeout', async function () {
    target = { host: '127.0.0.1', port: silentPort };
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 42, method: 'ping' }));
    assert.equal(res.status, 502);
    const body = (await res.json()) as { id: number; error: { code: number; message: string } };
    assert.equal(body.id, 42);
    assert.match(body.error.message, /did not answer within 1500 ms/);
  });

  it('answers 502 when nothing listens upstream', async function () {
    const closed = net.createServer();
    const port = await listenOn(closed);
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    target = { host: '127.0.0.1', port };
    const res = await post(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'ping' }));
    assert.equal(res.status, 502);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /could not be reached/);
  });
});
