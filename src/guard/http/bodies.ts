import type * as http from 'node:http';
import { keepCapped } from './cappedChunks';

/** Reading bodies at the front: the client's request (capped) and a small upstream error answer. */

export interface BufferedResponse extends http.IncomingMessage {
  bufferedBody?: Buffer;
}

/** Reads a (small) error answer and says whether it is about the session: older servers answer 400 for an unknown one. */
export async function mentionsSession(upRes: http.IncomingMessage): Promise<boolean> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of upRes as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) break;
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  (upRes as BufferedResponse).bufferedBody = body;
  return /session/i.test(body.toString('utf8'));
}

export type BodyRead = { kind: 'ok'; body: Buffer } | { kind: 'too-large' } | { kind: 'aborted' };

/** Reads a request body up to `max` bytes. Past the cap the rest is drained (bounded) so the client can read the 413. */
export function readBody(req: http.IncomingMessage, max: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  return new Promise((resolve) => {
    if (Number.isFinite(declared) && declared > max) {
      drain(req, max);
      resolve({ kind: 'too-large' });
      return;
    }
    const kept = keepCapped(req, max, () => {
      drain(req, max);
      resolve({ kind: 'too-large' });
    });
    req.on('end', () => {
      if (!kept.over) resolve({ kind: 'ok', body: kept.body() });
    });
    req.on('close', () => {
      if (!kept.over && !req.complete) resolve({ kind: 'aborted' });
    });
  });
}

/** Discards the rest of an oversize body, up to a bound, then drops the connection. */
function drain(req: http.IncomingMessage, max: number): void {
  let discarded = 0;
  const limit = Math.max(max * 16, 64 * 1024 * 1024);
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limit) req.destroy();
  });
  req.resume();
}
