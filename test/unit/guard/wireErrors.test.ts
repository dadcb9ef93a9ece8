import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GuardErrorCode, JsonRpcErrorCode } from '../../../src/guard/wireErrors';
import { sourceFiles } from '../../support/importGraph';
import { repoRoot } from '../../support/repo';

/** Every code the guard answers with itself, as `code name` lines. */
const defined = Object.entries({ ...JsonRpcErrorCode, ...GuardErrorCode })
  .map(([name, code]) => `${code} ${name}`)
  .sort();

describe('guard: the JSON-RPC error codes it answers with itself', () => {
  it('are each defined once, in src/guard/wireErrors.ts, with no two names for one code', () => {
    const codes = defined.map((line) => line.split(' ')[0]);
    assert.equal(new Set(codes).size, codes.length);
    // A code written out elsewhere in src/ (outside comments) would be a second definition.
    const literal = /(?<![\w.])-32\d{3}\b/;
    const elsewhere = sourceFiles(path.join(repoRoot, 'src'))
      .filter((f) => !f.endsWith(path.join('guard', 'wireErrors.ts')))
      .flatMap((f) =>
        fs
          .readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ line: line.trim(), at: `${path.relative(repoRoot, f)}:${i + 1}` }))
          .filter(({ line }) => !/^(\/\/|\/?\*)/.test(line) && literal.test(line.replace(/\/\/.*$/, '')))
          .map(({ at }) => at),
      );
    assert.deepEqual(elsewhere, []);
  });

  it('are each documented in docs/guard-errors.md, in its table "Error codes", and no other', () => {
    const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'guard-errors.md'), 'utf8');
    const table = doc.slice(doc.indexOf('## Error codes'));
    const documented = [...table.matchAll(/^\| (-32\d{3}) \| `(\w+)` \| [^|]+ \| [^|]+ \|$/gm)]
      .map((m) => `${m[1]} ${m[2]}`)
      .sort();
    assert.deepEqual(documented, defined);
  });
});
