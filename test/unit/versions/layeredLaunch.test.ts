import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parseLaunch } from '../../../src/core/launch/parse';
import { addedSiteDirs } from '../../../src/core/versions/layeredSites';
import { parseLayeredRunner, parsePythonRunner } from '../../../src/core/versions/python';
import { pythonPathRoots } from '../../../src/core/versions/pythonPath';
import { ctxFor, tempDir } from './layouts';

/** `_uv_ephemeral_overlay.pth` as uv 0.13.9 writes it in the venv `uv run --with` runs the command in. */
const UV_OVERLAY_PTH =
  'import site; site.addsitedir(__import__("os").fsdecode(b"/home/u/.cache/uv/archive-v0/Kgx2YlpLHBfv8C5l/lib/python3.11/site-packages")); site.addsitedir(__import__("os").fsdecode(b"/home/u/.pyenv/versions/3.11.7/lib/python3.11/site-packages"))';

describe('versions: what a launch layers over the interpreter (uv run --with, PYTHONPATH)', () => {
  it('reads the site folders a .pth file adds, in order; a folder line and code that adds none say nothing', () => {
    assert.deepEqual(addedSiteDirs(UV_OVERLAY_PTH), [
      '/home/u/.cache/uv/archive-v0/Kgx2YlpLHBfv8C5l/lib/python3.11/site-packages',
      '/home/u/.pyenv/versions/3.11.7/lib/python3.11/site-packages',
    ]);
    assert.deepEqual(addedSiteDirs("import site; site.addsitedir('/a/b')\n/src/checkout\nimport _virtualenv\n"), [
      '/a/b',
    ]);
    assert.deepEqual(addedSiteDirs('import site; site.addsitedir(b"/caf\\xc3\\xa9/sp")'), ['/café/sp']);
    assert.deepEqual(addedSiteDirs('import site; site.addsitedir(b"C:\\\\Users\\\\u\\\\sp")'), ['C:\\Users\\u\\sp']);
  });

  it('parses the requirements uv run --with (and -w) layers, through what is in front of uv', () => {
    const parsed = parseLaunch([
      'uv',
      'run',
      '--with',
      'mcp-server-time==1.0',
      '-w',
      'rich',
      'mcp-server-time',
      '--tz',
      'UTC',
    ]);
    assert.deepEqual(parsed.layered, ['mcp-server-time==1.0', 'rich']);
    assert.deepEqual(parsed.target, { kind: 'program', program: 'mcp-server-time', args: ['--tz', 'UTC'] });
    assert.deepEqual(parseLaunch(['sh', '-c', 'uv run --with=srv==2 python -m srv']).layered, ['srv==2']);
    assert.equal(parseLaunch(['uv', 'run', 'srv']).layered, undefined);
  });

  it('takes uv run --with for a runner launch only when what runs is one of its requirements', () => {
    assert.deepEqual(
      parseLayeredRunner({ command: 'uv', args: ['run', '--with', 'mcp-server-time==1.0', 'mcp-server-time'] }),
      {
        runner: 'uv-run',
        name: 'mcp-server-time',
        version: '1.0',
      },
    );
    assert.deepEqual(
      parseLayeredRunner({
        command: 'uv',
        args: ['run', '--with', 'rich', '--with', 'Mcp_Server.Time[x]', 'python', '-m', 'mcp_server_time.cli'],
      }),
      { runner: 'uv-run', name: 'Mcp_Server.Time', extras: ['x'] },
    );
    // A program of another name may come from the project's own environment: not taken for the requirement.
    assert.equal(parseLayeredRunner({ command: 'uv', args: ['run', '--with', 'rich', 'mcp-server-time'] }), undefined);
    assert.equal(parseLayeredRunner({ command: 'uv', args: ['run', 'mcp-server-time'] }), undefined);
    // To the matcher it is not a runner's package: the process is the program's.
    assert.equal(parsePythonRunner({ command: 'uv', args: ['run', '--with', 'srv==1', 'srv'] }), undefined);
  });

  it("reads an entry's PYTHONPATH as absolute folders, relative ones from the launch's folder, empty ones dropped", () => {
    const home = tempDir();
    const ctx = ctxFor(home, {});
    assert.deepEqual(
      pythonPathRoots(ctx, { PYTHONPATH: `/a/src${path.delimiter}${path.delimiter}lib${path.delimiter}/a/src` }, '/w'),
      ['/a/src', '/w/lib'],
    );
    assert.deepEqual(pythonPathRoots(ctx, { PYTHONPATH: 'lib' }, undefined), [path.join(home, 'lib')]);
    assert.deepEqual(pythonPathRoots(ctx, { OTHER: '/x' }, '/w'), []);
    assert.deepEqual(pythonPathRoots(ctx, undefined, '/w'), []);
  });
});
