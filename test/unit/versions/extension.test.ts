import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { extensionFolderOf, extensionFolderOfLaunch } from '../../../src/core/versions/extension';
import { judge } from '../../../src/core/versions/judge';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, tempDir, write } from './layouts';

/**
 * A Claude Desktop extension (MCP Bundle) as installed: its folder is the package, its manifest's
 * version the installed version, the newest change among its files the change time. Claude
 * Desktop's update replaces the folder's files in place.
 */

describe('versions: Claude Desktop extensions', () => {
  it('finds the extension folder of a path, on every OS, from the path alone', () => {
    assert.equal(
      extensionFolderOf('/h/.config/Claude/Claude Extensions/a.b/server/index.js', 'linux'),
      '/h/.config/Claude/Claude Extensions/a.b',
    );
    assert.equal(
      extensionFolderOf('C:\\Users\\me\\AppData\\Roaming\\Claude\\Claude Extensions\\a.b\\srv.exe', 'win32'),
      'C:\\Users\\me\\AppData\\Roaming\\Claude\\Claude Extensions\\a.b',
    );
    assert.equal(extensionFolderOf('/h/.config/Claude/Claude Extensions', 'linux'), undefined);
    assert.equal(extensionFolderOf('/h/.config/Claude/Claude Extensions Settings/a.json', 'linux'), undefined);
    assert.equal(extensionFolderOf('Claude Extensions/a/x.js', 'linux'), undefined);
  });

  it("a launch's script, program or moved-to folder names it; a package a runner fetches does not", () => {
    const ext = '/h/Claude Extensions/x';
    assert.equal(extensionFolderOfLaunch(['node', `${ext}/server/index.js`, '--a'], undefined, 'linux'), ext);
    assert.equal(extensionFolderOfLaunch([`${ext}/bin/srv`], undefined, 'linux'), ext);
    assert.equal(extensionFolderOfLaunch(['python3', 'server/main.py'], ext, 'linux'), ext);
    assert.equal(extensionFolderOfLaunch(['uv', '--directory', ext, 'run', 'srv'], undefined, 'linux'), ext);
    assert.equal(extensionFolderOfLaunch(['npx', '-y', 'pkg', `${ext}/data`], undefined, 'linux'), undefined);
  });

  it('resolves to the manifest version and the newest change among its files; an update in place moves both', async () => {
    const home = tempDir();
    const folder = path.join(home, '.config', 'Claude', 'Claude Extensions', 'local.mcpb.me.notes');
    const manifest = (version: string) =>
      JSON.stringify({ manifest_version: '0.3', name: 'notes', version, server: { type: 'node' } });
    write(path.join(folder, 'manifest.json'), manifest('1.0.0'));
    // The bundle's own package.json says something else: the manifest is the extension's version.
    write(path.join(folder, 'package.json'), JSON.stringify({ name: 'notes-server', version: '0.0.1' }));
    const script = write(path.join(folder, 'server', 'index.js'), 'console.log(1)\n');
    write(path.join(folder, 'node_modules', 'dep', 'package.json'), JSON.stringify({ name: 'dep', version: '1.0.0' }));
    const ctx = ctxFor(home, { PATH: path.dirname(process.execPath) });
    const launch = { command: 'node', args: [script] };
    const r = await resolveInstalled(ctx, launch);
    assert.equal(r.installed.state, 'installed', JSON.stringify(r.installed));
    if (r.installed.state !== 'installed') return;
    assert.equal(r.installed.ecosystem, 'mcpb');
    assert.equal(r.installed.name, 'notes');
    assert.equal(r.installed.version, '1.0.0');
    assert.equal(r.installed.location, folder);
    assert.equal(r.installed.how, 'Claude Desktop extension local.mcpb.me.notes (manifest.json)');
    assert.equal(r.installed.fromProcess, undefined);
    const before = r.installed.changedAt!;
    const started = Date.now();

    // Claude Desktop updates it: the manifest and a file deep in node_modules are rewritten.
    await new Promise((res) => setTimeout(res, 30));
    write(path.join(folder, 'node_modules', 'dep', 'index.js'), 'module.exports = 2;\n');
    const deep = await resolveInstalled(ctx, launch);
    assert.ok(deep.installed.state === 'installed' && deep.installed.changedAt! > before);
    write(path.join(folder, 'manifest.json'), manifest('1.1.0'));
    const own = await resolveInstalled(ctx, launch, { processArgv: [process.execPath, script] });
    assert.equal(own.installed.state === 'installed' && own.installed.version, '1.1.0');
    assert.equal(own.installed.state === 'installed' && own.installed.fromProcess, true);

    // A process first seen running 1.0.0 now runs an extension updated to 1.1.0: stale, naming both.
    const { verdict: v } = judge({
      installed: own.installed,
      firstSeen: { name: 'notes', version: '1.0.0', firstSeenAt: new Date(started - 30_000).toISOString() },
      processStart: started - 60_000,
      now: Date.now() + 10_000,
    });
    assert.equal(v.state, 'stale', JSON.stringify(v));
    assert.equal(v.state === 'stale' && `${v.ecosystem} ${v.running} -> ${v.installed}`, 'mcpb 1.0.0 -> 1.1.0');

    // Removed (uninstalled) under a running process: missing, named by the folder.
    fs.rmSync(folder, { recursive: true });
    const gone = await resolveInstalled(ctx, launch, { processArgv: [process.execPath, script] });
    assert.equal(gone.installed.state, 'missing');
    assert.equal(gone.installed.state === 'missing' && gone.installed.ecosystem, 'mcpb');
  });
});
