import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { sessionsPath } from '../../src/core/http/frontInfo';
import { HTTP_LIMITS, HttpLimits } from '../../src/core/http/limits';
import { SessionStore } from '../../src/core/http/sessionStore';
import type { ServerIdentity } from '../../src/core/locks';
import { lifeguardPaths, LifeguardPaths } from '../../src/core/base/paths';
import { HttpFront } from '../../src/guard/http/front';
import { RunningHttpGuard, startHttpGuard } from '../../src/guard/http/startHttpGuard';
import { freePort } from '../../src/guard/http/upstream';
import { connectClient, echo, everythingGuardOptions, shortTempDir } from '../integration/http/support';
import { until } from '../support/poll';
import { listenOn } from '../support/startup';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request over its own connection (or `agent`'s), its whole answer read. */
function raw(
  url: string,
  method: string,
  body: string | Buffer | undefined,
  headers: http.OutgoingHttpHeaders = {},
  agent: http.Agent | false = false,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const initializeBody = (params: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'flood', version: '1' }, ...params },
    ...extra,
  });

/** Runs `count` tasks, at most `width` at a time. */
async function inBatches(count: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

describe('HTTP front under abuse', function () {
  this.timeout(240_000);
  const identity: ServerIdentity = { serverName: 'everything', resourceKey: 'http-front-abuse' };
  let home: string;
  let paths: LifeguardPaths;
  let port: number;
  let guard: RunningHttpGuard | undefined;
  let client: Client | undefined;
  const sockets: net.Socket[] = [];

  async function startGuard(limits: Partial<HttpLimits> = {}): Promise<RunningHttpGuard> {
    const started = await startHttpGuard(everythingGuardOptions({ home, identity, paths, port }, { limits }));
    assert.equal(started.kind, 'running', JSON.stringify(started));
    return (started as { guard: RunningHttpGuard }).guard;
  }

  beforeEach(async function () {
    port = await freePort();
    home = shortTempDir();
    paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
  });

  afterEach(async function () {
    for (const s of sockets.splice(0)) s.destroy();
    await client?.close().catch(() => undefined);
    client = undefined;
    await guard?.shutdown('test over');
    guard = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** A connection that sends a request's start and never the rest; `closed` settles when the front drops it. */
  function slowConnection(port: number, kind: 'headers' | 'body'): { closed: Promise<void>; answer: () => string } {
    const socket = net.connect(port, '127.0.0.1');
    sockets.push(socket);
    let answer = '';
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      if (kind === 'headers')
        socket.write('POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n');
      else
        socket.write(
          'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"jsonrpc":',
        );
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return { closed, answer: () => answer };
  }

  /** A session of its own (raw initialize and notifications/initialized) and its GET event stream, open. */
  async function openStream(url: string): Promise<{ ended: () => boolean; cancel: () => Promise<void> }> {
    const init = await raw(url, 'POST', initializeBody());
    const sessionHeaders = {
      'mcp-session-id': init.headers['mcp-session-id'] as string,
      'mcp-protocol-version': '2025-06-18',
    };
    assert.equal(
      (await raw(url, 'POST', JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), sessionHeaders))
        .status,
      202,
    );
    const stream = await fetch(url, { method: 'GET', headers: { ...sessionHeaders, accept: 'text/event-stream' } });
    assert.equal(stream.status, 200);
    let ended = false;
    void stream
      .body!.pipeTo(new WritableStream({ close: () => void (ended = true), abort: () => void (ended = true) }))
      .catch(() => (ended = true));
    return { ended: () => ended, cancel: () => stream.body!.cancel().catch(() => undefined) };
  }

  /** Like openStream, but a refusal (a 503 at the connection limit, say) is returned as its status instead of failing. */
  async function tryOpenStream(url: string): Promise<number | { ended: () => boolean; cancel: () => Promise<void> }> {
    const init = await raw(url, 'POST', initializeBody());
    if (init.status !== 200) return init.status;
    const sessionHeaders = {
      'mcp-session-id': init.headers['mcp-session-id'] as string,
      'mcp-protocol-version': '2025-06-18',
    };
    const ack = await raw(
      url,
      'POST',
      JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
      sessionHeaders,
    );
    if (ack.status !== 202) return ack.status;
    const stream = await fetch(url, { method: 'GET', headers: { ...sessionHeaders, accept: 'text/event-stream' } });
    if (stream.status !== 200) {
      await stream.body?.cancel().catch(() => undefined);
      return stream.status;
    }
    let ended = false;
    void stream
      .body!.pipeTo(new WritableStream({ close: () => void (ended = true), abort: () => void (ended = true) }))
      .catch(() => (ended = true));
    return { ended: () => ended, cancel: () => stream.body!.cancel().catch(() => undefined) };
  }

  it('slow connections that never finish their headers or body are closed by the request timeouts; event streams are not', async function () {
    guard = await startGuard({ headersTimeoutMs: 1000, requestTimeoutMs: 2000, connectionsCheckIntervalMs: 200 });
    // An event stream is an answer, not a request: it outlives the request timeouts.
    const stream = await openStream(guard.url);
    const slow = Array.from({ length: 200 }, (_, i) => slowConnection(port, i % 2 === 0 ? 'headers' : 'body'));
    let closed = 0;
    for (const s of slow) void s.closed.then(() => closed++);
    await until(
      'every slow connection to be closed by the front',
      () => (closed === slow.length ? true : undefined),
      30_000,
    );
    assert.ok(
      slow.every((s) => s.answer().startsWith('HTTP/1.1 408')),
      `answers: ${[...new Set(slow.map((s) => s.answer().split('\r\n')[0]))].join(' | ')}`,
    );
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'after the slow connections'), 'Echo: after the slow connections');
    assert.equal(stream.ended(), false, 'the event stream opened before the slow connections is still open');
    await stream.cancel();
  });

  it('at the connection limit, stalled connections make way for a real client', async function () {
    // Timeouts far off: only the limit is at work here.
    guard = await startGuard({ headersTimeoutMs: 120_000, requestTimeoutMs: 120_000, maxConnections: 150 });
    const stream = await openStream(guard.url);
    const slow = Array.from({ length: 200 }, (_, i) => slowConnection(port, i % 2 === 0 ? 'headers' : 'body'));
    let closed = 0;
    for (const s of slow) void s.closed.then(() => closed++);
    // 200 slow ones and the stream over a limit of 150: the 51 that waited longest are pushed out.
    await until('the connections over the limit to be closed', () => (closed >= 51 ? true : undefined), 30_000);
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'amid slow connections'), 'Echo: amid slow connections');
    assert.equal(await echo(client, 'again'), 'Echo: again');
    assert.ok(closed < slow.length, 'slow connections were still open while the client worked');
    assert.equal(stream.ended(), false, 'a busy connection (an open event stream) is never pushed out');
    await stream.cancel();
  });

  it('when every connection is busy, one more gets a JSON-RPC 503 and is closed', async function () {
    guard = await startGuard({ maxConnections: 2 });
    const streams = [await openStream(guard.url), await openStream(guard.url)];
    const extra = slowConnection(port, 'body');
    let closed = false;
    void extra.closed.then(() => (closed = true));
    await until('the connection over the limit to be answered and closed', () => (closed ? true : undefined), 30_000);
    assert.match(extra.answer(), /^HTTP\/1\.1 503/);
    assert.match(extra.answer(), /"jsonrpc":"2.0","error":\{"code":-32000,"message":"Too many connections/);
    assert.deepEqual(
      streams.map((s) => s.ended()),
      [false, false],
    );
    for (const s of streams) await s.cancel();
  });

  it('idle event streams of a flood of sessions never lock a working client out', async function () {
    // Lowered so a few dozen connections reach both limits.
    const limits = { maxConnections: 24, maxEventStreams: 12 };
    guard = await startGuard(limits);
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'before the streams'), 'Echo: before the streams');
    // A call whose answer is an event stream of its own (progress, then the result), in flight
    // through the whole flood: answers to requests are never ended to make room.
    const progress: number[] = [];
    const longCall = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 4, steps: 4 } },
      undefined,
      { timeout: 60_000, onprogress: (p) => progress.push(p.progress) },
    );
    // More sessions, each with its event stream, than there are connections.
    const streams: Array<{ ended: () => boolean; cancel: () => Promise<void> }> = [];
    const refused: number[] = [];
    let second: Client | undefined;
    try {
      for (let i = 0; i < limits.maxConnections + 6; i++) {
        const opened = await tryOpenStream(guard.url);
        if (typeof opened === 'number') refused.push(opened);
        else streams.push(opened);
      }
      ({ client: second } = await connectClient(guard.url));
      assert.equal(await echo(second, 'a new client'), 'Echo: a new client');
      assert.equal(await echo(client, 'the first client again'), 'Echo: the first client again');
      const long = (await longCall) as { content: Array<{ text?: string }> };
      assert.match(long.content[0].text ?? '', /Long running operation completed/);
      assert.deepEqual(progress, [1, 2, 3, 4]);
      assert.deepEqual(
        refused,
        [],
        'every session of the flood got its stream (older idle ones were ended to make room)',
      );
      assert.ok(
        streams.filter((s) => !s.ended()).length <= limits.maxEventStreams,
        'no more streams open than the limit',
      );
    } finally {
      await second?.close().catch(() => undefined);
      for (const s of streams) await s.cancel();
    }
  });

  it('a real client keeps its session through a flood of fresh initializes', async function () {
    // The store's bound lowered (it is 1,000): past any bound the same order of forgetting applies,
    // and each initialize of the flood is a session of the real server too.
    const limits = { maxSessions: 40 };
    guard = await startGuard(limits);
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'before the flood'), 'Echo: before the flood');
    const flood = limits.maxSessions + 10;
    const statuses = new Map<number, number>();
    await inBatches(flood, 16, async () => {
      const answer = await raw(guard!.url, 'POST', initializeBody());
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    });
    assert.equal(statuses.get(200), flood, JSON.stringify([...statuses]));
    assert.equal(await echo(client, 'after the flood'), 'Echo: after the flood');
  });

  it('one connection cannot create sessions without bound', async function () {
    guard = await startGuard({ maxInitializesPerConnection: 4 });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await raw(guard.url, 'POST', initializeBody(), {}, agent)).status);
      assert.deepEqual(statuses.slice(0, 4), [200, 200, 200, 200]);
      assert.equal(statuses[4], 429);
    } finally {
      agent.destroy();
    }
  });

  it('the session file keeps only what a replay needs: no _meta, nothing else', async function () {
    guard = await startGuard();
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'sdk'), 'Echo: sdk');
    const init = await raw(
      guard.url,
      'POST',
      initializeBody({
        _meta: { token: 'secret-meta-value' },
        capabilities: { roots: { listChanged: true }, _meta: { token: 'secret-in-caps' } },
        clientInfo: { name: 'raw', version: '2', _meta: { t: 'secret-in-info' }, extra: 'secret-extra' },
        other: 'secret-param',
      }),
    );
    assert.equal(init.status, 200);
    const sid = init.headers['mcp-session-id'] as string;
    const ack = await raw(
      guard.url,
      'POST',
      JSON.stringify({
        jsonrpc: '2.0',
        method: 'notifications/initialized',
        params: { _meta: { token: 'secret-in-ack' } },
      }),
      { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' },
    );
    assert.equal(ack.status, 202);
    await guard.shutdown('flush the session file');
    guard = undefined;
    const text = fs.readFileSync(sessionsPath(paths, identity), 'utf8');
    assert.doesNotMatch(text, /_meta|secret/);
    const stored = JSON.parse(text) as {
      sessions: Record<string, { initialize: { params: Record<string, unknown> }; initialized?: unknown }>;
    };
    const allowedSession = new Set([
      'upstream',
      'initialize',
      'initialized',
      'protocolVersion',
      'epoch',
      'createdAt',
      'used',
    ]);
    for (const s of Object.values(stored.sessions)) {
      for (const key of Object.keys(s)) assert.ok(allowedSession.has(key), `unexpected session field ${key}`);
      assert.deepEqual(Object.keys(s.initialize).sort(), ['jsonrpc', 'method', 'params']);
      for (const key of Object.keys(s.initialize.params))
        assert.ok(['protocolVersion', 'capabilities', 'clientInfo'].includes(key), `unexpected param ${key}`);
      if (s.initialized !== undefined)
        assert.deepEqual(s.initialized, { jsonrpc: '2.0', method: 'notifications/initialized' });
    }
    const raws = Object.values(stored.sessions).find(
      (s) => (s.initialize.params.clientInfo as { name: string }).name === 'raw',
    )!;
    assert.deepEqual(raws.initialize.params, {
      protocolVersion: '2025-06-18',
      capabilities: { roots: { listChanged: true } },
      clientInfo: { name: 'raw', version: '2' },
    });
    // The trimmed record still replays: a restarted front rebuilds the SDK client's session from it.
    guard = await startGuard();
    assert.equal(await echo(client, 'after a front restart'), 'Echo: after a front restart');
  });
});

/**
 * The front over a server that accepts anything (server-everything refuses bodies over 100 KB and
 * odd JSON-RPC) and records what reached it: for what the front itself must bound.
 */
describe('HTTP front over a permissive server', function () {
  this.timeout(120_000);
  let upstream: http.Server;
  let front: HttpFront;
  let frontUrl: string;
  let dir: string;
  let sessions: SessionStore;
  const seen: Array<{ method: string; bytes: number }> = [];

  before(async function () {
    dir = shortTempDir();
    sessions = await SessionStore.open(path.join(dir, 'state', 'http', 'front.sessions.json'));
    upstream = http.createServer((req, res) => {
      let bytes = 0;
      req.on('data', (d: Buffer) => (bytes += d.length));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', bytes });
        res.writeHead(200, { 'content-type': 'application/json', 'mcp-session-id': randomUUID() });
        res.end('{"jsonrpc":"2.0","id":1,"result":{}}');
      });
    });
    const target = { host: '127.0.0.1', port: await listenOn(upstream) };
    front = new HttpFront({
      host: '127.0.0.1',
      port: 0,
      upstream: { ready: async () => target },
      sessions,
      maxBodyBytes: 4 * 1024 * 1024,
      upstreamTimeoutMs: 5000,
      readyTimeoutMs: 5000,
      allowedOrigins: [],
      log: () => undefined,
    });
    frontUrl = `http://127.0.0.1:${(await front.listen()).port}/mcp`;
  });

  after(async function () {
    await front.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('60 large initializes leave the session file and the store within their byte cap', async function () {
    const junk = 'x'.repeat(1024 * 1024);
    const before = process.memoryUsage().rss;
    let created = 0;
    await inBatches(60, 4, async (i) => {
      const answer = await raw(
        frontUrl,
        'POST',
        initializeBody({ capabilities: { experimental: { junk } }, _meta: { junk, n: i } }),
      );
      if (answer.status === 200) created++;
    });
    assert.equal(created, 60);
    await sessions.flush();
    const size = fs.statSync(sessions.file!).size;
    // Measured, not asserted on: RSS depends on the garbage collector.
    console.log(
      `      session file ${size} bytes; RSS growth ${Math.round((process.memoryUsage().rss - before) / 1024 / 1024)} MiB`,
    );
    assert.ok(
      size <= HTTP_LIMITS.maxStoreBytes,
      `the session file is ${size} bytes, the cap ${HTTP_LIMITS.maxStoreBytes}`,
    );
    assert.ok(sessions.bytes <= HTTP_LIMITS.maxStoreBytes, `the store holds ${sessions.bytes} bytes`);
    assert.ok(sessions.size >= 60, 'every session is kept, trimmed');
  });

  for (const method of ['PUT', 'DELETE', 'GET', 'PATCH']) {
    for (const framing of ['content-length', 'chunked'] as const) {
      it(`refuses a 20 MiB ${method} body (${framing}) with 413 and never sends it upstream`, async function () {
        seen.length = 0;
        const body = Buffer.alloc(20 * 1024 * 1024, 'a');
        const headers: http.OutgoingHttpHeaders =
          framing === 'chunked' ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length };
        const answer = await new Promise<RawAnswer>((resolve, reject) => {
          const req = http.request(frontUrl, { method, agent: false, headers }, (res) => {
            let text = '';
            res.on('data', (d: Buffer) => (text += d.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          });
          // The front may close the connection once it has refused: a write error after the answer is expected.
          req.on('error', (err) => (answered ? undefined : reject(err)));
          let answered = false;
          req.on('response', () => (answered = true));
          if (framing === 'chunked') {
            for (let i = 0; i < 20; i++) req.write(body.subarray(i * 1024 * 1024, (i + 1) * 1024 * 1024));
            req.end();
          } else req.end(body);
        });
        assert.equal(answer.status, 413, answer.body);
        assert.match((JSON.parse(answer.body) as { error: { message: string } }).error.message, /too large/);
        assert.equal(
          seen.reduce((n, s) => n + s.bytes, 0),
          0,
          `bytes that reached the server: ${JSON.stringify(seen)}`,
        );
      });
    }
  }

  it('still passes a small body of another method on', async function () {
    seen.length = 0;
    const answer = await raw(frontUrl, 'PUT', 'hello');
    assert.equal(answer.status, 200);
    assert.deepEqual(seen, [{ method: 'PUT', bytes: 5 }]);
  });
});
