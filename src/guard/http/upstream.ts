import * as http from 'node:http';
import * as net from 'node:net';
import { pollUntil } from '../../core/base/pollUntil';
import type { UpstreamAddress } from './exchange';

/**
 * Reaching the server behind the front: the private loopback port it gets, and the probe that
 * says it answers (the guard's start, and `ensure` waiting for a guard it started).
 */

export const LOOPBACK = '127.0.0.1';

/** A port nobody listens on right now (the OS picks it). */
export function freePort(host = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls (pollUntil) until an HTTP request to `path` gets any answer (a 400 or 405 is an answer too). */
export async function waitUntilAnswers(target: UpstreamAddress, path: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const answered = await pollUntil(
    async () =>
      (await answersOnce(target, path, Math.min(2000, Math.max(100, deadline - Date.now())))) ? true : undefined,
    { deadline, backoff: { maxMs: 100 } },
  );
  return answered.kind === 'done';
}

function answersOnce(target: UpstreamAddress, path: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: target.host,
        port: target.port,
        method: 'GET',
        path,
        agent: false,
        timeout: timeoutMs,
        headers: { accept: 'text/event-stream' },
      },
      (res) => {
        res.resume();
        req.destroy();
        resolve(true);
      },
    );
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}
