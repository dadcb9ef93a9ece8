import * as assert from 'node:assert/strict';
import type { AttachedClient } from '../../../src/core/control/protocol';
import {
  HttpClients,
  HttpClientsOptions,
  initializeClientName,
  modernClientName,
  PeerProcess,
} from '../../../src/guard/http/httpClients';

/** A registry on a clock the test moves, with peers the test decides. */
function registry(overrides: Partial<HttpClientsOptions> = {}) {
  let now = 1_000_000;
  const known = new Set<string>();
  const peers = new Map<object, PeerProcess | undefined>();
  const asked: object[] = [];
  const changes: AttachedClient[][] = [];
  const clients = new HttpClients({
    idleMs: 60_000,
    maxListed: 32,
    maxConnections: 16,
    notifyMs: 60_000,
    sessionKnown: (sid) => known.has(sid),
    peerOf: async (c) => {
      asked.push(c);
      return peers.get(c);
    },
    onChange: (list) => changes.push(list),
    now: () => now,
    ...overrides,
  });
  return {
    clients,
    known,
    peers,
    asked,
    changes,
    tick: (ms: number) => (now += ms),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('HttpClients: who uses an HTTP guard, as its lock record lists them', () => {
  it('a session is a client while the front knows it and it is in use; deleted or forgotten, it drops out', async () => {
    const r = registry();
    const a = {};
    const b = {};
    r.peers.set(a, { pid: 41, startTime: 4100 });
    r.known.add('s1').add('s2');
    r.clients.session('s1', 'claude-code', a)();
    r.tick(10);
    r.clients.session('s2', 'cursor', b)();
    await settle();
    assert.deepEqual(r.clients.list(), [
      { pid: 41, startTime: 4100, clientName: 'claude-code' },
      { clientName: 'cursor' },
    ]);
    r.clients.forget('s1');
    assert.deepEqual(r.clients.list(), [{ clientName: 'cursor' }]);
    // Forgotten by the store (its bounds): gone too, without a word from the front.
    r.known.delete('s2');
    assert.deepEqual(r.clients.list(), []);
    r.clients.close();
  });

  it('a client with nothing open drops out once idle; an open stream keeps it', () => {
    const r = registry();
    r.known.add('s1').add('s2');
    const over = r.clients.session('s1', 'streaming', {});
    r.clients.session('s2', 'quiet', {})();
    r.tick(60_001);
    assert.deepEqual(r.clients.list(), [{ clientName: 'streaming' }]);
    over();
    r.tick(60_001);
    assert.deepEqual(r.clients.list(), []);
    r.clients.close();
  });

  it('session-less clients: one per name and peer process, whatever the connections; a request with no name counts for the last named on its connection', async () => {
    const r = registry();
    const [c1, c2, c3] = [{}, {}, {}];
    r.peers.set(c1, { pid: 7, startTime: 70 });
    r.peers.set(c2, { pid: 7, startTime: 70 });
    r.peers.set(c3, { pid: 8, startTime: 80 });
    r.clients.sessionless('zed', c1)();
    r.clients.sessionless('zed', c2)();
    r.tick(5);
    r.clients.sessionless('zed', c3)();
    // Two clients of one process sharing a connection stay two clients.
    r.clients.sessionless('other', c1)();
    await settle();
    assert.deepEqual(r.clients.list(), [
      { pid: 7, startTime: 70, clientName: 'zed' },
      { pid: 8, startTime: 80, clientName: 'zed' },
      { pid: 7, startTime: 70, clientName: 'other' },
    ]);
    r.tick(59_000);
    r.clients.sessionless(undefined, c3)();
    r.tick(2_000);
    assert.deepEqual(r.clients.list(), [{ pid: 8, startTime: 80, clientName: 'zed' }]);
    // A connection that never named a client: nothing to count of its own...
    const c4 = {};
    r.peers.set(c4, { pid: 8, startTime: 80 });
    r.tick(30_000);
    r.clients.sessionless(undefined, c4)();
    await settle();
    assert.equal(r.clients.list().length, 1);
    // ...but it keeps its process's clients active (a stateless server's client names itself once).
    r.tick(45_000);
    assert.deepEqual(r.clients.list(), [{ pid: 8, startTime: 80, clientName: 'zed' }]);
    const c5 = {};
    r.peers.set(c5, { pid: 9, startTime: 90 });
    r.clients.sessionless(undefined, c5)();
    await settle();
    r.tick(20_000);
    assert.deepEqual(r.clients.list(), [], 'another process keeps nobody active');
    r.clients.close();
  });

  it("asks for the peer of each client's connection once", async () => {
    const r = registry();
    const c = {};
    r.known.add('s1');
    r.clients.session('s1', 'x', c)();
    r.clients.session('s1', 'x', c)();
    await settle();
    assert.equal(r.asked.length, 1);
    r.clients.sessionless('y', c)();
    r.clients.sessionless('y', c)();
    await settle();
    assert.equal(r.asked.length, 2, 'once per client and connection');
    r.clients.close();
  });

  it('lists the most recently active clients up to its bound, oldest first; names are bounded', () => {
    const r = registry({ maxListed: 2 });
    for (const sid of ['a', 'b', 'c']) {
      r.known.add(sid);
      r.clients.session(sid, sid, {})();
      r.tick(1);
    }
    r.clients.session('a', 'a', {})();
    assert.deepEqual(
      r.clients.list().map((c) => c.clientName),
      ['a', 'c'],
    );
    r.known.add('long');
    r.clients.session('long', 'n'.repeat(1000), {})();
    assert.equal(r.clients.list().at(-1)?.clientName?.length, 256);
    r.clients.close();
  });

  it('tells of a changed list only, coalesced', async () => {
    const r = registry({ notifyMs: 5 });
    r.known.add('s1');
    r.clients.session('s1', 'x', {})();
    r.clients.session('s1', 'x', {})();
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.deepEqual(r.changes, [[{ clientName: 'x' }]]);
    r.clients.sweep();
    assert.equal(r.changes.length, 1, 'the same list again: no write');
    r.clients.forget('s1');
    r.clients.sweep();
    assert.deepEqual(r.changes.at(-1), []);
    r.clients.close();
  });

  it('reads the client name of an initialize and of a 2026-07-28 request', () => {
    assert.equal(initializeClientName({ method: 'initialize', params: { clientInfo: { name: 'cursor' } } }), 'cursor');
    assert.equal(initializeClientName({ params: { clientInfo: { name: 3 } } }), undefined);
    assert.equal(initializeClientName(null), undefined);
    assert.equal(
      modernClientName({ params: { _meta: { 'io.modelcontextprotocol/clientInfo': { name: 'zed', version: '1' } } } }),
      'zed',
    );
    assert.equal(modernClientName({ params: {} }), undefined);
    assert.equal(modernClientName('x'), undefined);
  });
});
