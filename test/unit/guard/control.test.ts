import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  attachControl,
  AttachDroppedError,
  AttachRefusedError,
  ControlServer,
  ControlUnreachableError,
  controlRestart,
  controlShutdown,
  controlStatus,
  sendControl,
  startControlServer,
} from '../../../src/core/control';

describe('control endpoint (real Unix socket)', function () {
  if (process.platform === 'win32') return;
  let dir: string;
  let server: ControlServer | undefined;
  const calls: string[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lgc-'));
    fs.chmodSync(dir, 0o700);
    calls.length = 0;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const handlers = {
    status: () => ({
      guardPid: process.pid,
      serverName: 'demo',
      state: 'running',
      inFlight: 0,
      restarts: 0,
      startedAt: 'x',
    }),
    shutdown: (reason: string | undefined) => {
      calls.push(`shutdown:${reason}`);
    },
    restart: async (reason: string | undefined) => {
      calls.push(`restart:${reason}`);
      return { childPid: 42, restarts: 1 };
    },
  };

  it('answers status, restart and shutdown, and the socket is owner-only', async () => {
    const endpoint = path.join(dir, 's.sock');
    server = await startControlServer(endpoint, handlers, process.platform);
    assert.equal(fs.statSync(endpoint).mode & 0o777, 0o600);
    assert.deepEqual(await controlStatus(endpoint), { ok: true, result: handlers.status() });
    assert.deepEqual(await controlRestart(endpoint, 'upgrade'), { ok: true, result: { childPid: 42, restarts: 1 } });
    assert.deepEqual(await controlShutdown(endpoint), { ok: true, result: { shuttingDown: true } });
    assert.deepEqual(calls, ['restart:upgrade', 'shutdown:undefined']);
  });

  it('turns a handler error into an error reply', async () => {
    const endpoint = path.join(dir, 's.sock');
    server = await startControlServer(
      endpoint,
      {
        ...handlers,
        restart: async () => {
          throw new Error('crash loop: not restarted');
        },
      },
      process.platform,
    );
    assert.deepEqual(await controlRestart(endpoint), { ok: false, error: 'crash loop: not restarted' });
  });

  it('answers a garbage or unknown request with a clear error', async () => {
    const endpoint = path.join(dir, 's.sock');
    server = await startControlServer(endpoint, handlers, process.platform);
    const raw = (line: string) =>
      new Promise<string>((resolve, reject) => {
        const s = net.createConnection(endpoint, () => s.write(line));
        let text = '';
        s.setEncoding('utf8');
        s.on('data', (d: string) => (text += d));
        s.on('end', () => resolve(text));
        s.on('error', reject);
      });
    assert.match(await raw('not json\n'), /"ok":false,"error":"request is not JSON/);
    assert.match(JSON.parse(await raw('{"op":"format-disk"}\n')).error, /unknown op "format-disk"/);
    assert.deepEqual(await sendControl(endpoint, { op: 'nope' } as never), {
      ok: false,
      error: 'unknown op "nope"; expected one of status, shutdown, restart, attach',
    });
  });

  it('attach: refused by a holder that does not share; else the connection becomes the client’s stream', async () => {
    const endpoint = path.join(dir, 's.sock');
    server = await startControlServer(endpoint, handlers, process.platform);
    await assert.rejects(
      attachControl(endpoint, { pid: process.pid, startTime: 1 }),
      (err: Error) => err instanceof AttachRefusedError && /--on-conflict share/.test(err.message),
    );
    await assert.rejects(
      sendControl(endpoint, { op: 'attach' } as never).then((r) => {
        if (!r.ok) throw new Error(r.error);
      }),
      /attach needs a pid/,
    );
    await server.close();
    const seen: string[] = [];
    server = await startControlServer(
      endpoint,
      {
        ...handlers,
        attach: (socket, request, rest) => {
          seen.push(`attach ${request.pid} ${rest}`);
          socket.write('{"ok":true,"result":{}}\n');
          socket.on('data', (d: string) => socket.write(`echo ${d}`));
        },
      },
      process.platform,
    );
    const { socket } = await attachControl(endpoint, { pid: 1234, startTime: 5 });
    socket.setEncoding('utf8');
    const echoed = new Promise<string>((resolve) => socket.once('data', (d: string) => resolve(d)));
    socket.resume();
    socket.write('line\n');
    assert.equal(await echoed, 'echo line\n');
    socket.destroy();
    assert.deepEqual(seen, ['attach 1234 ']);
  });

  it('replaces a dead holder socket but refuses to replace a regular file', async () => {
    const endpoint = path.join(dir, 's.sock');
    // A crashed guard leaves its socket file behind; closing a net.Server removes the file, so keep
    // a hard link to the inode and put it back afterwards.
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(endpoint, r));
    fs.linkSync(endpoint, path.join(dir, 'keep.sock'));
    await new Promise<void>((r) => dead.close(() => r()));
    fs.renameSync(path.join(dir, 'keep.sock'), endpoint);
    assert.ok(fs.lstatSync(endpoint).isSocket());
    server = await startControlServer(endpoint, handlers, process.platform);
    assert.equal((await controlStatus(endpoint)).ok, true);

    const file = path.join(dir, 'file.sock');
    fs.writeFileSync(file, 'x');
    await assert.rejects(startControlServer(file, handlers, process.platform), /exists and is not a socket/);
  });

  it('reports an endpoint nobody listens on as unreachable', async () => {
    await assert.rejects(
      controlStatus(path.join(dir, 'none.sock')),
      (err: unknown) => err instanceof ControlUnreachableError && err.code === 'ENOENT',
    );
  });

  it('attach: a holder that hangs up before answering (it was going away) is told apart from a refusal', async () => {
    const endpoint = path.join(dir, 'gone.sock');
    const sockets = new Set<net.Socket>();
    // Nothing is read: the first hangs up cleanly; the second closes with the request unread, which the
    // kernel turns into a reset. Both happen when a holder dies mid-attach.
    const going = net.createServer({ pauseOnConnect: true }, (socket) => {
      sockets.add(socket);
      if (sockets.size === 1) socket.end();
      else setTimeout(() => socket.destroy(), 100);
    });
    await new Promise<void>((r) => going.listen(endpoint, r));
    try {
      await assert.rejects(
        attachControl(endpoint, { pid: process.pid, startTime: 1 }),
        (err: Error) => err instanceof AttachDroppedError && /closed the connection without a reply/.test(err.message),
      );
      await assert.rejects(
        attachControl(endpoint, { pid: process.pid, startTime: 1 }),
        (err: Error) => err instanceof AttachDroppedError && /ECONNRESET|EPIPE/.test(err.message),
      );
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => going.close(() => r()));
    }
  });
});
