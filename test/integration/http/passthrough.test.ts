import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { SessionStore } from '../../../src/core/http/sessionStore';
import { HttpFront } from '../../../src/guard/http/front';
import { until } from '../../support/poll';
import { Received, startHttpServer } from '../../support/startup';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

/**
 * What the front must leave alone: session-less protocol versions, DELETE, Last-Event-ID on a
 * session that was never rebuilt; and what it must pass on: a client that goes away.
 */
describe('HTTP front: pass-through and cancellation', function () {
  this.timeout(60_000);
  let upstream: http.Server;
  let front: HttpFront;
  let url: string;
  let handler: Handler;
  const seen: Received[] = [];
  const sessions = SessionStore.inMemory();

  before(async function () {
    const started = await startHttpServer(seen, (req, res, body) => handler(req, res, body));
    upstream = started.server;
    const port = started.port;
    front = new HttpFront({
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
    url = `http://127.0.0.1:${(await front.listen()).port}/mcp`;
  });

  after(async function () {
    await front.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  beforeEach(() => (seen.length = 0));

  const json = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  async function openSession(upstreamId: string): Promise<string> {
    handler = (_req, res, body) =>
      json(res, 200, { jsonrpc: '2.0', id: JSON.parse(body).id, result: {} }, { 'mcp-session-id': upstreamId });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }),
    });
    await res.text();
    return res.headers.get('mcp-session-id')!;
  }

  it('passes session-less requests (protocol 2026-07-28) through untouched, a 404 included', async function () {
    const before = sessions.size;
    handler = (_req, res) =>
      json(res, 404, { jsonrpc: '2.0', id: 5, error: { code: -32601, message: 'Method not found' } });
    const body = JSON.stringify({
      jsonrpc: '2.0',
      id: 5,
      method: 'tools/nope',
      params: { _meta: { protocolVersion: '2026-07-28' } },
    });
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-protocol-version': '2026-07-28', 'x-custom': 'kept' },
      body,
    });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: number } }).error.code, -32601);
    assert.equal(seen.length, 1, 'no retry, no replay');
    assert.equal(seen[0].body, body);
    assert.equal(seen[0].headers['mcp-session-id'], undefined);
    assert.equal(seen[0].headers['x-custom'], 'kept');
    assert.equal(sessions.size, before, 'no session is made up');
  });

  it('relays DELETE with the upstream id and forgets the session', async function () {
    const sid = await openSession('up-del');
    handler = (_req, res) => {
      res.writeHead(200);
      res.end();
    };
    const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sid } });
    assert.equal(del.status, 200);
    assert.equal(seen[seen.length - 1].method, 'DELETE');
    assert.equal(seen[seen.length - 1].headers['mcp-session-id'], 'up-del');
    const after = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'mcp-session-id': sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    assert.equal(after.status, 404);
  });

  it('ends a session the server already forgot without rebuilding it', async function () {
    const sid = await openSession('up-forgotten');
    const sent = seen.length;
    handler = (_req, res) =>
      json(res, 404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
    const del = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sid } });
    assert.equal(del.status, 200);
    assert.equal(seen.length, sent + 1, 'no handshake replayed for a DELETE');
    const after = await fetch(url, { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-session-id': sid } });
    assert.equal(after.status, 404);
    await after.text();
  });

  it("rebuilds a forgotten session with the client's own credentials and retries the request once", async function () {
    const sid = await openSession('up-old');
    handler = (req, res, body) => {
      const msg = JSON.parse(body || '{}') as { id?: unknown; method?: string };
      if (req.headers.authorization !== 'Bearer t0ken') return json(res, 401, { error: 'unauthorized' });
      if (msg.method === 'initialize')
        return json(
          res,
          200,
          {
            jsonrpc: '2.0',
            id: msg.id,
            result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } },
          },
          { 'mcp-session-id': 'up-new' },
        );
      if (msg.method === 'notifications/initialized') {
        res.writeHead(202);
        return void res.end();
      }
      if (req.headers['mcp-session-id'] !== 'up-new')
        return json(res, 404, { jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
      return json(res, 200, { jsonrpc: '2.0', id: msg.id, result: { tools: [] } });
    };
    const sent = seen.length;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': sid,
        authorization: 'Bearer t0ken',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/list' }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { result: unknown }).result, { tools: [] });
    const methods = seen
      .slice(sent)
      .map((r) => `${JSON.parse(r.body || '{}').method} ${r.headers['mcp-session-id'] ?? '-'}`);
    assert.deepEqual(methods, [
      'tools/list up-old',
      'initialize -',
      'notifications/initialized up-new',
      'tools/list up-new',
    ]);
  });

  it('passes Last-Event-ID on to the server when the session was never rebuilt', async function () {
    const sid = await openSession('up-sse');
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('id: e-2\ndata: {"jsonrpc":"2.0","method":"notifications/message","params":{}}\n\n');
    };
    const res = await fetch(url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': sid, 'last-event-id': 'e-1' },
    });
    assert.match(await res.text(), /id: e-2/);
    assert.equal(seen[seen.length - 1].headers['last-event-id'], 'e-1');
  });

  it('holds the server back while the client does not read (backpressure)', async function () {
    const limit = 64 * 1024 * 1024;
    let written = 0;
    let upstreamRes: http.ServerResponse | undefined;
    handler = (_req, res) => {
      upstreamRes = res;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const event = Buffer.from(`data: ${'x'.repeat(64 * 1024)}\n\n`);
      // Writes as fast as it is let: on to the next event whenever the front drains.
      const pump = (): void => {
        while (written < limit) {
          written += event.length;
          if (!res.write(event)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    };
    const client = http.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    });
    const answered = new Promise<http.IncomingMessage>((resolve) => client.on('response', resolve));
    client.end(JSON.stringify({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'big' } }));
    const res = await answered;
    res.pause(); // the client reads nothing
    let last = -1;
    let still = 0;
    await until('the server to stop writing', () => {
      still = written === last ? still + 1 : 0;
      last = written;
      return still >= 10 || written >= limit ? true : undefined;
    });
    assert.ok(
      written < limit / 2,
      `the server was held back after ${written} bytes instead of writing everything into the front's memory`,
    );
    res.destroy();
    upstreamRes?.destroy();
  });

  it('cancels the upstream request when the client goes away', async function () {
    let upstreamClosed = false;
    handler = (req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': working\n\n');
      res.on('close', () => (upstreamClosed = true));
      void req;
    };
    const abort = new AbortController();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/call', params: { name: 'slow' } }),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    assert.equal(front.pending, 1, 'a streamed answer counts as in flight until it is over');
    abort.abort();
    await until('the server to see its request cancelled', () => (upstreamClosed ? true : undefined), 30_000);
    await until('the front to count it done', () => (front.pending === 0 ? true : undefined), 30_000);
  });
});
