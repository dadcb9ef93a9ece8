import * as assert from 'node:assert/strict';
import { isSecretName, redactArgs, redactDeep, redactUrl } from '../../../src/core/base/redact';

describe('redaction helpers', () => {
  it('redactDeep masks known values in every string of plain data, but not paths given as values', () => {
    const data = { a: ['x tok-abcdef y', { b: 'tok-abcdef' }], n: 3, file: '/srv/data/file.json', nil: null };
    assert.deepEqual(redactDeep(data, new Set(['tok-abcdef', '/srv/data'])), {
      a: ['x <redacted> y', { b: '<redacted>' }],
      n: 3,
      file: '/srv/data/file.json',
      nil: null,
    });
  });

  it('an Authorization value in an argument, and secret-named header, query and flag names', () => {
    assert.deepEqual(redactArgs(['--header', 'Authorization: Bearer abcdef123456', 'Basic dXNlcjpwYXNz']), [
      '--header',
      'Authorization: Bearer <redacted>',
      'Basic <redacted>',
    ]);
    assert.equal(
      redactUrl('https://h/mcp?key=abc&authorization=def&monkey=ok'),
      'https://h/mcp?key=<redacted>&authorization=<redacted>&monkey=ok',
    );
    assert.ok(isSecretName('X-Api-Key') && isSecretName('Cookie') && !isSecretName('monkey'));
  });

  it('a URL given as a --flag= value loses its credentials, the rest of the value stays', () => {
    assert.deepEqual(
      redactArgs(['--url=https://me:hunter2hunter2@db.local:5432/x?token=abcdef&db=main', '--port=8080']),
      ['--url=https://<redacted>@db.local:5432/x?token=<redacted>&db=main', '--port=8080'],
    );
  });
});

describe('redactDeep keeps what is not a secret', () => {
  it('paths that look like token shapes and short values stay', () => {
    const data = { file: '/home/u/sk-learn-experiments-2024/.vscode/mcp.json', port: '8080' };
    assert.deepEqual(redactDeep(data, new Set(['8080'])), data);
  });
});
