import * as assert from 'node:assert/strict';
import { ShareHttpFront } from '../../../src/guard/share/httpFront';
import { MAX_MESSAGE_BYTES, ShareHub } from '../../../src/guard/share/hub';
import { sleep, until } from '../../support/poll';

const MODERN = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };

/** A 2026-07-28 `tools/call` of `bytes` or so, as an HTTP client POSTs it. */
const call = (id: number, bytes: number) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'tools/call',
    params: { name: 'echo', arguments: { text: 'x'.repeat(bytes) }, _meta: MODERN },
  });

describe('guard share: the HTTP front (a real hub and loopback server, no shared server behind)', function () {
  let hub: ShareHub;
  let front: ShareHttpFront;
  let url: string;
  /** What the front is told of each connection's peer, in turn (none by default). */
  let peers: ({ pid: number; startTime: number } | undefined)[] = [];

  beforeEach(async () => {
    peers = [];
    hub = new ShareHub({ lingerMs: 0, log: () => undefined });
    hub.start();
    front = new ShareHttpFront(hub, {
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      log: () => undefined,
      peerOf: async () => peers.shift(),
      userOf: async () => 'same',
    });
    url = await front.listen();
  });
  afterEach(async () => {
    await front.close();
    hub.close();
  });

  it('reads no body while the server does not take what it was sent, and relays it once the server does', async () => {
    const post = (body: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body,
      }).catch(() => undefined);
    // Nobody reads the server's side yet: a large call fills what waits for it.
    void post(call(1, 256 * 1024));
    // What waits for the server: in its stream's buffers, the side it reads and the side written to.
    const waitingBytes = () => hub.toServer.readableLength + hub.toServer.writableLength;
    await until('the first call waiting for the server', () => waitingBytes() > 200 * 1024 || undefined, 5000);
    const waiting = waitingBytes();
    void post(call(2, 10));
    await sleep(300);
    assert.equal(waitingBytes(), waiting, 'the second body was not read while the server is full');
    // The server reads: the first call drains, and the second follows.
    const ids: unknown[] = [];
    let text = '';
    hub.toServer.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
        ids.push((JSON.parse(text.slice(0, nl)) as { id: unknown }).id);
        text = text.slice(nl + 1);
      }
    });
    await until('both calls at the server', () => ids.length === 2 || undefined, 5000);
    assert.equal(ids.length, 2);
  });

  it("learns a session's client process from a later request when the first one's lookup found nothing (a busy machine)", async () => {
    // The server's side: every request answered at once, as an MCP server would.
    let text = '';
    hub.toServer.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
        const m = JSON.parse(text.slice(0, nl)) as { id?: unknown; method?: string };
        text = text.slice(nl + 1);
        if (m.id === undefined) continue;
        const result =
          m.method === 'initialize'
            ? { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'stub', version: '1.0.0' } }
            : {};
        hub.fromServer.write(JSON.stringify({ jsonrpc: '2.0', id: m.id, result }) + '\n');
      }
    });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    peers = [undefined, { pid: 4242, startTime: 1234 }];
    const init = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'busy', version: '1' } },
      }),
    });
    const sid = init.headers.get('mcp-session-id');
    assert.ok(sid, 'the session has an id');
    await init.text();
    await sleep(50);
    assert.equal(hub.clients()[0]?.pid, undefined, 'not known from the first request');
    const ping = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'mcp-session-id': sid },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' }),
    });
    await ping.text();
    await until('the pid learnt from the second request', () => hub.clients()[0]?.pid === 4242 || undefined, 5000);
    assert.equal(hub.clients()[0]?.startTime, 1234);
  });
});
