import * as assert from 'node:assert/strict';
import { makeTempDir } from '../support/temp';
import { random, relayCase } from './relayCases';
import { sameOrAnnotated, ScriptedGuard } from './scriptedGuard';

/** The fuzz's size and seed: MCP_LIFEGUARD_FUZZ_CASES and MCP_LIFEGUARD_FUZZ_SEED run another (a failure names its seed). */
const CASES = Number(process.env.MCP_LIFEGUARD_FUZZ_CASES) || 2_000;
const SEED = Number(process.env.MCP_LIFEGUARD_FUZZ_SEED) || 20_261_123;

/** The lines of a server's output, each without its `\n`. */
function linesOf(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = bytes.indexOf(0x0a); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
    lines.push(bytes.subarray(start, nl));
    start = nl + 1;
  }
  return lines;
}

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

  it("a stale server's tool result nested 6,000 and 100,000 levels deep is relayed (annotated), and the session goes on", async () => {
    guard = new ScriptedGuard(makeTempDir('lg-relay-'));
    await guard.handshake();
    await guard.makeStale();
    for (const depth of [6_000, 100_000]) {
      const { sent, received } = await guard.call((id) => [
        Buffer.from(
          `{"jsonrpc":"2.0","id":${id},"result":{"content":[{"type":"text","text":"deep","_meta":{"nest":${nested(depth)}}}]}}\n`,
        ),
      ]);
      assert.equal(received.length, 1);
      assert.equal(sameOrAnnotated(sent.subarray(0, -1), received[0]), 'annotated', `depth ${depth}`);
    }
    // The session goes on: the next call is answered and annotated as before.
    const { sent, received } = await guard.call((id) => [
      Buffer.from(`{"jsonrpc":"2.0","id":${id},"result":{"content":[]}}\n`),
    ]);
    assert.equal(sameOrAnnotated(sent.subarray(0, -1), received[0]), 'annotated');
    assert.equal(guard.child.exitCode, null, `the guard runs; stderr: ${guard.stderr.slice(-1000)}`);
  });

  it(`fuzz: ${CASES} seeded calls of hostile output reach the client byte for byte, in order, plus our blocks (seed ${SEED})`, async function () {
    // Bounded: about 2,000 calls in well under a minute on a busy 2-core machine.
    this.timeout(240_000);
    guard = new ScriptedGuard(makeTempDir('lg-fuzz-'));
    await guard.handshake();
    await guard.makeStale();
    const rand = random(SEED);
    const seen = new Map<string, { cases: number; annotated: number }>();
    for (let n = 0; n < CASES; n++) {
      let c: ReturnType<typeof relayCase> | undefined;
      const { sent, received } = await guard.call(
        (id) => {
          c = relayCase(rand, id);
          return c.chunks;
        },
        0,
        60_000,
      );
      const where = `case ${n} (${c!.kind}, seed ${SEED})`;
      const lines = linesOf(sent);
      assert.equal(received.length, lines.length, where);
      for (const [i, line] of lines.entries()) {
        const outcome = sameOrAnnotated(line, received[i]);
        if (i !== c!.answerLine)
          assert.equal(outcome, 'same', `${where}, line ${i}: a line that is not the answer is relayed as written`);
        else if (c!.mustAnnotate) assert.equal(outcome, 'annotated', `${where}: the answer carries the notice`);
        else assert.notEqual(outcome, 'changed', `${where}: the answer is relayed as written or annotated`);
        if (i === c!.answerLine) {
          const tally = seen.get(c!.kind) ?? { cases: 0, annotated: 0 };
          tally.cases++;
          if (outcome === 'annotated') tally.annotated++;
          seen.set(c!.kind, tally);
        }
      }
    }
    assert.equal(guard.child.exitCode, null, `the guard runs; stderr: ${guard.stderr.slice(-1000)}`);
    // Every kind came up, and the answers that must not be annotated never were.
    assert.equal(seen.size, 9, JSON.stringify([...seen]));
    for (const kind of [
      'error',
      'not-json',
      'duplicate-result',
      'duplicate-content',
      'content-not-array',
      'invalid-utf8',
    ])
      assert.equal(seen.get(kind)?.annotated, 0, kind);
    assert.doesNotMatch(guard.stderr, /internal error|RangeError/);
  });
});
