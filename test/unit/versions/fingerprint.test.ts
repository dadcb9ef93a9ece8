import * as assert from 'node:assert/strict';
import { environmentMoves, fingerprint } from '../../../src/core/versions/fingerprint';

describe('versions: the moves between two closures', () => {
  it('equal members at equal versions move nothing, even when the recorded hash is not this one (a capture replays renamed paths)', () => {
    const now = fingerprint({ a: '1.0.0', 'a > b': '2.0.0' });
    assert.deepEqual(environmentMoves({ ...now, hash: 'recorded-elsewhere' }, now), []);
  });

  it('a record naming members by folder and one naming them as npm does compare member by member', () => {
    const byFolder = fingerprint({ '/srv/node_modules/a': '1.0.0', '/srv/node_modules/a/node_modules/b': '2.0.0' });
    assert.deepEqual(environmentMoves(byFolder, fingerprint({ a: '1.0.0', 'a > b': '2.0.0' })), []);
    assert.deepEqual(environmentMoves(byFolder, fingerprint({ a: '1.0.0', 'a > b': '3.0.0' })), [
      { name: 'a > b', from: '2.0.0', to: '3.0.0' },
    ]);
  });

  it('a member named like an Object property is a member like any other', () => {
    assert.deepEqual(
      environmentMoves(
        fingerprint({ '/srv/node_modules/constructor': '1.0.0' }),
        fingerprint({ constructor: '2.0.0' }),
      ),
      [{ name: 'constructor', from: '1.0.0', to: '2.0.0' }],
    );
  });
});
