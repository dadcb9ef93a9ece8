import * as assert from 'node:assert/strict';
import { LineSplitter, OVERLONG_KEPT_BYTES } from '../../../src/guard/stdio/lines';

describe('guard: a bound on line length', () => {
  const bound = 4096;

  it('hands an over-long line back as its length and its two ends, however it is cut, and the lines around it whole', () => {
    const long = `{"jsonrpc":"2.0","id":"big","method":"x","params":{"blob":"${'b'.repeat(10_000)}"}}`;
    const bytes = Buffer.from(`{"a":1}\n${long}\n{"b":2}\n${'c'.repeat(bound)}\n{"d":3}`);
    for (const size of [1, 7, 511, 4096, 4097, 65_536]) {
      const s = new LineSplitter({ maxLineBytes: bound });
      const lines = [];
      for (let at = 0; at < bytes.length; at += size) {
        lines.push(...s.pushParts(bytes.subarray(at, at + size)));
        // Never more than the bound waits.
        assert.ok(s.pendingChunks().reduce((n, b) => n + b.length, 0) <= bound, `cut every ${size} bytes`);
      }
      const [a, over, b, atBound] = lines;
      assert.equal(Buffer.concat(a.parts).toString(), '{"a":1}');
      assert.equal(over.length, Buffer.byteLength(long));
      assert.deepEqual(over.parts, []);
      assert.equal(over.overlong?.head.toString(), long.slice(0, OVERLONG_KEPT_BYTES));
      assert.equal(over.overlong?.tail.toString(), long.slice(-OVERLONG_KEPT_BYTES));
      assert.equal(Buffer.concat(b.parts).toString(), '{"b":2}');
      assert.equal(atBound.overlong, undefined, 'a line of exactly the bound is kept');
      assert.equal(atBound.length, bound);
      assert.equal(Buffer.concat(s.pendingChunks()).toString(), '{"d":3}');
    }
  });
});
