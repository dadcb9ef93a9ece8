import * as assert from 'node:assert/strict';
import { Transform } from 'node:stream';
import { MAX_ANNOTATED_LINE_BYTES } from '../../../src/guard/host/staleNotice';
import { JsonToolResult, SseToolResult, ToolResultNotes } from '../../../src/guard/http/toolResultBody';

/** Runs `input` through a fresh transform, cut into chunks at `cuts`, and returns what came out. */
async function through(
  make: (notes: ToolResultNotes) => Transform,
  input: string,
  cuts: number[] = [],
  notices = ['N'],
): Promise<{ out: string; delivered: number }> {
  let delivered = 0;
  const t = make({
    requestId: 7,
    notices: () => notices,
    delivered: () => delivered++,
    failed: (reason) => assert.fail(`annotating failed: ${reason}`),
  });
  const chunks: Buffer[] = [];
  t.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => t.on('end', resolve));
  const bytes = Buffer.from(input);
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    t.write(bytes.subarray(from, cut));
    from = cut;
  }
  t.end();
  await ended;
  return { out: Buffer.concat(chunks).toString(), delivered };
}

const result =
  '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"é"}],"structuredContent":{"a":1.0}}}';
const annotated =
  '{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"é"},{"type":"text","text":"N"}],"structuredContent":{"a":1.0}}}';

describe('http: annotating the body of a tools/call answer', () => {
  it('a JSON body: the notice appended, every other byte kept, delivered once', async () => {
    assert.deepEqual(await through((n) => new JsonToolResult(n), result, [5, 40]), { out: annotated, delivered: 1 });
    assert.deepEqual(await through((n) => new JsonToolResult(n), result.replace('"id":7', '"id":8')), {
      out: result.replace('"id":7', '"id":8'),
      delivered: 0,
    });
    const error = '{"jsonrpc":"2.0","id":7,"error":{"code":1,"message":"m"}}';
    assert.equal((await through((n) => new JsonToolResult(n), error)).out, error);
    const big = result.replace('"é"', `"${'x'.repeat(MAX_ANNOTATED_LINE_BYTES)}"`);
    assert.deepEqual(await through((n) => new JsonToolResult(n), big, [1000, MAX_ANNOTATED_LINE_BYTES + 10]), {
      out: big,
      delivered: 0,
    });
  });

  it('a result nested 100,000 levels deep is annotated in a JSON body and in an event (a recursive parse overflowed the stack and took the front down)', async () => {
    const deep = result.replace('"text":"é"', `"text":"é","_meta":{"n":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const deepAnnotated = annotated.replace(
      '"text":"é"',
      `"text":"é","_meta":{"n":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    );
    assert.deepEqual(await through((n) => new JsonToolResult(n), deep, [7]), { out: deepAnnotated, delivered: 1 });
    assert.deepEqual(await through((n) => new SseToolResult(n), `data: ${deep}\n\n`, [3]), {
      out: `data: ${deepAnnotated}\n\n`,
      delivered: 1,
    });
  });

  it('a failure to annotate lets the body through as it came and is reported', async () => {
    const failures: string[] = [];
    const notes = {
      requestId: 7,
      notices: (): string[] => {
        throw new RangeError('boom');
      },
      delivered: () => assert.fail('nothing was delivered'),
      failed: (reason: string) => failures.push(reason),
    };
    for (const make of [() => new JsonToolResult(notes), () => new SseToolResult(notes)]) {
      const t = make();
      const chunks: Buffer[] = [];
      t.on('data', (c: Buffer) => chunks.push(c));
      const ended = new Promise((resolve) => t.on('end', resolve));
      const input = t instanceof SseToolResult ? `data: ${result}\n\n` : result;
      t.end(Buffer.from(input));
      await ended;
      assert.equal(Buffer.concat(chunks).toString(), input);
    }
    assert.deepEqual(failures, ['RangeError: boom', 'RangeError: boom']);
  });

  it('an event stream: the result event annotated on its data line, progress events and line endings kept, however the bytes are cut', async () => {
    const progress =
      'event: message\r\nid: 1\r\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":1}}\r\n\r\n';
    const input = `${progress}event: message\nid: 2\ndata: ${result}\n\n`;
    const expected = `${progress}event: message\nid: 2\ndata: ${annotated}\n\n`;
    const bytes = Buffer.byteLength(input);
    for (let cut = 0; cut <= bytes; cut += 7) {
      assert.deepEqual(
        await through((n) => new SseToolResult(n), input, [cut]),
        { out: expected, delivered: 1 },
        `cut at ${cut}`,
      );
    }
  });

  it('an event stream: events with several data lines, an event over the bound, and a stream cut short pass as they came', async () => {
    const split = `data: {"jsonrpc":"2.0","id":7,\ndata: "result":{"content":[]}}\n\n`;
    assert.deepEqual(await through((n) => new SseToolResult(n), split), { out: split, delivered: 0 });
    const big = `data: ${result.replace('"é"', `"${'x'.repeat(MAX_ANNOTATED_LINE_BYTES)}"`)}\n\n`;
    const after = `data: ${result}\n\n`;
    assert.deepEqual(
      await through((n) => new SseToolResult(n), big + after, [100, 200_000, MAX_ANNOTATED_LINE_BYTES + 50]),
      { out: big + `data: ${annotated}\n\n`, delivered: 1 },
    );
    assert.deepEqual(await through((n) => new SseToolResult(n), `data: ${result}`), {
      out: `data: ${annotated}`,
      delivered: 1,
    });
  });
});
