import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { controlRestart, controlStatus } from '../../../src/core/control';
import {
  connectGuarded,
  everythingBin,
  GuardedClient,
  liveRecords,
  memoryBin,
  runCli,
  tempHome,
  textOf,
} from './support';
import { until } from '../../support/poll';

describe('guard: real servers through `mcp-lifeguard run` (built CLI, real SDK client)', function () {
  this.timeout(300_000);
  let home: string;
  const open: GuardedClient[] = [];

  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const g of open.splice(0)) await g.client.close().catch(() => undefined);
    fs.rmSync(home, { recursive: true, force: true });
  });

  async function guarded(args: string[]): Promise<GuardedClient> {
    // server-memory keeps its graph next to its own code unless told otherwise.
    const g = await connectGuarded(home, args, { env: { MEMORY_FILE_PATH: `${home}/memory.jsonl` } });
    open.push(g);
    return g;
  }

  it('lists and calls tools of server-everything and server-memory through the guard', async () => {
    const everything = await guarded(['--name', 'everything', '--', everythingBin]);
    const tools = (await everything.client.listTools()).tools.map((t) => t.name);
    assert.ok(tools.includes('echo'), `echo in ${tools.join(', ')}`);
    assert.equal(
      textOf(await everything.client.callTool({ name: 'echo', arguments: { message: 'through the guard' } })),
      'Echo: through the guard',
    );

    const memory = await guarded(['--', memoryBin]);
    await memory.client.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name: 'guard', entityType: 'test', observations: ['relayed'] }] },
    });
    const graph = textOf(await memory.client.callTool({ name: 'read_graph', arguments: {} }));
    assert.match(graph, /"name": ?"guard"/);
    const records = await liveRecords(home);
    assert.deepEqual(records.map((r) => r.serverName).sort(), ['everything', 'server-memory']);
    const memoryRecord = records.find((r) => r.serverName === 'server-memory')!;
    assert.equal(memoryRecord.versions?.package?.name, '@modelcontextprotocol/server-memory');
  });

  it('10 restarts during a stream of 1,000 requests lose and duplicate nothing; list_changed follows each restart', async () => {
    const g = await guarded(['--name', 'everything', '--', everythingBin]);
    const { client } = g;
    const errors: Error[] = [];
    client.onerror = (err) => errors.push(err);
    let listChanged = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      listChanged++;
    });
    await client.listTools();
    const [record] = await liveRecords(home);
    const endpoint = record.control!;
    const firstChild = (await controlStatus(endpoint)).ok;
    assert.ok(firstChild);

    const total = 1000;
    const answers: string[] = new Array(total);
    let sent = 0;
    // A steady stream: 8 requests outstanding at any time.
    const worker = async () => {
      while (sent < total) {
        const i = sent++;
        answers[i] = textOf(await client.callTool({ name: 'echo', arguments: { message: `m${i}` } }));
      }
    };
    const stream = Promise.all(Array.from({ length: 8 }, worker));
    const childPids = new Set<number>();
    for (let r = 1; r <= 10; r++) {
      await until(`request ${r * 90} to be sent`, () => sent >= r * 90);
      const before = listChanged;
      const reply = await controlRestart(endpoint, `test restart ${r}`, { timeoutMs: 120_000 });
      assert.ok(reply.ok, JSON.stringify(reply));
      assert.equal(reply.result.restarts, r);
      childPids.add(reply.result.childPid);
      // server-everything announces list changes of its own too, so count at least one per restart.
      await until(`list_changed after restart ${r}`, () => listChanged > before);
    }
    await stream;
    assert.equal(childPids.size, 10);
    assert.deepEqual(
      answers,
      Array.from({ length: total }, (_, i) => `Echo: m${i}`),
    );
    assert.deepEqual(errors, [], 'the client saw no unknown or duplicate responses');
    assert.ok((await client.listTools()).tools.some((t) => t.name === 'echo'));
  });

  it('`mcp-lifeguard restart NAME` restarts through the control endpoint; the client gets list_changed and keeps working', async () => {
    const g = await guarded(['--', memoryBin]);
    let listChanged = 0;
    g.client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
      listChanged++;
    });
    await g.client.listTools();
    const restarted = await runCli(home, ['restart', 'server-memory']);
    assert.equal(restarted.code, 0, restarted.stderr);
    assert.match(
      restarted.stdout,
      /^restarted server-memory \(guard pid \d+\): server pid \d+, restart #1; the client kept its session\n$/,
    );
    await until('list_changed', () => listChanged === 1);
    assert.ok((await g.client.listTools()).tools.some((t) => t.name === 'read_graph'));
    assert.match(textOf(await g.client.callTool({ name: 'read_graph', arguments: {} })), /entities/);

    const notGuarded = await runCli(home, ['restart', 'no-such-server']);
    assert.equal(notGuarded.code, 1);
    assert.match(notGuarded.stderr, /'no-such-server' is not guarded/);
  });
});
