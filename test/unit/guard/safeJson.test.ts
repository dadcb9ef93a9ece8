import * as assert from 'node:assert/strict';
import { serializeMessage } from '../../../src/guard/stdio/messages';
import { NATIVE_DEPTH, nestedDeeperThan, stringifyDeep, stringifyJson } from '../../../src/guard/stdio/safeJson';
import { random } from '../../reliability/relayCases';

/** A random value of what JSON.parse makes and the multiplexer adds (undefined members, spreads), seeded. */
function value(rand: () => number, depth: number): unknown {
  const int = (n: number) => Math.floor(rand() * n);
  const roll = int(depth > 6 ? 6 : 9);
  switch (roll) {
    case 0:
      return null;
    case 1:
      return rand() < 0.5;
    case 2:
      return [0, -0, 1.5, -1e21, 1e-7, 2 ** 53, NaN, Infinity][int(8)];
    case 3:
      return ['', 'a', 'é', '日本', '😀', '\u0000\u001f"\\', '\u2028', '\ud800', 'line\nbreak'][int(9)];
    case 4:
      return undefined;
    case 5:
      return int(1000);
    case 6:
    case 7:
      return Array.from({ length: int(4) }, () => value(rand, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(4); i > 0; i--)
        o[['a', 'b', '"q"', 'é', '1', '__proto__x', ''][int(7)]] = value(rand, depth + 1);
      return o;
    }
  }
}

const deep = (depth: number): string => '[{"k":'.repeat(depth) + '1' + '}]'.repeat(depth);

describe('guard: JSON at any depth (the relay path’s one writer)', () => {
  it('writes what JSON.stringify writes, on 2,000 random values (undefined members, -0, NaN, escapes, lone surrogates)', () => {
    const rand = random(37);
    for (let n = 0; n < 2_000; n++) {
      const v = { jsonrpc: '2.0', id: n, result: value(rand, 0) };
      assert.equal(stringifyDeep(v), JSON.stringify(v), `value ${n}`);
      assert.equal(stringifyJson(v), JSON.stringify(v), `value ${n}`);
    }
    const date = new Date(0);
    assert.equal(
      stringifyDeep({ at: date, list: [date, undefined, () => 1] }),
      JSON.stringify({ at: date, list: [date, undefined, () => 1] }),
    );
  });

  it('writes a value 100,000 levels deep (JSON.stringify throws RangeError near 4,500) back to the text it was read from', () => {
    const text = `{"jsonrpc":"2.0","id":1,"result":{"x":${deep(50_000)}}}`;
    assert.throws(() => JSON.stringify(JSON.parse(text)), RangeError);
    assert.equal(stringifyJson(JSON.parse(text) as object), text);
    assert.equal(serializeMessage(JSON.parse(text) as Record<string, unknown>), `${text}\n`);
  });

  it('fails as JSON.stringify does on what JSON cannot say: a cycle, a BigInt', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    assert.throws(() => stringifyDeep(cycle), TypeError);
    assert.throws(() => stringifyDeep({ n: 1n }), TypeError);
  });

  it('measures nesting with a stack of its own, stopping once it knows', () => {
    assert.equal(nestedDeeperThan(5, 0), false);
    assert.equal(nestedDeeperThan([], 0), true);
    assert.equal(nestedDeeperThan([], 1), false);
    assert.equal(nestedDeeperThan({ a: [{}] }, 2), true);
    assert.equal(nestedDeeperThan({ a: [{}] }, 3), false);
    assert.equal(nestedDeeperThan(JSON.parse(deep(128)), 256), false);
    assert.equal(nestedDeeperThan(JSON.parse(`[${deep(128)}]`), 256), true);
    assert.equal(nestedDeeperThan(JSON.parse(deep(100_000)), NATIVE_DEPTH), true);
  });
});
