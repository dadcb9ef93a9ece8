import * as assert from 'node:assert/strict';
import { redactDeep } from '../../../src/core/base/redact';

/**
 * redactDeep masks every known secret value in every string of a snapshot, in one pass per string
 * whatever the number of secrets (bench/sources.bench.ts measures 20,000 of them).
 */
describe('redactDeep: one matcher for every known secret', () => {
  it('every occurrence is masked, in strings at any depth; keys, numbers and null stay', () => {
    const data = { a: ['x tok-abcdef y tok-abcdef', { b: 'tok-abcdeftok-abcdef' }], n: 3, nil: null, t: true };
    assert.deepEqual(redactDeep(data, new Set(['tok-abcdef'])), {
      a: ['x <redacted> y <redacted>', { b: '<redacted><redacted>' }],
      n: 3,
      nil: null,
      t: true,
    });
  });

  it('values shorter than 6 characters and path-like values are not masked', () => {
    const data = {
      port: 'listening on 8080',
      short: 'abcde abcde',
      file: '/srv/data/file.json',
      home: '~/data/x',
      win: 'C:\\data\\x',
      rel: './data/x',
    };
    assert.deepEqual(redactDeep(data, new Set(['8080', 'abcde', '/srv/data', '~/data', 'C:\\data', './data'])), data);
  });

  it('where two secrets overlap, the longer one starting first is masked whole: no tail shows', () => {
    const secrets = new Set(['secret', 'secret-long-tail', 'cret-l-other']);
    assert.equal(redactDeep('a secret-long-tail b', secrets), 'a <redacted> b');
    assert.equal(redactDeep('a secret b secret-long-tail', secrets), 'a <redacted> b <redacted>');
    assert.equal(redactDeep('xsecret-l-other', secrets), 'x<redacted>-l-other');
  });

  it('20,000 secrets sharing their first characters: each masked where it appears, nothing else touched', () => {
    const secrets = new Set<string>();
    const data: Array<{ id: string; msg: string }> = [];
    for (let i = 0; i < 20_000; i++) {
      const s = `sk-ant-${i.toString(36).padStart(6, '0')}-value`;
      secrets.add(s);
      data.push({ id: `srv${i}`, msg: `launch with ${s} and sk-ant-unknown-value` });
    }
    const out = redactDeep(data, secrets);
    out.forEach((o, i) =>
      assert.deepEqual(o, { id: `srv${i}`, msg: 'launch with <redacted> and sk-ant-unknown-value' }),
    );
  });

  it('no secrets (or only ignored ones): the data comes back equal', () => {
    const data = { s: 'anything at all', list: ['a', 'b'] };
    assert.deepEqual(redactDeep(data, new Set()), data);
    assert.deepEqual(redactDeep(data, new Set(['a', '/x/y'])), data);
  });
});
