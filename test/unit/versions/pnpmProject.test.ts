import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pnpmLockFacts, pnpmStoreEntry, storeFolderIs } from '../../../src/core/versions/pnpmProject';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, tempDir, write } from './layouts';

const MEM = '@modelcontextprotocol/server-memory';

/** Lockfile format 9 as pnpm 12.21.0 writes it after `pnpm add server-memory@2026.8.31` (trimmed to the package). */
const LOCK_V9 = `lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      '@modelcontextprotocol/server-memory':
        specifier: 2026.8.31
        version: 2026.8.31(zod@4.6.7)

packages:

  '@modelcontextprotocol/server-memory@2026.8.31':
    resolution: {integrity: sha512-ljj/3S4aGjxdNSQWw6gucKKGnTLdBPWxzapyY/MT2tOVyZwvxChvevXSLPwx59nKJAlVpUVW+cOlnVRXRwiqMQ==}
    hasBin: true

snapshots:

  '@modelcontextprotocol/server-memory@2026.8.31(zod@4.6.7)':
    dependencies:
      '@modelcontextprotocol/sdk': 1.32.2(zod@4.6.7)
`;

/** Format 6 (pnpm 8): one project's dependencies at the top, package keys with a leading slash. */
const LOCK_V6 = `lockfileVersion: '6.0'

dependencies:
  '@modelcontextprotocol/server-memory':
    specifier: ^2026.7.4
    version: 2026.8.31(zod@4.6.7)

packages:

  /@modelcontextprotocol/server-memory@2026.8.31(zod@4.6.7):
    resolution: {integrity: sha512-x}
    hasBin: true
`;

/** Format 5.4 (pnpm 7): `name/version_peers` keys, importers' versions as plain strings. */
const LOCK_V5 = `lockfileVersion: 5.4

importers:

  packages/app:
    specifiers:
      '@modelcontextprotocol/server-memory': 2026.8.31
    dependencies:
      '@modelcontextprotocol/server-memory': 2026.8.31_zod@4.6.7

packages:

  /@modelcontextprotocol/server-memory/2026.8.31_zod@4.6.7:
    resolution: {integrity: sha512-x}
`;

describe('versions: pnpm projects judged by what they resolve now', () => {
  it('reads a store entry from a package location', () => {
    assert.deepEqual(
      pnpmStoreEntry(
        `/p/app/node_modules/.pnpm/@modelcontextprotocol+server-memory@2026.7.4_zod@4.6.7/node_modules/${MEM}`,
        '/',
      ),
      { root: '/p/app', folder: '@modelcontextprotocol+server-memory@2026.7.4_zod@4.6.7', name: MEM },
    );
    assert.deepEqual(pnpmStoreEntry('/p/node_modules/.pnpm/left-pad@1.3.0/node_modules/left-pad', '/'), {
      root: '/p',
      folder: 'left-pad@1.3.0',
      name: 'left-pad',
    });
    assert.equal(pnpmStoreEntry(`/p/app/node_modules/${MEM}`, '/'), undefined);
    assert.equal(pnpmStoreEntry('/p/node_modules/.pnpm/a@1/node_modules/a/dist', '/'), undefined);
    assert.equal(storeFolderIs('@modelcontextprotocol+server-memory@2026.7.4_zod@4.6.7', MEM, '2026.7.4'), true);
    assert.equal(storeFolderIs('@modelcontextprotocol+server-memory@2026.7.4', MEM, '2026.7.4'), true);
    assert.equal(storeFolderIs('@modelcontextprotocol+server-memory@2026.7.40', MEM, '2026.7.4'), false);
  });

  it('reads lockfile formats 9, 6 and 5: the releases the importers depend on, and whether a release is in the tree', () => {
    assert.deepEqual(pnpmLockFacts(LOCK_V9, MEM, '2026.7.4'), { direct: ['2026.8.31'], inTree: false });
    assert.deepEqual(pnpmLockFacts(LOCK_V9, MEM, '2026.8.31'), { direct: ['2026.8.31'], inTree: true });
    assert.deepEqual(pnpmLockFacts(LOCK_V6, MEM, '2026.7.4'), { direct: ['2026.8.31'], inTree: false });
    assert.deepEqual(pnpmLockFacts(LOCK_V6, MEM, '2026.8.31'), { direct: ['2026.8.31'], inTree: true });
    assert.deepEqual(pnpmLockFacts(LOCK_V5, MEM, '2026.8.31'), { direct: ['2026.8.31'], inTree: true });
    assert.deepEqual(pnpmLockFacts(LOCK_V5, MEM, '2026.7.4'), { direct: ['2026.8.31'], inTree: false });
    // A dependency only of another package is in the tree without being direct.
    const withSdk = `${LOCK_V9}\n  '@modelcontextprotocol/sdk@1.32.2(zod@4.6.7)':\n    dependencies:\n      zod: 4.6.7\n`;
    assert.deepEqual(pnpmLockFacts(withSdk, '@modelcontextprotocol/sdk', '1.32.2'), { direct: [], inTree: true });
    assert.equal(pnpmLockFacts('not: [a lockfile', MEM, '1'), undefined);
    assert.equal(pnpmLockFacts('name: x\n', MEM, '1'), undefined);
  });

  /** A pnpm project with `server-memory` at `now` linked, and the store folders of `kept` releases beside it. */
  function pnpmProject(root: string, now: string, kept: string[]): Record<string, string> {
    const dirs: Record<string, string> = {};
    for (const v of new Set([now, ...kept])) {
      const dir = path.join(
        root,
        'node_modules',
        '.pnpm',
        `@modelcontextprotocol+server-memory@${v}`,
        'node_modules',
        MEM,
      );
      write(path.join(dir, 'package.json'), JSON.stringify({ name: MEM, version: v }));
      write(path.join(dir, 'dist', 'index.js'), '');
      dirs[v] = dir;
    }
    fs.mkdirSync(path.join(root, 'node_modules', '@modelcontextprotocol'), { recursive: true });
    fs.symlinkSync(dirs[now], path.join(root, 'node_modules', MEM));
    write(path.join(root, 'node_modules', '.pnpm', 'lock.yaml'), LOCK_V9.replace(/2026\.8\.31/g, now));
    return dirs;
  }

  it('a process running the folder of a release the project no longer has is judged against the linked one, its own release named by its path', async () => {
    const root = tempDir();
    const dirs = pnpmProject(root, '2026.8.31', ['2026.7.4']);
    const script = path.join(
      root,
      'node_modules',
      '.bin',
      '..',
      '.pnpm',
      '@modelcontextprotocol+server-memory@2026.7.4',
      'node_modules',
      MEM,
      'dist',
      'index.js',
    );
    const r = await resolveInstalled(
      ctxFor(root),
      { command: 'node', args: [script] },
      { processArgv: ['node', script] },
    );
    assert.equal(
      r.installed.state === 'installed' && `${r.installed.version} ${r.installed.location}`,
      `2026.8.31 ${dirs['2026.8.31']}`,
    );
    assert.deepEqual(r.running && { ...r.running, how: undefined }, {
      state: 'known',
      version: '2026.7.4',
      source: 'launch-pin',
      how: undefined,
    });
  });

  it('the folder of the release the project has is read as before, with nothing said of the running side', async () => {
    const root = tempDir();
    const dirs = pnpmProject(root, '2026.8.31', ['2026.7.4']);
    const script = path.join(dirs['2026.8.31'], 'dist', 'index.js');
    const r = await resolveInstalled(
      ctxFor(root),
      { command: 'node', args: [script] },
      { processArgv: ['node', script] },
    );
    assert.equal(r.installed.state === 'installed' && r.installed.version, '2026.8.31');
    assert.equal(r.installed.state === 'installed' && r.installed.fromProcess, true);
    assert.equal(r.running, undefined);
  });

  it('a release the project no longer installs at all is missing, not current', async () => {
    const root = tempDir();
    pnpmProject(root, '2026.7.4', []);
    fs.rmSync(path.join(root, 'node_modules', MEM));
    write(path.join(root, 'node_modules', '.pnpm', 'lock.yaml'), "lockfileVersion: '9.0'\n\nimporters:\n\n  .: {}\n");
    const script = path.join(
      root,
      'node_modules',
      '.pnpm',
      '@modelcontextprotocol+server-memory@2026.7.4',
      'node_modules',
      MEM,
      'dist',
      'index.js',
    );
    const r = await resolveInstalled(
      ctxFor(root),
      { command: 'node', args: [script] },
      { processArgv: ['node', script] },
    );
    assert.equal(r.installed.state, 'missing', JSON.stringify(r.installed));
    assert.equal(r.running?.state === 'known' && r.running.version, '2026.7.4');
  });
});
