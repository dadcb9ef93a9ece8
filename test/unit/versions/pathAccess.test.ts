import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VersionFs } from '../../../src/core/versions/fs';
import { liveFs } from '../../../src/core/machine/liveFs';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, npmPackage, tempDir } from './layouts';

const MEM = '@modelcontextprotocol/server-memory';

/** A global npm install of the memory server under `home/prefix`; returns its bin folder. */
function globalInstall(home: string): string {
  const prefix = path.join(home, 'prefix');
  npmPackage(path.join(prefix, 'lib', 'node_modules'), MEM, '2026.8.31');
  fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
  fs.symlinkSync(
    path.join(prefix, 'lib', 'node_modules', MEM, 'dist', 'index.js'),
    path.join(prefix, 'bin', 'mcp-server-memory'),
  );
  return path.join(prefix, 'bin');
}

/**
 * A PATH entry the user cannot enter is skipped, like a shell skips it: the command is still found
 * in the entries after it. The tests run as root here, which enters any folder whatever its mode,
 * so the denial is injected into the file reads; a real folder under a mode-000 parent checks the
 * same on disk for a user who is not root (and, for root, that such an entry changes nothing).
 */
describe('versions: a PATH entry that cannot be entered', () => {
  it('EACCES on a PATH entry (injected) is treated as absent: the command resolves from the next entry', async () => {
    const home = tempDir();
    const locked = path.join(home, 'locked', 'bin');
    const bin = globalInstall(home);
    const denied: VersionFs = {
      ...liveFs,
      stat: async (p) => {
        if (p.startsWith(locked + path.sep))
          throw Object.assign(new Error(`EACCES: permission denied, stat '${p}'`), { code: 'EACCES' });
        return liveFs.stat(p);
      },
      statSync: undefined,
      lstatSync: undefined,
    };
    const ctx = { ...ctxFor(home, { PATH: `${locked}:${bin}` }), fs: denied };
    const r = await resolveInstalled(ctx, { command: 'mcp-server-memory', args: [] });
    assert.equal(r.installed.state === 'installed' && r.installed.version, '2026.8.31', JSON.stringify(r.installed));
  });

  it('EPERM and a PATH entry that is a file are skipped too', async () => {
    const home = tempDir();
    const file = path.join(home, 'not-a-folder');
    fs.writeFileSync(file, '');
    const bin = globalInstall(home);
    const eperm: VersionFs = {
      ...liveFs,
      stat: async (p) => {
        if (p.startsWith(path.join(home, 'eperm') + path.sep))
          throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
        return liveFs.stat(p);
      },
    };
    const ctx = { ...ctxFor(home, { PATH: `${path.join(home, 'eperm')}:${file}:${bin}` }), fs: eperm };
    const r = await resolveInstalled(ctx, { command: 'mcp-server-memory', args: [] });
    assert.equal(r.installed.state === 'installed' && r.installed.version, '2026.8.31', JSON.stringify(r.installed));
  });

  it('a real folder under a mode-000 parent on PATH changes nothing (denied for a user, enterable for root)', async () => {
    const home = tempDir();
    const parent = path.join(home, 'closed');
    fs.mkdirSync(path.join(parent, 'bin'), { recursive: true });
    const bin = globalInstall(home);
    fs.chmodSync(parent, 0o000);
    try {
      const r = await resolveInstalled(ctxFor(home, { PATH: `${path.join(parent, 'bin')}:${bin}` }), {
        command: 'mcp-server-memory',
        args: [],
      });
      assert.equal(r.installed.state === 'installed' && r.installed.version, '2026.8.31', JSON.stringify(r.installed));
    } finally {
      fs.chmodSync(parent, 0o755);
    }
  });
});
