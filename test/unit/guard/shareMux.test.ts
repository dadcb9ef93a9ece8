import * as assert from 'node:assert/strict';
import { MAX_IN_FLIGHT, Message, ShareMux } from '../../../src/guard/share/mux';
import { GuardErrorCode } from '../../../src/guard/wireErrors';

/** A multiplexer with its outputs recorded: what went to the server, and to each client. */
function setup() {
  const server: Message[] = [];
  const clients = new Map<number, Message[]>();
  const mux = new ShareMux({
    toServer: (m) => server.push(m),
    toClient: (c, m) => {
      if (!clients.has(c)) clients.set(c, []);
      clients.get(c)!.push(m);
    },
    log: () => undefined,
  });
  const to = (c: number) => clients.get(c) ?? [];
  return { mux, server, to };
}

const init = (id: number, name: string, caps: Record<string, unknown> = {}, version = '2025-06-18'): Message => ({
  jsonrpc: '2.0',
  id,
  method: 'initialize',
  params: { protocolVersion: version, capabilities: caps, clientInfo: { name, version: '1' } },
});
const call = (id: number | string, extra: Record<string, unknown> = {}): Message => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'x', arguments: {}, ...extra },
});
const INIT_RESULT = {
  protocolVersion: '2025-06-18',
  capabilities: { tools: {} },
  serverInfo: { name: 's', version: '1' },
};

/** Two legacy clients initialized through the one initialize the server gets. */
function initialized(capsB: Record<string, unknown> = {}) {
  const t = setup();
  const a = t.mux.addClient();
  const b = t.mux.addClient();
  t.mux.fromClient(a, init(0, 'A'));
  t.mux.fromClient(b, init(0, 'B', capsB));
  t.mux.fromServer({ jsonrpc: '2.0', id: t.server[0].id, result: INIT_RESULT });
  t.mux.fromClient(a, { jsonrpc: '2.0', method: 'notifications/initialized' });
  t.mux.fromClient(b, { jsonrpc: '2.0', method: 'notifications/initialized' });
  t.server.length = 0;
  t.to(a).length = 0;
  t.to(b).length = 0;
  return { ...t, a, b };
}

describe('guard share: the multiplexer (one server session, many clients)', () => {
  it('sends the server one initialize and one initialized; a later client gets the cached answer under its own id', () => {
    const t = setup();
    const a = t.mux.addClient();
    const b = t.mux.addClient();
    t.mux.fromClient(a, init(7, 'A'));
    t.mux.fromClient(b, init(7, 'B'));
    assert.equal(t.server.length, 1, 'one initialize reaches the server');
    t.mux.fromServer({ jsonrpc: '2.0', id: t.server[0].id, result: INIT_RESULT });
    assert.deepEqual(t.to(a), [{ jsonrpc: '2.0', id: 7, result: INIT_RESULT }]);
    assert.deepEqual(t.to(b), [{ jsonrpc: '2.0', id: 7, result: INIT_RESULT }]);
    t.mux.fromClient(a, { jsonrpc: '2.0', method: 'notifications/initialized' });
    t.mux.fromClient(b, { jsonrpc: '2.0', method: 'notifications/initialized' });
    assert.equal(t.server.filter((m) => m.method === 'notifications/initialized').length, 1);
    const c = t.mux.addClient();
    t.mux.fromClient(c, init('x' as never, 'C'));
    assert.deepEqual(t.to(c), [{ jsonrpc: '2.0', id: 'x', result: INIT_RESULT }]);
    assert.equal(t.server.length, 2);
    assert.deepEqual(
      t.mux.list().map((x) => x.name),
      ['A', 'B', 'C'],
    );
  });

  it('after a restart, a later client gets the new server’s initialize answer under the session’s version', () => {
    const t = initialized();
    t.mux.restartedWith({ ...INIT_RESULT, protocolVersion: '2025-11-25', serverInfo: { name: 's', version: '2' } });
    const c = t.mux.addClient();
    t.mux.fromClient(c, init(3, 'C'));
    assert.deepEqual(t.to(c), [
      { jsonrpc: '2.0', id: 3, result: { ...INIT_RESULT, serverInfo: { name: 's', version: '2' } } },
    ]);
  });

  it('negotiates each later client’s version against the session’s: a newer ask gets the session’s version, an older one a clear refusal', () => {
    const t = setup();
    const a = t.mux.addClient();
    const waiting = t.mux.addClient();
    t.mux.fromClient(a, init(1, 'A', {}, '2025-06-18'));
    // Asked while the first initialize is on its way: negotiated once the answer is there.
    t.mux.fromClient(waiting, init(1, 'W', {}, '2025-03-26'));
    t.mux.fromServer({ jsonrpc: '2.0', id: t.server[0].id, result: INIT_RESULT });
    const refused = {
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: -32602,
        message:
          "Unsupported protocol version 2025-03-26: this shared server's session speaks 2025-06-18, negotiated by its first client, and a client asking an older version cannot speak it (run this client with another --name, or without --on-conflict share)",
        data: { supported: ['2025-06-18'], requested: '2025-03-26' },
      },
    };
    assert.deepEqual(t.to(waiting), [refused]);
    const newer = t.mux.addClient();
    t.mux.fromClient(newer, init(2, 'N', {}, '2025-11-25'));
    assert.deepEqual(
      t.to(newer),
      [{ jsonrpc: '2.0', id: 2, result: INIT_RESULT }],
      'told 2025-06-18; the client decides',
    );
    const odd = t.mux.addClient();
    t.mux.fromClient(odd, init(3, 'O', {}, 'draft'));
    assert.deepEqual(
      t.to(odd),
      [{ jsonrpc: '2.0', id: 3, result: INIT_RESULT }],
      'not a dated version: told, and decides',
    );
    const older = t.mux.addClient();
    t.mux.fromClient(older, init(1, 'L', {}, '2025-03-26'));
    assert.deepEqual(t.to(older), [refused]);
    assert.equal(t.server.length, 1, 'the server saw one initialize');
    // A refused client has no session: it hears no broadcast, and the others keep theirs.
    t.mux.fromServer({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.equal(t.to(older).length, 1);
    assert.equal(t.to(waiting).length, 1);
    assert.equal(t.to(newer).at(-1)?.method, 'notifications/tools/list_changed');
    assert.equal(t.to(a).at(-1)?.method, 'notifications/tools/list_changed');
  });

  it('remaps request ids per client and answers only the client that asked', () => {
    const t = initialized();
    t.mux.fromClient(t.a, call(1));
    t.mux.fromClient(t.b, call(1));
    const [sa, sb] = t.server;
    assert.notEqual(sa.id, sb.id, 'two clients’ id 1 are two ids toward the server');
    t.mux.fromServer({ jsonrpc: '2.0', id: sb.id, result: { content: ['b'] } });
    assert.deepEqual(t.to(t.b), [{ jsonrpc: '2.0', id: 1, result: { content: ['b'] } }]);
    assert.deepEqual(t.to(t.a), []);
    t.mux.fromServer({ jsonrpc: '2.0', id: sa.id, result: { content: ['a'] } });
    assert.deepEqual(t.to(t.a), [{ jsonrpc: '2.0', id: 1, result: { content: ['a'] } }]);
    // An answer nobody asked for (a late duplicate) goes nowhere.
    t.mux.fromServer({ jsonrpc: '2.0', id: sa.id, result: {} });
    assert.equal(t.to(t.a).length, 1);
  });

  it('remaps progress tokens and cancellations per client', () => {
    const t = initialized();
    t.mux.fromClient(t.a, call(1, { _meta: { progressToken: 1 } }));
    t.mux.fromClient(t.b, call(1, { _meta: { progressToken: 1 } }));
    const [sa, sb] = t.server;
    const ta = (sa.params!._meta as { progressToken: string }).progressToken;
    const tb = (sb.params!._meta as { progressToken: string }).progressToken;
    assert.notEqual(ta, tb);
    t.mux.fromServer({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: tb, progress: 1 } });
    assert.deepEqual(t.to(t.b), [
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
    ]);
    assert.deepEqual(t.to(t.a), []);
    t.mux.fromClient(t.a, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 1 } });
    assert.deepEqual(t.server[2], { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: sa.id } });
    // A cancelled request's progress and answer reach nobody.
    t.mux.fromServer({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: ta, progress: 1 } });
    t.mux.fromServer({ jsonrpc: '2.0', id: sa.id, result: {} });
    assert.deepEqual(t.to(t.a), []);
    // A cancellation of an id the client has not in flight is not passed on.
    t.mux.fromClient(t.a, { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 99 } });
    assert.equal(t.server.length, 3);
  });

  it('list_changed goes to every client, resources/updated only to the subscribed ones; the server is subscribed while anyone is', () => {
    const t = initialized();
    t.mux.fromServer({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' });
    assert.equal(t.to(t.a).length, 1);
    assert.equal(t.to(t.b).length, 1);
    const sub = (id: number, method = 'resources/subscribe'): Message => ({
      jsonrpc: '2.0',
      id,
      method,
      params: { uri: 'u' },
    });
    t.mux.fromClient(t.a, sub(2));
    assert.equal(t.server.length, 1, 'the first subscriber subscribes the server');
    t.mux.fromServer({ jsonrpc: '2.0', id: t.server[0].id, result: {} });
    t.mux.fromClient(t.b, sub(3));
    assert.equal(t.server.length, 1, 'a second subscriber is answered by the multiplexer');
    assert.deepEqual(t.to(t.b).at(-1), { jsonrpc: '2.0', id: 3, result: {} });
    const updated: Message = { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri: 'u' } };
    t.mux.fromServer(updated);
    t.mux.fromServer({ ...updated, params: { uri: 'other' } });
    assert.deepEqual(t.to(t.a).at(-1), updated);
    assert.deepEqual(t.to(t.b).at(-1), updated);
    t.mux.fromClient(t.a, sub(4, 'resources/unsubscribe'));
    assert.equal(t.server.length, 1, 'b still listens: the server stays subscribed');
    const beforeA = t.to(t.a).length;
    t.mux.fromServer(updated);
    assert.equal(t.to(t.a).length, beforeA, 'a unsubscribed');
    // b leaves: nobody is subscribed, the server is unsubscribed (its answer dropped).
    t.mux.removeClient(t.b);
    assert.deepEqual(t.server.at(-1)?.method, 'resources/unsubscribe');
    t.mux.fromServer({ jsonrpc: '2.0', id: t.server.at(-1)!.id, result: {} });
    assert.equal(t.to(t.a).length, beforeA);
  });

  it('logging/setLevel: the server gets the most verbose level, each client only what it asked for', () => {
    const t = initialized();
    const level = (id: number, l: string): Message => ({
      jsonrpc: '2.0',
      id,
      method: 'logging/setLevel',
      params: { level: l },
    });
    t.mux.fromClient(t.a, level(1, 'error'));
    t.mux.fromClient(t.b, level(1, 'debug'));
    assert.deepEqual(
      t.server.map((m) => m.params?.level),
      ['error', 'debug'],
    );
    t.mux.fromClient(t.a, level(2, 'warning'));
    assert.equal(t.server.length, 2, 'debug is still the most verbose: answered here');
    const msg = (l: string): Message => ({
      jsonrpc: '2.0',
      method: 'notifications/message',
      params: { level: l, data: l },
    });
    t.to(t.a).length = 0;
    t.to(t.b).length = 0;
    for (const l of ['debug', 'info', 'warning', 'error']) t.mux.fromServer(msg(l));
    assert.deepEqual(
      t.to(t.a).map((m) => m.params?.level),
      ['warning', 'error'],
    );
    assert.deepEqual(
      t.to(t.b).map((m) => m.params?.level),
      ['debug', 'info', 'warning', 'error'],
    );
    t.mux.removeClient(t.b);
    assert.deepEqual(t.server.at(-1)?.params, { level: 'warning' }, 'the level goes back once the verbose client left');
  });

  it('routes a server request to the one client in flight, else to the oldest that declared the capability; the answer goes back under the server id', () => {
    const t = initialized({ sampling: {} });
    const sampling: Message = { jsonrpc: '2.0', id: 50, method: 'sampling/createMessage', params: {} };
    // Nobody in flight: the oldest client that declared sampling (b; a declared nothing).
    t.mux.fromServer(sampling);
    assert.deepEqual(t.to(t.b), [sampling]);
    t.mux.fromClient(t.a, { jsonrpc: '2.0', id: 50, result: {} });
    assert.equal(t.server.length, 0, 'a was not asked: its answer is dropped');
    t.mux.fromClient(t.b, { jsonrpc: '2.0', id: 50, result: { role: 'assistant' } });
    assert.deepEqual(t.server, [{ jsonrpc: '2.0', id: 50, result: { role: 'assistant' } }]);
    // roots: nobody declared it, the server is answered with an error.
    t.mux.fromServer({ jsonrpc: '2.0', id: 51, method: 'roots/list' });
    assert.equal(t.server.at(-1)?.error?.code, GuardErrorCode.NoClient);
    // A client leaving with a server request open: the server gets an error for it.
    t.mux.fromServer({ ...sampling, id: 52 });
    t.mux.removeClient(t.b);
    assert.deepEqual(t.server.at(-1)?.id, 52);
    assert.equal(t.server.at(-1)?.error?.code, GuardErrorCode.NoClient);
  });

  describe('roots/list: the union of every client’s roots', () => {
    /** Clients A (roots), B (none), C (roots), initialized. */
    function three() {
      const t = setup();
      const a = t.mux.addClient();
      const b = t.mux.addClient();
      const c = t.mux.addClient();
      t.mux.fromClient(a, init(0, 'A', { roots: { listChanged: true } }));
      t.mux.fromClient(b, init(0, 'B'));
      t.mux.fromClient(c, init(0, 'C', { roots: {} }));
      t.mux.fromServer({ jsonrpc: '2.0', id: t.server[0].id, result: INIT_RESULT });
      t.server.length = 0;
      for (const x of [a, b, c]) t.to(x).length = 0;
      return { ...t, a, b, c };
    }
    const rootsList = (id: number | string): Message => ({ jsonrpc: '2.0', id, method: 'roots/list', params: {} });
    const root = (uri: string, name?: string) => ({ uri, ...(name ? { name } : {}) });

    it('asks every client that declared roots, each under its own id, and answers the server once with the union merged by uri', () => {
      const t = three();
      t.mux.fromServer(rootsList(9));
      assert.equal(t.to(t.b).length, 0, 'b declared no roots: not asked');
      const [askA] = t.to(t.a);
      const [askC] = t.to(t.c);
      assert.equal(askA.method, 'roots/list');
      assert.equal(askC.method, 'roots/list');
      assert.notEqual(askA.id, askC.id);
      t.mux.fromClient(t.c, {
        jsonrpc: '2.0',
        id: askC.id,
        result: { roots: [root('file:///c'), root('file:///shared', 'C')] },
      });
      assert.equal(t.server.length, 0, 'the server waits for every client asked');
      // b was not asked: its answer under a's id is dropped, not taken as a's.
      t.mux.fromClient(t.b, { jsonrpc: '2.0', id: askA.id, result: { roots: [root('file:///b')] } });
      assert.equal(t.server.length, 0);
      t.mux.fromClient(t.a, {
        jsonrpc: '2.0',
        id: askA.id,
        result: { roots: [root('file:///shared', 'A'), root('file:///a')] },
      });
      assert.deepEqual(t.server, [
        {
          jsonrpc: '2.0',
          id: 9,
          result: { roots: [root('file:///shared', 'A'), root('file:///a'), root('file:///c')] },
        },
      ]);
      // A second answer under the same id changes nothing.
      t.mux.fromClient(t.a, { jsonrpc: '2.0', id: askA.id, result: { roots: [root('file:///late')] } });
      assert.equal(t.server.length, 1);
    });

    it('leaves out a client that fails or leaves; the server gets an error only when none answered with roots', () => {
      const t = three();
      t.mux.fromServer(rootsList('r1'));
      t.mux.fromClient(t.a, { jsonrpc: '2.0', id: t.to(t.a)[0].id!, error: { code: -1, message: 'no' } });
      t.mux.fromClient(t.c, { jsonrpc: '2.0', id: t.to(t.c)[0].id!, result: { roots: [root('file:///c')] } });
      assert.deepEqual(t.server.at(-1), { jsonrpc: '2.0', id: 'r1', result: { roots: [root('file:///c')] } });

      t.mux.fromServer(rootsList('r2'));
      t.mux.fromClient(t.a, { jsonrpc: '2.0', id: t.to(t.a)[1].id!, error: { code: -5, message: 'a failed' } });
      t.mux.removeClient(t.c);
      assert.deepEqual(t.server.at(-1), { jsonrpc: '2.0', id: 'r2', error: { code: -5, message: 'a failed' } });

      t.mux.fromServer(rootsList('r3'));
      t.mux.removeClient(t.a);
      assert.equal(t.server.at(-1)?.id, 'r3');
      assert.equal(t.server.at(-1)?.error?.code, GuardErrorCode.NoClient);
      t.mux.fromServer(rootsList('r4'));
      assert.equal(t.server.at(-1)?.error?.code, GuardErrorCode.NoClient, 'only b is left, without roots');
    });

    it('a roots/list the server cancels is cancelled at every client still asked, under its own id', () => {
      const t = three();
      t.mux.fromServer(rootsList(3));
      const askA = t.to(t.a)[0].id;
      const askC = t.to(t.c)[0].id;
      t.mux.fromClient(t.a, { jsonrpc: '2.0', id: askA!, result: { roots: [] } });
      t.mux.fromServer({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 3 } });
      assert.equal(t.to(t.a).length, 1, 'a already answered: not told');
      assert.deepEqual(t.to(t.c).at(-1), {
        jsonrpc: '2.0',
        method: 'notifications/cancelled',
        params: { requestId: askC },
      });
      t.mux.fromClient(t.c, { jsonrpc: '2.0', id: askC!, result: { roots: [] } });
      assert.equal(t.server.length, 0, 'nothing is answered to a cancelled request');
    });

    it('passes a client’s notifications/roots/list_changed on to the server', () => {
      const t = three();
      const changed: Message = { jsonrpc: '2.0', method: 'notifications/roots/list_changed' };
      t.mux.fromClient(t.c, changed);
      assert.deepEqual(t.server, [changed]);
    });
  });

  it('a server request during one client’s call goes to that client, not the oldest', () => {
    const t = setup();
    const a = t.mux.addClient();
    const b = t.mux.addClient();
    t.mux.fromClient(a, init(0, 'A', { elicitation: {} }));
    t.mux.fromClient(b, init(0, 'B', { elicitation: {} }));
    t.mux.fromServer({ jsonrpc: '2.0', id: t.server[0].id, result: INIT_RESULT });
    t.mux.fromClient(b, call(5));
    t.mux.fromServer({ jsonrpc: '2.0', id: 'e1', method: 'elicitation/create', params: {} });
    assert.equal(t.to(b).at(-1)?.id, 'e1');
    assert.equal(t.to(a).length, 1, 'a got its initialize answer only');
    // With two clients in flight, the oldest that declared it.
    t.mux.fromClient(a, call(6));
    t.mux.fromServer({ jsonrpc: '2.0', id: 'e2', method: 'elicitation/create', params: {} });
    assert.equal(t.to(a).at(-1)?.id, 'e2');
  });

  it('a client that leaves has its requests in flight cancelled toward the server', () => {
    const t = initialized();
    t.mux.fromClient(t.a, call(1));
    t.mux.fromClient(t.a, call(2));
    t.mux.fromClient(t.b, call(1));
    const ids = t.server.map((m) => m.id);
    t.mux.removeClient(t.a);
    const cancelled = t.server.filter((m) => m.method === 'notifications/cancelled').map((m) => m.params?.requestId);
    assert.deepEqual(cancelled, [ids[0], ids[1]]);
    t.mux.fromServer({ jsonrpc: '2.0', id: ids[2], result: {} });
    assert.deepEqual(t.to(t.b), [{ jsonrpc: '2.0', id: 1, result: {} }]);
  });

  it('keeps one protocol era: modern clients share without a handshake; a legacy client is then refused clearly', () => {
    const t = setup();
    const a = t.mux.addClient();
    const b = t.mux.addClient();
    const meta = (name: string) => ({
      _meta: {
        'io.modelcontextprotocol/protocolVersion': '2026-07-28',
        'io.modelcontextprotocol/clientInfo': { name, version: '1' },
      },
    });
    t.mux.fromClient(a, call(1, meta('A')));
    t.mux.fromClient(b, call(1, meta('B')));
    assert.equal(t.server.length, 2);
    assert.equal(t.mux.sessionEra, 'modern');
    // A subscription's notifications carry the client's own listen id.
    t.mux.fromClient(b, { jsonrpc: '2.0', id: 9, method: 'subscriptions/listen', params: { ...meta('B') } });
    const listen = t.server.at(-1)!;
    t.mux.fromServer({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { 'io.modelcontextprotocol/subscriptionId': listen.id } },
    });
    assert.deepEqual(t.to(b).at(-1)?.params, { _meta: { 'io.modelcontextprotocol/subscriptionId': 9 } });
    assert.equal(t.to(a).length, 0);
    const c = t.mux.addClient();
    t.mux.fromClient(c, init(1, 'C'));
    assert.equal(t.to(c)[0].error?.code, GuardErrorCode.EraMismatch);
    assert.match(t.to(c)[0].error!.message, /2026-07-28 era/);
  });

  it(`holds at most ${MAX_IN_FLIGHT} requests of one client in flight; past it, each new one is refused to that client alone`, () => {
    const t = initialized();
    for (let i = 0; i < MAX_IN_FLIGHT + 2; i++) t.mux.fromClient(t.a, call(i));
    assert.equal(t.server.length, MAX_IN_FLIGHT);
    assert.deepEqual(
      t.to(t.a).map((m) => [m.id, m.error?.code]),
      [
        [MAX_IN_FLIGHT, GuardErrorCode.Busy],
        [MAX_IN_FLIGHT + 1, GuardErrorCode.Busy],
      ],
    );
    // The other client is not held to it, and an answer makes room again.
    t.mux.fromClient(t.b, call(0));
    assert.equal(t.server.length, MAX_IN_FLIGHT + 1);
    t.mux.fromServer({ jsonrpc: '2.0', id: t.server[0].id, result: {} });
    t.mux.fromClient(t.a, call('again'));
    assert.equal(t.server.at(-1)?.method, 'tools/call');
  });

  it('keeps 256 characters of a client’s name (the lock record lists it)', () => {
    const t = setup();
    const a = t.mux.addClient();
    t.mux.fromClient(a, init(1, 'n'.repeat(100_000)));
    assert.equal(t.mux.list()[0].name?.length, 256);
  });

  it('a request that could not be sent to the server is answered with an error to its client only', () => {
    const t = initialized();
    t.mux.fromClient(t.a, call(5));
    const sent = t.server.at(-1)!;
    assert.equal(t.mux.failForwarded(sent.id!, -32603, 'could not'), true);
    assert.deepEqual(t.to(t.a), [{ jsonrpc: '2.0', id: 5, error: { code: -32603, message: 'could not' } }]);
    assert.equal(t.to(t.b).length, 0);
    assert.equal(t.mux.failForwarded(sent.id!, -32603, 'again'), false, 'settled once');
  });
});
