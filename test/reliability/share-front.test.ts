import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { controlShutdown } from '../../src/core/control';
import { MAX_SESSIONS } from '../../src/guard/share/httpFront';
import { fixturesDir } from '../support/repo';
import { until } from '../support/poll';
import { freePort } from '../support/startup';
import { otherUserIds } from '../support/otherUser';
import { connectGuarded, GuardedClient, liveRecords, tempHome, textOf } from '../integration/guard/support';
import { noneLeftThenRemove, processesOf } from '../integration/guard/erasSupport';

const shareServer = [process.execPath, path.join(fixturesDir, 'guard', 'share-server.mjs')];

const INIT = (n: number) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: `flood-${n}`, version: '1' } },
  });
const HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

/**
 * The share host's HTTP front under what a local process can throw at it: more sessions than it
 * keeps, connections that never send a request, bodies no SDK sends. Every one is bounded and
 * answered to its sender; the shared server and the clients that behave never notice. Bounded: each
 * case ends by itself within its timeout.
 */
describe('reliability: the share host HTTP front under abuse (`--share-listen`, built CLI)', function () {
  this.timeout(240_000);
  let home: string;
  let stdio: GuardedClient | undefined;
  const sockets: net.Socket[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await stdio?.client.close().catch(() => undefined);
    stdio = undefined;
    // The flood's sessions were never ended (as a crashed client's are not): the host is told to stop.
    for (const r of await liveRecords(home))
      if (r.share === true && r.control) await controlShutdown(r.control, 'test over').catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  async function started(): Promise<string> {
    const port = await freePort();
    stdio = await connectGuarded(home, [
      '--on-conflict',
      'share',
      '--name',
      'front',
      '--share-listen',
      `127.0.0.1:${port}`,
      '--',
      ...shareServer,
    ]);
    const record = await until(
      'the front',
      async () => (await liveRecords(home)).find((r) => typeof r.shareUrl === 'string'),
      20_000,
    );
    return record.shareUrl as string;
  }

  it(`${MAX_SESSIONS} sessions at most: past them a new one is refused (503) and every earlier one still works; one ended makes room`, async () => {
    const url = await started();
    const sids: string[] = [];
    // Opened in parallel batches, as many clients at once would.
    for (let batch = 0; batch < MAX_SESSIONS / 50; batch++)
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const res = await fetch(url, { method: 'POST', headers: HEADERS, body: INIT(batch * 50 + i) });
          assert.equal(res.status, 200);
          await res.text();
          sids.push(res.headers.get('mcp-session-id') as string);
        }),
      );
    assert.equal(new Set(sids).size, MAX_SESSIONS);
    const refused = await fetch(url, { method: 'POST', headers: HEADERS, body: INIT(-1) });
    assert.equal(refused.status, 503);
    assert.match(await refused.text(), /sessions are open/);
    // The first session and the last are both alive: a ping through each.
    for (const sid of [sids[0], sids[MAX_SESSIONS - 1]]) {
      const ping = await fetch(url, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sid },
        body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' }),
      });
      assert.equal(ping.status, 200);
      assert.deepEqual(JSON.parse(await ping.text()), { jsonrpc: '2.0', id: 9, result: {} });
    }
    const ended = await fetch(url, { method: 'DELETE', headers: { 'mcp-session-id': sids[0] } });
    assert.equal(ended.status, 200);
    const again = await fetch(url, { method: 'POST', headers: HEADERS, body: INIT(-2) });
    assert.equal(again.status, 200);
    await again.text();
    assert.match(textOf(await stdio!.client.callTool({ name: 'echo', arguments: { text: 'relay' } })), /:relay$/);
    assert.equal(processesOf(home).servers, 1);
  });

  it("another user's process is refused (403), whatever it sends; this user's clients are served", async () => {
    const url = await started();
    const stranger = otherUserIds();
    const script = `fetch(${JSON.stringify(url)}, { method: 'POST', headers: ${JSON.stringify(HEADERS)}, body: ${JSON.stringify(INIT(0))} }).then(async (r) => console.log(r.status, await r.text()), (e) => console.log('failed', e.message))`;
    const ran = spawnSync(process.execPath, ['-e', script], {
      uid: stranger.uid,
      gid: stranger.gid,
      cwd: '/',
      env: { PATH: process.env.PATH ?? '' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.match(ran.stdout, /^403 .*own user's processes alone/, ran.stdout + ran.stderr);
    const client = new Client({ name: 'mine', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    try {
      assert.match(textOf(await client.callTool({ name: 'echo', arguments: { text: 'mine' } })), /:mine$/);
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
  });

  it('300 connections that never send a request cannot lock a client out; a body nested 6,000 deep or not JSON is answered to its sender alone', async () => {
    const url = await started();
    const { port } = new URL(url);
    for (let i = 0; i < 300; i++) {
      const s = net.connect(Number(port), '127.0.0.1');
      s.on('error', () => undefined);
      sockets.push(s);
    }
    // Past 256 the front lets the longest waiting go: some of these are closed, the rest held open.
    await until(
      'the idle connections made',
      () => sockets.every((s) => s.readyState !== 'opening') || undefined,
      20_000,
    );
    assert.ok(sockets.filter((s) => s.readyState === 'open').length >= 200, 'most held open');
    const client = new Client({ name: 'patient', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(url));
    await client.connect(transport);
    try {
      assert.match(textOf(await client.callTool({ name: 'echo', arguments: { text: 'through' } })), /:through$/);
      const sid = transport.sessionId as string;
      const deep = `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"x":${'['.repeat(6_000)}${']'.repeat(6_000)}}}`;
      const answer = await fetch(url, { method: 'POST', headers: { ...HEADERS, 'mcp-session-id': sid }, body: deep });
      assert.equal(answer.status, 200);
      const body = JSON.parse(await answer.text()) as { id: string; error: { code: number; message: string } };
      assert.equal(body.id, 'deep');
      assert.equal(body.error.code, -32600);
      assert.match(body.error.message, /nested deeper/);
      const garbage = await fetch(url, {
        method: 'POST',
        headers: { ...HEADERS, 'mcp-session-id': sid },
        body: Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
      });
      assert.equal(garbage.status, 400);
      assert.match(textOf(await client.callTool({ name: 'echo', arguments: { text: 'after' } })), /:after$/);
      assert.match(textOf(await stdio!.client.callTool({ name: 'echo', arguments: { text: 'relay' } })), /:relay$/);
    } finally {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    }
  });
});
