import * as net from 'node:net';
import { removeSocketFile, setSocketFileMode, socketFileAt, unlinkSocketFile } from '../machine/socketFile';
import {
  AttachRequest,
  ControlReply,
  ControlRequest,
  GuardStatus,
  parseControlRequest,
  RestartAsk,
  GuardRestartReply,
} from './protocol';

/** What the guard does for each op. Errors thrown here become `{ ok: false, error }` replies. */
export interface ControlHandlers {
  status(): GuardStatus | Promise<GuardStatus>;
  /** Starts the shutdown and returns; the reply is sent before the guard goes away. */
  shutdown(reason: string | undefined): void | Promise<void>;
  restart(reason: string | undefined, ask: RestartAsk): Promise<GuardRestartReply>;
  /**
   * `attach` (a holder started with `--on-conflict share`): the connection becomes a client's
   * stream. The handler answers the request on `socket` itself (`replyLine`) and owns the socket
   * from then on; `rest` is what the relay sent after the request line. Absent: refused.
   */
  attach?(socket: net.Socket, request: AttachRequest, rest: string): void;
}

/** What a holder that does not share answers an `attach` with. */
export const NOT_SHARED =
  'this guard does not share its server: it was started without --on-conflict share (start every client of this server with --on-conflict share)';

/** One control reply as its line. */
export function replyLine(message: ControlReply): string {
  return `${JSON.stringify(message)}\n`;
}

export interface ControlServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** A request line longer than this is not a control request. */
const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * Listens on `endpoint` (a socket path inside the 0700 lock dir, or a Windows pipe name). The caller
 * must hold the server's lock: a socket file already at the path belongs to a dead holder and is
 * removed; anything else at the path (a regular file, a symlink) is refused.
 */
export async function startControlServer(
  endpoint: string,
  handlers: ControlHandlers,
  platform: NodeJS.Platform,
): Promise<ControlServer> {
  const isPipe = platform === 'win32';
  if (!isPipe) await removeStaleSocket(endpoint);
  const server = net.createServer((socket) => serve(socket, handlers));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(endpoint, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => process.emitWarning(`control endpoint ${endpoint}: ${err.message}`));
  // The lock dir is already 0700; the socket itself is made owner-only as well, in case it is moved.
  if (!isPipe) await setSocketFileMode(endpoint, 0o600);
  let closed = false;
  return {
    endpoint,
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!isPipe) await removeSocketFile(endpoint);
    },
  };
}

async function removeStaleSocket(endpoint: string): Promise<void> {
  const found = await socketFileAt(endpoint);
  if (found === undefined) return;
  if (found !== 'socket') throw new Error(`${endpoint} exists and is not a socket; refusing to replace it`);
  await unlinkSocketFile(endpoint);
}

function serve(socket: net.Socket, handlers: ControlHandlers): void {
  let buffered = '';
  let answered = false;
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    if (answered) return;
    buffered += chunk;
    const newline = buffered.indexOf('\n');
    if (newline < 0) {
      if (buffered.length > MAX_REQUEST_BYTES) {
        answered = true;
        reply(socket, { ok: false, error: 'request too long' });
      }
      return;
    }
    answered = true;
    const parsed = parseControlRequest(buffered.slice(0, newline));
    if (!parsed.ok) {
      reply(socket, { ok: false, error: parsed.error });
      return;
    }
    if (parsed.request.op === 'attach') {
      if (!handlers.attach) return reply(socket, { ok: false, error: NOT_SHARED });
      socket.removeAllListeners('data');
      handlers.attach(socket, parsed.request, buffered.slice(newline + 1));
      return;
    }
    dispatch(parsed.request, handlers).then(
      (result) => reply(socket, { ok: true, result }),
      (err: unknown) => reply(socket, { ok: false, error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

async function dispatch(request: ControlRequest, handlers: ControlHandlers): Promise<unknown> {
  switch (request.op) {
    case 'status':
      return handlers.status();
    case 'shutdown':
      await handlers.shutdown(request.reason);
      return { shuttingDown: true };
    case 'restart':
      return handlers.restart(request.reason, {
        ...(request.force === true ? { force: true } : {}),
        ...(request.check === 'none' ? { check: 'none' as const } : {}),
      });
    case 'attach':
      throw new Error(NOT_SHARED);
  }
}

function reply(socket: net.Socket, message: ControlReply): void {
  if (socket.destroyed) return;
  socket.end(replyLine(message));
}
