import * as assert from 'node:assert/strict';
import { uvToolInstall } from '../../../src/core/actions/uvToolInstall';
import { venvBase } from '../../../src/core/actions/venvBase';
import { facts } from './installFacts';

/** The tool's own interpreter, the one its venv was made from. */
const OWN = '/h/.local/share/uv/python/cpython-3.12.9-linux-x86_64-gnu/bin/python3.12';

const RECEIPT = `[tool]
requirements = [{ name = "mcp-server-time", specifier = "==2026.8.18" }, { name = "tzdata", extras = ["x"], specifier = ">=2024" }]
python = "3.12"
entrypoints = [{ name = "mcp-server-time", install-path = "/h/.local/bin/mcp-server-time", from = "mcp-server-time" }]
`;

describe("actions: a uv tool's package moved through uv tool install, so its receipt agrees", () => {
  it("keeps the receipt's other requirements as it has them, its Python request as the tool's own interpreter; pins the tool's own package alone, leaving the dependencies that moved to uv", () => {
    assert.deepEqual(uvToolInstall('/bin/uv', RECEIPT, [{ name: 'mcp_server_time', version: '2026.10.19' }], OWN), {
      install: {
        command: '/bin/uv',
        args: ['tool', 'install', 'mcp-server-time==2026.10.19', '--with', 'tzdata[x]>=2024', '--python', OWN],
      },
      unpinned: [],
    });
    // A roll back's dependency pins never become requirements of uv's receipt (its next `uv tool upgrade` would keep them).
    assert.deepEqual(
      uvToolInstall(
        '/bin/uv',
        RECEIPT,
        [
          { name: 'mcp-server-time', version: '2026.8.18' },
          { name: 'tzdata', version: '2024.1' },
          { name: 'pydantic', version: '2.9.0' },
        ],
        OWN,
      ),
      {
        install: {
          command: '/bin/uv',
          args: ['tool', 'install', 'mcp-server-time==2026.8.18', '--with', 'tzdata[x]>=2024', '--python', OWN],
        },
        unpinned: ['tzdata', 'pydantic'],
      },
    );
  });

  it('leaves to uv pip what it cannot rebuild: only dependencies moving, no receipt, a bad one, a source it does not rebuild', () => {
    assert.equal(uvToolInstall('/bin/uv', RECEIPT, [{ name: 'tzdata', version: '2024.1' }], OWN), undefined);
    assert.equal(uvToolInstall('/bin/uv', undefined, [{ name: 'mcp-server-time', version: '1' }], OWN), undefined);
    assert.equal(uvToolInstall('/bin/uv', '[tool\nnope', [{ name: 'mcp-server-time', version: '1' }], OWN), undefined);
    const git = '[tool]\nrequirements = [{ name = "mcp-server-time", git = "https://example.invalid/x" }]\n';
    assert.equal(uvToolInstall('/bin/uv', git, [{ name: 'mcp-server-time', version: '1' }], OWN), undefined);
  });

  it("never passes the receipt's bare Python request: without the tool's own interpreter, uv pip installs into its environment", () => {
    const time = [{ name: 'mcp-server-time', version: '2026.10.19' }];
    assert.equal(uvToolInstall('/bin/uv', RECEIPT, time, undefined), undefined);
    // No Python asked for in the receipt: none passed, uv keeps the tool's environment's own.
    const plain = '[tool]\nrequirements = [{ name = "mcp-server-time" }]\n';
    assert.deepEqual(uvToolInstall('/bin/uv', plain, time, undefined)?.install.args, [
      'tool',
      'install',
      'mcp-server-time==2026.10.19',
    ]);
  });

  it('no name the receipt gives becomes an option: a requirement or extra that is not a Python name is not rebuilt', () => {
    const time = [{ name: 'mcp-server-time', version: '1' }];
    const withs = (req: string) => `[tool]\nrequirements = [{ name = "mcp-server-time" }, ${req}]\npython = "3"\n`;
    assert.equal(uvToolInstall('/bin/uv', withs('{ name = "--index-url=https://x" }'), time, OWN), undefined);
    assert.equal(uvToolInstall('/bin/uv', withs('{ name = "a", extras = ["-e"] }'), time, OWN), undefined);
    assert.equal(uvToolInstall('/bin/uv', withs('{ name = "a", specifier = "==1; rm" }'), time, OWN), undefined);
    assert.ok(uvToolInstall('/bin/uv', withs('{ name = "a", specifier = ">=1.0,<2" }'), time, OWN));
  });
});

describe("actions: a venv's own interpreter, from its pyvenv.cfg, as an absolute path that exists", () => {
  const VENV = '/h/.local/share/uv/tools/t';
  const HOME = '/h/.local/share/uv/python/cpython-3.12.9-linux-x86_64-gnu/bin';
  const cfg = (text: string, files: string[]) => facts([...files], [], {}, { [`${VENV}/pyvenv.cfg`]: text });

  it("uv's pyvenv.cfg (home and version_info): the home's python3.12, else python3, else python", () => {
    const uvCfg = `home = ${HOME}\nimplementation = CPython\nuv = 0.6.0\nversion_info = 3.12.9\n`;
    assert.deepEqual(venvBase(VENV, cfg(uvCfg, [`${HOME}/python3.12`, `${HOME}/python3`])), {
      home: HOME,
      interpreter: `${HOME}/python3.12`,
    });
    assert.equal(venvBase(VENV, cfg(uvCfg, [`${HOME}/python3`])).interpreter, `${HOME}/python3`);
    assert.deepEqual(venvBase(VENV, cfg(uvCfg, [])), { home: HOME });
  });

  it("the venv module's executable where it wrote one; never a relative path", () => {
    const text = 'home = /usr/bin\nexecutable = /usr/bin/python3.11\nversion = 3.11.4\n';
    assert.equal(venvBase(VENV, cfg(text, ['/usr/bin/python3.11'])).interpreter, '/usr/bin/python3.11');
    assert.equal(venvBase(VENV, cfg('home = bin\nversion_info = 3.12.1\n', ['bin/python3.12'])).interpreter, undefined);
  });
});
