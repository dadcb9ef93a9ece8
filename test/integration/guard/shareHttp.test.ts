import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client as Client2, StreamableHTTPClientTransport as Http2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport as Http1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CreateMessageRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { controlShutdown } from '../../../src/core/control';
import type { LockRecord } from '../../../src/core/locks/types';
import { sleep, until } from '../../support/poll';
import { freePort } from '../../support/startup';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { processesOf, noneLeftThenRemove, servers as eraServers } from './erasSupport';
import { guardEnv, liveRecords, runCli, tempHome, textOf } from './support';

const shareServer = [process.execPath, path.join(fixturesDir, 'guard', 'share-server.mjs')];

/** A relay's command line (`run --on-conflict share`) that starts its share host with the HTTP front. */
const relayArgs = (name: string, port: number, server: readonly string[]) => [
  cliPath,
  'run',
  '--on-conflict',
  'share',
  '--name',
  name,
  '--share-listen',
  `127.0.0.1:${port}`,
  '--',
  ...server,
];

/**
 * `--share-listen`: the share host serves its one server over streamable HTTP as well, so a client
 * whose config names a URL needs no relay process. Real SDK clients (1.x and 2.x, both eras) over
 * HTTP beside a stdio client's relay, the built CLI, real servers.
 */
describe('guard: a shared server over HTTP (`run --on-conflict share --share-listen`, built CLI, real SDK clients)', function () {
  this.timeout(120_000);
  let home: string;
  const closers: Array<() => Promise<unknown>> = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async function () {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
    // A share host whose HTTP client failed to end its session would keep the server for minutes.
    if (this.currentTest?.state === 'failed')
      for (const r of await liveRecords(home))
        if (r.share === true && r.control) await controlShutdown(r.control, 'test over').catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  /** A stdio client through its relay, which starts the share host with the HTTP front. */
  async function stdioClient(name: string, port: number, server: readonly string[], clientName = 'stdio-client') {
    const transport = new Stdio1({
      command: process.execPath,
      args: relayArgs(name, port, server),
      env: guardEnv(home, { SHARE_FIXTURE_LOG: path.join(home, 'fixture.log') }),
      cwd: repoRoot,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client1({ name: clientName, version: '1.0.0' }, { capabilities: { sampling: {} } });
    closers.push(() => client.close());
    await client.connect(transport);
    return { client, stderr: () => stderr };
  }

  /** The URL the share host's record names, once its front listens. */
  async function shareUrl(): Promise<string> {
    const record = await until(
      'the share host recording its HTTP front',
      async () => (await liveRecords(home)).find((r) => typeof r.shareUrl === 'string'),
      20_000,
    );
    return record.shareUrl as string;
  }

  /**
   * A real SDK 1.x client over HTTP. Closed as a client that is done with the server: its session
   * ended with DELETE (a session left open keeps the server for SESSION_QUIET_MS).
   */
  async function http1(url: string, clientName: string): Promise<Client1> {
    const client = new Client1({ name: clientName, version: '1.0.0' }, { capabilities: { sampling: {} } });
    const transport = new Http1(new URL(url));
    closers.push(async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    });
    await client.connect(transport);
    return client;
  }

  async function http2(url: string, clientName: string, auto = false): Promise<Client2> {
    const client = new Client2(
      { name: clientName, version: '1.0.0' },
      auto ? { versionNegotiation: { mode: 'auto' } } : {},
    );
    const transport = new Http2(new URL(url));
    closers.push(async () => {
      await transport.terminateSession().catch(() => undefined);
      await client.close();
    });
    await client.connect(transport);
    return client;
  }

  const echo = async (client: Client1 | Client2, text: string) =>
    textOf(await client.callTool({ name: 'echo', arguments: { text } }));
  const shareHost = async (): Promise<LockRecord> =>
    until('the share host', async () => (await liveRecords(home)).find((r) => r.share === true), 10_000);

  it('a stdio client and two HTTP clients (SDK 1.x, 2.x) share one server process; each keeps its session across a restart', async () => {
    const port = await freePort();
    const stdio = await stdioClient('shared', port, shareServer);
    const url = await shareUrl();
    assert.equal(url, `http://127.0.0.1:${port}/mcp`);
    const a = await http1(url, 'http-one');
    const b = await http2(url, 'http-two');

    const pids = new Set(
      [await echo(stdio.client, 's'), await echo(a, 'a'), await echo(b, 'b')].map((t) => t.split(':')[0]),
    );
    assert.equal(pids.size, 1, 'every client reached the same server process');
    assert.deepEqual(
      processesOf(home),
      { guards: 2, servers: 1 },
      'one relay and one share host: no relay for the HTTP clients',
    );
    const names = async () =>
      ((await shareHost()).attached ?? [])
        .map((c) => c.clientName)
        .filter((n) => n !== undefined)
        .sort();
    await until('the three clients listed', async () => (await names()).length === 3 || undefined, 10_000);
    assert.deepEqual(await names(), ['http-one', 'http-two', 'stdio-client']);

    const r = await runCli(home, ['restart', 'shared']);
    assert.equal(r.code, 0, r.stderr);
    const after = [await echo(stdio.client, 's2'), await echo(a, 'a2'), await echo(b, 'b2')].map(
      (t) => t.split(':')[0],
    );
    assert.equal(new Set(after).size, 1);
    assert.notEqual(after[0], [...pids][0], 'a new server process answers, in the same sessions');
    assert.equal(processesOf(home).servers, 1);
  });

  it("a request's progress and a server request reach the HTTP client that asked; a closed request is cancelled at the server; DELETE ends the session", async () => {
    const port = await freePort();
    const stdio = await stdioClient('shared', port, shareServer);
    const url = await shareUrl();
    const a = await http1(url, 'http-progress');
    const steps: number[] = [];
    const done = await a.callTool({ name: 'progress', arguments: { steps: 3, ms: 20 } }, undefined, {
      onprogress: (p) => steps.push(p.progress),
    });
    assert.equal(textOf(done), 'done 3');
    assert.deepEqual(steps, [1, 2, 3]);

    a.setRequestHandler(CreateMessageRequestSchema, async () => ({
      role: 'assistant',
      content: { type: 'text', text: 'sampled over HTTP' },
      model: 'stub',
    }));
    // The stdio client declared sampling too: the server's request goes to the client whose call asked.
    assert.match(textOf(await a.callTool({ name: 'sample', arguments: {} })), /sampled over HTTP/);

    const controller = new AbortController();
    const slow = a.callTool({ name: 'slow', arguments: { ms: 30_000, text: 'gone' } }, undefined, {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(slow);
    await until(
      'the server hearing the cancellation',
      () =>
        fs.existsSync(path.join(home, 'fixture.log')) &&
        /cancelled gone/.test(fs.readFileSync(path.join(home, 'fixture.log'), 'utf8')),
      10_000,
    );

    const attachedCount = async () => ((await shareHost()).attached ?? []).length;
    await until('two clients attached', async () => (await attachedCount()) === 2 || undefined, 10_000);
    // The 1.x SDK's close does not end a session: DELETE does, as a client that is done sends it.
    const transport = new Http1(new URL(url));
    const c = new Client1({ name: 'deleting', version: '1.0.0' });
    await c.connect(transport);
    await until('three clients attached', async () => (await attachedCount()) === 3 || undefined, 10_000);
    await transport.terminateSession();
    await c.close();
    await until('the deleted session gone', async () => (await attachedCount()) === 2 || undefined, 10_000);
    assert.match(await echo(stdio.client, 'still'), /:still$/);
  });

  it('an HTTP client killed without ending its session (no DELETE) is no client of the server seconds later, not after 10 quiet minutes', async () => {
    const port = await freePort();
    const stdio = await stdioClient('shared', port, shareServer);
    const url = await shareUrl();
    // A client process as Claude Code is one: the SDK over HTTP, its session open, then killed.
    const script = `
      const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
      const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');
      const c = new Client({ name: 'killed-client', version: '1.0.0' });
      c.connect(new StreamableHTTPClientTransport(new URL(process.argv[1])))
        .then(() => c.callTool({ name: 'echo', arguments: { text: 'hi' } }))
        .then(() => { console.log('ready'); setInterval(() => {}, 1 << 30); });
    `;
    const child = spawn(process.execPath, ['-e', script, url], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    closers.push(async () => child.kill('SIGKILL'));
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => /ready/.test(d.toString()) && resolve());
      child.once('exit', (code) => reject(new Error(`the client exited (${code}) before it was ready`)));
    });
    const attached = async () => ((await shareHost()).attached ?? []).map((a) => a.clientName);
    // Its process known to the host (the pid the record lists), as a client that lives longer than a test's is.
    await until(
      'the killed client attached, its pid known',
      async () =>
        ((await shareHost()).attached ?? []).some((a) => a.clientName === 'killed-client' && a.pid === child.pid) ||
        undefined,
      10_000,
    );
    child.kill('SIGKILL');
    await until(
      'the killed client no longer attached',
      async () => ((await attached()).includes('killed-client') ? undefined : true),
      30_000,
    );
    assert.deepEqual(await attached(), ['stdio-client']);
    assert.match(await echo(stdio.client, 'still'), /:still$/);
  });

  it('2026-07-28 clients over HTTP share a modern session with a stdio client, across a restart', async () => {
    const port = await freePort();
    const transport = new Stdio2({
      command: process.execPath,
      args: relayArgs('modern', port, eraServers.dual),
      env: guardEnv(home),
      cwd: repoRoot,
      stderr: 'pipe',
    });
    const stdio = new Client2({ name: 'stdio-modern', version: '1.0.0' }, { versionNegotiation: { mode: 'auto' } });
    closers.push(() => stdio.close());
    await stdio.connect(transport);
    assert.equal(stdio.getProtocolEra(), 'modern');
    assert.match(textOf(await stdio.callTool({ name: 'echo', arguments: { text: 'first' } })), /first/);
    // The 2.x client's era probe ran through a relay of its own, whose host ended with it: the
    // serving host is the one left.
    await until(
      'one share host',
      async () => (await liveRecords(home)).filter((r) => r.share === true).length === 1 || undefined,
      20_000,
    );
    const url = await shareUrl();
    const web = await http2(url, 'http-modern', true);
    assert.equal(web.getProtocolEra(), 'modern');
    assert.match(textOf(await web.callTool({ name: 'echo', arguments: { text: 'hi' } })), /hi/);
    assert.deepEqual(processesOf(home), { guards: 2, servers: 1 });
    const r = await runCli(home, ['restart', 'modern']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(textOf(await web.callTool({ name: 'echo', arguments: { text: 'again' } })), /again/);
    assert.match(textOf(await stdio.callTool({ name: 'echo', arguments: { text: 'stdio' } })), /stdio/);
    // 2026-07-28 clients have no session to end: the host keeps the server for them (10 quiet
    // minutes) until then, or until it is told to stop, as here.
    await stdio.close();
    await sleep(500);
    assert.equal(processesOf(home).servers, 1, 'the server stays for the HTTP client after the last relay left');
    const host = await shareHost();
    assert.ok(host.control);
    await controlShutdown(host.control, 'test over');
  });

  it('what the front refuses (a foreign origin, an unknown session, a batch, a body too large, a GET without a session) is answered to that request alone', async () => {
    const port = await freePort();
    const stdio = await stdioClient('shared', port, shareServer);
    const url = await shareUrl();
    const post = (body: string, headers: Record<string, string> = {}) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
        body,
      });
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });
    const refused = await post(ping, { origin: 'https://evil.example' });
    assert.equal(refused.status, 403);
    const unknown = await post(ping, { 'mcp-session-id': 'not-a-session' });
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: number } }).error.code, -32001);
    const noSession = await post(ping);
    assert.equal(noSession.status, 400);
    const batch = await post(`[${ping}]`);
    assert.equal(batch.status, 400);
    assert.match(((await batch.json()) as { error: { message: string } }).error.message, /batch/);
    const notJson = await post('{"jsonrpc":');
    assert.equal(((await notJson.json()) as { error: { code: number } }).error.code, -32700);
    const big = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping', params: { pad: 'x'.repeat(5 * 1024 * 1024) } }),
    );
    assert.equal(big.status, 413);
    const get = await fetch(url, { headers: { accept: 'text/event-stream' } });
    assert.equal(get.status, 405);
    const elsewhere = await fetch(url.replace('/mcp', '/other'), { method: 'POST', body: ping });
    assert.equal(elsewhere.status, 404);
    // The server and its clients never noticed.
    assert.match(await echo(stdio.client, 'fine'), /:fine$/);
    const a = await http1(url, 'after');
    assert.match(await echo(a, 'ok'), /:ok$/);
  });

  it('a bad --share-listen is refused before anything starts, naming it', async () => {
    for (const [value, says] of [
      ['10.1.2.3:4000', /not a loopback address/],
      ['127.0.0.1', /takes HOST:PORT/],
      ['127.0.0.1:99999', /not a port/],
    ] as const) {
      const r = await runCli(home, [
        'run',
        '--on-conflict',
        'share',
        '--name',
        'x',
        '--share-listen',
        value,
        '--',
        ...shareServer,
      ]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, says);
    }
    const r = await runCli(home, ['run', '--share-listen', '127.0.0.1:4000', '--', ...shareServer]);
    assert.match(r.stderr, /with --on-conflict share/);
    assert.deepEqual(processesOf(home), { guards: 0, servers: 0 });
  });
});
