import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { controlRestart, controlStatus, GuardStatus } from '../../../src/core/control';
import { sessionsPath } from '../../../src/core/http/frontInfo';
import { controlEndpointFor, ServerIdentity } from '../../../src/core/locks';
import { lifeguardPaths, LifeguardPaths } from '../../../src/core/base/paths';
import { RunningHttpGuard, startHttpGuard } from '../../../src/guard/http/startHttpGuard';
import { freePort, waitUntilAnswers } from '../../../src/guard/http/upstream';
import { connectClient, echo, everythingCommand, everythingGuardOptions, shortTempDir, spawnCollect } from './support';
import { until } from '../../support/poll';
import { killAndWait } from '../../support/liveness';

/**
 * The problem and its fix, with the real server-everything and the real SDK client: a client keeps
 * its session across server restarts through the front, and cannot without it.
 */
describe('HTTP front: a real SDK client survives server restarts', function () {
  this.timeout(180_000);
  const identity: ServerIdentity = { serverName: 'everything', resourceKey: 'recovery-test' };
  let home: string;
  let paths: LifeguardPaths;
  let port: number;
  let guard: RunningHttpGuard | undefined;
  let client: Client | undefined;
  const logs: string[] = [];

  async function startGuard(): Promise<RunningHttpGuard> {
    const started = await startHttpGuard(
      everythingGuardOptions({ home, identity, paths, port }, { log: (line) => logs.push(line) }),
    );
    assert.equal(started.kind, 'running', JSON.stringify(started));
    return (started as { guard: RunningHttpGuard }).guard;
  }

  const endpoint = () => controlEndpointFor(paths.locks, identity, paths.platform);
  const status = async (): Promise<GuardStatus> => {
    const reply = await controlStatus(endpoint());
    assert.ok(reply.ok, JSON.stringify(reply));
    return reply.result;
  };

  beforeEach(async function () {
    home = shortTempDir();
    paths = lifeguardPaths({ home, platform: process.platform, env: { MCP_LIFEGUARD_HOME: home } });
    port = await freePort();
    logs.length = 0;
  });

  afterEach(async function () {
    await client?.close().catch(() => undefined);
    client = undefined;
    await guard?.shutdown('test over');
    guard = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('without the front, the client keeps a dead session id after a restart and its calls fail', async function () {
    const cmd = everythingCommand();
    const env = { ...process.env, PORT: String(port) };
    let server = spawnCollect(cmd.command, cmd.args, { env });
    try {
      assert.ok(await waitUntilAnswers({ host: '127.0.0.1', port }, '/mcp', 60_000), 'server-everything answers');
      ({ client } = await connectClient(`http://127.0.0.1:${port}/mcp`));
      assert.equal(await echo(client, 'before'), 'Echo: before');
      await killAndWait(server.child.pid);
      server = spawnCollect(cmd.command, cmd.args, { env });
      assert.ok(await waitUntilAnswers({ host: '127.0.0.1', port }, '/mcp', 60_000), 'the restarted server answers');
      await assert.rejects(echo(client, 'after'), (err: Error) => /session/i.test(err.message));
    } finally {
      await client?.close().catch(() => undefined);
      client = undefined;
      await killAndWait(server.child.pid);
    }
  });

  it('through the front, calls go on after a restart over the control endpoint, with no reconnect in client code; the restart waits for a tool call in flight, which completes normally', async function () {
    guard = await startGuard();
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'one'), 'Echo: one');
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const call = client.callTool(
      { name: 'trigger-long-running-operation', arguments: { duration: 3, steps: 3 } },
      undefined,
      { timeout: 60_000, onprogress: () => started() },
    );
    await running;
    const before = (await status()).childPid;
    const restarted = await controlRestart(endpoint());
    const result = (await call) as { isError?: boolean; content: Array<{ text?: string }> };
    assert.notEqual(result.isError, true);
    assert.match(result.content.map((c) => c.text ?? '').join(''), /completed/i);
    assert.ok(restarted.ok, JSON.stringify(restarted));
    assert.notEqual(restarted.result.childPid, before);
    assert.equal(await echo(client, 'two'), 'Echo: two');
    const tools = await client.listTools();
    assert.ok(tools.tools.some((t) => t.name === 'echo'));
    assert.ok(
      logs.some((l) => /rebuilt on the restarted server/.test(l)),
      logs.join('\n'),
    );
  });

  it('through the front, calls go on after the server is SIGKILLed (the guard starts it again)', async function () {
    guard = await startGuard();
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'one'), 'Echo: one');
    const before = (await status()).childPid!;
    await killAndWait(before);
    await until('the guard to run a new server', async () => {
      const s = await status();
      return s.state === 'running' && s.childPid !== before ? s : undefined;
    });
    assert.equal(await echo(client, 'two'), 'Echo: two');
  });

  it('a restarted front still knows the sessions its clients hold', async function () {
    guard = await startGuard();
    ({ client } = await connectClient(guard.url));
    assert.equal(await echo(client, 'one'), 'Echo: one');
    await guard.shutdown('front restart');
    guard = undefined;
    const stored = JSON.parse(fs.readFileSync(sessionsPath(paths, identity), 'utf8')) as {
      sessions: Record<string, unknown>;
    };
    assert.equal(Object.keys(stored.sessions).length, 1);
    assert.equal(fs.statSync(sessionsPath(paths, identity)).mode & 0o777, 0o600);
    guard = await startGuard();
    assert.equal(await echo(client, 'two'), 'Echo: two');
  });

  it('a GET event stream ends cleanly when the server restarts, and the SDK client gets server notifications again', async function () {
    guard = await startGuard();
    ({ client } = await connectClient(guard.url));
    const received: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      received.push(String(n.params.level));
    });
    // Simulated logging goes out on the session's standalone GET stream: a first message proves it is open.
    assert.match(await callText(client, 'toggle-simulated-logging'), /Started simulated/);
    await until('a logging notification on the GET stream', () => (received.length > 0 ? true : undefined), 90_000);
    const restarted = await controlRestart(endpoint());
    assert.ok(restarted.ok, JSON.stringify(restarted));
    // The new server knows nothing of the old logging; turned on again over the rebuilt session, its
    // messages reach the client only if its GET stream was re-established through the front.
    assert.match(await callText(client, 'toggle-simulated-logging'), /Started simulated/);
    const seen = received.length;
    await until(
      'a logging notification on the re-opened GET stream',
      () => (received.length > seen ? true : undefined),
      90_000,
    );
  });

  it('a raw GET stream is ended (not left hanging) by a restart, and reopens with a stale Last-Event-ID', async function () {
    guard = await startGuard();
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    const init = await fetch(guard.url, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
      }),
    });
    const sid = init.headers.get('mcp-session-id')!;
    await init.text();
    const withSession = { ...headers, 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' };
    const ack = await fetch(guard.url, {
      method: 'POST',
      headers: withSession,
      body: JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
    });
    assert.equal(ack.status, 202);
    const stream = await fetch(guard.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'mcp-session-id': sid, 'mcp-protocol-version': '2025-06-18' },
    });
    assert.equal(stream.status, 200);
    let ended = false;
    const reading = (async () => {
      const reader = stream.body!.getReader();
      for (;;) {
        const { done } = await reader.read();
        if (done) break;
      }
      ended = true;
    })();
    const restarted = await controlRestart(endpoint());
    assert.ok(restarted.ok);
    await until('the GET stream to end', () => (ended ? true : undefined), 60_000);
    await reading;
    const again = await fetch(guard.url, {
      method: 'GET',
      headers: {
        accept: 'text/event-stream',
        'mcp-session-id': sid,
        'mcp-protocol-version': '2025-06-18',
        'last-event-id': 'from-the-old-server',
      },
    });
    assert.equal(again.status, 200);
    assert.match(again.headers.get('content-type') ?? '', /text\/event-stream/);
    assert.equal(again.headers.get('mcp-session-id'), sid);
    await again.body?.cancel();
  });
});

async function callText(client: Client, name: string): Promise<string> {
  const result = (await client.callTool({ name, arguments: {} }, undefined, { timeout: 30_000 })) as {
    content: Array<{ text?: string }>;
  };
  return result.content.map((c) => c.text ?? '').join('');
}
