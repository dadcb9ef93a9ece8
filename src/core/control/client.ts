import * as net from 'node:net';
import { ControlReply, ControlRequest, GuardStatus, RestartAsk, GuardRestartReply } from './protocol';

/** The endpoint could not be reached: nobody listens there (a dead or unguarded holder). */
export class ControlUnreachableError extends Error {
  constructor(
    readonly endpoint: string,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

export interface ControlCallOptions {
  /** How long to wait for the reply; a restart waits for in-flight requests, so allow for that. */
  timeoutMs?: number;
}

/** Sends one request and returns the guard's reply. Throws `ControlUnreachableError` when nobody listens. */
export function sendControl<T = unknown>(
  endpoint: string,
  request: ControlRequest,
  options: ControlCallOptions = {},
): Promise<ControlReply<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(endpoint);
    let buffered = '';
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(
      () => settle(() => reject(new Error(`no reply from ${endpoint} to '${request.op}' within ${timeoutMs} ms`))),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(request)}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      const line = buffered.slice(0, newline);
      settle(() => {
        try {
          resolve(JSON.parse(line) as ControlReply<T>);
        } catch (err) {
          reject(new Error(`garbled reply from ${endpoint}: ${(err as Error).message}`));
        }
      });
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      settle(() => {
        const unreachable = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK';
        reject(
          unreachable
            ? new ControlUnreachableError(endpoint, err.code, `nothing listens on ${endpoint} (${err.code})`)
            : err,
        );
      }),
    );
    socket.on('end', () =>
      settle(() => reject(new Error(`${endpoint} closed the connection without a reply to '${request.op}'`))),
    );
  });
}

export const controlStatus = (endpoint: string, options?: ControlCallOptions) =>
  sendControl<GuardStatus>(endpoint, { op: 'status' }, options);
export const controlRestart = (endpoint: string, reason?: string, options?: ControlCallOptions & RestartAsk) =>
  sendControl<GuardRestartReply>(
    endpoint,
    {
      op: 'restart',
      ...(reason !== undefined ? { reason } : {}),
      ...(options?.force ? { force: true } : {}),
      ...(options?.check === 'none' ? { check: 'none' as const } : {}),
    },
    options,
  );
export const controlShutdown = (endpoint: string, reason?: string, options?: ControlCallOptions) =>
  sendControl<{ shuttingDown: true }>(
    endpoint,
    reason === undefined ? { op: 'shutdown' } : { op: 'shutdown', reason },
    options,
  );

/** A holder's refusal of an `attach` (its reply's error). */
export class AttachRefusedError extends Error {}

/** The holder closed or reset the connection before it answered an `attach` (it was going away). */
export class AttachDroppedError extends Error {}

/**
 * `--on-conflict share`: asks the holder at `endpoint` to serve a client, and resolves with the
 * connection once it agreed; from then on it carries that client's JSON-RPC lines both ways.
 * `rest` is what the holder sent after its reply (already the server's first bytes, rarely).
 * Throws `ControlUnreachableError` when nobody listens, `AttachRefusedError` when the holder says no,
 * `AttachDroppedError` when it hung up before answering.
 */
export function attachControl(
  endpoint: string,
  request: { pid: number; startTime: number },
  options: ControlCallOptions = {},
): Promise<{ socket: net.Socket; rest: string }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const socket = net.createConnection(endpoint);
    let buffered = '';
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new Error(`no reply from ${endpoint} to 'attach' within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ op: 'attach', ...request })}\n`));
    const onData = (chunk: string): void => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      let reply: ControlReply;
      try {
        reply = JSON.parse(buffered.slice(0, newline)) as ControlReply;
      } catch (err) {
        return fail(new Error(`garbled reply from ${endpoint}: ${(err as Error).message}`));
      }
      if (!reply.ok) return fail(new AttachRefusedError(reply.error));
      settled = true;
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      socket.pause();
      resolve({ socket, rest: buffered.slice(newline + 1) });
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      const unreachable = err.code === 'ENOENT' || err.code === 'ECONNREFUSED' || err.code === 'ENOTSOCK';
      const dropped = err.code === 'ECONNRESET' || err.code === 'EPIPE';
      fail(
        unreachable
          ? new ControlUnreachableError(endpoint, err.code, `nothing listens on ${endpoint} (${err.code})`)
          : dropped
            ? new AttachDroppedError(`${endpoint} dropped the connection before answering 'attach' (${err.code})`)
            : err,
      );
    };
    const onEnd = (): void =>
      fail(new AttachDroppedError(`${endpoint} closed the connection without a reply to 'attach'`));
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
  });
}
