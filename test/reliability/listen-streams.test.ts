import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { HTTP_LIMITS } from '../../src/core/http/limits';
import { freePort } from '../../src/guard/http/upstream';
import { killMentioning, shortTempDir, spawnCollect } from '../integration/http/support';
import { killAndWait } from '../support/liveness';
import { until } from '../support/poll';
import { cliPath, fixturesDir } from '../support/repo';

const MODERN = '2026-07-28';

/** A raw modern `subscriptions/listen` over its own connection: its status once known, and what its stream carried. */
interface RawListen {
  status: Promise<number>;
  text(): string;
  ended(): boolean;
  close(): void;
}

function listen(url: string, id: string): RawListen {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id,
    method: 'subscriptions/listen',
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN,
        'io.modelcontextprotocol/clientInfo': { name: 'listener', version: '1' },
        'io.modelcontextprotocol/clientCapabilities': {},
      },
      notifications: { toolsListChanged: true },
    },
  });
  let text = '';
  let ended = false;
  const req = http.request(url, {
    method: 'POST',
    agent: false,
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': MODERN,
      'mcp-method': 'subscriptions/listen',
    },
  });
  const status = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      resolve(res.statusCode ?? 0);
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      res.on('error', () => (ended = true));
    });
    req.on('error', () => {
      ended = true;
      resolve(0);
    });
  });
  req.end(body);
  return { status, text: () => text, ended: () => ended, close: () => req.destroy() };
}

/**
 * 2026-07-28 `subscriptions/listen` streams through the built CLI's HTTP front (`run --http`)
 * before a real SDK 2.x server: one local process opening 300 listens never ends the stream of a
 * client that listens and works; the flood's own new listens are refused past their share.
 */
describe('reliability: a flood of modern listen streams', function () {
  this.timeout(180_000);
  let home: string;
  let guardPid: number | undefined;
  const opened: RawListen[] = [];
  let client: Client | undefined;

  beforeEach(() => {
    home = shortTempDir();
  });
  afterEach(async () => {
    for (const l of opened.splice(0)) l.close();
    await client?.close().catch(() => undefined);
    client = undefined;
    await killAndWait(guardPid, 'SIGTERM');
    guardPid = undefined;
    await killMentioning(home);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('300 listens from one process: the working client keeps its stream (and hears on it), the flood gets its share and 503 past it', async () => {
    const port = await freePort();
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home };
    const guard = spawnCollect(
      process.execPath,
      [
        cliPath,
        'run',
        '--http',
        '--listen',
        `127.0.0.1:${port}`,
        '--stop-grace',
        '2',
        '--',
        process.execPath,
        path.join(fixturesDir, 'eras', 'modern-http', 'server.mjs'),
      ],
      { env, cwd: home },
    );
    guardPid = guard.child.pid;
    const url = `http://127.0.0.1:${port}/mcp`;
    await until(
      () => `the URL on stdout: ${guard.output()}`,
      () => guard.output().includes(url),
      90_000,
    );

    // The working client: its own listen, and calls through the flood.
    const mine = listen(url, 'mine');
    opened.push(mine);
    assert.equal(await mine.status, 200);
    client = new Client({ name: 'worker', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    assert.equal(client.getProtocolEra(), 'modern');
    const echo = async (text: string) =>
      ((await client!.callTool({ name: 'echo', arguments: { text } })) as { content: Array<{ text: string }> })
        .content[0].text;

    const statuses: number[] = [];
    for (let i = 0; i < 300; i++) {
      const flood = listen(url, `flood-${i}`);
      opened.push(flood);
      statuses.push(await flood.status);
      if (i % 50 === 0) assert.match(await echo(`call ${i}`), new RegExp(`:call ${i} \\(modern\\)$`));
    }
    assert.equal(mine.ended(), false, "the working client's stream is open");
    const accepted = statuses.filter((s) => s === 200).length;
    assert.equal(
      accepted,
      HTTP_LIMITS.maxListenStreamsPerPeer - 1,
      `the flood's share beside the working listen (statuses: ${[...new Set(statuses)].join(', ')})`,
    );
    assert.ok(
      statuses.every((s) => s === 200 || s === 503),
      [...new Set(statuses)].join(', '),
    );

    // It still carries what the server says: a tools list change, tagged with its subscription.
    assert.equal(await echo('after the flood'), `${(await echo('pid')).split(':')[0]}:after the flood (modern)`);
    await client.callTool({ name: 'grow', arguments: {} });
    await until(
      () => `list_changed on the working listen: ${mine.text().slice(-300)}`,
      () => /notifications\/tools\/list_changed/.test(mine.text()) && mine.text().includes('"mine"'),
      15_000,
    );
    assert.equal(mine.ended(), false);

    // The flood lets go: its slots are free again.
    for (const l of opened.slice(1)) l.close();
    const again = await until(
      'a new listen once the flood closed',
      async () => {
        const l = listen(url, `again-${Date.now()}`);
        opened.push(l);
        return (await l.status) === 200 && l;
      },
      15_000,
      100,
    );
    assert.ok(again);
  });
});
