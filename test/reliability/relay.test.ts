import * as assert from 'node:assert/strict';
import { makeTempDir } from '../support/temp';
import { sameOrAnnotated, ScriptedGuard } from './scriptedGuard';

/** `[[[...]]]` nested `depth` levels. */
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

/**
 * Nothing a server writes can crash or stall the stdio relay, with the stale notice on (the
 * default, annotate): the built guard before a server that writes hostile results.
 */
describe('reliability: the stdio relay survives what its server writes', function () {
  this.timeout(120_000);
  let guard: ScriptedGuard | undefined;

  afterEach(async () => {
    await guard?.stop();
    guard = undefined;
  });

  it('a stale server\'s tool result nested 6,000 and 100,000 levels deep is relayed (annotated), and the session goes on', async () => {
    guard = new ScriptedGuard(makeTempDir('lg-relay-'));
    await guard.handshake();
    await guard.makeStale();
    for (const depth of [6_000, 100_000]) {
      const { sent, received } = await guard.call((id) => [Buffer.from(`{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"deep","_meta":{"nest":${nested(depth)}}}]}}\n`)]);
      assert.equal(received.length, 1);
      assert.equal(sameOrAnnotated(sent.subarray(0, -1), received[0]), 'annotated', `depth ${depth}`);
    }
    // The session goes on: the next call is answered and annotated as before.
    const { sent, received } = await guard.call((id) => [Buffer.from(`{"jsonrpc":"2.0","id":${id},"result":{"content":[]}}\n`)]);
    assert.equal(sameOrAnnotated(sent.subarray(0, -1), received[0]), 'annotated');
    assert.equal(guard.child.exitCode, null, `the guard runs; stderr: ${guard.stderr.slice(-1000)}`);
  });
});
