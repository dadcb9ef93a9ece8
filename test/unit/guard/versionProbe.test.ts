import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { probeLaunch } from '../../../src/guard/host/versionProbe';
import { makeTempDir } from '../../support/temp';

/** The guard's one version probe (both transports): the engine's resolvers over the guard's launch. */
describe('guard/host/versionProbe: the package a launch runs, and its installed version', () => {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.realpathSync(makeTempDir('lgn-'));
    const pkg = path.join(tmp, 'node_modules', '@scope', 'srv');
    fs.mkdirSync(path.join(pkg, 'dist'), { recursive: true });
    fs.writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({ name: '@scope/srv', version: '1.0.0', bin: { srv: 'dist/index.js' } }),
    );
    // A nested marker package.json without a name is not the package.
    fs.writeFileSync(path.join(pkg, 'dist', 'package.json'), JSON.stringify({ type: 'module' }));
    fs.writeFileSync(path.join(pkg, 'dist', 'index.js'), '');
    fs.mkdirSync(path.join(tmp, 'node_modules', '.bin'));
    fs.symlinkSync('../@scope/srv/dist/index.js', path.join(tmp, 'node_modules', '.bin', 'srv'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    HOME: tmp,
    PATH: path.dirname(process.execPath),
    ...extra,
  });

  it('follows the bin symlink to the package, and sees an upgrade and a removal on the next call', async () => {
    const bin = path.join(tmp, 'node_modules', '.bin', 'srv');
    const { probe, atStart } = await probeLaunch({ command: bin, args: [], cwd: tmp, env: env() });
    assert.deepEqual(atStart, { state: 'known', name: '@scope/srv', version: '1.0.0', ecosystem: 'npm' });
    fs.writeFileSync(
      path.join(tmp, 'node_modules', '@scope', 'srv', 'package.json'),
      JSON.stringify({ name: '@scope/srv', version: '1.10.0' }),
    );
    assert.equal(((await probe.installed()) as { version: string }).version, '1.10.0');
    fs.rmSync(path.join(tmp, 'node_modules', '@scope', 'srv', 'package.json'));
    assert.equal((await probe.installed()).state, 'unknown');
  });

  it("resolves `node [options] script.js` to the script's package and a bare command on PATH; an npx package not in any cache is unknown", async () => {
    for (const args of [
      ['--no-warnings', 'node_modules/@scope/srv/dist/index.js'],
      ['--require', 'hook.cjs', 'node_modules/@scope/srv/dist/index.js'],
    ]) {
      const { atStart } = await probeLaunch({ command: 'node', args, cwd: tmp, env: env() });
      assert.deepEqual(
        atStart,
        { state: 'known', name: '@scope/srv', version: '1.0.0', ecosystem: 'npm' },
        args.join(' '),
      );
    }
    const onPath = await probeLaunch({
      command: 'srv',
      args: [],
      cwd: '/',
      env: env({ PATH: path.join(tmp, 'node_modules', '.bin') }),
    });
    assert.equal(onPath.atStart.state === 'known' && onPath.atStart.name, '@scope/srv');
    const npx = await probeLaunch({ command: 'npx', args: ['-y', '@scope/other'], cwd: tmp, env: env() });
    assert.equal(npx.atStart.state, 'unknown');
  });
});
