import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isShimLocation, parseBinShim, shimScriptPath } from '../../../src/core/launch/binShim';
import { runnerHomes } from '../../../src/core/launch/runnerHomes';
import { recordedMachine } from '../../../src/core/machine/recorded';
import { machineLaunchFacts } from '../../../src/core/processes/launchFacts';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { fixturesDir } from '../../support/repo';
import { virtualRecord } from '../../support/virtualMachine';

/** The shims npm 11.19.1's cmd-shim 8.0.0 wrote for `npm i -g @modelcontextprotocol/server-memory` (the prefix's three). */
const globalShim = (ext: 'cmd' | 'ps1' | 'sh') =>
  fs.readFileSync(path.join(fixturesDir, 'shims', `cmd-shim-8.0.0-global.${ext}`), 'utf8');
const SCRIPT = 'node_modules/@modelcontextprotocol/server-memory/dist/index.js';

const home = 'C:\\Users\\ana';
const roaming = `${home}\\AppData\\Roaming`;
const pkg = `${roaming}\\npm\\node_modules\\@modelcontextprotocol\\server-memory`;

/** A Windows machine with server-memory installed by `npm i -g`, its prefix the default or `prefix`. */
function windowsMachine(o: { prefix?: string; npmrc?: string } = {}) {
  const prefix = o.prefix ?? `${roaming}\\npm`;
  const memory = `${prefix}\\node_modules\\@modelcontextprotocol\\server-memory`;
  return recordedMachine(
    virtualRecord({
      platform: 'win32',
      home,
      env: {
        USERPROFILE: home,
        APPDATA: roaming,
        LOCALAPPDATA: `${home}\\AppData\\Local`,
        Path: `${prefix};C:\\Program Files\\nodejs;C:\\WINDOWS\\system32`,
        PATHEXT: '.COM;.EXE;.BAT;.CMD',
      },
      selfPid: 1,
      now: Date.parse('2026-11-26T11:30:00Z'),
      files: {
        [`${prefix}\\mcp-server-memory`]: globalShim('sh'),
        [`${prefix}\\mcp-server-memory.cmd`]: globalShim('cmd'),
        [`${prefix}\\mcp-server-memory.ps1`]: globalShim('ps1'),
        [`${memory}\\package.json`]: JSON.stringify({
          name: '@modelcontextprotocol/server-memory',
          version: '2026.8.31',
        }),
        [`${memory}\\dist\\index.js`]: '#!/usr/bin/env node\n',
        // npm's `.cmd` where this cannot tell a prefix (npm's own npmrc may name it) is read; its sh
        // form there is a file of the user's own, not read as a shim.
        'C:\\tools\\mcp-server-memory.cmd': globalShim('cmd'),
        'C:\\tools\\mcp-server-memory': globalShim('sh'),
        ...(o.npmrc !== undefined ? { [`${home}\\.npmrc`]: o.npmrc } : {}),
      },
    }),
  );
}

describe("launch: npm's global shims on Windows", () => {
  it('reads the script each of the three shims `npm i -g` writes in its prefix runs', () => {
    for (const ext of ['cmd', 'ps1', 'sh'] as const) assert.equal(parseBinShim(globalShim(ext)), SCRIPT, ext);
    assert.equal(
      shimScriptPath(`${roaming}\\npm\\mcp-server-memory.cmd`, SCRIPT),
      `${pkg}\\dist\\index.js`,
      "spelled as the shim's own path is",
    );
  });

  it("finds npm's prefix where npm does: npm_config_prefix, .npmrc's prefix=, else %APPDATA%\\npm; none off Windows", () => {
    const win = (env: Record<string, string>, npmrc?: string) =>
      runnerHomes({ home, platform: 'win32', env: { APPDATA: roaming, ...env } }, npmrc).npmShimFolders;
    assert.deepEqual(win({}), [`${roaming}\\npm`]);
    assert.deepEqual(win({ npm_config_prefix: 'D:\\npm-global' }), ['D:\\npm-global', `${roaming}\\npm`]);
    assert.deepEqual(win({}, 'cache=D:\\cache\nprefix = "D:\\npm-global"\n'), ['D:\\npm-global', `${roaming}\\npm`]);
    assert.deepEqual(runnerHomes({ home: '/home/u', platform: 'linux', env: {} }).npmShimFolders, []);
    assert.ok(isShimLocation('D:\\NPM-Global\\x.cmd', ['D:\\npm-global']), 'Windows compares names without case');
    assert.ok(isShimLocation('/srv/app/node_modules/.bin/x', []));
    assert.ok(isShimLocation('C:\\nvm4w\\nodejs\\x.cmd', []), "npm's .cmd shim wherever its prefix is");
    assert.ok(!isShimLocation('C:\\tools\\x', [`${roaming}\\npm`]));
  });

  it("reads a shim in the prefix, the default or a moved one, and npm's .cmd elsewhere, but no other file", () => {
    const facts = (m: ReturnType<typeof windowsMachine>) =>
      machineLaunchFacts(m, runnerHomes(m.host, m.fs.readTextSync(`${home}\\.npmrc`)).npmShimFolders);
    const atDefault = facts(windowsMachine());
    for (const shim of ['mcp-server-memory', 'mcp-server-memory.cmd', 'mcp-server-memory.ps1'])
      assert.equal(atDefault.binShimTarget?.(`${roaming}\\npm\\${shim}`), SCRIPT, shim);
    assert.equal(atDefault.binShimTarget?.('C:\\tools\\mcp-server-memory.cmd'), SCRIPT);
    assert.equal(atDefault.binShimTarget?.('C:\\tools\\mcp-server-memory'), undefined);
    const moved = facts(windowsMachine({ prefix: 'D:\\npm-global', npmrc: 'prefix=D:\\npm-global\n' }));
    assert.equal(moved.binShimTarget?.('D:\\npm-global\\mcp-server-memory.cmd'), SCRIPT);
  });

  it('a bare command is the package its shim runs: its name and version, not an unversioned program', async () => {
    const m = windowsMachine();
    const r = await resolveInstalled({ host: m.host, fs: m.fs }, { command: 'mcp-server-memory', args: [] });
    assert.equal(r.installed.state, 'installed', JSON.stringify(r.installed));
    if (r.installed.state !== 'installed') return;
    assert.deepEqual(
      [r.installed.ecosystem, r.installed.name, r.installed.version, r.installed.location],
      ['npm', '@modelcontextprotocol/server-memory', '2026.8.31', pkg],
    );
  });
});
