import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { controlRestart, controlStatus } from '../../../src/core/control';
import { until } from '../../support/poll';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { guardEnv, liveRecords, tempHome } from './support';

const SERVER = [process.execPath, path.join(fixturesDir, 'eras', 'hazards', 'server.mjs')];

interface Connected {
  client: Client;
  stderr(): string;
  changed(): number;
}

/** The real 2.x client through `mcp-lifeguard run --name hz` (built CLI) over the hazards fixture (SDK 2.x server). */
async function connect(home: string, era: 'modern' | 'legacy', onElicit?: () => Promise<void>): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cliPath, 'run', '--name', 'hz', '--', ...SERVER],
    env: guardEnv(home, { FIXTURE_TOOLS: path.join(home, 'tools.json') }),
    cwd: repoRoot,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let changes = 0;
  const client = new Client(
    { name: 'hazards-integration', version: '1.0.0' },
    {
      capabilities: { elicitation: { form: {} } },
      ...(era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {}),
      listChanged: { tools: { debounceMs: 0, onChanged: () => void changes++ } },
    },
  );
  client.setRequestHandler('elicitation/create', async () => {
    await onElicit?.();
    return { action: 'accept', content: { ok: true } };
  });
  await client.connect(transport);
  assert.equal(client.getProtocolEra(), era);
  return { client, stderr: () => stderr, changed: () => changes };
}

function texts(result: unknown): string[] {
  return (result as { content: Array<{ text?: string }> }).content.map((c) => c.text ?? '');
}

async function childPid(home: string): Promise<number | undefined> {
  const [record] = await liveRecords(home);
  const status = await controlStatus(record.control!);
  return status.ok ? status.result.childPid : undefined;
}

describe('guard: the 2026-07-28 era across a restart (SDK 2.x client and server, built CLI)', function () {
  this.timeout(120_000);
  let home: string;
  let c: Connected | undefined;

  beforeEach(() => {
    home = tempHome();
    fs.writeFileSync(path.join(home, 'tools.json'), JSON.stringify({ tools: ['alpha'] }));
  });
  afterEach(async () => {
    await c?.client.close().catch(() => undefined);
    c = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it("holds a restart while a multi-round request waits for its retry (its requestState is the process's own), and says so", async () => {
    let asked = false;
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    c = await connect(home, 'modern', async () => {
      asked = true;
      await answered;
    });
    const first = await childPid(home);
    const call = c.client.callTool({ name: 'confirm', arguments: {} });
    await until(
      () => `the elicitation of round 1:\n${c!.stderr()}`,
      () => asked,
      20_000,
      20,
    );
    // Round 1 is answered (input_required); the user takes a while; a restart is asked for meanwhile.
    const [record] = await liveRecords(home);
    const restart = controlRestart(record.control!, 'test', { timeoutMs: 60_000 });
    // The restart is held (the guard says so when it decides), and the server that minted the state still runs.
    await until(
      () => `the restart held:\n${c!.stderr()}`,
      () => /holding the restart of hz \(test\): 1 multi-round request/.test(c!.stderr()),
      20_000,
      20,
    );
    assert.equal(await childPid(home), first, `the server that minted the state still runs:\n${c.stderr()}`);
    answer();
    assert.deepEqual(texts(await call), [`${first}:confirmed (round 1 by ${first})`]);
    assert.match(
      c.stderr(),
      /holding the restart of hz \(test\): 1 multi-round request waiting for the client's retry \(its requestState is this server process's\); waiting up to 20 s/,
    );
    const done = await restart;
    assert.ok(done.ok, JSON.stringify(done));
    assert.notEqual(await childPid(home), first);
    assert.match(texts(await c.client.callTool({ name: 'echo', arguments: { text: 'after' } }))[0], /:after$/);
  });

  for (const era of ['modern', 'legacy'] as const) {
    it(`after a restart that changed the tools, a ${era} client is told what changed on its next result and fetches the list again`, async () => {
      c = await connect(home, era);
      const before = (await c.client.listTools()).tools.map((t) => t.name).sort();
      assert.deepEqual(before, ['alpha', 'confirm', 'echo']);
      // The next process of the server has other tools: one gone, one new, one described anew.
      fs.writeFileSync(
        path.join(home, 'tools.json'),
        JSON.stringify({ tools: ['beta'], echoDescription: 'echo, version 2' }),
      );
      const [record] = await liveRecords(home);
      const done = await controlRestart(record.control!, 'test', { timeoutMs: 60_000 });
      assert.ok(done.ok, JSON.stringify(done));
      await until('the list_changed notice', () => c!.changed() > 0, 10_000, 50);
      const result = texts(await c.client.callTool({ name: 'echo', arguments: { text: 'x' } }));
      assert.equal(result.length, 2, JSON.stringify(result));
      assert.match(result[0], /:x$/);
      assert.equal(
        result[1],
        '[MCP Lifeguard] This server ("hz") was restarted and its tools changed; added: "beta"; removed: "alpha"; changed: "echo" (description). Tools you listed before the restart may be out of date: list them again before calling one that changed.',
      );
      // Said once: the next result is the server's own.
      assert.equal(texts(await c.client.callTool({ name: 'echo', arguments: { text: 'y' } })).length, 1);
      assert.deepEqual((await c.client.listTools()).tools.map((t) => t.name).sort(), ['beta', 'confirm', 'echo']);
    });
  }

  it('a restart that changed no tool says nothing', async () => {
    c = await connect(home, 'modern');
    await c.client.listTools();
    const [record] = await liveRecords(home);
    assert.ok((await controlRestart(record.control!, 'test', { timeoutMs: 60_000 })).ok);
    assert.equal(texts(await c.client.callTool({ name: 'echo', arguments: { text: 'x' } })).length, 1);
    assert.doesNotMatch(c.stderr(), /tools changed/);
  });
});
