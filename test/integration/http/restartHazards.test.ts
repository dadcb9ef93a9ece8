import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { controlRestart } from '../../../src/core/control';
import { freePort } from '../../../src/guard/http/upstream';
import { killAndWait } from '../../support/liveness';
import { until } from '../../support/poll';
import { cliPath, fixturesDir } from '../../support/repo';
import { childPidOf, killMentioning, liveGuardOf, shortTempDir, spawnCollect } from './support';

const SERVER = [process.execPath, path.join(fixturesDir, 'eras', 'hazards', 'server.mjs')];

function texts(result: unknown): string[] {
  return (result as { content: Array<{ text?: string }> }).content.map((c) => c.text ?? '');
}

/** The 2026-07-28 era's restart hazards through `mcp-lifeguard run --http` (built CLI), SDK 2.x client and server. */
describe('run --http: the 2026-07-28 era across a restart (SDK 2.x client and server)', function () {
  this.timeout(180_000);
  let home: string;
  const pids: number[] = [];
  const clients: Client[] = [];

  beforeEach(() => {
    home = shortTempDir();
    fs.writeFileSync(path.join(home, 'tools.json'), JSON.stringify({ tools: ['alpha'] }));
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => undefined);
    for (const pid of pids.splice(0)) await killAndWait(pid, 'SIGTERM');
    await killMentioning(home);
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function startGuard(): Promise<{
    url: string;
    output(): string;
    control: string;
    childPid(): Promise<number | undefined>;
  }> {
    const port = await freePort();
    const env = { ...process.env, MCP_LIFEGUARD_HOME: home, FIXTURE_TOOLS: path.join(home, 'tools.json') };
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
        '--when-stale',
        'annotate',
        '--name',
        'hz',
        '--',
        ...SERVER,
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
    return { url, output: guard.output, control: record.control!, childPid: () => childPidOf(record) };
  }

  async function connect(url: string, era: 'modern' | 'legacy', onElicit?: () => Promise<void>): Promise<Client> {
    const client = new Client(
      { name: 'lg-http-hazards', version: '1.0.0' },
      {
        capabilities: { elicitation: { form: {} } },
        ...(era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {}),
      },
    );
    client.setRequestHandler('elicitation/create', async () => {
      await onElicit?.();
      return { action: 'accept', content: { ok: true } };
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    clients.push(client);
    assert.equal(client.getProtocolEra(), era);
    return client;
  }

  it("holds a restart while a multi-round request waits for its retry (its requestState is the process's own)", async () => {
    const guard = await startGuard();
    let asked = false;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    const client = await connect(guard.url, 'modern', async () => {
      asked = true;
      await answered;
    });
    const first = await guard.childPid();
    const call = client.callTool({ name: 'confirm', arguments: {} });
    await until(
      () => `the elicitation of round 1:\n${guard.output()}`,
      () => asked,
      20_000,
      20,
    );
    const restart = controlRestart(guard.control, 'test', { timeoutMs: 60_000 });
    // The restart is held (the guard says so when it decides), and the server that minted the state still runs.
    await until(
      () => `the restart held:\n${guard.output()}`,
      () => /holding the restart of hz \(test\): 1 multi-round request/.test(guard.output()),
      20_000,
      20,
    );
    assert.equal(await guard.childPid(), first, `the server that minted the state still runs:\n${guard.output()}`);
    answer();
    assert.deepEqual(texts(await call), [`${first}:confirmed (round 1 by ${first})`]);
    assert.match(
      guard.output(),
      /holding the restart of hz \(test\): 1 multi-round request waiting for the client's retry/,
    );
    const done = await restart;
    assert.ok(done.ok, JSON.stringify(done));
    assert.notEqual(await guard.childPid(), first);
  });

  for (const era of ['modern', 'legacy'] as const) {
    it(`after a restart that changed the tools, a ${era} client's next result says what changed (annotate)`, async () => {
      const guard = await startGuard();
      const client = await connect(guard.url, era);
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ['alpha', 'confirm', 'echo']);
      fs.writeFileSync(
        path.join(home, 'tools.json'),
        JSON.stringify({ tools: ['beta'], echoDescription: 'echo, version 2' }),
      );
      assert.ok((await controlRestart(guard.control, 'test', { timeoutMs: 60_000 })).ok);
      // Over HTTP the guard compares once a client lists the tools again (a modern one does on list_changed).
      assert.deepEqual((await client.listTools()).tools.map((t) => t.name).sort(), ['beta', 'confirm', 'echo']);
      const result = texts(await client.callTool({ name: 'echo', arguments: { text: 'x' } }));
      assert.equal(result.length, 2, `${JSON.stringify(result)}\n${guard.output()}`);
      assert.equal(
        result[1],
        '[MCP Lifeguard] This server ("hz") was restarted and its tools changed; added: "beta"; removed: "alpha"; changed: "echo" (description). Tools you listed before the restart may be out of date: list them again before calling one that changed.',
      );
      assert.equal(texts(await client.callTool({ name: 'echo', arguments: { text: 'y' } })).length, 1);
    });
  }
});
