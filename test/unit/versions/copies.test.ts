import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { copiesOf } from '../../../src/core/versions/copies';
import { ctxFor, npmPackage, tempDir, venv, write } from './layouts';

/** doctor's search: every copy of one package on disk, each placed by where it was found. */
describe('versions: every copy of a package on disk', () => {
  it('npm: the global prefix, a project (found from a folder inside it), every npx cache folder', async () => {
    const home = tempDir();
    const prefix = path.join(home, 'prefix');
    npmPackage(path.join(prefix, 'lib', 'node_modules'), '@acme/srv', '2.0.0');
    const app = path.join(home, 'app');
    write(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0"}');
    npmPackage(path.join(app, 'node_modules'), '@acme/srv', '1.0.0');
    const cache = path.join(home, 'npm-cache');
    for (const [hash, v] of [
      ['aaaa', '1.0.0'],
      ['bbbb', '1.5.0'],
    ]) {
      write(path.join(cache, '_npx', hash, 'package.json'), JSON.stringify({ _npx: { packages: [`@acme/srv@${v}`] } }));
      npmPackage(path.join(cache, '_npx', hash, 'node_modules'), '@acme/srv', v);
    }
    // Another package in the cache is not a copy.
    npmPackage(path.join(cache, '_npx', 'cccc', 'node_modules'), 'other', '9.0.0');
    const ctx = ctxFor(home, { npm_config_prefix: prefix, npm_config_cache: cache });
    const copies = await copiesOf(ctx, { ecosystem: 'npm', name: '@acme/srv' }, [path.join(app, 'src')]);
    assert.deepEqual(
      copies.map((c) => [c.place, c.version, c.how]),
      [
        ['npm-global', '2.0.0', `npm global prefix ${prefix}`],
        ['npm-project', '1.0.0', `local node_modules of ${app}`],
        ['npx-cache', '1.0.0', `npx cache ${path.join(cache, '_npx', 'aaaa')}`],
        ['npx-cache', '1.5.0', `npx cache ${path.join(cache, '_npx', 'bbbb')}`],
      ],
    );
  });

  it("npm: bunx's folders in bun's install cache and deno's npm cache, each placed as its runtime's", async () => {
    const home = tempDir();
    const bunCache = path.join(home, 'bun-cache');
    npmPackage(path.join(bunCache, '.bunx-1000', '@acme', 'srv@1.2.0', 'node_modules'), '@acme/srv', '1.2.0');
    const denoDir = path.join(home, 'deno');
    const release = path.join(denoDir, 'npm', 'registry.npmjs.org', '@acme', 'srv', '1.3.0');
    write(path.join(release, 'package.json'), JSON.stringify({ name: '@acme/srv', version: '1.3.0' }));
    write(path.join(denoDir, 'npm', 'registry.npmjs.org', '@acme', 'srv', 'registry.json'), '{}');
    const ctx = ctxFor(home, { BUN_INSTALL_CACHE_DIR: bunCache, DENO_DIR: denoDir, TMPDIR: path.join(home, 'tmp') });
    const copies = await copiesOf(ctx, { ecosystem: 'npm', name: '@acme/srv' }, []);
    assert.deepEqual(
      copies.map((c) => [c.place, c.version]),
      [
        ['bunx-cache', '1.2.0'],
        ['deno-cache', '1.3.0'],
      ],
    );
  });

  it('Python: a uv tool, uvx environments, a pipx venv, a pipx run environment, a project .venv', async () => {
    const home = tempDir();
    const tools = path.join(home, 'uv-tools');
    const uvCache = path.join(home, 'uv-cache');
    const pipx = path.join(home, 'pipx');
    const project = path.join(home, 'proj');
    const srv = (version: string) => [{ name: 'mcp-srv', version, scripts: ['mcp-srv'] }];
    venv(path.join(tools, 'mcp-srv'), srv('1.0'));
    venv(path.join(uvCache, 'archive-v0', 'x1'), srv('1.1'));
    venv(path.join(uvCache, 'environments-v2', 'x2'), srv('1.2'));
    venv(path.join(uvCache, 'archive-v0', 'x3'), [{ name: 'other', version: '3' }]);
    venv(path.join(pipx, 'venvs', 'mcp-srv'), srv('0.9'));
    venv(path.join(pipx, '.cache', 'h1'), srv('1.3'));
    venv(path.join(project, '.venv'), srv('0.8'));
    const ctx = ctxFor(home, { UV_TOOL_DIR: tools, UV_CACHE_DIR: uvCache, PIPX_HOME: pipx });
    const copies = await copiesOf(ctx, { ecosystem: 'python', name: 'mcp-srv' }, [project]);
    assert.deepEqual(copies.map((c) => [c.place, c.version]).sort(), [
      ['pipx', '0.9'],
      ['pipx-run-cache', '1.3'],
      ['uv-tool', '1.0'],
      ['uvx-cache', '1.1'],
      ['uvx-cache', '1.2'],
      ['venv', '0.8'],
    ]);
    assert.ok(copies.find((c) => c.place === 'uv-tool')?.how.startsWith(`uv tool ${path.join(tools, 'mcp-srv')}`));
  });
});
