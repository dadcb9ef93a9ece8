import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';

/**
 * The .vsix ships what `.vscodeignore` lets through: every bundle the build writes must be among
 * them, or the CLI shipped with the extension fails when `cli.js` picks the missing one.
 */
describe('packaging: the .vsix ships every bundle the build writes', () => {
  it('each dist/*.js outfile of scripts/build.mjs is let through by .vscodeignore', () => {
    const build = fs.readFileSync(path.join(repoRoot, 'scripts', 'build.mjs'), 'utf8');
    const outfiles = [...build.matchAll(/outfile:\s*'(dist\/[^']+\.js)'/g)].map((m) => m[1]);
    assert.ok(outfiles.length >= 5, `bundles found in scripts/build.mjs: ${outfiles.join(', ')}`);
    const shipped = new Set(
      fs
        .readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('!'))
        .map((l) => l.slice(1)),
    );
    assert.deepEqual(
      outfiles.filter((f) => !shipped.has(f)),
      [],
    );
  });
});
