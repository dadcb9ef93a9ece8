import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { linksOnPath } from '../../../src/core/versions/linkChain';
import { ctxFor, tempDir, write } from './layouts';

describe('versions: the links on the way to what a process runs', () => {
  it('names each link a path goes through (a link to a link too), with its own time; none inside node_modules, none for a relative path', async () => {
    const root = tempDir('lg-links-');
    write(path.join(root, 'opt', 'x-1.2', 'dist', 'index.js'), '');
    fs.symlinkSync('x-1.2', path.join(root, 'opt', 'x'));
    fs.symlinkSync(path.join(root, 'opt'), path.join(root, 'apps'));
    write(path.join(root, 'proj', 'node_modules', 'srv', 'index.js'), '');
    fs.mkdirSync(path.join(root, 'proj', 'node_modules', '.bin'));
    fs.symlinkSync('../srv/index.js', path.join(root, 'proj', 'node_modules', '.bin', 'srv'));
    const ctx = ctxFor(root);
    const linked = await linksOnPath(ctx, path.join(root, 'apps', 'x', 'dist', 'index.js'));
    assert.deepEqual(
      linked.map((l) => path.relative(root, l.path)),
      ['apps', 'opt/x'],
    );
    const own = fs.lstatSync(path.join(root, 'opt', 'x'));
    assert.equal(linked[1].at, Math.max(own.mtimeMs, own.ctimeMs));
    assert.deepEqual(await linksOnPath(ctx, path.join(root, 'opt', 'x-1.2', 'dist', 'index.js')), []);
    assert.deepEqual(await linksOnPath(ctx, path.join(root, 'proj', 'node_modules', '.bin', 'srv')), []);
    assert.deepEqual(await linksOnPath(ctx, 'opt/x/dist/index.js'), []);
  });
});
