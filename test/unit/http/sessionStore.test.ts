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
    store.set('c1', { upstream: 'u1', initialize: { jsonrpc: '2.0', id: 1, method: 'initialize' }, epoch: 0, createdAt: 'now' });
    store.set('c2', { upstream: 'u2', initialize: { jsonrpc: '2.0', id: 1, method: 'initialize' }, epoch: 2, createdAt: 'now' });
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
    for (let i = 0; i <= MAX_SESSIONS; i++) store.set(`c${i}`, { upstream: `u${i}`, initialize: {}, epoch: 0, createdAt: 'now' });
    assert.equal(store.size, MAX_SESSIONS);
    assert.equal(store.get('c0'), undefined);
    assert.equal(store.get(`c${MAX_SESSIONS}`)?.upstream, `u${MAX_SESSIONS}`);
  });

  it('skips entries without a recorded initialize', () => {
    const parsed = parseStoreFile(JSON.stringify({ version: 1, sessions: { a: { upstream: 'u' }, b: { upstream: 'v', initialize: {} } } }));
    assert.ok(parsed.ok);
    if (parsed.ok) assert.deepEqual(Object.keys(parsed.file.sessions), ['b']);
  });
});

describe('messages of an upstream answer', () => {
  it('reads JSON-RPC messages from JSON and from SSE bodies', () => {
    const json = { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{"jsonrpc":"2.0","id":1,"result":{}}') };
    assert.deepEqual(messagesOf(json), [{ jsonrpc: '2.0', id: 1, result: {} }]);
    const sse = { status: 200, headers: { 'content-type': 'text/event-stream' }, body: Buffer.from('event: message\nid: e1\ndata: {"jsonrpc":"2.0","id":"r","result":{"x":1}}\n\n: keep-alive\n\n') };
    assert.deepEqual(messagesOf(sse), [{ jsonrpc: '2.0', id: 'r', result: { x: 1 } }]);
  });
});
