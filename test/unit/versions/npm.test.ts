import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  npmCacheDir,
  parseNpmRunner,
  parsePackageSpec,
  resolveNpmRunner,
} from '../../../src/core/versions/npmPackages';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, npmPackage, tempDir, write } from './layouts';

const MEM = '@modelcontextprotocol/server-memory';

/** An npx cache entry as npx writes it: `_npx/<hash>/package.json` naming the requested specs. */
function npxEntry(
  cache: string,
  hash: string,
  spec: string,
  version: string,
  deps: Record<string, string> = {},
): string {
  const dir = path.join(cache, '_npx', hash);
  write(
    path.join(dir, 'package.json'),
    JSON.stringify({ dependencies: { [MEM]: `^${version}` }, _npx: { packages: [spec] } }),
  );
  npmPackage(path.join(dir, 'node_modules'), MEM, version, { bin: 'mcp-server-memory', deps });
  return dir;
}

describe('versions: npm resolution', () => {
  it('parses package specs and runner launches', () => {
    assert.deepEqual(parsePackageSpec(`${MEM}@2026.7.4`), { name: MEM, range: '2026.7.4' });
    assert.deepEqual(parsePackageSpec(MEM), { name: MEM });
    assert.deepEqual(parsePackageSpec('left-pad@^1'), { name: 'left-pad', range: '^1' });
    assert.equal(parseNpmRunner({ command: 'npx', args: ['-y', `${MEM}@2026.7.4`, '/data'] })?.spec, `${MEM}@2026.7.4`);
    assert.equal(parseNpmRunner({ command: '/usr/bin/npx', args: ['--yes', MEM] })?.name, MEM);
    assert.equal(parseNpmRunner({ command: 'npm', args: ['exec', '--', MEM] })?.name, MEM);
    assert.equal(parseNpmRunner({ command: 'npx', args: ['-p', `${MEM}@1`, 'mcp-server-memory'] })?.spec, `${MEM}@1`);
    assert.equal(parseNpmRunner({ command: 'pnpm', args: ['dlx', 'x@2'] })?.runner, 'pnpm-dlx');
    assert.equal(parseNpmRunner({ command: 'bunx', args: ['x'] })?.runner, 'bunx');
    assert.equal(parseNpmRunner({ command: 'bun', args: ['x', 'y@1'] })?.spec, 'y@1');
    assert.equal(parseNpmRunner({ command: 'node', args: ['x.js'] }), undefined);
  });

  it('finds the npx cache folder that holds the exact spec, under npm_config_cache', async () => {
    const home = tempDir();
    const cache = path.join(home, 'custom-cache');
    npxEntry(cache, 'aaaa', MEM, '2026.8.31');
    const pinned = npxEntry(cache, 'bbbb', `${MEM}@2026.7.4`, '2026.7.4', { zod: '3.25.0' });
    const ctx = ctxFor(home, { npm_config_cache: cache });
    assert.equal(await npmCacheDir(ctx), cache);
    const r = await resolveNpmRunner(ctx, parseNpmRunner({ command: 'npx', args: ['-y', `${MEM}@2026.7.4`] })!, home);
    assert.equal(r.state, 'installed');
    if (r.state !== 'installed') return;
    assert.equal(r.version, '2026.7.4');
    assert.equal(r.how, `npx cache ${pinned}`);
    assert.equal(r.environment?.packages.zod, '3.25.0');
    assert.equal(r.environment?.packages[MEM], undefined, 'the package itself is not part of its environment');
    const unpinned = await resolveNpmRunner(ctx, parseNpmRunner({ command: 'npx', args: ['-y', MEM] })!, home);
    assert.equal(unpinned.state === 'installed' && unpinned.version, '2026.8.31');
  });

  it('reads the cache folder from .npmrc when the environment does not set it, and says missing when no copy exists', async () => {
    const home = tempDir();
    write(path.join(home, '.npmrc'), 'cache=~/npmc\n');
    const ctx = ctxFor(home);
    assert.equal(await npmCacheDir(ctx), path.join(home, 'npmc'));
    const r = await resolveNpmRunner(ctx, parseNpmRunner({ command: 'npx', args: ['-y', `${MEM}@1.0.0`] })!, home);
    assert.equal(r.state, 'missing');
  });

  it('prefers a satisfying copy in the global prefix, like npm exec', async () => {
    const home = tempDir();
    const prefix = path.join(home, 'prefix');
    npmPackage(path.join(prefix, 'lib', 'node_modules'), MEM, '2026.8.31');
    const ctx = ctxFor(home, { npm_config_prefix: prefix, npm_config_cache: path.join(home, 'c') });
    const r = await resolveNpmRunner(ctx, parseNpmRunner({ command: 'npx', args: [MEM] })!, home);
    assert.equal(r.state === 'installed' && r.how, `npm global prefix ${prefix}`);
  });

  it('follows a bin on PATH (global install) and a local node_modules/.bin path to the package', async () => {
    const home = tempDir();
    const prefix = path.join(home, 'prefix');
    npmPackage(path.join(prefix, 'lib', 'node_modules'), MEM, '2026.8.31');
    fs.mkdirSync(path.join(prefix, 'bin'), { recursive: true });
    fs.symlinkSync(
      path.join(prefix, 'lib', 'node_modules', MEM, 'dist', 'index.js'),
      path.join(prefix, 'bin', 'mcp-server-memory'),
    );
    const ctx = ctxFor(home, { PATH: path.join(prefix, 'bin') });
    const global = await resolveInstalled(ctx, { command: 'mcp-server-memory', args: [] });
    assert.equal(global.installed.state === 'installed' && global.installed.version, '2026.8.31');

    const project = path.join(home, 'proj');
    npmPackage(path.join(project, 'node_modules'), MEM, '2026.7.4', {
      bin: 'mcp-server-memory',
      deps: { ajv: '8.17.1' },
    });
    const local = await resolveInstalled(ctx, {
      command: './node_modules/.bin/mcp-server-memory',
      args: [],
      cwd: project,
    });
    assert.equal(local.installed.state, 'installed');
    if (local.installed.state !== 'installed') return;
    assert.equal(local.installed.version, '2026.7.4');
    assert.equal(local.installed.environment?.packages.ajv, '8.17.1');
  });

  it('walks up from `node path/to/pkg/dist/index.js` past a dist/package.json without a name', async () => {
    const home = tempDir();
    const dir = npmPackage(path.join(home, 'nm'), 'my-server', '1.2.3');
    const nodeBin = write(path.join(home, 'bin', 'node'), '');
    const ctx = ctxFor(home, { PATH: path.dirname(nodeBin) });
    const r = await resolveInstalled(ctx, {
      command: 'node',
      args: ['--enable-source-maps', path.join(dir, 'dist', 'index.js')],
    });
    assert.equal(r.installed.state === 'installed' && `${r.installed.name}@${r.installed.version}`, 'my-server@1.2.3');
  });

  it('resolves an instance from its own process argv first, and says missing when the script it runs is gone', async () => {
    const home = tempDir();
    const cache = path.join(home, 'c');
    const dir = npxEntry(cache, 'cccc', `${MEM}@2026.7.4`, '2026.7.4');
    const ctx = ctxFor(home, { npm_config_cache: cache });
    const argv = ['node', path.join(dir, 'node_modules', '.bin', 'mcp-server-memory')];
    const r = await resolveInstalled(ctx, { command: 'npx', args: ['-y', MEM] }, { processArgv: argv });
    assert.equal(r.installed.state === 'installed' && r.installed.fromProcess, true);
    fs.rmSync(dir, { recursive: true });
    const gone = await resolveInstalled(
      ctx,
      { command: 'npx', args: ['-y', MEM] },
      { processArgv: ['node', path.join(dir, 'node_modules', MEM, 'dist', 'index.js')] },
    );
    assert.equal(gone.installed.state, 'missing');
    assert.equal(gone.installed.state === 'missing' && gone.installed.name, MEM);
  });

  it('finds pnpm dlx and bunx cache layouts', async () => {
    const home = tempDir();
    const xdg = path.join(home, 'xdg-cache');
    npmPackage(path.join(xdg, 'pnpm', 'dlx', 'h1', '1700000000-123', 'node_modules'), MEM, '2026.7.4');
    const tmp = path.join(home, 'tmp');
    npmPackage(path.join(tmp, 'bunx-0-server-memory@2026.8.31', 'node_modules'), MEM, '2026.8.31');
    const ctx = ctxFor(home, { XDG_CACHE_HOME: xdg, TMPDIR: tmp });
    const pnpm = await resolveInstalled(ctx, { command: 'pnpm', args: ['dlx', `${MEM}@2026.7.4`] });
    assert.equal(pnpm.installed.state === 'installed' && pnpm.installed.version, '2026.7.4');
    const bun = await resolveInstalled(ctx, { command: 'bunx', args: [MEM] });
    assert.equal(bun.installed.state === 'installed' && bun.installed.version, '2026.8.31');
  });

  it("finds bunx's installs in bun's install cache (bun 1.2 and later: `.bunx-<uid>/<spec>/node_modules`)", async () => {
    const home = tempDir();
    const cache = path.join(home, 'bun-cache');
    npmPackage(path.join(cache, '.bunx-1000', `${MEM}@2026.8.31`, 'node_modules'), MEM, '2026.8.31');
    npmPackage(path.join(cache, '.bunx-1000', 'other-srv@1.0.0', 'node_modules'), 'other-srv', '1.0.0');
    const ctx = ctxFor(home, { BUN_INSTALL_CACHE_DIR: cache, TMPDIR: path.join(home, 'tmp') });
    const bun = await resolveInstalled(ctx, { command: 'bunx', args: [`${MEM}@2026.8.31`] });
    assert.equal(bun.installed.state === 'installed' && bun.installed.version, '2026.8.31');
    const other = await resolveInstalled(ctx, { command: 'bun', args: ['x', 'other-srv'] });
    assert.equal(other.installed.state === 'installed' && other.installed.name, 'other-srv');
  });

  it("reads `deno run npm:pkg@v` from deno's npm cache (DENO_DIR): the release the spec names, the highest a range allows, never deno itself", async () => {
    const home = tempDir();
    const denoDir = path.join(home, 'deno');
    const release = (version: string) => {
      const dir = path.join(denoDir, 'npm', 'registry.npmjs.org', MEM, version);
      write(path.join(dir, 'package.json'), JSON.stringify({ name: MEM, version }));
      write(path.join(dir, 'dist', 'index.js'), '#!/usr/bin/env node\n');
    };
    release('2026.7.4');
    release('2026.8.31');
    write(path.join(denoDir, 'npm', 'registry.npmjs.org', MEM, 'registry.json'), '{}');
    write(path.join(home, 'bin', 'deno'), 'ELF');
    fs.chmodSync(path.join(home, 'bin', 'deno'), 0o755);
    const ctx = ctxFor(home, { DENO_DIR: denoDir, PATH: path.join(home, 'bin') });
    const pinned = await resolveInstalled(ctx, { command: 'deno', args: ['run', '-A', `npm:${MEM}@2026.7.4`] });
    assert.equal(
      pinned.installed.state === 'installed' && `${pinned.installed.name} ${pinned.installed.version}`,
      `${MEM} 2026.7.4`,
    );
    // A registry release in deno's cache is no checkout under development.
    assert.equal(pinned.installed.state === 'installed' && pinned.installed.dev, undefined);
    const ranged = await resolveInstalled(ctx, {
      command: 'deno',
      args: ['run', `npm:${MEM}@^2026.7.0/dist/index.js`],
    });
    assert.equal(ranged.installed.state === 'installed' && ranged.installed.version, '2026.8.31');
    // What no file holds (jsr:, a URL) is not known here, never "gone".
    for (const args of [
      ['run', '-A', 'jsr:@x/mcp-srv'],
      ['run', 'https://example.com/srv.ts'],
      ['task', 'start'],
    ]) {
      const other = await resolveInstalled(
        ctx,
        { command: 'deno', args },
        { processArgv: ['deno', ...args], processCwd: home },
      );
      assert.equal(other.installed.state, 'unknown', args.join(' '));
    }
    const absent = await resolveInstalled(ctx, { command: 'deno', args: ['run', `npm:${MEM}@2027.1.1`] });
    assert.equal(absent.installed.state === 'missing' && absent.installed.name, MEM);

    // Its own command line: the running process pins its release, whatever the entry says now.
    const running = await resolveInstalled(
      ctx,
      { command: 'deno', args: ['run', '-A', `npm:${MEM}@2026.8.31`] },
      { processArgv: ['deno', 'run', '-A', `npm:${MEM}@2026.7.4`], processCwd: home },
    );
    assert.equal(running.installed.state === 'installed' && running.installed.version, '2026.7.4');
    assert.equal(
      running.running?.state === 'known' && `${running.running.source} ${running.running.version}`,
      'launch-pin 2026.7.4',
    );
    const unpinned = await resolveInstalled(
      ctx,
      { command: 'deno', args: ['run', `npm:${MEM}`] },
      { processArgv: ['deno', 'run', `npm:${MEM}`], processCwd: home },
    );
    assert.equal(unpinned.running, undefined, 'an unpinned spec says nothing of what runs');
  });

  it('judges a script bun runs as its package, a bin `bun run` finds by name too, and never bun itself', async () => {
    const home = tempDir();
    const project = path.join(home, 'app');
    write(path.join(project, 'package.json'), JSON.stringify({ name: 'app', private: true }));
    npmPackage(path.join(project, 'node_modules'), MEM, '2026.7.4', { bin: 'mcp-server-memory' });
    // bun from npm: its binary inside its own package.
    const bunPkg = npmPackage(path.join(home, 'tools', 'node_modules'), 'bun', '1.4.5');
    write(path.join(bunPkg, 'bin', 'bun.exe'), 'ELF');
    fs.chmodSync(path.join(bunPkg, 'bin', 'bun.exe'), 0o755);
    fs.mkdirSync(path.join(home, 'bin'));
    fs.symlinkSync(path.join(bunPkg, 'bin', 'bun.exe'), path.join(home, 'bin', 'bun'));
    const ctx = ctxFor(home, { PATH: path.join(home, 'bin') });
    const script = path.join(project, 'node_modules', MEM, 'dist', 'index.js');
    for (const args of [['run', script], [script], ['--smol', 'run', script]]) {
      const r = await resolveInstalled(ctx, { command: 'bun', args });
      assert.equal(
        r.installed.state === 'installed' && `${r.installed.name} ${r.installed.version}`,
        `${MEM} 2026.7.4`,
        args.join(' '),
      );
    }
    const byName = await resolveInstalled(
      ctx,
      { command: 'bun', args: ['run', 'mcp-server-memory'], cwd: project },
      { processArgv: ['bun', 'run', 'mcp-server-memory'], processCwd: project },
    );
    assert.equal(byName.installed.state === 'installed' && byName.installed.name, MEM);
    // A loose script no package installs: judged by itself (nodeScript.ts), never as the bun package.
    write(path.join(home, 'loose', 'server.ts'), 'console.log(1)\n');
    const loose = await resolveInstalled(ctx, { command: 'bun', args: [path.join(home, 'loose', 'server.ts')] });
    assert.deepEqual(loose.installed.state === 'installed' && [loose.installed.name, loose.installed.version], [
      'server.ts',
      'script',
    ]);
  });

  it('is unknown, not a guess, for a command it cannot find, and unversioned for a plain binary', async () => {
    const home = tempDir();
    const ctx = ctxFor(home, { PATH: path.join(home, 'bin') });
    const none = await resolveInstalled(ctx, { command: 'nope', args: [] });
    assert.equal(none.installed.state, 'unknown');
    write(path.join(home, 'bin', 'gopls-mcp'), 'ELF');
    const bin = await resolveInstalled(ctx, { command: 'gopls-mcp', args: [] });
    assert.equal(bin.installed.state, 'unversioned');
  });

  it("counts the package's dependency closure from the tree's lockfile, not the project's other packages", async () => {
    const home = tempDir();
    const project = path.join(home, 'proj');
    const nm = path.join(project, 'node_modules');
    const dir = npmPackage(nm, 'srv', '1.0.0');
    write(path.join(dir, 'package.json'), JSON.stringify({ name: 'srv', version: '1.0.0', dependencies: { a: '^1' } }));
    write(
      path.join(nm, '.package-lock.json'),
      JSON.stringify({
        lockfileVersion: 3,
        packages: {
          '': { name: 'proj', dependencies: { srv: '1', 'left-pad': '1' } },
          'node_modules/srv': { version: '1.0.0', dependencies: { a: '^1' } },
          'node_modules/a': { version: '1.2.0', dependencies: { b: '^2' } },
          'node_modules/a/node_modules/b': { version: '2.0.0' },
          'node_modules/b': { version: '3.0.0' },
          'node_modules/left-pad': { version: '1.3.0' },
        },
      }),
    );
    const r = await resolveInstalled(ctxFor(home), {
      command: process.execPath,
      args: [path.join(dir, 'dist', 'index.js')],
    });
    assert.equal(r.installed.state, 'installed');
    assert.deepEqual(r.installed.state === 'installed' && r.installed.environment?.packages, {
      a: '1.2.0',
      'a > b': '2.0.0',
    });
  });

  it('sees through the guard: `mcp-lifeguard run ... -- server` is judged by the server it wraps', async () => {
    const home = tempDir();
    const guard = npmPackage(path.join(home, 'g', 'node_modules'), 'mcp-lifeguard', '0.1.0', { bin: 'mcp-lifeguard' });
    const srv = npmPackage(path.join(home, 's', 'node_modules'), 'srv', '3.0.0');
    const ctx = ctxFor(home, {
      PATH: `${path.join(home, 'g', 'node_modules', '.bin')}:${path.dirname(process.execPath)}`,
    });
    const wrapped = ['run', '--name', 'srv', '--', process.execPath, path.join(srv, 'dist', 'index.js')];
    const fromProc = await resolveInstalled(
      ctx,
      { command: 'mcp-lifeguard', args: wrapped },
      { processArgv: [process.execPath, path.join(guard, 'dist', 'index.js'), ...wrapped] },
    );
    assert.equal(
      fromProc.installed.state === 'installed' && `${fromProc.installed.name}@${fromProc.installed.version}`,
      'srv@3.0.0',
    );
    const fromConfig = await resolveInstalled(ctx, { command: 'mcp-lifeguard', args: wrapped });
    assert.equal(
      fromConfig.installed.state === 'installed' && `${fromConfig.installed.name}@${fromConfig.installed.version}`,
      'srv@3.0.0',
    );
  });

  it("a guarded entry whose mcp-lifeguard this PATH does not have is judged by the server it wraps, not by the guard's absence", async () => {
    const home = tempDir();
    const srv = npmPackage(path.join(home, 's', 'node_modules'), 'srv', '3.0.0');
    const ctx = ctxFor(home, { PATH: path.dirname(process.execPath) });
    const wrapped = [
      'run',
      '--when-stale',
      'refuse-writes',
      '--',
      process.execPath,
      path.join(srv, 'dist', 'index.js'),
    ];
    const r = await resolveInstalled(ctx, { command: 'mcp-lifeguard', args: wrapped });
    assert.equal(r.installed.state === 'installed' && `${r.installed.name}@${r.installed.version}`, 'srv@3.0.0');
    // A program of another name is not taken for the guard.
    const other = await resolveInstalled(ctx, { command: 'lifeguard-ish', args: wrapped });
    assert.equal(other.installed.state, 'unknown');
  });
});
