import * as net from 'node:net';
import { ControlReply, ControlRequest, GuardStatus, RestartOutcome } from './protocol';

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
export const controlRestart = (endpoint: string, reason?: string, options?: ControlCallOptions) =>
  sendControl<RestartOutcome>(endpoint, reason === undefined ? { op: 'restart' } : { op: 'restart', reason }, options);
export const controlShutdown = (endpoint: string, reason?: string, options?: ControlCallOptions) =>
  sendControl<{ shuttingDown: true }>(
    endpoint,
    reason === undefined ? { op: 'shutdown' } : { op: 'shutdown', reason },
    options,
  );
