import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { findOwningPackageJson, launchedScript, npmVersionOfLaunch } from '../../../src/core/versions/npm';

describe('versions/npm: the package a launch runs, and its installed version', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'lgn-')));
    const pkg = path.join(tmp, 'node_modules', '@scope', 'srv');
    fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@scope/srv', version: '1.0.0' }));
    // A nested marker package.json without a name is not the package.
    fs.writeFileSync(path.join(pkg, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
    fs.writeFileSync(path.join(pkg, 'dist', 'index.js'), '');
    fs.mkdirSync(path.join(tmp, 'node_modules', '.bin'));
    fs.symlinkSync('../@scope/srv/dist/index.js', path.join(tmp, 'node_modules', '.bin', 'srv'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('follows the bin symlink to the package, and sees an upgrade on the next call', async () => {
    const bin = path.join(tmp, 'node_modules', '.bin', 'srv');
    assert.equal(await findOwningPackageJson(bin), path.join(tmp, 'node_modules', '@scope', 'srv', 'package.json'));
    const probe = await npmVersionOfLaunch({ command: bin, args: [], cwd: tmp, env: {} });
    assert.deepEqual(await probe!.installed(), { state: 'known', name: '@scope/srv', version: '1.0.0', ecosystem: 'npm' });
    fs.writeFileSync(path.join(tmp, 'node_modules', '@scope', 'srv', 'package.json'), JSON.stringify({ name: '@scope/srv', version: '1.10.0' }));
    assert.equal(((await probe!.installed()) as { version: string }).version, '1.10.0');
    fs.rmSync(path.join(tmp, 'node_modules', '@scope', 'srv', 'package.json'));
    assert.equal((await probe!.installed()).state, 'unknown');
  });

  it('resolves `node script.js` to the script and a bare command on PATH; npx is not guessed at', async () => {
    assert.equal(await launchedScript({ command: 'node', args: ['--no-warnings', 'node_modules/@scope/srv/dist/index.js'], cwd: tmp, env: { PATH: path.dirname(process.execPath) } }), path.join(tmp, 'node_modules/@scope/srv/dist/index.js'));
    assert.equal(await launchedScript({ command: 'node', args: ['--require', 'hook.cjs', 'node_modules/@scope/srv/dist/index.js'], cwd: tmp, env: { PATH: path.dirname(process.execPath) } }), path.join(tmp, 'node_modules/@scope/srv/dist/index.js'));
    assert.equal(await launchedScript({ command: 'srv', args: [], cwd: '/', env: { PATH: path.join(tmp, 'node_modules', '.bin') } }), path.join(tmp, 'node_modules', '.bin', 'srv'));
    assert.equal(await npmVersionOfLaunch({ command: 'npx', args: ['-y', '@scope/srv'], cwd: tmp, env: { PATH: tmp } }), undefined);
  });
});
