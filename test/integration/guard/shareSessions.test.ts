import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client as Client2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';
import { controlRestart } from '../../../src/core/control';
import { writePrivateAtomic } from '../../../src/core/machine/privateFs';
import { sleep, until } from '../../support/poll';
import { npmTool } from '../../support/toolCache';
import { cliPath, fixturesDir, repoRoot } from '../../support/repo';
import { everythingBin, guardEnv, liveRecords, tempHome } from './support';
import { noneLeftThenRemove, processesOf } from './erasSupport';

const HAZARDS = [process.execPath, path.join(fixturesDir, 'eras', 'hazards', 'server.mjs')];

/** One real SDK 2.x client of a shared server (legacy era unless told), through the built CLI. */
interface Shared {
  client: Client2;
  stderr(): string;
}

/**
 * `--on-conflict share` as each client sees its own session: the guard's once-only annotate
 * notices reach every client once, and a later client's protocol version is negotiated against
 * the one the shared session speaks.
 */
describe('guard: each client of a shared server has a session of its own (`--on-conflict share`, built CLI)', function () {
  this.timeout(120_000);
  let home: string;
  const open: Shared[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const c of open.splice(0)) await c.client.close().catch(() => undefined);
    await noneLeftThenRemove(home);
  });

  async function connect(
    name: string,
    clientName: string,
    run: string[],
    options: ConstructorParameters<typeof Client2>[1] = {},
    prepare?: (client: Client2) => void,
  ): Promise<Shared> {
    const transport = new Stdio2({
      command: process.execPath,
      args: [cliPath, 'run', '--on-conflict', 'share', '--name', name, ...run],
      env: guardEnv(home, {
        FIXTURE_TOOLS: path.join(home, 'tools.json'),
        MEMORY_FILE_PATH: path.join(home, 'memory.jsonl'),
      }),
      cwd: repoRoot,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const client = new Client2({ name: clientName, version: '1.0.0' }, options);
    prepare?.(client);
    const shared = { client, stderr: () => stderr };
    open.push(shared);
    await client.connect(transport);
    return shared;
  }

  const texts = (result: unknown): string[] =>
    (result as { content: Array<{ text?: string }> }).content.map((c) => c.text ?? '');
  const notices = (result: unknown) => texts(result).filter((t) => t.startsWith('[MCP Lifeguard]'));
  const echo = async (c: Shared, text: string) =>
    notices(await c.client.callTool({ name: 'echo', arguments: { text } }));

  it('--when-stale annotate: after a restart that changed the tools, each attached client hears it on its next result once; a later client is not told', async () => {
    const run = ['--when-stale', 'annotate', '--', ...HAZARDS];
    fs.writeFileSync(path.join(home, 'tools.json'), JSON.stringify({ tools: ['alpha'] }));
    const clients = [await connect('hz', 'a', run), await connect('hz', 'b', run), await connect('hz', 'c', run)];
    assert.equal(processesOf(home).servers, 1, 'three clients, one server process');
    // The guard compares the tools of the process before the restart with the next one's.
    assert.deepEqual((await clients[0].client.listTools()).tools.map((t) => t.name).sort(), [
      'alpha',
      'confirm',
      'echo',
    ]);
    fs.writeFileSync(path.join(home, 'tools.json'), JSON.stringify({ tools: ['beta'] }));
    const [record] = await liveRecords(home);
    const done = await controlRestart(record.control!, 'test', { timeoutMs: 60_000 });
    assert.ok(done.ok, JSON.stringify(done));
    const said =
      '[MCP Lifeguard] This server ("hz") was restarted and its tools changed; added: "beta"; removed: "alpha". Tools you listed before the restart may be out of date: list them again before calling one that changed.';
    for (const [i, c] of clients.entries())
      assert.deepEqual(await echo(c, `x${i}`), [said], `client ${i}, first result`);
    for (const [i, c] of clients.entries()) assert.deepEqual(await echo(c, `y${i}`), [], `client ${i}, said once`);
    // A client that came after the restart listed the new tools itself: nothing to tell it.
    const late = await connect('hz', 'd', run);
    assert.deepEqual(await echo(late, 'z'), []);
    assert.equal(processesOf(home).servers, 1);
  });
  it('--when-stale annotate: a newer release in the registry cache is said once to each client of a shared server-memory', async () => {
    const MEM = '@modelcontextprotocol/server-memory';
    const bin = path.join(await npmTool(MEM, '2026.7.4'), 'mcp-server-memory');
    // The daily registry check's cache, as the extension leaves it: a newer release than 2026.7.4.
    await writePrivateAtomic(
      path.join(home, 'cache', 'registry.json'),
      JSON.stringify({
        version: 1,
        entries: {
          [`npm:${MEM}`]: {
            checkedAt: new Date().toISOString(),
            url: 'https://registry.invalid/x',
            latest: '2026.8.31',
          },
        },
      }),
      { root: home },
    );
    const run = ['--when-stale', 'annotate', '--stale-interval', '1', '--', bin];
    const clients = [await connect('mem', 'a', run), await connect('mem', 'b', run), await connect('mem', 'c', run)];
    const said = `[MCP Lifeguard] A newer release of "${MEM}" is available: "2026.8.31" (installed "2026.7.4").`;
    const read = async (c: Shared) => notices(await c.client.callTool({ name: 'read_graph', arguments: {} }));
    for (const [i, c] of clients.entries()) {
      // The guard reads the cache in the background (no call waits for it): the notice comes on a result soon.
      const heard: string[] = [];
      await until(`client ${i} told`, async () => heard.push(...(await read(c))) > 0, 30_000, 100);
      assert.deepEqual(heard, [said], `client ${i}: once`);
      assert.deepEqual(await read(c), [], `client ${i}: not again`);
    }
    const late = await connect('mem', 'd', run);
    assert.deepEqual(await read(late), [said], 'a client that comes later is told too, once');
    assert.deepEqual(await read(late), []);
    assert.equal(processesOf(home).servers, 1);
  });

  it('protocol versions: a later client asking a newer version is told the session’s; one asking an older version is refused, saying why', async () => {
    const run = ['--', ...HAZARDS];
    fs.writeFileSync(path.join(home, 'tools.json'), JSON.stringify({}));
    // The first client offers 2025-06-18 only: the one session speaks it.
    const first = await connect('hz', 'first', run, { supportedProtocolVersions: ['2025-06-18'] });
    assert.equal(first.client.getNegotiatedProtocolVersion(), '2025-06-18');
    // The SDK's default offer is its newest, 2025-11-25; it speaks 2025-06-18 too and stays.
    const newer = await connect('hz', 'newer', run);
    assert.equal(newer.client.getNegotiatedProtocolVersion(), '2025-06-18');
    assert.match(texts(await newer.client.callTool({ name: 'echo', arguments: { text: 'n' } }))[0], /:n$/);
    // A client whose newest is older than the session's cannot meet it: a clear error, not a bare mismatch.
    await assert.rejects(connect('hz', 'older', run, { supportedProtocolVersions: ['2025-03-26'] }), (err: Error) => {
      assert.match(
        err.message,
        /Unsupported protocol version 2025-03-26: this shared server's session speaks 2025-06-18, negotiated by its first client/,
      );
      return true;
    });
    // The others keep their sessions.
    assert.match(texts(await first.client.callTool({ name: 'echo', arguments: { text: 'f' } }))[0], /:f$/);
    assert.match(texts(await newer.client.callTool({ name: 'echo', arguments: { text: 'm' } }))[0], /:m$/);
    assert.equal(processesOf(home).servers, 1);
  });
  it('elicitation (server-everything): the request reaches the client whose call is in flight, else the oldest that declared elicitation, and its answer goes back', async () => {
    const run = ['--', everythingBin, 'stdio'];
    const asked: string[] = [];
    const eliciting = (name: string) => (client: Client2) =>
      client.setRequestHandler('elicitation/create', async () => {
        asked.push(name);
        return { action: 'accept', content: { name: `from ${name}`, check: true } };
      });
    // The server registers its elicitation tool only for a session whose initialize declared
    // elicitation: the first client's, the one the shared server got.
    const a = await connect('ev', 'A', run, { capabilities: { elicitation: { form: {} } } }, eliciting('A'));
    const b = await connect('ev', 'B', run, { capabilities: { elicitation: { form: {} } } }, eliciting('B'));
    const c = await connect('ev', 'C', run);
    const elicit = async (x: Shared) =>
      texts(await x.client.callTool({ name: 'trigger-elicitation-request', arguments: {} })).join('\n');
    assert.match(await elicit(b), /Name: from B/, 'B’s call alone in flight: B is asked');
    assert.match(await elicit(a), /Name: from A/);
    assert.match(await elicit(c), /Name: from A/, 'C declared no elicitation: the oldest that did is asked');
    assert.deepEqual(asked, ['B', 'A', 'A']);
    // Two calls in flight (C's long operation, B's elicitation): the oldest client that declared it answers.
    const long = c.client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 2, steps: 2 } });
    await sleep(300);
    assert.match(await elicit(b), /Name: from A/);
    assert.match(texts(await long).join('\n'), /completed/i);
    assert.deepEqual(asked, ['B', 'A', 'A', 'A']);
    assert.equal(processesOf(home).servers, 1);
  });
});
