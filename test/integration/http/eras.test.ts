import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as Transport1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { freePort } from '../../../src/guard/http/upstream';
import { cliPath, fixturesDir } from '../../support/repo';
import { sleep, until } from '../../support/poll';
import { isAlive, killAndWait } from '../../support/liveness';
import { childPidOf, everythingCommand, killMentioning, liveGuardOf, shortTempDir, spawnCollect } from './support';
import { CliWorker } from '../../support/cliWorker';

const modernHttp = { command: process.execPath, args: [path.join(fixturesDir, 'eras', 'modern-http', 'server.mjs')] };
const sessionfulHttp = {
  command: process.execPath,
  args: [path.join(fixturesDir, 'eras', 'sessionful-http', 'server.mjs')],
};

interface Guard {
  url: string;
  env: NodeJS.ProcessEnv;
  name: string;
  childPid(): Promise<number>;
  restart(): Promise<void>;
}

interface Logged {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** Both SDK generations behind one small face: call a tool, count the tools list_changed the app hears. */
interface AnyClient {
  changed: number;
  call(name: string, args?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
  era?: string;
  client2?: Client;
}

async function client2(url: string, mode: 'auto' | 'legacy'): Promise<AnyClient> {
  const face: AnyClient = { changed: 0, call: async () => '', close: async () => undefined };
  const options = {
    listChanged: { tools: { debounceMs: 0, onChanged: () => face.changed++ } },
    ...(mode === 'auto' ? { versionNegotiation: { mode: 'auto' as const } } : {}),
  };
  const client = new Client({ name: 'lg-eras-test', version: '1.0.0' }, options);
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  face.client2 = client;
  face.era = client.getProtocolEra();
  face.call = async (name, args = {}) => {
    const r = (await client.callTool({ name, arguments: args })) as { content: Array<{ text?: string }> };
    return r.content.map((c) => c.text ?? '').join('');
  };
  face.close = () => client.close();
  return face;
}

async function client1(url: string): Promise<AnyClient> {
  const face: AnyClient = { changed: 0, call: async () => '', close: async () => undefined, era: 'legacy' };
  const client = new Client1({ name: 'lg-eras-test-1x', version: '1.0.0' });
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void face.changed++);
  await client.connect(new Transport1(new URL(url)));
  face.call = async (name, args = {}) => {
    const r = (await client.callTool({ name, arguments: args }, undefined, { timeout: 30_000 })) as {
      content: Array<{ text?: string }>;
    };
    return r.content.map((c) => c.text ?? '').join('');
  };
  face.close = () => client.close();
  return face;
}

describe('run --http with clients and servers of both protocol eras', function () {
  this.timeout(180_000);
  // The restarts run on one CLI process: their subject is the guard, not a Node start.
  const cli = new CliWorker();
  after(() => cli.close());
  let home: string;
  let upstreamLog: string;
  const clients: AnyClient[] = [];
  const pids: number[] = [];

  beforeEach(() => {
    home = shortTempDir();
    upstreamLog = path.join(home, 'upstream.log');
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    // SIGTERM: the guard stops its server first (a SIGKILLed guard would leave it running, and
    // holding this process's stderr pipe, so mocha would never exit).
    for (const pid of pids.splice(0)) await killAndWait(pid, 'SIGTERM');
    await killMentioning(home);
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function startGuard(server: { command: string; args: string[] }, options: string[] = []): Promise<Guard> {
    const port = await freePort();
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home, FIXTURE_LOG: upstreamLog };
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
        ...options,
        '--',
        server.command,
        ...server.args,
      ],
      { env, cwd: home },
    );
    pids.push(guard.child.pid!);
    const url = `http://127.0.0.1:${port}/mcp`;
    await until(
      () => `the URL on stdout: ${guard.output()}`,
      () => guard.output().includes(url),
      90_000,
    );
    const record = await until('the guard lock', () => liveGuardOf(home), 30_000);
    return {
      url,
      env,
      name: record.serverName,
      childPid: async () => (await childPidOf(record))!,
      restart: async () => {
        const restart = await cli.run(['restart', record.serverName], env, home);
        assert.equal(restart.code, 0, restart.stdout + restart.stderr);
      },
    };
  }

  function logged(): Logged[] {
    if (!fs.existsSync(upstreamLog)) return [];
    return fs
      .readFileSync(upstreamLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Logged);
  }

  function bodyOf(entry: Logged): { method?: string; id?: unknown } {
    try {
      return JSON.parse(entry.body) as { method?: string; id?: unknown };
    } catch {
      return {};
    }
  }

  /** Sessions the front keeps (its session files under the home). */
  function frontSessions(): number {
    let n = 0;
    const walk = (dir: string): void => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.sessions.json'))
          n += Object.keys((JSON.parse(fs.readFileSync(p, 'utf8')) as { sessions?: object }).sessions ?? {}).length;
      }
    };
    walk(home);
    return n;
  }

  it('modern client + modern server: no front session, mcp-* headers as sent, the listen re-opened with tagged list_changed once', async function () {
    const guard = await startGuard(modernHttp);
    const c = await client2(guard.url, 'auto');
    clients.push(c);
    assert.equal(c.era, 'modern');
    assert.match(await c.call('echo', { text: 'before' }), /before \(modern\)/);
    await until('the listen reached the server', () =>
      logged().some((e) => bodyOf(e).method === 'subscriptions/listen'),
    );
    const slow = c.call('slow', { ms: 1500 });
    await until('the slow call reached the server', () => logged().some((e) => e.body.includes('"slow"')));
    await guard.restart();
    assert.match(await slow, /slept 1500/);
    await until('list_changed after the restart', () => c.changed >= 1);
    assert.match(await c.call('echo', { text: 'after' }), /after \(modern\)/);
    assert.equal(c.changed, 1);

    const calls = logged().filter((e) => bodyOf(e).method === 'tools/call');
    assert.ok(
      calls.some((e) => e.headers['mcp-method'] === 'tools/call' && e.headers['mcp-name'] === 'echo'),
      JSON.stringify(calls.map((e) => e.headers)),
    );
    const listens = logged().filter((e) => bodyOf(e).method === 'subscriptions/listen');
    assert.equal(listens.length, 2, 'the listen was sent once to each server');
    assert.equal(listens[1].body, listens[0].body);
    for (const h of ['mcp-method', 'mcp-protocol-version', 'accept'])
      assert.equal(listens[1].headers[h], listens[0].headers[h], h);
    assert.ok(
      !logged().some((e) => bodyOf(e).method === 'initialize'),
      'no legacy handshake replayed for a modern client',
    );
    assert.equal(frontSessions(), 0);
  });

  it('modern client + modern server under --idle-stop: the listen waits out the idle stop, and is re-opened on the server the next call starts', async function () {
    // A listen waits 5 s for a restarting server here (start + drain timeouts): the idle pause is longer.
    const guard = await startGuard(modernHttp, ['--idle-stop', '2', '--start-timeout', '4', '--drain-timeout', '1']);
    const c = await client2(guard.url, 'auto');
    clients.push(c);
    assert.equal(c.era, 'modern');
    assert.match(await c.call('echo', { text: 'before' }), /before \(modern\)/);
    await until('the listen reached the server', () =>
      logged().some((e) => bodyOf(e).method === 'subscriptions/listen'),
    );
    const first = await guard.childPid();
    await until('the idle server to be stopped', () => !isAlive(first), 20_000);
    // Longer than a listen waits for a restarting server: it is neither given up (the client would
    // listen again, starting the server) nor re-opened on nothing.
    await sleep(6500);
    assert.equal(logged().filter((e) => bodyOf(e).method === 'subscriptions/listen').length, 1);
    assert.match(await c.call('echo', { text: 'after' }), /after \(modern\)/);
    await until(
      'the listen re-opened on the new server',
      () => logged().filter((e) => bodyOf(e).method === 'subscriptions/listen').length === 2,
      20_000,
    );
    assert.notEqual(await guard.childPid(), first);
    assert.match(await c.call('echo', { text: 'again' }), /again \(modern\)/);
  });

  it('modern client: SIGKILL of the server mid-call answers 502 with the id, and the listen stream does not hang', async function () {
    const guard = await startGuard(modernHttp);
    const c = await client2(guard.url, 'auto');
    clients.push(c);
    await until('the listen reached the server', () =>
      logged().some((e) => bodyOf(e).method === 'subscriptions/listen'),
    );
    const pending = fetch(guard.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'slow',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 'killed-1',
        method: 'tools/call',
        params: {
          name: 'slow',
          arguments: { ms: 60_000 },
          _meta: {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': { name: 'raw', version: '1' },
            'io.modelcontextprotocol/clientCapabilities': {},
          },
        },
      }),
    });
    await until('the slow call reached the server', () => logged().some((e) => e.body.includes('killed-1')));
    process.kill(await guard.childPid(), 'SIGKILL');
    const answer = await pending;
    if (answer.headers.get('content-type')?.includes('text/event-stream')) {
      // The answer had begun as an event stream: it ends (cleanly) instead of hanging.
      await answer.text();
    } else {
      assert.equal(answer.status, 502);
      assert.equal(((await answer.json()) as { id: unknown }).id, 'killed-1');
    }
    // The guard restarts the server; the listen is re-opened there (or ended): either way the client hears of it.
    const closed = c.client2!.autoOpenedSubscription?.closed.then(() => 'closed');
    await until(
      'the listen re-opened or closed',
      async () => c.changed >= 1 || (await Promise.race([closed, Promise.resolve(undefined)])) === 'closed',
    );
    assert.match(await c.call('echo', { text: 'after kill' }), /after kill/);
  });

  it('legacy clients + a sessionful legacy server: list_changed once after a restart, on the rebuilt GET stream', async function () {
    const guard = await startGuard(sessionfulHttp);
    const c2 = await client2(guard.url, 'legacy');
    const c1 = await client1(guard.url);
    clients.push(c2, c1);
    assert.equal(c2.era, 'legacy');
    for (const c of [c2, c1]) assert.match(await c.call('echo', { text: 'before' }), /before/);
    await until('both GET streams open', () => logged().filter((e) => e.method === 'GET').length >= 2);
    assert.equal(frontSessions(), 2, 'legacy sessions are kept by the front');
    await guard.restart();
    for (const c of [c2, c1]) assert.match(await c.call('echo', { text: 'after' }), /after/);
    await until(
      () => `list_changed after the restart (${c2.changed}, ${c1.changed})`,
      () => c2.changed >= 1 && c1.changed >= 1,
    );
    for (const c of [c2, c1]) assert.match(await c.call('echo', { text: 'again' }), /again/);
    assert.deepEqual([c2.changed, c1.changed], [1, 1]);
  });

  it('mixed pair: a 2.x auto client + server-everything falls back to legacy and survives a restart', async function () {
    const everything = await startGuard(everythingCommand());
    const auto = await client2(everything.url, 'auto');
    clients.push(auto);
    assert.equal(auto.era, 'legacy');
    assert.match(await auto.call('echo', { message: 'x' }), /Echo: x/);
    await everything.restart();
    assert.match(await auto.call('echo', { message: 'y' }), /Echo: y/);
  });

  it('mixed pairs: 1.x and 2.x default clients + the modern server (stateless legacy) survive a restart, with no list_changed', async function () {
    const modern = await startGuard(modernHttp);
    const v1 = await client1(modern.url);
    const v2 = await client2(modern.url, 'legacy');
    clients.push(v1, v2);
    assert.equal(v2.era, 'legacy');
    for (const c of [v1, v2]) assert.match(await c.call('echo', { text: 'before' }), /before \(legacy\)/);
    await modern.restart();
    for (const c of [v1, v2]) assert.match(await c.call('echo', { text: 'after' }), /after \(legacy\)/);
    // A stateless legacy server has no GET stream: no list_changed can reach these clients.
    assert.deepEqual([v1.changed, v2.changed], [0, 0]);
  });
});
