import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CLI_BUNDLES, findRuntime, installGuard, launcherText } from '../../../src/core/configEdit/guardInstall';

const run = promisify(execFile);

describe('extension: the guard installed at a stable per-user path', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-guard-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The bundles cli.js loads from its own folder, each saying its name. */
  const writeBundles = (tag = '') => {
    for (const name of CLI_BUNDLES)
      fs.writeFileSync(path.join(dir, name), `exports.tag = ${JSON.stringify(name + tag)};`);
  };

  it('installs a launcher that runs the copied CLI, and the bundles it loads beside it, with the given Node, and passes arguments through', async () => {
    const cli = path.join(dir, 'cli.js');
    writeBundles();
    fs.writeFileSync(
      cli,
      `process.stdout.write(JSON.stringify([${CLI_BUNDLES.map((n) => `require('./${n}').tag`).join(', ')}, ...process.argv.slice(2)]));`,
    );
    const binDir = path.join(dir, 'root', 'bin');
    const r = installGuard({
      binDir,
      cliSource: cli,
      platform: process.platform,
      runtime: { kind: 'node', path: process.execPath },
    });
    assert.ok(r.state === 'installed' && r.changed);
    const out = await run(r.launcher, ['run', '--', 'npx', "it's"], { shell: process.platform === 'win32' });
    assert.deepEqual(JSON.parse(out.stdout), [...CLI_BUNDLES, 'run', '--', 'npx', "it's"]);
  });

  it('rewrites nothing when up to date, and updates when the bundled CLI or a bundle it loads changed', () => {
    const cli = path.join(dir, 'cli.js');
    writeBundles();
    fs.writeFileSync(cli, '// v1');
    const o = {
      binDir: path.join(dir, 'bin'),
      cliSource: cli,
      platform: 'linux' as const,
      runtime: { kind: 'node' as const, path: '/usr/bin/node' },
    };
    assert.ok(installGuard(o).state === 'installed');
    const again = installGuard(o);
    assert.ok(again.state === 'installed' && again.changed === false);
    fs.writeFileSync(cli, '// v2');
    const updated = installGuard(o);
    assert.ok(updated.state === 'installed' && updated.changed);
    assert.equal(fs.readFileSync(path.join(dir, 'bin', 'mcp-lifeguard.js'), 'utf8'), '// v2');
    writeBundles(' v2');
    const bundles = installGuard(o);
    assert.ok(bundles.state === 'installed' && bundles.changed);
    assert.match(fs.readFileSync(path.join(dir, 'bin', CLI_BUNDLES[0]), 'utf8'), / v2/);
  });

  it('reports a failure instead of throwing', () => {
    const r = installGuard({
      binDir: path.join(dir, 'bin'),
      cliSource: path.join(dir, 'missing.js'),
      platform: 'linux',
      runtime: { kind: 'node', path: 'node' },
    });
    assert.equal(r.state, 'failed');
  });

  it('launchers quote paths and run Electron as Node when no Node is on PATH', () => {
    assert.equal(
      launcherText("/h/o'b/x.js", { kind: 'electron', path: '/opt/code/code' }, 'linux'),
      "#!/bin/sh\n# Written by MCP Lifeguard: runs the installed guard.\nELECTRON_RUN_AS_NODE=1 exec '/opt/code/code' '/h/o'\\''b/x.js' \"$@\"\n",
    );
    assert.match(
      launcherText('C:\\x.js', { kind: 'node', path: 'C:\\node.exe' }, 'win32'),
      /^@echo off\r\n.*"C:\\node\.exe" "C:\\x\.js" %\*\r\n$/s,
    );
    assert.deepEqual(
      findRuntime({ PATH: '/a:/b' }, 'linux', '/code', (p) => p === '/b/node'),
      { kind: 'node', path: '/b/node' },
    );
    assert.deepEqual(
      findRuntime({ PATH: '/a' }, 'linux', '/code', () => false),
      { kind: 'electron', path: '/code' },
    );
  });
});
