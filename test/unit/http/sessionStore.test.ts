import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_SESSIONS, parseStoreFile, SessionStore } from '../../../src/core/http/sessionStore';
import { messagesOf } from '../../../src/guard/http/exchange';

describe('HTTP session store', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mls-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('persists sessions privately and reads them back', async () => {
    const file = path.join(dir, 'http', 'x.sessions.json');
    const store = await SessionStore.open(file);
    store.set('c1', {
      upstream: 'u1',
      initialize: { jsonrpc: '2.0', id: 1, method: 'initialize' },
      epoch: 0,
      createdAt: 'now',
    });
    store.set('c2', {
      upstream: 'u2',
      initialize: { jsonrpc: '2.0', id: 1, method: 'initialize' },
      epoch: 2,
      createdAt: 'now',
    });
    store.delete('c1');
    await store.flush();
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    const again = await SessionStore.open(file);
    assert.equal(again.get('c1'), undefined);
    assert.equal(again.get('c2')?.upstream, 'u2');
    assert.equal(again.get('c2')?.epoch, 2);
  });

  it('starts empty, with a warning, from a garbled file', async () => {
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, '{not json');
    const warnings: string[] = [];
    const store = await SessionStore.open(file, (w) => warnings.push(w));
    assert.equal(store.size, 0);
    assert.match(warnings[0], /not JSON/);
  });

  it('keeps at most MAX_SESSIONS, forgetting the oldest first', () => {
    const store = SessionStore.inMemory();
    for (let i = 0; i <= MAX_SESSIONS; i++)
      store.set(`c${i}`, { upstream: `u${i}`, initialize: {}, epoch: 0, createdAt: 'now' });
    assert.equal(store.size, MAX_SESSIONS);
    assert.equal(store.get('c0'), undefined);
    assert.equal(store.get(`c${MAX_SESSIONS}`)?.upstream, `u${MAX_SESSIONS}`);
  });

  const entry = (i: number) => ({
    upstream: `u${i}`,
    initialize: {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'c', version: '1' } },
    },
    epoch: 0,
    createdAt: 'now',
  });

  it('forgets never-used sessions before one that made a call, however many arrive', () => {
    const store = SessionStore.inMemory({ maxSessions: 10 });
    store.set('working', entry(0));
    store.touch('working', true);
    for (let i = 1; i <= 100; i++) store.set(`fresh${i}`, entry(i));
    assert.equal(store.size, 10);
    assert.equal(store.get('working')?.upstream, 'u0');
    assert.equal(store.get('fresh100')?.upstream, 'u100');
    assert.equal(store.get('fresh1'), undefined);
  });

  it('when every session was used, forgets the least recently used one', () => {
    const store = SessionStore.inMemory({ maxSessions: 3 });
    for (const id of ['a', 'b', 'c']) {
      store.set(id, entry(0));
      store.touch(id, true);
    }
    store.touch('a', false);
    store.set('d', entry(1));
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].filter((id) => store.get(id)),
      ['a', 'c', 'd'],
    );
  });

  it('stays within its byte cap', () => {
    const store = SessionStore.inMemory({ maxStoreBytes: 10_000 });
    for (let i = 0; i < 200; i++)
      store.set(`c${i}`, {
        ...entry(i),
        initialize: { method: 'initialize', params: { capabilities: { experimental: { pad: 'x'.repeat(4000) } } } },
      });
    assert.ok(store.bytes <= 10_000, `${store.bytes}`);
    assert.ok(store.size > 1);
    assert.equal(store.get('c199')?.upstream, 'u199');
  });

  it('keeps only the replayable part of a handshake: no _meta, no extra fields, capabilities bounded', async () => {
    const file = path.join(dir, 'trim.json');
    const store = await SessionStore.open(file, undefined, { maxCapabilitiesBytes: 200 });
    store.set('s', {
      upstream: 'u',
      initialize: {
        jsonrpc: '2.0',
        id: 9,
        method: 'initialize',
        extra: 1,
        params: {
          _meta: { t: 'x' },
          protocolVersion: '2025-06-18',
          capabilities: { roots: { listChanged: true, _meta: { t: 'y' } }, experimental: { big: 'z'.repeat(500) } },
          clientInfo: { name: 'n', version: 'v', _meta: {}, icons: [] },
          other: true,
        },
      },
      initialized: { jsonrpc: '2.0', method: 'notifications/initialized', params: { _meta: { t: 'w' } } },
      protocolVersion: 'p'.repeat(1000),
      epoch: 0,
      createdAt: 'now',
    });
    await store.flush();
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { sessions: Record<string, unknown> };
    assert.deepEqual(saved.sessions.s, {
      upstream: 'u',
      initialize: {
        jsonrpc: '2.0',
        method: 'initialize',
        params: {
          protocolVersion: '2025-06-18',
          capabilities: { roots: { listChanged: true } },
          clientInfo: { name: 'n', version: 'v' },
        },
      },
      initialized: { jsonrpc: '2.0', method: 'notifications/initialized' },
      epoch: 0,
      createdAt: 'now',
    });
  });

  it('trims a file written by an older version as it loads it', async () => {
    const file = path.join(dir, 'old.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        sessions: {
          s: {
            upstream: 'u',
            initialize: {
              jsonrpc: '2.0',
              id: 0,
              method: 'initialize',
              params: { _meta: { t: 'x' }, capabilities: {}, clientInfo: { name: 'n', version: 'v' } },
            },
            epoch: 1,
            createdAt: 'then',
          },
        },
      }),
    );
    const store = await SessionStore.open(file);
    assert.deepEqual(store.get('s')?.initialize, {
      jsonrpc: '2.0',
      method: 'initialize',
      params: { capabilities: {}, clientInfo: { name: 'n', version: 'v' } },
    });
  });

  it('skips entries without a recorded initialize', () => {
    const parsed = parseStoreFile(
      JSON.stringify({ version: 1, sessions: { a: { upstream: 'u' }, b: { upstream: 'v', initialize: {} } } }),
    );
    assert.ok(parsed.ok);
    if (parsed.ok) assert.deepEqual(Object.keys(parsed.file.sessions), ['b']);
  });
});

describe('messages of an upstream answer', () => {
  it('reads JSON-RPC messages from JSON and from SSE bodies', () => {
    const json = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from('{"jsonrpc":"2.0","id":1,"result":{}}'),
    };
    assert.deepEqual(messagesOf(json), [{ jsonrpc: '2.0', id: 1, result: {} }]);
    const sse = {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: Buffer.from(
        'event: message\nid: e1\ndata: {"jsonrpc":"2.0","id":"r","result":{"x":1}}\n\n: keep-alive\n\n',
      ),
    };
    assert.deepEqual(messagesOf(sse), [{ jsonrpc: '2.0', id: 'r', result: { x: 1 } }]);
  });
});
