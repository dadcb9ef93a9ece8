import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  normalizeName,
  parseDistDir,
  parseMetadata,
  parsePythonRunner,
  pythonModule,
} from '../../../src/core/versions/python';
import { resolveInstalled } from '../../../src/core/versions/resolve';
import { ctxFor, distInfo, removeDist, tempDir, venv, write } from './layouts';

describe('versions: Python resolution', () => {
  it('parses dist-info names, METADATA headers, runners and -m', () => {
    assert.deepEqual(parseDistDir('chromadb-0.6.3.dist-info'), { name: 'chromadb', version: '0.6.3' });
    assert.deepEqual(parseDistDir('mcp_server_fetch-2025.4.7.dist-info'), {
      name: 'mcp-server-fetch',
      version: '2025.4.7',
    });
    assert.deepEqual(parseDistDir('six-1.16.0-py3.11.egg-info'), { name: 'six', version: '1.16.0' });
    assert.equal(parseDistDir('chromadb'), undefined);
    assert.deepEqual(parseMetadata('Metadata-Version: 2.1\nName: Foo\nVersion: 1.0\n\nVersion: 2.0\n'), {
      name: 'Foo',
      version: '1.0',
    });
    assert.equal(normalizeName('Mem_Palace.x'), 'mem-palace-x');
    assert.deepEqual(parsePythonRunner({ command: 'uvx', args: ['mcp-server-fetch@2025.4.7'] }), {
      runner: 'uvx',
      name: 'mcp-server-fetch',
      version: '2025.4.7',
    });
    assert.deepEqual(
      parsePythonRunner({
        command: 'uvx',
        args: ['--python', '3.12', '--from', 'mempalace[chroma]==3.1', 'mempalace-mcp'],
      }),
      { runner: 'uvx', name: 'mempalace', version: '3.1', extras: ['chroma'] },
    );
    assert.deepEqual(parsePythonRunner({ command: 'uv', args: ['tool', 'run', 'x'] }), { runner: 'uvx', name: 'x' });
    assert.deepEqual(parsePythonRunner({ command: 'pipx', args: ['run', '--spec', 'y==2', 'ycmd'] }), {
      runner: 'pipx-run',
      name: 'y',
      version: '2',
    });
    assert.equal(pythonModule(['-u', '-m', 'mempalace.mcp', '--x']), 'mempalace.mcp');
    assert.equal(pythonModule(['script.py']), undefined);
  });

  it('resolves `venv/bin/python -m pkg` with the fingerprint of the distributions it requires', async () => {
    const home = tempDir();
    const root = path.join(home, 'proj', '.venv');
    const sp = venv(root, [
      { name: 'mempalace', version: '3.1.0', requires: ['chromadb>=0.6', 'numpy'] },
      { name: 'chromadb', version: '0.6.3' },
      { name: 'numpy', version: '2.1.0' },
    ]);
    const ctx = ctxFor(home);
    const before = await resolveInstalled(ctx, {
      command: path.join(root, 'bin', 'python'),
      args: ['-m', 'mempalace'],
    });
    assert.equal(before.installed.state, 'installed');
    if (before.installed.state !== 'installed') return;
    assert.equal(before.installed.version, '3.1.0');
    assert.equal(before.installed.how, `venv ${root}`);
    assert.deepEqual(before.installed.environment?.packages, { chromadb: '0.6.3', numpy: '2.1.0' });

    removeDist(sp, 'chromadb');
    distInfo(sp, { name: 'chromadb', version: '1.5.7' });
    const after = await resolveInstalled(ctx, { command: path.join(root, 'bin', 'python'), args: ['-m', 'mempalace'] });
    assert.equal(after.installed.state === 'installed' && after.installed.environment?.packages.chromadb, '1.5.7');
    assert.notEqual(
      after.installed.state === 'installed' && after.installed.environment?.hash,
      before.installed.environment?.hash,
    );
  });

  it('maps a module to a project with another name through top_level.txt', async () => {
    const home = tempDir();
    const root = path.join(home, 'v');
    venv(root, [{ name: 'mcp-weather', version: '0.4.0', topLevel: 'weather_srv' }]);
    const r = await resolveInstalled(ctxFor(home), {
      command: path.join(root, 'bin', 'python'),
      args: ['-m', 'weather_srv.main'],
    });
    assert.equal(r.installed.state === 'installed' && r.installed.name, 'mcp-weather');
  });

  it('resolves `python3 -m pkg` on PATH through the installation prefix and the user site', async () => {
    const home = tempDir();
    const prefix = path.join(home, 'py');
    const interp = write(path.join(prefix, 'bin', 'python3.11'), '');
    fs.symlinkSync('python3.11', path.join(prefix, 'bin', 'python3'));
    fs.mkdirSync(path.join(prefix, 'lib', 'python3.11', 'site-packages'), { recursive: true });
    distInfo(path.join(prefix, 'lib', 'python3.11', 'site-packages'), { name: 'srv', version: '1.0' });
    const userSite = path.join(home, '.local', 'lib', 'python3.11', 'site-packages');
    fs.mkdirSync(userSite, { recursive: true });
    const ctx = ctxFor(home, { PATH: path.dirname(interp) });
    const sys = await resolveInstalled(ctx, { command: 'python3', args: ['-m', 'srv'] });
    assert.equal(sys.installed.state === 'installed' && sys.installed.version, '1.0');
    distInfo(userSite, { name: 'srv', version: '2.0' });
    const user = await resolveInstalled(ctx, { command: 'python3', args: ['-m', 'srv'] });
    assert.equal(
      user.installed.state === 'installed' && user.installed.version,
      '2.0',
      'the user site comes first, as in sys.path',
    );
  });

  it("resolves `uv run srv.py` and `uv run python srv.py` in the project's .venv, never as uv's own package", async () => {
    const home = tempDir();
    // uv installed with pip: a console script of the distribution `uv` in a venv on PATH.
    venv(path.join(home, 'tools'), [{ name: 'uv', version: '0.13.9', scripts: ['uv'] }]);
    write(path.join(home, 'tools', 'bin', 'uv'), '#!/x/bin/python\n');
    const project = path.join(home, 'app');
    write(path.join(project, 'pyproject.toml'), '[project]\nname = "app"\n');
    const sp = venv(path.join(project, '.venv'), [{ name: 'mcp', version: '2.3.0' }]);
    write(path.join(sp, 'mcp', 'server', '__init__.py'), '');
    const script = write(path.join(project, 'srv.py'), 'from mcp.server import MCPServer\n');
    const ctx = ctxFor(home, { PATH: path.join(home, 'tools', 'bin') });
    for (const args of [
      ['run', 'srv.py'],
      ['run', 'python', 'srv.py'],
    ]) {
      const r = await resolveInstalled(ctx, { command: 'uv', args, cwd: project });
      assert.equal(r.installed.state === 'installed' && r.installed.location, script, JSON.stringify(r.installed));
      assert.equal(r.installed.state === 'installed' && r.installed.version, 'mcp 2.3.0');
      // Claude Code names no folder: which project is not known, and uv's own version is no answer.
      const unplaced = await resolveInstalled(ctx, { command: 'uv', args });
      assert.equal(unplaced.installed.state, 'unknown', JSON.stringify(unplaced.installed));
    }
  });

  it('finds pipx and `uv tool install` console scripts through their bin symlinks', async () => {
    const home = tempDir();
    const pipxVenv = path.join(home, '.local', 'share', 'pipx', 'venvs', 'mempalace');
    venv(pipxVenv, [
      { name: 'mempalace', version: '3.1.0', scripts: ['mempalace-mcp'] },
      { name: 'chromadb', version: '0.6.3' },
    ]);
    write(path.join(pipxVenv, 'bin', 'mempalace-mcp'), '#!/x/bin/python\n');
    const uvTool = path.join(home, '.local', 'share', 'uv', 'tools', 'mcp-server-fetch');
    venv(uvTool, [{ name: 'mcp-server-fetch', version: '2025.4.7', scripts: ['mcp-server-fetch'] }]);
    write(path.join(uvTool, 'bin', 'mcp-server-fetch'), '#!/x/bin/python\n');
    const bin = path.join(home, '.local', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.symlinkSync(path.join(pipxVenv, 'bin', 'mempalace-mcp'), path.join(bin, 'mempalace-mcp'));
    fs.symlinkSync(path.join(uvTool, 'bin', 'mcp-server-fetch'), path.join(bin, 'mcp-server-fetch'));
    const ctx = ctxFor(home, { PATH: bin });
    const pipx = await resolveInstalled(ctx, { command: 'mempalace-mcp', args: [] });
    assert.equal(pipx.installed.state, 'installed');
    assert.match(pipx.installed.state === 'installed' ? pipx.installed.how : '', /^pipx venv /);
    const uv = await resolveInstalled(ctx, { command: 'mcp-server-fetch', args: [] });
    assert.equal(uv.installed.state === 'installed' && uv.installed.version, '2025.4.7');
    assert.match(uv.installed.state === 'installed' ? uv.installed.how : '', /^uv tool /);
  });

  it('resolves uvx: an installed uv tool first, else the newest cached environment with the pinned version', async () => {
    const home = tempDir();
    const cache = path.join(home, 'uvcache');
    venv(path.join(cache, 'archive-v0', 'AAA'), [{ name: 'mcp-server-fetch', version: '2025.4.7' }]);
    venv(path.join(cache, 'archive-v0', 'BBB'), [
      { name: 'mcp-server-fetch', version: '2025.6.1' },
      { name: 'httpx', version: '0.28.1' },
    ]);
    const ctx = ctxFor(home, { UV_CACHE_DIR: cache, UV_TOOL_DIR: path.join(home, 'tools') });
    const pinned = await resolveInstalled(ctx, { command: 'uvx', args: ['mcp-server-fetch@2025.4.7'] });
    assert.equal(pinned.installed.state === 'installed' && pinned.installed.version, '2025.4.7');
    assert.match(
      pinned.installed.state === 'installed' ? pinned.installed.how : '',
      /^uvx environment .*archive-v0.AAA$/,
    );
    venv(path.join(home, 'tools', 'mcp-server-fetch'), [{ name: 'mcp-server-fetch', version: '2025.9.0' }]);
    const tool = await resolveInstalled(ctx, { command: 'uvx', args: ['mcp-server-fetch'] });
    assert.equal(tool.installed.state === 'installed' && tool.installed.version, '2025.9.0');
    const none = await resolveInstalled(ctx, { command: 'uvx', args: ['other-server'] });
    assert.equal(none.installed.state, 'missing');
  });

  it('resolves `pipx run` from its cache of environments', async () => {
    const home = tempDir();
    venv(path.join(home, 'pipxhome', '.cache', 'f00'), [{ name: 'ycmd', version: '2.0' }]);
    const r = await resolveInstalled(ctxFor(home, { PIPX_HOME: path.join(home, 'pipxhome') }), {
      command: 'pipx',
      args: ['run', 'ycmd'],
    });
    assert.equal(r.installed.state === 'installed' && r.installed.version, '2.0');
  });
});
