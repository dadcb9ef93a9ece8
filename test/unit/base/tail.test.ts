import * as assert from 'node:assert/strict';
import { readTail } from '../../../src/core/base/tail';

/** An open file over bytes in memory: what readTail asks of a handle, with the bytes it was asked for. */
function fileOf(text: string | Buffer) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  const reads: number[] = [];
  return {
    size: bytes.length,
    reads,
    handle: {
      read: async (buffer: Buffer, offset: number, length: number, position: number) => {
        reads.push(length);
        const n = bytes.copy(buffer, offset, position, position + length);
        return { bytesRead: n, buffer };
      },
    } as never,
  };
}

describe('base/tail: the last lines of a file, read from its end', () => {
  it('the last N lines; a trailing newline ends the last line; a file without one too', async () => {
    for (const text of ['one\ntwo\nthree\n', 'one\ntwo\nthree']) {
      const f = fileOf(text);
      assert.deepEqual(await readTail(f.handle, f.size, 2, 1 << 20), {
        lines: ['two', 'three'],
        size: f.size,
        cut: false,
      });
      assert.deepEqual((await readTail(f.handle, f.size, 10, 1 << 20)).lines, ['one', 'two', 'three']);
    }
    const empty = fileOf('');
    assert.deepEqual((await readTail(empty.handle, 0, 5, 1 << 20)).lines, ['']);
    const blank = fileOf('a\n\n');
    assert.deepEqual((await readTail(blank.handle, blank.size, 5, 1 << 20)).lines, ['a', '']);
  });

  it('reads only what the lines need, never past maxBytes, and never returns the partial first piece', async () => {
    const big = `${'x'.repeat(300 * 1024)}\nlast\n`;
    const f = fileOf(big);
    assert.deepEqual(await readTail(f.handle, f.size, 1, 1 << 20), { lines: ['last'], size: f.size, cut: false });
    assert.equal(f.reads.length, 1, 'one block held the last line');
    const g = fileOf(big);
    const cut = await readTail(g.handle, g.size, 3, 100 * 1024);
    assert.deepEqual([cut.lines, cut.cut], [['last'], true]);
    assert.equal(
      g.reads.reduce((a, b) => a + b, 0),
      100 * 1024,
    );
  });

  it('a character split by a block boundary is decoded whole', async () => {
    // 'é' is two bytes: put its first byte at the end of the block before the last 64 KiB.
    const tail = Buffer.from(`${'y'.repeat(64 * 1024 - 3)}\nz`);
    const text = Buffer.concat([Buffer.from('aé'), tail]);
    const at = text.length - 64 * 1024;
    assert.equal(text[at - 1], 0xc3, "the block boundary falls inside 'é'");
    const f = fileOf(text);
    assert.deepEqual((await readTail(f.handle, f.size, 3, 1 << 20)).lines, [`aé${'y'.repeat(64 * 1024 - 3)}`, 'z']);
  });

  it('keep: only the lines kept count, read as far back as it takes (within maxBytes)', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) =>
      i % 1000 === 7 ? `mine ${i}` : `other ${i} ${'-'.repeat(40)}`,
    );
    const f = fileOf(`${lines.join('\n')}\n`);
    const mine = (l: string) => l.startsWith('mine');
    assert.deepEqual((await readTail(f.handle, f.size, 2, 1 << 20, mine)).lines, ['mine 3007', 'mine 4007']);
    assert.deepEqual((await readTail(f.handle, f.size, 10, 1 << 20, mine)).lines, [
      'mine 7',
      'mine 1007',
      'mine 2007',
      'mine 3007',
      'mine 4007',
    ]);
    const short = await readTail(f.handle, f.size, 10, 60 * 1024, mine);
    assert.equal(short.cut, true);
    assert.ok(short.lines.every(mine));
  });

  it('a line longer than many blocks is given whole, its characters too, with the lines around it', async () => {
    // 'é' (two bytes) at every 5th byte: block boundaries fall inside some of them.
    const long = 'abcé'.repeat(60 * 1024);
    const f = fileOf(`first\n${long}\nlast\n`);
    assert.deepEqual((await readTail(f.handle, f.size, 3, 1 << 20)).lines, ['first', long, 'last']);
    assert.deepEqual((await readTail(f.handle, f.size, 2, 1 << 20)).lines, [long, 'last']);
    // The file's first line, many blocks long.
    const g = fileOf(`${long}\nlast`);
    assert.deepEqual((await readTail(g.handle, g.size, 5, 1 << 20)).lines, [long, 'last']);
  });
});
