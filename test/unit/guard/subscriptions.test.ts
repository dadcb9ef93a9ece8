import * as assert from 'node:assert/strict';
import { Handshake } from '../../../src/guard/stdio/handshake';
import { classify, serverInfoFrom } from '../../../src/guard/stdio/messages';
import { Subscriptions } from '../../../src/guard/stdio/subscriptions';

// Lines as the 2.x SDK client and serveStdio exchange them (issue 17 transcripts, stdio-modern-modern.txt).
const META =
  '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"probe-client","version":"0.0.1"},"io.modelcontextprotocol/clientCapabilities":{}}';
const LISTEN = `{"jsonrpc":"2.0","id":"listen:0","method":"subscriptions/listen","params":{${META},"notifications":{"toolsListChanged":true}}}`;
const ACK =
  '{"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"notifications":{"toolsListChanged":true},"_meta":{"io.modelcontextprotocol/subscriptionId":"listen:0"}}}';
const DISCOVER = `{"jsonrpc":"2.0","id":"server-discover-probe-1","method":"server/discover","params":{${META}}}`;
const TOOLS_LIST = `{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{${META}}}`;
const INITIALIZE =
  '{"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"probe-client","version":"0.0.1"}},"jsonrpc":"2.0","id":0}';

function request(line: string): { id: string | number; method: string; params?: Record<string, unknown> } {
  const c = classify(Buffer.from(line));
  assert.equal(c.kind, 'request');
  return { id: c.id, method: c.method, params: c.message.params };
}

function params(line: string): unknown {
  return (JSON.parse(line) as { params?: unknown }).params;
}

function listenOf(s: Subscriptions, line: string): void {
  const r = request(line);
  s.noteListen(r.id, r.params, Buffer.from(line));
}

describe('guard: modern subscriptions (subscriptions/listen) across restarts', () => {
  it('keeps the client line unchanged, notes the honored filter from the ack, and tags notices with the listen id', () => {
    const s = new Subscriptions();
    listenOf(s, LISTEN);
    assert.equal(s.size, 1);
    assert.equal(s.noteAck(params(ACK))?.id, 'listen:0');
    const [open] = s.all();
    assert.equal(open.line.toString(), LISTEN);
    assert.deepEqual(open.honored, { toolsListChanged: true });
    assert.deepEqual(
      s.changedNotices(open).map((n) => JSON.parse(n) as unknown),
      [
        {
          jsonrpc: '2.0',
          method: 'notifications/tools/list_changed',
          params: { _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen:0' } },
        },
      ],
    );
  });

  it('sends notices only for the types the client asked for and the server honored, and resources/updated per honored URI', () => {
    const s = new Subscriptions();
    const line = `{"jsonrpc":"2.0","id":7,"method":"subscriptions/listen","params":{${META},"notifications":{"promptsListChanged":true,"resourcesListChanged":true,"resourceSubscriptions":["file:///a","file:///b"]}}}`;
    listenOf(s, line);
    s.noteAck({
      notifications: { promptsListChanged: true, toolsListChanged: true, resourceSubscriptions: ['file:///a'] },
      _meta: { 'io.modelcontextprotocol/subscriptionId': 7 },
    });
    const notices = s
      .changedNotices(s.all()[0])
      .map((n) => JSON.parse(n) as { method: string; params: Record<string, unknown> });
    assert.deepEqual(
      notices.map((n) => [
        n.method,
        n.params.uri,
        (n.params._meta as Record<string, unknown>)['io.modelcontextprotocol/subscriptionId'],
      ]),
      [
        ['notifications/prompts/list_changed', undefined, 7],
        ['notifications/resources/updated', 'file:///a', 7],
      ],
    );
  });

  it('an ack for another id changes nothing; a cancelled or answered listen is forgotten', () => {
    const s = new Subscriptions();
    listenOf(s, LISTEN);
    assert.equal(
      s.noteAck({ notifications: {}, _meta: { 'io.modelcontextprotocol/subscriptionId': 'other' } }),
      undefined,
    );
    assert.equal(s.all()[0].honored, undefined);
    assert.equal(s.noteCancelled('listen:1'), false);
    assert.equal(s.noteCancelled('listen:0'), true);
    assert.equal(s.size, 0);
    listenOf(s, LISTEN);
    assert.equal(s.noteAnswer(0), false, 'the number 0 is not the id "listen:0"');
    assert.equal(s.noteAnswer('listen:0'), true);
    assert.equal(s.size, 0);
  });

  it('ends open listens gracefully when the guard stops, with an error when it gives up', () => {
    const s = new Subscriptions();
    listenOf(s, LISTEN);
    assert.deepEqual(JSON.parse(s.endAll({ kind: 'graceful' })[0]), {
      jsonrpc: '2.0',
      id: 'listen:0',
      result: { resultType: 'complete', _meta: { 'io.modelcontextprotocol/subscriptionId': 'listen:0' } },
    });
    assert.equal(s.size, 0);
    listenOf(s, LISTEN);
    assert.deepEqual(JSON.parse(s.endAll({ kind: 'error', code: -32041, message: 'crash loop' })[0]), {
      jsonrpc: '2.0',
      id: 'listen:0',
      error: { code: -32041, message: 'crash loop' },
    });
  });

  it('tells a server it is about to lose that each open listen is cancelled, and keeps them for the next one', () => {
    const s = new Subscriptions();
    listenOf(s, LISTEN);
    const lines = s.cancelLines('stopping').map((b) => JSON.parse(b.toString()));
    assert.deepEqual(lines, [
      { jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'listen:0', reason: 'stopping' } },
    ]);
    assert.equal(s.size, 1, 'the client still holds it');
  });
});

describe('guard: the era of a stdio client connection', () => {
  function eraAfter(...lines: string[]): Handshake {
    const h = new Handshake();
    for (const line of lines) {
      const r = request(line);
      h.noteRequest(r.method, r.params);
    }
    return h;
  }

  it('initialize pins legacy and is replayable', () => {
    const h = eraAfter(INITIALIZE, TOOLS_LIST);
    assert.equal(h.era, 'legacy');
    assert.equal(h.replayable, true);
  });

  it('server/discover alone pins nothing; a later initialize is legacy (an auto client falling back)', () => {
    assert.equal(eraAfter(DISCOVER).era, 'unknown');
    const h = eraAfter(DISCOVER, INITIALIZE);
    assert.equal(h.era, 'legacy');
    assert.equal(h.replayable, true);
  });

  it('the first other request with a protocol version in _meta pins modern; nothing is ever replayed then', () => {
    assert.equal(eraAfter(LISTEN).era, 'modern');
    const h = eraAfter(DISCOVER, TOOLS_LIST, INITIALIZE);
    assert.equal(h.era, 'modern');
    assert.equal(h.modernVersion, '2026-07-28');
    assert.equal(h.replayable, false);
  });

  it('keeps the connection (a new child on exit) once legacy answered, once modern, or after a discover probe', () => {
    assert.equal(eraAfter('{"jsonrpc":"2.0","id":3,"method":"tools/list"}').keepsConnection, false);
    assert.equal(eraAfter(INITIALIZE).keepsConnection, false, 'not before the server answered initialize');
    assert.equal(eraAfter(LISTEN).keepsConnection, true);
    assert.equal(eraAfter(DISCOVER).keepsConnection, true);
    const h = eraAfter(INITIALIZE);
    h.noteAnswer('initialize', { capabilities: {} });
    assert.equal(h.keepsConnection, true);
  });

  it('a request without _meta before initialize pins nothing', () => {
    assert.equal(eraAfter('{"jsonrpc":"2.0","id":3,"method":"tools/list"}').era, 'unknown');
  });
});

describe('guard: what a server says about itself', () => {
  it('reads a modern result _meta, a discover answer, and a legacy initialize answer', () => {
    const meta = {
      resultType: 'complete',
      _meta: { 'io.modelcontextprotocol/serverInfo': { name: 'lg-dual-stdio', version: '9.9.9' } },
    };
    assert.deepEqual(serverInfoFrom('tools/list', { tools: [], ...meta }), {
      name: 'lg-dual-stdio',
      version: '9.9.9',
      era: 'modern',
      how: 'result _meta',
    });
    assert.deepEqual(serverInfoFrom('server/discover', { supportedVersions: ['2026-07-28'], ...meta }), {
      name: 'lg-dual-stdio',
      version: '9.9.9',
      era: 'modern',
      how: 'server/discover',
    });
    assert.deepEqual(
      serverInfoFrom('initialize', {
        protocolVersion: '2025-11-25',
        serverInfo: { name: 'legacy-server', version: '1.2.3' },
      }),
      { name: 'legacy-server', version: '1.2.3', era: 'legacy', how: 'initialize' },
    );
    assert.equal(serverInfoFrom('tools/list', { tools: [] }), undefined);
    assert.equal(serverInfoFrom('tools/call', { serverInfo: { name: 'x', version: '1' } }), undefined);
  });
});
