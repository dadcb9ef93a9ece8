import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lifeguardPaths } from '../../../src/core/base/paths';
import { launchRecordPath, readHttpLaunch, recordHttpLaunch } from '../../../src/core/http/launchRecord';
import { makeTempDir } from '../../support/temp';

describe('http: the launch ensure records for Start', () => {
  const setup = () => {
    const root = makeTempDir('lg-launchrec-');
    fs.chmodSync(root, 0o700);
    return lifeguardPaths({ home: root, platform: process.platform, env: { MCP_LIFEGUARD_HOME: root } });
  };
  const argv = ['ensure', '--http', '--listen', '127.0.0.1:3001', '--', 'npx', '-y', 'web-mcp'];

  it('is written privately and read back for any loopback URL of its port, never for another host or port', async () => {
    const paths = setup();
    const r = await recordHttpLaunch(paths, {
      host: '127.0.0.1',
      port: 3001,
      argv,
      cwd: '/w',
      recordedAt: '2026-11-23T10:00:00.000Z',
    });
    assert.equal(r.recorded, true);
    assert.equal(fs.statSync(launchRecordPath(paths, 3001)).mode & 0o777, 0o600);
    for (const url of ['http://127.0.0.1:3001/mcp', 'http://localhost:3001/', 'http://[::1]:3001/mcp'])
      assert.deepEqual((await readHttpLaunch(paths, url))?.argv, argv, url);
    for (const url of ['http://10.0.0.2:3001/mcp', 'http://127.0.0.1:3002/mcp', 'not a url', undefined])
      assert.equal(await readHttpLaunch(paths, url), undefined, String(url));
  });

  it('never stores a command line that holds a secret, nor a non-loopback listen address', async () => {
    const paths = setup();
    const token = await recordHttpLaunch(paths, {
      host: '127.0.0.1',
      port: 3001,
      argv: [...argv, '--token', 'ghp_0123456789abcdefABCDEF0123456789abcd'],
      cwd: '/w',
      recordedAt: 'now',
    });
    assert.deepEqual(
      token.recorded ? 'recorded' : token.reason,
      'argument 10 holds what looks like a secret, which is never stored',
    );
    const remote = await recordHttpLaunch(paths, { host: '0.0.0.0', port: 3001, argv, cwd: '/w', recordedAt: 'now' });
    assert.equal(remote.recorded, false);
    assert.equal(fs.existsSync(launchRecordPath(paths, 3001)), false);
  });

  it('ignores a record edited into something else: another shape, another command, a secret, another port, a link', async () => {
    const paths = setup();
    await recordHttpLaunch(paths, { host: '127.0.0.1', port: 3001, argv, cwd: '/w', recordedAt: 'now' });
    const file = launchRecordPath(paths, 3001);
    const good = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    const bad = [
      { ...good, argv: ['run', '--', 'sh'] },
      { ...good, argv: [...argv, '--password=hunter2hunter2'] },
      { ...good, port: 3002 },
      { ...good, version: 2 },
      'not json',
    ];
    for (const b of bad) {
      fs.writeFileSync(file, typeof b === 'string' ? b : JSON.stringify(b));
      assert.equal(await readHttpLaunch(paths, 'http://127.0.0.1:3001/mcp'), undefined, JSON.stringify(b));
    }
    // `ensure --share` listens with --share-listen, and only it: one loopback address at the record's port.
    const share = ['ensure', '--share', '--name', 'm', '--share-listen', '127.0.0.1:3001', '--', 'npx', 'web-mcp'];
    fs.writeFileSync(file, JSON.stringify({ ...good, argv: share }));
    assert.deepEqual((await readHttpLaunch(paths, 'http://127.0.0.1:3001/mcp'))?.argv, share);
    for (const b of [
      ['ensure', '--share', '--name', 'm', '--share-listen', '10.0.0.1:3001', '--', 'x'],
      ['ensure', '--share', '--name', 'm', '--share-listen', '127.0.0.1:3002', '--', 'x'],
      ['ensure', '--share', '--name', 'm', '--listen', '127.0.0.1:3001', '--', 'x'],
      ['ensure', '--share', '--listen', '127.0.0.1:9', '--share-listen=127.0.0.1:3001', '--', 'x'],
      ['ensure', '--http', '--share-listen', '127.0.0.1:3001', '--', 'x'],
    ]) {
      fs.writeFileSync(file, JSON.stringify({ ...good, argv: b }));
      assert.equal(await readHttpLaunch(paths, 'http://127.0.0.1:3001/mcp'), undefined, b.join(' '));
    }
    fs.rmSync(file);
    const elsewhere = path.join(paths.root, 'elsewhere.json');
    fs.writeFileSync(elsewhere, JSON.stringify(good));
    fs.symlinkSync(elsewhere, file);
    assert.equal(await readHttpLaunch(paths, 'http://127.0.0.1:3001/mcp'), undefined, 'a link is never followed');
  });
});
