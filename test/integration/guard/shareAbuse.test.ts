import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { isAlive } from '../../support/liveness';
import { sleep } from '../../support/poll';
import { liveRecords, memoryBin, tempHome, textOf } from './support';
import { noneLeftThenRemove, processesOf } from './erasSupport';
import { isObject, nested, rssMiB, ShareRelay } from './shareRelay';

/**
 * One client of a shared server sends what no SDK would: a message nested thousands of levels
 * deep, a JSON-RPC batch, a 64 MiB line. The share host answers that client, holds only what its
 * bounds allow, and every other client keeps its session (three real SDK 1.x clients on the real
 * server-memory, through the built CLI).
 */
describe('guard: a shared server holds against one hostile client (`run --on-conflict share`, built CLI)', function () {
  this.timeout(180_000);
  let home: string;
  const relays: ShareRelay[] = [];

  before(function () {
    // The share host's memory and the process table are read from /proc.
    if (process.platform !== 'linux') this.skip();
  });
  beforeEach(() => {
    home = tempHome();
  });
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.close();
    if (home) await noneLeftThenRemove(home);
  });

  /** Three clients of one server-memory, each a real SDK client on its own relay; the share host's pid. */
  async function threeClients(): Promise<{ relays: ShareRelay[]; clients: Client[]; host: number }> {
    const env = { MEMORY_FILE_PATH: path.join(home, 'memory.jsonl') };
    const mine: ShareRelay[] = [];
    const clients: Client[] = [];
    for (const name of ['a', 'b', 'c']) {
      const relay = new ShareRelay(home, 'mem', [memoryBin], env);
      relays.push(relay);
      mine.push(relay);
      clients.push(await relay.sdk(name));
    }
    const [record] = await liveRecords(home);
    assert.equal(record.share, true);
    assert.equal(record.attached?.length, 3, JSON.stringify(record.attached));
    assert.equal(processesOf(home).servers, 1, 'three clients, one server process');
    return { relays: mine, clients, host: record.pid };
  }

  const readGraph = async (c: Client) => textOf(await c.callTool({ name: 'read_graph', arguments: {} }));
  const create = (c: Client, name: string) =>
    c.callTool({
      name: 'create_entities',
      arguments: { entities: [{ name, entityType: 'person', observations: [] }] },
    });

  /** Every client still works: what one writes now, each of the three reads. */
  async function allWork(clients: Client[], name: string): Promise<void> {
    await create(clients[0], name);
    for (const c of clients) assert.match(await readGraph(c), new RegExp(name));
  }

  it('a request nested 6,000 levels deep: its sender gets an error, the other two keep their sessions, the share host runs on', async () => {
    const {
      relays: [, , sender],
      clients,
      host,
    } = await threeClients();
    await create(clients[0], 'Alice');
    const from = sender.lines.length;
    await sender.write(
      `{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"name":"create_entities","arguments":{"entities":${nested(6_000)}}}}\n`,
    );
    const answer = await sender.answerTo('deep', from);
    const error = answer.error as { code: number; message: string } | undefined;
    assert.equal(error?.code, -32600, JSON.stringify(answer));
    assert.match(error.message, /nested deeper than 256 levels/);
    // The same deep value as a notification (no one to answer) and as a client's answer to no request.
    await sender.write(`{"jsonrpc":"2.0","method":"notifications/progress","params":{"x":${nested(6_000)}}}\n`);
    await sender.write(`{"jsonrpc":"2.0","id":77,"result":{"x":${nested(6_000)}}}\n`);
    assert.ok(isAlive(host), 'the share host runs');
    for (const c of clients) assert.match(await readGraph(c), /Alice/);
    await allWork(clients, 'Bob');
    const [record] = await liveRecords(home);
    assert.equal(record.pid, host, 'the same share host');
    assert.equal(record.attached?.length, 3);
    assert.equal(processesOf(home).servers, 1);
  });

  it('a JSON-RPC batch is answered: each request in it with an error naming why, nothing of it reaches the server', async () => {
    const {
      relays: [, , sender],
      clients,
      host,
    } = await threeClients();
    let from = sender.lines.length;
    await sender.write(
      `[{"jsonrpc":"2.0","id":"b1","method":"tools/call","params":{"name":"create_entities","arguments":{"entities":[{"name":"Batched","entityType":"x","observations":[]}]}}},{"jsonrpc":"2.0","method":"notifications/roots/list_changed"},{"jsonrpc":"2.0","id":"b2","method":"ping"},7]\n`,
    );
    const batch = await sender.line<unknown[]>('the answer to the batch', (v) => Array.isArray(v), from);
    assert.equal(batch.length, 3, JSON.stringify(batch));
    const byId = new Map(
      batch.map((m) => [(m as { id: unknown }).id, m as { error?: { code: number; message: string } }]),
    );
    for (const id of ['b1', 'b2', null]) {
      assert.equal(byId.get(id)?.error?.code, -32600, `${String(id)}: ${JSON.stringify(batch)}`);
      assert.match(byId.get(id)!.error!.message, /batch/);
    }
    // An empty batch: one error (JSON-RPC 2.0), not an array.
    from = sender.lines.length;
    await sender.write('[]\n');
    const empty = await sender.line('the answer to an empty batch', (v) => isObject(v) && v.id === null, from);
    assert.equal((empty.error as { code: number }).code, -32600);
    assert.doesNotMatch(await readGraph(clients[0]), /Batched/, 'nothing of the batch reached the server');
    assert.ok(isAlive(host));
    await allWork(clients, 'Carol');
  });

  it('a 64 MiB line: its sender gets an error, the share host grows by less than 16 MiB, every client keeps working', async () => {
    const {
      relays: [, , sender],
      clients,
      host,
    } = await threeClients();
    await allWork(clients, 'Dave');
    const before = rssMiB(host);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(host))), 20);
    const from = sender.lines.length;
    let answer: Record<string, unknown>;
    try {
      await sender.write('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"read_graph","arguments":{"blob":"');
      const mib = Buffer.alloc(1024 * 1024, 'a');
      for (let i = 0; i < 64; i++) await sender.write(mib);
      await sender.write('"}},"id":"huge"}\n');
      answer = await sender.answerTo('huge', from, 60_000);
      await sleep(500);
    } finally {
      clearInterval(sampler);
    }
    const after = rssMiB(host);
    console.log(
      `      share host resident memory: ${before.toFixed(1)} MiB before, ${peak.toFixed(1)} MiB at its peak, ${after.toFixed(1)} MiB after a 64 MiB line`,
    );
    const error = answer.error as { code: number; message: string } | undefined;
    assert.equal(error?.code, -32600, JSON.stringify(answer).slice(0, 500));
    assert.match(error.message, /longer than 4194304 bytes/);
    assert.ok(peak - before < 16, `the share host grew from ${before.toFixed(1)} to ${peak.toFixed(1)} MiB`);
    assert.ok(isAlive(host));
    await allWork(clients, 'Erin');
    const [record] = await liveRecords(home);
    assert.equal(record.pid, host, 'the same share host');
    assert.ok(isAlive(host));
  });
});
