import type { Readable } from 'node:stream';

/** What a stream sent, kept up to a cap. */
export interface CappedChunks {
  /** Whether it sent more than the cap: then nothing is kept. */
  readonly over: boolean;
  /** What it sent, whole (while not over). */
  body(): Buffer;
}

/**
 * Keeps the chunks `stream` emits, up to `max` bytes in all: past the cap it drops what it kept,
 * keeps nothing more, and calls `onOver` once (a client's request too large, an answer too large to
 * look at).
 */
export function keepCapped(stream: Readable, max: number, onOver?: () => void): CappedChunks {
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  stream.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > max) {
      over = true;
      chunks.length = 0;
      onOver?.();
      return;
    }
    chunks.push(chunk);
  });
  return {
    get over() {
      return over;
    },
    body: () => Buffer.concat(chunks, size),
  };
}
