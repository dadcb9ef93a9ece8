import type { posix } from 'node:path';

/** A folder and those above it, nearest first, at most `levels` of them (ending early at the root). */
export function* ancestors(p: Pick<typeof posix, 'dirname'>, dir: string, levels: number): Generator<string> {
  for (let depth = 0; depth < levels; depth++) {
    yield dir;
    const up = p.dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}
