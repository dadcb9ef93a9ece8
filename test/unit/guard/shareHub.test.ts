import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { attachControl, AttachRefusedError, ControlServer, startControlServer } from '../../../src/core/control';
import type { AttachedClient } from '../../../src/core/control/protocol';
import { ShareHub } from '../../../src/guard/share/hub';

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
    control = await startControlServer(endpoint, {
      status: () => ({ guardPid: 1, serverName: 's', state: 'running', inFlight: 0, restarts: 0, startedAt: 'x' }),
      shutdown: () => undefined,
      restart: () => Promise.reject(new Error('no')),
      attach: (socket, request, rest) => hub.attach(socket, request, rest),
    });
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
});
