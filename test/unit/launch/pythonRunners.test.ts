import * as assert from 'node:assert/strict';
import { parseLaunch } from '../../../src/core/launch/parse';
import { poetryEnvHash, poetryEnvName, poetryVirtualenvFolders } from '../../../src/core/launch/projectEnv';
import { pyenvVersionNames, readVersionShim, toolVersions } from '../../../src/core/launch/versionShim';
import { launchKeyOf } from '../../../src/core/processes/argv';

/** pyenv 2.6's shim, as `pyenv rehash` writes it. */
const PYENV_SHIM = `#!/usr/bin/env bash
set -e
[ -n "$PYENV_DEBUG" ] && set -x

program="\${0##*/}"

export PYENV_ROOT="/home/u/.pyenv"
SHIM_PATH=\${0%/*}
if [[ $SHIM_PATH != "/home/u/.pyenv/shims" ]]; then
  export _PYENV_SHIM_PATH="$SHIM_PATH"
fi
exec "/home/u/.pyenv/libexec/pyenv" exec "$program" "$@"
`;

/** asdf 0.16's shim. */
const ASDF_SHIM = `#!/usr/bin/env bash
# asdf-plugin: python 3.12.1
exec asdf exec "python3" "$@" # asdf_allow: ' asdf '
`;

describe("launch: version managers' shims and project runners", () => {
  it("reads pyenv's, asdf's and mise's shims: the manager, its root and where its versions are", () => {
    assert.deepEqual(readVersionShim('/home/u/.pyenv/shims/python3', PYENV_SHIM), {
      manager: 'pyenv',
      program: 'python3',
      shims: '/home/u/.pyenv/shims',
      root: '/home/u/.pyenv',
      installs: '/home/u/.pyenv/versions',
    });
    assert.equal(readVersionShim('/home/u/.asdf/shims/python3', ASDF_SHIM)?.installs, '/home/u/.asdf/installs');
    const mise = readVersionShim('/home/u/.local/share/mise/shims/python3', undefined, '/usr/bin/mise');
    assert.equal(mise?.manager, 'mise');
    assert.equal(mise?.installs, '/home/u/.local/share/mise/installs');
    // Not in a shims folder, or any other script: no shim.
    assert.equal(readVersionShim('/usr/local/bin/python3', PYENV_SHIM), undefined);
    assert.equal(readVersionShim('/x/shims/python3', '#!/bin/sh\nexec /usr/bin/python3 "$@"\n'), undefined);
  });

  it('reads the versions .python-version and .tool-versions select', () => {
    assert.deepEqual(pyenvVersionNames('3.12.1\n# a comment\n3.11.7 system\n'), ['3.12.1', '3.11.7', 'system']);
    assert.deepEqual(toolVersions('nodejs 20.1.0\npython 3.12.1 system\n', 'python'), ['3.12.1', 'system']);
    assert.equal(toolVersions('nodejs 20.1.0\n', 'python'), undefined);
  });

  it('walks poetry run, pdm run and hatch run to the command they run, and poetry -C to its folder', () => {
    const p = parseLaunch(['poetry', '-C', '/srv/proj', 'run', 'mcp-server-time', '--tz', 'UTC']);
    assert.deepEqual(p.effective, ['mcp-server-time', '--tz', 'UTC']);
    assert.equal(p.cwd, '/srv/proj');
    // `-P` names the project, but poetry stays in the folder it was started in.
    assert.equal(parseLaunch(['poetry', '-P', '/srv/proj', 'run', 'x']).cwd, undefined);
    assert.deepEqual(parseLaunch(['pdm', 'run', 'python', '-m', 'srv']).target, {
      kind: 'module',
      module: 'srv',
      args: [],
    });
    assert.deepEqual(parseLaunch(['hatch', 'run', 'dev:mcp-x']).effective, ['mcp-x']);
    // poetry's own script, started by its interpreter: the same launch key as the server it execs.
    assert.equal(
      launchKeyOf(['/v/bin/python', '/v/bin/poetry', 'run', 'mcp-server-time'])?.key,
      'prog:mcp-server-time',
    );
    assert.equal(launchKeyOf(['/c/venv/bin/python', '/c/venv/bin/mcp-server-time'])?.key, 'prog:mcp-server-time');
    // Not `run`: poetry itself.
    assert.deepEqual(parseLaunch(['poetry', 'install']).effective, ['poetry', 'install']);
  });

  it("names a project's poetry environment as poetry does, and finds poetry's virtualenvs folder", () => {
    // poetry's EnvManager.generate_env_name, computed in Python for '/tmp/proj' (the integration test checks a real one).
    assert.equal(poetryEnvHash('/tmp/proj'), 'Kcy8vOlE');
    assert.deepEqual(poetryEnvName('timeproj-Kcy8vOlE-py3.11'), { name: 'timeproj', hash: 'Kcy8vOlE', python: '3.11' });
    assert.equal(poetryEnvName('.venv'), undefined);
    assert.deepEqual(poetryVirtualenvFolders({ home: '/home/u', platform: 'linux', env: {} }), [
      '/home/u/.cache/pypoetry/virtualenvs',
    ]);
    assert.deepEqual(
      poetryVirtualenvFolders({
        home: '/home/u',
        platform: 'linux',
        env: { POETRY_VIRTUALENVS_PATH: '/v', POETRY_CACHE_DIR: '/c' },
      }),
      ['/v', '/c/virtualenvs'],
    );
  });
});
