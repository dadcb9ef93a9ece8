import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Installed } from '../../../src/core/base/versionTypes';
import {
  describeMove,
  environmentMoves,
  fingerprint,
  markStillInstalled,
} from '../../../src/core/versions/fingerprint';
import { stillInstalled } from '../../../src/core/versions/outsideClosure';
import { readNpmPackage } from '../../../src/core/versions/npmPackages';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, plainPackage, tempDir, venv } from './layouts';

/**
 * A dependency that only left the server's closure (its dependent stopped requiring it) is not
 * "removed" while it is still installed beside it: said as "no longer a dependency".
 */
describe('versions: a dependency that left the closure but is still installed', () => {
  it('is worded apart from a removed one', () => {
    assert.equal(describeMove({ name: 'six', from: '1.16.0' }), 'six 1.16.0 -> (removed)');
    assert.equal(
      describeMove({ name: 'six', from: '1.16.0', stillInstalled: '1.16.0' }),
      'six 1.16.0 -> (no longer a dependency, still installed)',
    );
    assert.equal(
      describeMove({ name: 'six', from: '1.16.0', stillInstalled: '1.17.0' }),
      'six 1.16.0 -> (no longer a dependency, still installed at 1.17.0)',
    );
    assert.equal(describeMove({ name: 'left-pad', to: '1.3.0' }), 'left-pad (absent) -> 1.3.0');
    const moves = environmentMoves(fingerprint({ a: '1', six: '1.16.0', gone: '2' }), fingerprint({ a: '2' }));
    assert.deepEqual(markStillInstalled(moves, { six: '1.16.0' }), [
      { name: 'a', from: '1', to: '2' },
      { name: 'gone', from: '2' },
      { name: 'six', from: '1.16.0', stillInstalled: '1.16.0' },
    ]);
  });

  it('npm: a closure member still in node_modules (flat or nested) is found with its version; a gone one is not', async () => {
    const root = tempDir('lg-left-npm-');
    const nm = path.join(root, 'app', 'node_modules');
    plainPackage(path.join(nm, 'srv'), 'srv', '1.1.0', { dependencies: { 'dep-a': '*' } });
    plainPackage(path.join(nm, 'dep-a'), 'dep-a', '1.0.0');
    plainPackage(path.join(nm, 'pkce-challenge'), 'pkce-challenge', '5.0.1');
    plainPackage(path.join(nm, 'dep-a', 'node_modules', 'inner'), 'inner', '3.0.0');
    const ctx = ctxFor(root);
    const installed = await readNpmPackage(ctx, path.join(nm, 'srv'), 'test');
    assert.equal(installed?.state, 'installed');
    assert.deepEqual(await stillInstalled(ctx, installed!, ['pkce-challenge', 'dep-a > inner', 'gone', 'srv > x']), {
      'pkce-challenge': '5.0.1',
      'dep-a > inner': '3.0.0',
    });
  });

  it('Python: a distribution still in the site-packages is found by its normalised name', async () => {
    const root = tempDir('lg-left-py-');
    venv(path.join(root, 'venv'), [
      { name: 'srv', version: '2.0.0', scripts: ['srv'], requires: ['dep-a'] },
      { name: 'dep-a', version: '1.0.0' },
      { name: 'Six_Old', version: '1.16.0' },
    ]);
    const { installed } = await resolveInstalled(ctxFor(root), {
      command: path.join(root, 'venv', 'bin', 'python'),
      args: ['-m', 'srv'],
    });
    assert.equal(installed.state, 'installed', JSON.stringify(installed));
    assert.deepEqual(await stillInstalled(ctxFor(root), installed, ['six-old', 'gone']), { 'six-old': '1.16.0' });
    // A script's location is the script: its environment is the site-packages its closure was read from.
    const sp = path.join(root, 'venv', 'lib', 'python3.11', 'site-packages');
    const script: Installed = {
      state: 'installed',
      ecosystem: 'python',
      name: 'srv.py',
      version: 'mcp 2.3.0',
      how: 'the script',
      location: path.join(root, 'app', 'srv.py'),
      sitePackages: sp,
      dev: { root: path.join(root, 'app'), how: 'a script', newest: [], script: true },
    };
    assert.deepEqual(await stillInstalled(ctxFor(root), script, ['six-old', 'gone']), { 'six-old': '1.16.0' });
    // A JavaScript script's members are in its project's node_modules.
    plainPackage(path.join(root, 'proj', 'node_modules', 'certifi-js'), 'certifi-js', '2.0.0');
    const js: Installed = {
      state: 'installed',
      ecosystem: 'npm',
      name: 'server.mjs',
      version: 'script',
      how: 'the script',
      location: path.join(root, 'proj', 'server.mjs'),
      nodeProject: { dir: path.join(root, 'proj'), imports: [] },
      dev: { root: path.join(root, 'proj'), how: 'a script', newest: [], script: true },
    };
    assert.deepEqual(await stillInstalled(ctxFor(root), js, ['certifi-js', 'gone']), { 'certifi-js': '2.0.0' });
    const none: Installed = { state: 'unknown', reason: 'r' };
    assert.deepEqual(await stillInstalled(ctxFor(root), none, ['six-old']), {});
  });
});
