import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachControl, AttachRefusedError, ControlServer, startControlServer } from '../../../src/core/control';
import type { AttachedClient } from '../../../src/core/control/protocol';
import {
  HubConnection,
  MAX_LISTED_CLIENTS,
  MAX_MESSAGE_BYTES,
  overlongShape,
  ShareHub,
} from '../../../src/guard/share/hub';
import { until } from '../../support/poll';

/** Lines read from a stream, as parsed JSON, with a way to wait for the next one. */
function lines(stream: NodeJS.ReadableStream): { next(): Promise<Record<string, unknown>>; ended: Promise<void> } {
  const queue: Record<string, unknown>[] = [];
  const waiting: Array<(v: Record<string, unknown>) => void> = [];
  let buf = '';
  stream.on('data', (d: Buffer | string) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const v = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
      buf = buf.slice(i + 1);
      const w = waiting.shift();
      if (w) w(v);
      else queue.push(v);
    }
  });
  const ended = new Promise<void>((resolve) => stream.on('end', () => resolve()));
  return {
    next: () => {
      const v = queue.shift();
      return v ? Promise.resolve(v) : new Promise((resolve) => waiting.push(resolve));
    },
    ended,
  };
}

describe('guard share: the hub (relays attached over a real control socket, one stream to the server)', function () {
  if (process.platform === 'win32') return;
  let dir: string;
  let control: ControlServer | undefined;
  const sockets: net.Socket[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgh-'));
    fs.chmodSync(dir, 0o700);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.destroy();
    await control?.close();
    control = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves attached clients from one session, lists them by name, and ends the server stream when the last one left', async () => {
    const seen: AttachedClient[][] = [];
    const hub = new ShareHub({ lingerMs: 0, log: () => undefined, onClients: (c) => seen.push(c) });
    const endpoint = path.join(dir, 'c.sock');
    control = await startControlServer(
      endpoint,
      {
        status: () => ({ guardPid: 1, serverName: 's', state: 'running', inFlight: 0, restarts: 0, startedAt: 'x' }),
        shutdown: () => undefined,
        restart: () => Promise.reject(new Error('no')),
        attach: (socket, request, rest) => hub.attach(socket, request, rest),
      },
      process.platform,
    );
    hub.start();
    const server = lines(hub.toServer);
    const attach = async (pid: number) => {
      const { socket } = await attachControl(endpoint, { pid, startTime: pid * 10 });
      sockets.push(socket);
      const read = lines(socket);
      socket.resume();
      return { socket, read };
    };
    const a = await attach(101);
    const b = await attach(102);
    const init = (name: string) =>
      `${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name, version: '1' } } })}\n`;
    a.socket.write(init('alpha'));
    const toServer = await server.next();
    assert.equal(toServer.method, 'initialize');
    b.socket.write(init('beta'));
    const result = { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } };
    hub.fromServer.write(`${JSON.stringify({ jsonrpc: '2.0', id: toServer.id, result })}\n`);
    assert.deepEqual(await a.read.next(), { jsonrpc: '2.0', id: 1, result });
    assert.deepEqual(await b.read.next(), { jsonrpc: '2.0', id: 1, result }, 'answered from the one initialize');
    assert.deepEqual(seen.at(-1), [
      { pid: 101, startTime: 1010, clientName: 'alpha' },
      { pid: 102, startTime: 1020, clientName: 'beta' },
    ]);
    // A call of b with a's id: answered to b only.
    b.socket.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })}\n`);
    const call = await server.next();
    assert.equal(call.method, 'tools/list');
    hub.fromServer.write(`${JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { tools: [] } })}\n`);
    assert.deepEqual(await b.read.next(), { jsonrpc: '2.0', id: 1, result: { tools: [] } });
    a.socket.end();
    b.socket.end();
    await server.ended;
    assert.deepEqual(seen.at(-1), []);
    await assert.rejects(
      attachControl(endpoint, { pid: 103, startTime: 1 }),
      (err: Error) => err instanceof AttachRefusedError && /stopping/.test(err.message),
    );
    hub.close();
  });

  /** A hub behind a real control socket, and a way to attach a raw client to it. */
  async function started(log: string[] = []) {
    const hub = new ShareHub({ lingerMs: 0, log: (l) => log.push(l) });
    const endpoint = path.join(dir, 'c.sock');
    control = await startControlServer(
      endpoint,
      {
        status: () => ({ guardPid: 1, serverName: 's', state: 'running', inFlight: 0, restarts: 0, startedAt: 'x' }),
        shutdown: () => undefined,
        restart: () => Promise.reject(new Error('no')),
        attach: (socket, request, rest) => hub.attach(socket, request, rest),
      },
      process.platform,
    );
    hub.start();
    const attach = async (pid: number) => {
      const { socket } = await attachControl(endpoint, { pid, startTime: pid });
      sockets.push(socket);
      const read = lines(socket);
      socket.resume();
      return { socket, read };
    };
    return { hub, attach };
  }

  it("a client handing over whole messages (the HTTP front's): its values go to the server checked as lines are, its answers come back as values; a hold keeps the server past the last client until released", async () => {
    const seen: AttachedClient[][] = [];
    const hub = new ShareHub({ lingerMs: 0, log: () => undefined, onClients: (c) => seen.push(c) });
    hub.start();
    const server = lines(hub.toServer);
    let ended = false;
    void server.ended.then(() => (ended = true));
    const got: unknown[] = [];
    const connection: HubConnection = {
      who: 'HTTP session 1',
      joinedAt: 0,
      write: (_line: string, message: unknown) => void got.push(message),
      pause: () => undefined,
      resume: () => undefined,
      close: () => undefined,
    };
    const id = hub.addClient(connection);
    assert.ok(id !== undefined);
    assert.deepEqual(seen.at(-1), [{}], 'listed, without a process until one is found');
    hub.clientValue(id, {
      jsonrpc: '2.0',
      id: 7,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'web', version: '1' } },
    });
    const init = await server.next();
    assert.equal(init.method, 'initialize');
    hub.fromServer.write(
      `${JSON.stringify({ jsonrpc: '2.0', id: init.id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 's', version: '1' } } })}\n`,
    );
    await until('the answer', () => got.length === 1 || undefined, 2000);
    assert.equal((got[0] as { id: unknown }).id, 7, "the client's own id");
    hub.clientValue(id, [{ jsonrpc: '2.0', id: 8, method: 'ping' }]);
    assert.match(JSON.stringify(got[1]), /batch/, 'a batch is refused to it alone');
    connection.pid = 4242;
    connection.startTime = 1;
    hub.clientsChanged();
    assert.deepEqual(seen.at(-1), [{ pid: 4242, startTime: 1, clientName: 'web' }]);

    // The record lists the MAX_LISTED_CLIENTS that joined last, however many there are.
    const more = Array.from({ length: MAX_LISTED_CLIENTS + 8 }, (_, n) =>
      hub.addClient({ ...connection, pid: 5000 + n, startTime: 1 }),
    );
    assert.equal(hub.clients().length, MAX_LISTED_CLIENTS);
    assert.equal(hub.clients().at(-1)?.pid, 5000 + MAX_LISTED_CLIENTS + 7);
    for (const m of more) hub.leave(m as number);
    assert.deepEqual(hub.clients(), [{ pid: 4242, startTime: 1, clientName: 'web' }]);

    const release = hub.hold();
    hub.leave(id);
    hub.leave(id); // twice is once
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(ended, false, 'held: the server stays with no client');
    release();
    release();
    await until('the server stream ended once released', () => ended || undefined, 2000);
    assert.equal(hub.addClient(connection), undefined, 'an ended hub takes no new client');
    hub.close();
  });

  it('answers what it cannot relay to its sender alone: nesting past 256 levels, a batch, JSON that is no message, a line that is not JSON', async () => {
    const log: string[] = [];
    const { hub, attach } = await started(log);
    const server = lines(hub.toServer);
    const a = await attach(201);
    const b = await attach(202);
    const nested = (n: number) => '['.repeat(n) + ']'.repeat(n);
    a.socket.write(`{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{"x":${nested(6_000)}}}\n`);
    a.socket.write(
      `[{"jsonrpc":"2.0","id":"b1","method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},5]\n`,
    );
    a.socket.write('{"jsonrpc":"2.0","id":"odd","method":"ping","params":[1]}\n');
    a.socket.write('not json\n');
    a.socket.write('\r\n');
    b.socket.write('{"jsonrpc":"2.0","id":1,"method":"tools/list"}\n');
    const deep = await a.read.next();
    assert.equal(deep.id, 'deep');
    assert.equal((deep.error as { code: number }).code, -32600);
    assert.match((deep.error as { message: string }).message, /nested deeper than 256 levels/);
    const batch = (await a.read.next()) as unknown as Array<{ id: unknown; error: { code: number; message: string } }>;
    assert.deepEqual(
      batch.map((m) => [m.id, m.error.code]),
      [
        ['b1', -32600],
        [null, -32600],
      ],
    );
    assert.match(batch[0].error.message, /batch/);
    assert.deepEqual(await a.read.next(), {
      jsonrpc: '2.0',
      id: 'odd',
      error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' },
    });
    const notJson = await a.read.next();
    assert.equal(notJson.id, null);
    assert.equal((notJson.error as { code: number }).code, -32700);
    // Only b's request reached the server; its answer reaches b only.
    const call = await server.next();
    assert.equal(call.method, 'tools/list');
    hub.fromServer.write(`${JSON.stringify({ jsonrpc: '2.0', id: call.id, result: { tools: [] } })}\n`);
    assert.deepEqual(await b.read.next(), { jsonrpc: '2.0', id: 1, result: { tools: [] } });
    // A server answer 100,000 levels deep reaches its client.
    a.socket.write('{"jsonrpc":"2.0","id":2,"method":"tools/call"}\n');
    const deepCall = await server.next();
    hub.fromServer.write(`{"jsonrpc":"2.0","id":${String(deepCall.id)},"result":{"x":${nested(100_000)}}}\n`);
    const answer = await a.read.next();
    assert.equal(answer.id, 2);
    assert.ok(!log.some((l) => /could not relay/.test(l)), log.join('\n'));
    hub.close();
  });

  it(`reads a client's line only up to ${MAX_MESSAGE_BYTES} bytes: a longer request gets an error under its id, and the next line is read`, async () => {
    const { hub, attach } = await started();
    const server = lines(hub.toServer);
    const a = await attach(301);
    a.socket.write(
      `{"method":"tools/call","params":{"blob":"${'x'.repeat(MAX_MESSAGE_BYTES)}"},"jsonrpc":"2.0","id":7}\n`,
    );
    a.socket.write('{"jsonrpc":"2.0","id":8,"method":"ping"}\n');
    const refused = await a.read.next();
    assert.equal(refused.id, 7);
    assert.match((refused.error as { message: string }).message, new RegExp(`longer than ${MAX_MESSAGE_BYTES} bytes`));
    const ping = await server.next();
    assert.equal(ping.method, 'ping', 'the over-long request never reached the server');
    hub.close();
  });

  it('stops reading clients while the server does not take what it is sent: what waits in the share host stays small', async () => {
    const { hub, attach } = await started();
    const a = await attach(401);
    const note = `${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { data: 'n'.repeat(4096) } })}\n`;
    for (let i = 0; i < 4_000; i++) a.socket.write(note);
    // Nobody reads toServer: the hub stops reading the socket, and the rest of the 16 MB waits on the
    // client's side (its writes stall: the same bytes are left unsent poll after poll).
    let last = -1;
    let still = 0;
    const held = () => hub.toServer.writableLength + hub.toServer.readableLength;
    await until(
      () => `the client held back (${a.socket.writableLength} bytes unsent, ${held()} held)`,
      () => {
        still = a.socket.writableLength === last ? still + 1 : 0;
        last = a.socket.writableLength;
        return held() > 1024 * 1024 || (still >= 20 && last > 0);
      },
      10_000,
      5,
    );
    assert.ok(held() < 256 * 1024, `the share host holds ${held()} bytes for the server`);
    let count = 0;
    const all = new Promise<void>((resolve) => {
      let buf = '';
      hub.toServer.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          buf = buf.slice(i + 1);
          if (++count === 4_000) resolve();
        }
      });
    });
    await all;
    hub.close();
  });
});

describe('guard share: an over-long line, read from its ends', () => {
  it('reads an over-long line’s id and kind from its ends, as SDKs write them', () => {
    const ends = (text: string) => overlongShape(Buffer.from(text.slice(0, 512)), Buffer.from(text.slice(-512)));
    const blob = 'x'.repeat(2_000);
    // SDK 1.x: method, params, jsonrpc, id.
    assert.deepEqual(ends(`{"method":"tools/call","params":{"a":"${blob}"},"jsonrpc":"2.0","id":4}`), {
      kind: 'request',
      id: 4,
    });
    assert.deepEqual(ends(`{"jsonrpc":"2.0","id":"r-1","method":"x","params":{"a":"${blob}"}}`), {
      kind: 'request',
      id: 'r-1',
    });
    assert.deepEqual(ends(`{"result":{"a":"${blob}"},"jsonrpc":"2.0","id":9}`), { kind: 'answer', id: 9 });
    assert.deepEqual(ends(`{"jsonrpc":"2.0","id":3,"error":{"code":1,"message":"${blob}"}}`), {
      kind: 'answer',
      id: 3,
    });
    // A notification cannot be told from a request whose id is in the middle; garbage is garbage.
    assert.deepEqual(ends(`{"method":"n","params":{"a":"${blob}"},"jsonrpc":"2.0"}`), { kind: 'unknown' });
    assert.deepEqual(ends(`${blob}`), { kind: 'unknown' });
    assert.deepEqual(ends(`{"method":"x","params":{"id":5,"a":"${blob}","id":6}}`), { kind: 'unknown' });
  });
});
