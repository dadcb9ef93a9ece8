import * as assert from 'node:assert/strict';
import { mapStrings } from '../../../src/core/base/mapStrings';

/**
 * mapStrings copies only what changed: a snapshot whose strings need no mask or escape is handed back
 * as it is, and one changed string copies the objects and arrays on its path alone.
 */
describe('mapStrings: copies only the path to a changed string', () => {
  const upper = (s: string) => (s.startsWith('x') ? s.toUpperCase() : s);

  it('nothing to change: the very same value, at every depth', () => {
    const data = { a: ['one', { b: 'two', n: 3 }], c: { d: null, e: true }, f: 'three' };
    assert.equal(mapStrings(data, upper), data);
  });

  it('one changed string: its objects and arrays are new, the rest is shared, the input is untouched', () => {
    const untouched = { k: 'keep' };
    const data = { a: ['one', { b: 'xb', n: 3 }, untouched], c: { d: 'same' }, z: 'last' };
    const before = structuredClone(data);
    const out = mapStrings(data, upper) as typeof data;
    assert.deepEqual(out, { a: ['one', { b: 'XB', n: 3 }, untouched], c: { d: 'same' }, z: 'last' });
    assert.deepEqual(data, before);
    assert.notEqual(out, data);
    assert.notEqual(out.a, data.a);
    assert.notEqual(out.a[1], data.a[1]);
    assert.equal(out.a[2], untouched);
    assert.equal(out.c, data.c);
    // Keys keep their order, those before and after the changed one alike.
    assert.deepEqual(Object.keys(out), ['a', 'c', 'z']);
  });

  it('a changed string in the last place of an array and in the first key of an object', () => {
    const data = { arr: ['a', 'b', 'xc'], obj: { first: 'xf', second: 's' } };
    assert.deepEqual(mapStrings(data, upper), { arr: ['a', 'b', 'XC'], obj: { first: 'XF', second: 's' } });
  });

  it('a key named "__proto__" stays an own property of a copy', () => {
    const data = JSON.parse('{"__proto__": {"p": "x1"}, "q": "x2"}') as Record<string, unknown>;
    const out = mapStrings(data, upper) as Record<string, unknown>;
    assert.ok(Object.prototype.hasOwnProperty.call(out, '__proto__'));
    assert.deepEqual(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, { p: 'X1' });
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(out.q, 'X2');
  });
});
