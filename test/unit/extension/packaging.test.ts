import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../../support/repo';
import { CLI_BUNDLES } from '../../../src/core/configEdit/guardInstall';

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

  it('the guard the extension installs (<root>/bin) carries every CLI bundle the build writes', () => {
    // cli.js loads the others by name: one left out (the relay once was) fails that command's launch.
    const build = fs.readFileSync(path.join(repoRoot, 'scripts', 'build.mjs'), 'utf8');
    const cliBundles = [...build.matchAll(/outfile:\s*'dist\/(cli-[^']+\.js)'/g)].map((m) => m[1]);
    assert.ok(cliBundles.length >= 4, `CLI bundles found in scripts/build.mjs: ${cliBundles.join(', ')}`);
    assert.deepEqual(
      cliBundles.filter((f) => !(CLI_BUNDLES as readonly string[]).includes(f)),
      [],
    );
  });
});
