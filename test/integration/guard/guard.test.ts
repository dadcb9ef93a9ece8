import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Guard, GuardOptions } from '../../../src/guard/stdioGuard';
import { GuardErrorCode } from '../../../src/guard/wireErrors';
import { ResolvedVersion } from '../../../src/guard/host/staleness';
import { until } from '../../support/poll';
import { fixturesDir } from '../../support/repo';
import { connectClient, StreamTransport } from './streamClient';
import { inProcessGuard } from './inProcessGuard';
import { engineProbe } from '../../support/engineProbe';

const tinyServer = path.join(fixturesDir, 'guard', 'tiny-server.mjs');

function textOf(result: unknown): string {
  return ((result as { content: Array<{ text: string }> }).content[0] ?? { text: '' }).text;
}

describe('Guard (in process, real SDK server and client)', function () {
  this.timeout(120_000);
  const guards: Guard[] = [];
  const clients: Client[] = [];
  let tmp: string;
  const logs: string[] = [];

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lgg-'));
    logs.length = 0;
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    for (const g of guards.splice(0)) {
      await g.shutdown('test over');
      await g.finished;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  function startGuard(overrides: Partial<GuardOptions> = {}): {
    guard: Guard;
    input: PassThrough;
    output: PassThrough;
  } {
    const started = inProcessGuard(
      { script: tinyServer, cwd: tmp, serverName: 'tiny', log: (line) => logs.push(line) },
      overrides,
    );
    guards.push(started.guard);
    return started;
  }

  async function startClient(
    overrides: Partial<GuardOptions> = {},
  ): Promise<{ guard: Guard; client: Client; transport: StreamTransport; input: PassThrough }> {
    const { guard, input, output } = startGuard(overrides);
    const { client, transport } = await connectClient(input, output);
    clients.push(client);
    return { guard, client, transport, input };
  }

  it('relays a session, restarts under it with list_changed, and answers every request exactly once', async () => {
    const { guard, client, transport } = await startClient();
    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((t) => t.name).sort(), ['big', 'echo', 'exit', 'slow', 'write_note']);
    const before = textOf(await client.callTool({ name: 'echo', arguments: { text: 'a' } }));
    // A multi-MiB answer is relayed intact and tracked without being parsed by the guard.
    assert.equal(textOf(await client.callTool({ name: 'big', arguments: { bytes: 3_000_000 } })).length, 3_000_000);
    assert.equal(guard.status().inFlight, 0);

    let listChanged = 0;
    client.setNotificationHandler(
      (await import('@modelcontextprotocol/sdk/types.js')).ToolListChangedNotificationSchema,
      () => {
        listChanged++;
      },
    );
    const slow = client.callTool({ name: 'slow', arguments: { ms: 300 } });
    const restarted = guard.restart('test');
    const during = Array.from({ length: 20 }, (_, i) =>
      client.callTool({ name: 'echo', arguments: { text: `q${i}` } }),
    );
    const outcome = await restarted;
    assert.equal(outcome.restarts, 1);
    // The request in flight when the restart began was drained, not cut off.
    assert.match(textOf(await slow), /slept 300$/);
    const answers = (await Promise.all(during)).map(textOf);
    assert.deepEqual(
      answers.map((a) => a.split(':')[1]),
      Array.from({ length: 20 }, (_, i) => `q${i}`),
    );
    assert.ok(
      answers.every((a) => a.split(':')[0] === String(outcome.childPid)),
      'queued requests went to the new child',
    );
    assert.notEqual(before.split(':')[0], String(outcome.childPid));
    await until('list_changed', () => listChanged === 1);
    assert.equal((await client.listTools()).tools.length, 5);

    const responseIds = transport.received
      .filter((m) => 'id' in m && !('method' in m))
      .map((m) => (m as { id: unknown }).id);
    assert.equal(new Set(responseIds).size, responseIds.length, 'no response delivered twice');
    assert.ok(
      !responseIds.some((id) => String(id).startsWith('mcp-lifeguard')),
      'the replayed initialize answer was swallowed',
    );
  });

  it('answers a request in flight on a child that died with an error, then restarts the child', async () => {
    const { guard, client } = await startClient();
    await client.listTools();
    const pid = guard.status().childPid!;
    const inFlight = client.callTool({ name: 'slow', arguments: { ms: 30_000 } });
    await until('the slow call to be in flight', () => guard.status().inFlight === 1);
    process.kill(pid, 'SIGKILL');
    await assert.rejects(
      inFlight,
      (err: { code?: number; message: string }) =>
        err.code === GuardErrorCode.ServerExited && /killed by SIGKILL/.test(err.message),
    );
    const after = textOf(await client.callTool({ name: 'echo', arguments: { text: 'back' } }));
    assert.notEqual(after.split(':')[0], String(pid));
    assert.equal(guard.status().restarts, 1);
  });

  it('stops restarting a crash loop and tells the client why; a user restart tries again', async () => {
    const marker = path.join(tmp, 'crash');
    const { guard, client } = await startClient({
      spec: {
        command: process.execPath,
        args: [tinyServer],
        cwd: tmp,
        env: { ...process.env, TINY_SERVER_EXIT_IF_FILE: marker },
      },
    });
    await client.listTools();
    fs.writeFileSync(marker, '');
    await assert.rejects(
      client.callTool({ name: 'exit', arguments: { code: 5 } }),
      (err: { code?: number }) => err.code === GuardErrorCode.ServerExited,
    );
    await until('the guard to give up', () => guard.status().state === 'failed');
    assert.match(guard.status().failure!, /exited within 60 s of starting 3 times in a row/);
    await assert.rejects(
      client.callTool({ name: 'echo', arguments: { text: 'x' } }),
      (err: { code?: number; message: string }) =>
        err.code === GuardErrorCode.CrashLoop && /not restarted again/.test(err.message),
    );
    fs.rmSync(marker);
    await guard.restart('fixed');
    assert.match(textOf(await client.callTool({ name: 'echo', arguments: { text: 'ok' } })), /:ok$/);
  });

  it('refuses writes to a stale server with both versions named, and lets read-only tools through', async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'tiny-server', version: '1.0.0', ecosystem: 'npm' };
    const { client } = await startClient({
      stale: { policy: 'refuse-writes', intervalMs: 0, probe: engineProbe(() => installed) },
    });
    await client.listTools();
    assert.equal(textOf(await client.callTool({ name: 'write_note', arguments: { text: 'n' } })), 'wrote n');
    installed = { ...installed, version: '1.1.0' };
    await assert.rejects(
      client.callTool({ name: 'write_note', arguments: { text: 'n' } }),
      (err: { code?: number; message: string }) => {
        assert.equal(err.code, GuardErrorCode.Stale);
        assert.match(err.message, /"tiny": Stale: runs "tiny-server" "1\.0\.0", but "1\.1\.0" is installed/);
        assert.match(err.message, /restart the server/);
        return true;
      },
    );
    assert.match(textOf(await client.callTool({ name: 'echo', arguments: { text: 'r' } })), /:r$/);
  });

  it('restart-when-idle restarts a stale server once nothing is in flight, and the client keeps its session', async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'tiny-server', version: '1.0.0', ecosystem: 'npm' };
    const { guard, client } = await startClient({
      stale: { policy: 'restart-when-idle', intervalMs: 50, probe: engineProbe(() => installed) },
    });
    await client.listTools();
    const slow = client.callTool({ name: 'slow', arguments: { ms: 1000 } });
    await until('the slow call to be in flight', () => guard.status().inFlight === 1);
    installed = { ...installed, version: '2.0.0' };
    // Busy: the request in flight is answered by the old child, then the restart happens.
    assert.match(textOf(await slow), /slept 1000$/);
    await until('the idle restart', () => guard.status().restarts === 1 && guard.status().state === 'running');
    assert.equal(guard.status().runningVersion, 'tiny-server 2.0.0');
    assert.match(textOf(await client.callTool({ name: 'echo', arguments: { text: 'fresh' } })), /:fresh$/);
    assert.match(
      logs.join('\n'),
      /tiny: Stale: runs tiny-server 1\.0\.0, but 2\.0\.0 is installed \(--when-stale restart-when-idle\)/,
    );
  });

  it('annotate appends one notice to each tools/call result while stale, leaves the rest alone, and a restart ends it', async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'tiny-server', version: '1.0.0', ecosystem: 'npm' };
    const { guard, client } = await startClient({
      stale: { policy: 'annotate', intervalMs: 50, probe: engineProbe(() => installed) },
    });
    await client.listTools();
    type Result = { content: Array<{ type: string; text: string }> };
    const echo = async (text: string) => (await client.callTool({ name: 'echo', arguments: { text } })) as Result;
    const fresh = await echo('a');
    assert.equal(fresh.content.length, 1, 'a fresh server gets no notice');

    installed = { ...installed, version: '2.0.0' };
    // The call never waits for a check: the notice comes with a result once a check has seen it.
    const stale = await until(
      'an annotated result',
      async () => {
        const r = await echo('b');
        return r.content.length > 1 && r;
      },
      10_000,
      20,
    );
    assert.equal(stale.content.length, 2, 'exactly one block appended');
    assert.deepEqual(
      stale.content[0],
      { type: 'text', text: `${fresh.content[0].text.split(':')[0]}:b` },
      "the server's own block as it was",
    );
    assert.equal(stale.content[1].type, 'text');
    assert.match(
      stale.content[1].text,
      /^\[MCP Lifeguard\] This server \("tiny"\): Stale: runs "tiny-server" "1\.0\.0", but "2\.0\.0" is installed\. Restart it .*mcp-lifeguard restart tiny/,
    );
    assert.equal(((await echo('c')) as Result).content.length, 2, 'every result while stale');
    // Not a tools/call: untouched; a result over the bound: relayed as is.
    assert.equal((await client.listTools()).tools.length, 5);
    const big = (await client.callTool({ name: 'big', arguments: { bytes: 300_000 } })) as Result;
    assert.equal(big.content.length, 1);
    assert.equal(big.content[0].text.length, 300_000);

    await guard.restart('upgrade');
    assert.equal((await echo('d')).content.length, 1, 'the restarted child runs the installed version: no notice');
  });

  it('annotate says a newer release from the registry cache once per guard, with the stale notice when both apply', async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'tiny-server', version: '1.0.0', ecosystem: 'npm' };
    const looked: string[] = [];
    const { client } = await startClient({
      stale: { policy: 'annotate', intervalMs: 50, probe: engineProbe(() => installed) },
      updateAvailable: async (v) => {
        looked.push(`${v.name}@${v.version}`);
        return { name: v.name, installed: v.version, latest: '9.0.0' };
      },
    });
    type Result = { content: Array<{ type: string; text: string }> };
    const echo = async (text: string) => (await client.callTool({ name: 'echo', arguments: { text } })) as Result;
    const first = await until(
      'the update notice',
      async () => {
        const r = await echo('a');
        return r.content.length > 1 && r;
      },
      10_000,
      20,
    );
    assert.equal(first.content.length, 2);
    assert.equal(
      first.content[1].text,
      '[MCP Lifeguard] A newer release of "tiny-server" is available: "9.0.0" (installed "1.0.0").',
    );
    for (const text of ['b', 'c']) assert.equal((await echo(text)).content.length, 1, 'said once');
    installed = { ...installed, version: '2.0.0' };
    const stale = await until(
      'the stale notice',
      async () => {
        const r = await echo('d');
        return r.content.length > 1 && r;
      },
      10_000,
      20,
    );
    assert.equal(stale.content.length, 2, 'the stale notice alone: the update was said already');
    assert.match(stale.content[1].text, /runs "tiny-server" "1\.0\.0", but "2\.0\.0" is installed/);
    assert.deepEqual(looked, ['tiny-server@1.0.0']);
  });

  it("under warn, a stale server's results are relayed untouched", async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'tiny-server', version: '1.0.0', ecosystem: 'npm' };
    const { client } = await startClient({
      stale: { policy: 'warn', intervalMs: 50, probe: engineProbe(() => installed) },
      updateAvailable: async () => ({ name: 'tiny-server', installed: '1.0.0', latest: '9.0.0' }),
    });
    await client.listTools();
    installed = { ...installed, version: '2.0.0' };
    await until('the stale warning', () => logs.some((l) => /tiny: Stale:/.test(l)), 10_000, 20);
    const r = (await client.callTool({ name: 'echo', arguments: { text: 'w' } })) as { content: unknown[] };
    assert.equal(r.content.length, 1);
  });

  it('refuse-all answers every request but ping with the stale error', async () => {
    let installed: ResolvedVersion = { state: 'known', name: 'tiny-server', version: '1.0.0', ecosystem: 'npm' };
    const { client } = await startClient({
      stale: { policy: 'refuse-all', intervalMs: 0, probe: engineProbe(() => installed) },
    });
    await client.listTools();
    installed = { ...installed, version: '1.0.1' };
    await client.ping();
    await assert.rejects(
      client.listTools(),
      (err: { code?: number; message: string }) =>
        err.code === GuardErrorCode.Stale && /every request is refused/.test(err.message),
    );
    await assert.rejects(
      client.callTool({ name: 'echo', arguments: { text: 'r' } }),
      (err: { code?: number }) => err.code === GuardErrorCode.Stale,
    );
  });

  it('on client EOF, stops a child that ignores EOF and SIGTERM, and exits with its code', async () => {
    const { guard, client, input } = await startClient({
      spec: {
        command: process.execPath,
        args: [tinyServer],
        cwd: tmp,
        env: { ...process.env, TINY_SERVER_IGNORE_EOF: '1' },
      },
      grace: { eofMs: 200, termMs: 200 },
    });
    // Once it answers, its SIGTERM handler is installed.
    await client.listTools();
    input.end();
    assert.equal(await guard.finished, 128 + os.constants.signals.SIGKILL);
  });

  it("relays the server's bytes unchanged (CRLF, odd spacing, non-JSON lines, split writes) and exits with its code", async () => {
    const bytes = Buffer.concat([
      Buffer.from(
        '{ "jsonrpc" : "2.0", "method":"notifications/message","params":{"level":"info","data":"\u00e9 \\u00e9"}}  \r\n',
      ),
      Buffer.from('not json at all\n'),
      Buffer.from(`{"jsonrpc":"2.0","method":"notifications/message","params":{"data":"${'y'.repeat(300_000)}"}}\n`),
    ]);
    const file = path.join(tmp, 'bytes');
    fs.writeFileSync(file, bytes);
    const script = `const b = require('fs').readFileSync(${JSON.stringify(file)}); process.stdout.write(b.subarray(0, 7)); setTimeout(() => process.stdout.write(b.subarray(7), () => process.exit(7)), 50);`;
    const { guard, output } = startGuard({
      spec: { command: process.execPath, args: ['-e', script], cwd: tmp, env: {} },
    });
    const received: Buffer[] = [];
    output.on('data', (d: Buffer) => received.push(d));
    assert.equal(await guard.finished, 7);
    assert.ok(Buffer.concat(received).equals(bytes));
  });

  it('exits 127 when the command does not exist', async () => {
    const { guard } = startGuard({ spec: { command: path.join(tmp, 'no-such-server'), args: [], cwd: tmp, env: {} } });
    assert.equal(await guard.finished, 127);
    assert.match(logs.join('\n'), /could not start .*no-such-server/);
  });
});
