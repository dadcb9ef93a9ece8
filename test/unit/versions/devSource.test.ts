import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { devRootOf, newestSourceFiles, withDevSource } from '../../../src/core/versions/devSource';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { Installed } from '../../../src/core/base/versionTypes';
import { ctxFor, distInfo, npmPackage, tempDir, venv, write } from './layouts';

describe('versions: development servers are judged by their own files', () => {
  it('a checkout run as `node dist/index.js` is a dev package; its newest code files are named, node_modules and .git are not walked', async () => {
    const home = tempDir();
    const repo = path.join(home, 'dev', 'my-server');
    write(path.join(repo, 'package.json'), JSON.stringify({ name: 'my-server', version: '0.1.0' }));
    write(path.join(repo, 'src', 'index.ts'), 'export {};\n');
    write(path.join(repo, 'README.md'), '# my server\n');
    npmPackage(path.join(repo, 'node_modules'), 'dep', '1.0.0');
    write(path.join(repo, '.git', 'HEAD'), 'ref: refs/heads/main\n');
    const script = write(path.join(repo, 'dist', 'index.js'), 'console.log(1)\n');
    const ctx = ctxFor(home, { PATH: path.dirname(process.execPath) });
    const r = await resolveInstalled(ctx, { command: process.execPath, args: [script] });
    assert.equal(r.installed.state, 'installed');
    if (r.installed.state !== 'installed') return;
    assert.equal(r.installed.dev?.root, repo);
    const named = r.installed.dev?.newest.map((f) => path.relative(repo, f.path)).sort();
    assert.deepEqual(named, ['dist/index.js', 'package.json', 'src/index.ts']);
    // A rebuild: the build output is newest, and its change time (ctime: a build cannot fake it) is the package's.
    await new Promise((r) => setTimeout(r, 30));
    fs.writeFileSync(script, 'console.log(2)\n');
    const files = await newestSourceFiles(ctx, repo);
    assert.equal(files.newest[0].path, script);
    assert.equal(files.changedAt, Math.max(fs.statSync(script).mtimeMs, fs.statSync(script).ctimeMs));
  });

  it('an installed release (inside node_modules) is not a dev package', async () => {
    const home = tempDir();
    const dir = npmPackage(path.join(home, 'app', 'node_modules'), 'srv', '2.0.0');
    const inst: Installed = {
      state: 'installed',
      ecosystem: 'npm',
      name: 'srv',
      version: '2.0.0',
      how: 'h',
      location: dir,
    };
    assert.equal(await devRootOf(ctxFor(home), inst), undefined);
    assert.equal(
      (await withDevSource(ctxFor(home), inst)).state === 'installed' &&
        'dev' in (await withDevSource(ctxFor(home), inst)),
      false,
    );
  });

  it('an editable Python install (PEP 610 direct_url.json) points at its project folder', async () => {
    const home = tempDir();
    const project = path.join(home, 'dev', 'pysrv');
    write(path.join(project, 'pysrv', '__init__.py'), 'VERSION = "0.1"\n');
    write(path.join(project, 'pyproject.toml'), '[project]\nname = "pysrv"\n');
    const sp = venv(path.join(home, 'v'), []);
    const info = distInfo(sp, { name: 'pysrv', version: '0.1.0' });
    write(
      path.join(info, 'direct_url.json'),
      JSON.stringify({ url: pathToFileURL(project).href, dir_info: { editable: true } }),
    );
    const inst: Installed = {
      state: 'installed',
      ecosystem: 'python',
      name: 'pysrv',
      version: '0.1.0',
      how: 'h',
      location: info,
    };
    const dev = await withDevSource(ctxFor(home), inst);
    assert.equal(dev.state === 'installed' && dev.dev?.root, project);
    assert.match(dev.state === 'installed' ? (dev.dev?.how ?? '') : '', /editable/);
    // A regular (non-editable) install from a local folder is a release.
    write(path.join(info, 'direct_url.json'), JSON.stringify({ url: pathToFileURL(project).href, dir_info: {} }));
    assert.equal(await devRootOf(ctxFor(home), inst), undefined);
  });
});
