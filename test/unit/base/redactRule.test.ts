import * as assert from 'node:assert/strict';
import {
  isPlainPath,
  masksInside,
  maskSecret,
  REDACTED,
  redactArgs,
  redactDeep,
  redactOutputLine,
  redactText,
} from '../../../src/core/base/redact';

/**
 * The one rule for where a known secret value (an entry's env value) is masked, which status, the
 * views, logs and captures all follow: a token wherever it appears; a plain path where it stands
 * whole, never inside the paths under it; a short value nowhere outside its own place.
 */
describe('redaction: where a known secret value is masked', () => {
  const folder = '/home/me/code';
  const token = 'Sesame-Blue-Walrus-7731';

  it('a plain path is a place: no token shape, no secret-named flag inside it, on any platform', () => {
    for (const p of [folder, '/tmp/x/data', '~/notes', 'C:\\Users\\me\\data', '\\\\server\\share', './data', '/a b/c'])
      assert.equal(isPlainPath(p), true, p);
    for (const v of [
      token,
      '~secret-value',
      '/srv/ghp_abcdefghijklmnopqrstuvwxyz0123456789',
      "/bin/sh -c 'srv --token hunter2-secret'",
      '/srv/x\nsecond line',
      'https://me:pw@host/x',
    ])
      assert.equal(isPlainPath(v), false, v);
  });

  it('a token is masked wherever it stands; a plain path only as a whole path; a short value nowhere', () => {
    const by = '<X>';
    assert.equal(maskSecret(`a${token}b ${token}`, token, by), `a${by}b ${by}`);
    assert.equal(masksInside(token), true);
    assert.equal(masksInside(folder), false);
    for (const [text, masked] of [
      [folder, by],
      [`--root=${folder}`, `--root=${by}`],
      [`wrote ${folder}.`, `wrote ${by}.`],
      [`cd "${folder}" && node x.js`, `cd "${by}" && node x.js`],
      [`file://${folder}`, `file://${by}`],
      [`PATH=${folder}:/usr/bin`, `PATH=${by}:/usr/bin`],
      // The files under it, and other names that start or end like it, are other paths.
      [`${folder}/server.js`, `${folder}/server.js`],
      [`${folder}2/x`, `${folder}2/x`],
      [`${folder}.bak`, `${folder}.bak`],
      [`${folder}-old`, `${folder}-old`],
      [`/var${folder}`, `/var${folder}`],
    ])
      assert.equal(maskSecret(text, folder, by), masked, text);
    assert.equal(maskSecret('C:\\Users\\me\\data\\x.json', 'C:\\Users\\me\\data', by), 'C:\\Users\\me\\data\\x.json');
    for (const short of ['1', 'true', '8080', 'abcde']) {
      assert.equal(masksInside(short), false, short);
      assert.equal(maskSecret(`${short} v${short}.2 ${short}`, short, by), `${short} v${short}.2 ${short}`, short);
      assert.equal(maskSecret(short, short, by), short, short);
    }
  });

  it('status and logs: the paths under a folder an entry names stay readable; the folder alone is masked', () => {
    const known = new Set([folder, token, '1', 'true']);
    assert.equal(
      redactText(`node ${folder}/server.js --label=${token}`, known),
      `node ${folder}/server.js --label=${REDACTED}`,
    );
    assert.equal(redactText(folder, known), REDACTED);
    assert.deepEqual(
      redactArgs(['node', `${folder}/server.js`, '--root', folder, '--verbose', '1', '--on', 'true'], known),
      ['node', `${folder}/server.js`, '--root', REDACTED, '--verbose', '1', '--on', 'true'],
    );
    assert.equal(
      redactOutputLine(`wrote ${folder}/notes.json (1 of 1, ok=true) for ${token}`, known),
      `wrote ${folder}/notes.json (1 of 1, ok=true) for ${REDACTED}`,
    );
  });

  it('a path that holds a token is no place: masked inside a text like any token', () => {
    const keyed = '/srv/keys/sk-abcdefghijklmnopqrstuv';
    assert.equal(redactText(`cat ${keyed}/x`, new Set([keyed])), `cat ${REDACTED}/x`);
  });

  it('the snapshot as a whole (redactDeep) follows the same rule inside its strings', () => {
    const data = { commandLine: `node ${folder}/server.js ${token}`, count: 1, flag: 'true' };
    assert.deepEqual(redactDeep(data, new Set([folder, token, 'true'])), {
      commandLine: `node ${folder}/server.js ${REDACTED}`,
      count: 1,
      flag: 'true',
    });
  });
});
