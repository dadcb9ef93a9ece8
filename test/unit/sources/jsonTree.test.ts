import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { Node, ParseError, parseTree } from 'jsonc-parser';
import { forEachProperty, lazyTree } from '../../../src/core/sources/jsonTree';

/**
 * The lazy tree must be parseTree's tree, node for node (type, offset, length, colon, value), on
 * every error-free JSONC text: comments of both kinds, trailing commas, brackets and escaped
 * quotes inside strings, every line ending. Offsets are what the scan turns into line/column.
 */

function plain(node: Node | undefined): unknown {
  if (!node) return undefined;
  return {
    type: node.type,
    offset: node.offset,
    length: node.length,
    ...(node.colonOffset !== undefined ? { colonOffset: node.colonOffset } : {}),
    ...(node.type === 'object' || node.type === 'array' || node.type === 'property'
      ? { children: (node.children ?? []).map(plain) }
      : { value: node.value }),
  };
}

function assertSameTree(text: string): void {
  const errors: ParseError[] = [];
  const expected = parseTree(text, errors, { allowTrailingComma: true, allowEmptyContent: true });
  if (errors.length > 0) return;
  assert.deepEqual(plain(lazyTree(text)), plain(expected), text);
}

const trivia = fc.constantFrom(
  '',
  ' ',
  '\n',
  '\r\n',
  '\r',
  '\t',
  '// c ] } "\n',
  '// c {\r',
  '/* ] } " */',
  '/*\n{\n*/',
);
const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('a', 'a', '{', '}', '[', ']', '"', '\\', '/*', '//'));
const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom('null', 'true', 'false', '0', '-1.5e3', '12345678901234567890', '"x"', '"a\\"]}"', '"\\u00e9\\n"'),
    fc.string({ maxLength: 8 }).map((s) => JSON.stringify(s)),
    fc
      .tuple(fc.array(fc.tuple(trivia, key, tie('value'), trivia), { maxLength: 4 }), fc.boolean())
      .map(
        ([members, trailing]) =>
          `{${members.map(([a, k, v, b]) => `${a}${JSON.stringify(k)}${b}:${a}${v}${b}`).join(',')}${trailing && members.length > 0 ? ',' : ''}}`,
      ),
    fc
      .tuple(fc.array(fc.tuple(trivia, tie('value')), { maxLength: 4 }), fc.boolean())
      .map(
        ([items, trailing]) =>
          `[${items.map(([a, v]) => `${a}${v}`).join(',')}${trailing && items.length > 0 ? ',' : ''}]`,
      ),
  ),
})).value;

describe('sources: the lazy JSONC tree', () => {
  it("is parseTree's tree on random error-free JSONC", () => {
    fc.assert(
      fc.property(trivia, json, trivia, (a, v, b) => assertSameTree(`${a}${v}${b}`)),
      { numRuns: 2000 },
    );
  });

  it("is parseTree's tree on hand-picked texts", () => {
    for (const text of [
      '',
      '  ',
      '{}',
      '[]',
      '5',
      '"s"',
      '{"a":{"b":[1,{"c":"]}"}]},"d":null}',
      '{"a":1,}\n// end',
      '{"a" /* x */ : /* } */ {"b":2} // }\r}',
      '\ufeff{}'.slice(1),
    ]) {
      assertSameTree(text);
    }
  });

  it('reads a value whole inside the read of its parent (the scan reads each server while it walks the map)', () => {
    // The nodes of one text share their scanners: a read inside another's callback must not move the outer one.
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), json), { maxLength: 6 }), trivia, (members, t) => {
        const text = `{${members.map(([k, v]) => `${JSON.stringify(k)}:${t}${v}`).join(',')}}`;
        const errors: ParseError[] = [];
        const expected = parseTree(text, errors, { allowTrailingComma: true });
        if (errors.length > 0) return;
        const seen: unknown[] = [];
        forEachProperty(lazyTree(text)!, (key, offset, value) => seen.push([key, offset, plain(value)]));
        const want = (expected?.children ?? []).map((p) => [p.children![0].value, p.offset, plain(p.children![1])]);
        assert.deepEqual(seen, want, text);
      }),
      { numRuns: 500 },
    );
  });
});
