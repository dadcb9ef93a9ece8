import * as assert from 'node:assert/strict';
import type { Instance, ServerStatus } from '../../../src/core/base/model';
import type { Installed, InstanceVersions, VersionVerdict } from '../../../src/core/base/versionTypes';
import { facts } from './installFacts';
import { ranOld, upgradePlan, upgradeText } from '../../../src/core/actions/upgrade';
import { pinChange } from '../../../src/core/configEdit/pinEdit';
import { pinIn } from '../../../src/core/launch/pin';
import { editEntries, entryFormatFor } from '../../../src/core/configEdit/wrapEdit';
import { stdioConfig } from '../processes/support';

type Inst = Extract<Installed, { state: 'installed' }>;

const npmAt = (location: string, version = '1.0.0'): Inst => ({
  state: 'installed',
  ecosystem: 'npm',
  name: '@acme/srv',
  version,
  how: 'x',
  location,
});

function serverOf(installed: Inst, o: { latest?: string; command?: string; args?: string[] } = {}): ServerStatus {
  return {
    ...stdioConfig('srv', 'cursor', o.command ?? 'x', o.args ?? []),
    installed,
    instances: [],
    ...(o.latest
      ? {
          updateAvailable: {
            package: installed.name,
            current: installed.version,
            latest: o.latest,
            checkedAt: 'x',
            registry: 'npm',
          },
        }
      : {}),
  };
}

describe('upgrade: the newer version installed the way it was, or the pin of a runner changed', () => {
  it("a global prefix, a project's npm, pnpm or yarn (by its lockfile): the command where it was installed", () => {
    const global = upgradePlan(
      serverOf(npmAt('/usr/local/lib/node_modules/@acme/srv'), { latest: '2.0.0' }),
      undefined,
      facts([], [], { npm: '/usr/bin/npm' }),
    );
    assert.ok(global.kind === 'install');
    assert.deepEqual(global.command, {
      command: '/usr/bin/npm',
      args: ['install', '--global', '--prefix', '/usr/local', '@acme/srv@2.0.0'],
    });
    assert.deepEqual(upgradeText(global).slice(0, 2), [
      'srv: @acme/srv 1.0.0 -> 2.0.0 (npm global prefix /usr/local):',
      '  /usr/bin/npm install --global --prefix /usr/local @acme/srv@2.0.0',
    ]);
    const pnpm = upgradePlan(
      serverOf(npmAt('/w/app/node_modules/.pnpm/@acme+srv@1.0.0/node_modules/@acme/srv')),
      '2.0.0',
      facts(['/w/app/package.json', '/w/app/pnpm-lock.yaml'], [], { pnpm: '/usr/bin/pnpm' }),
    );
    assert.ok(pnpm.kind === 'install');
    assert.deepEqual(pnpm.command, { command: '/usr/bin/pnpm', args: ['add', '@acme/srv@2.0.0'], cwd: '/w/app' });
    assert.equal(pnpm.where, 'pnpm project /w/app');
    const yarnMissing = upgradePlan(
      serverOf(npmAt('/w/app/node_modules/@acme/srv')),
      '2.0.0',
      facts(['/w/app/package.json', '/w/app/yarn.lock']),
    );
    assert.deepEqual(yarnMissing, {
      kind: 'refused',
      serverName: 'srv',
      message: '/w/app is a yarn project (yarn.lock), and yarn is not on PATH',
    });
  });

  it('Python: a pipx venv through pipx, a uv tool through uv, a venv through its pip', () => {
    const site = (venv: string) => `${venv}/lib/python3.12/site-packages`;
    const py = (venv: string): Inst => ({
      state: 'installed',
      ecosystem: 'python',
      name: 'mcp-server-time',
      version: '2026.8.18',
      how: 'x',
      location: `${site(venv)}/mcp_server_time-2026.8.18.dist-info`,
      sitePackages: site(venv),
    });
    const tool = '/h/.local/share/uv/tools/mcp-server-time';
    const uv = upgradePlan(serverOf(py(tool)), '2026.10.19', facts([`${tool}/pyvenv.cfg`], [], { uv: '/bin/uv' }));
    assert.ok(uv.kind === 'install');
    assert.equal(uv.where, `uv tool ${tool}`);
    assert.deepEqual(uv.command.args, [
      'pip',
      'install',
      '--python',
      `${tool}/bin/python`,
      'mcp-server-time==2026.10.19',
    ]);
    const pipxVenv = '/h/.local/share/pipx/venvs/mcp-server-time';
    const pipx = upgradePlan(
      serverOf(py(pipxVenv)),
      '2026.10.19',
      facts([`${pipxVenv}/pyvenv.cfg`], [], { pipx: '/bin/pipx' }),
    );
    assert.ok(pipx.kind === 'install');
    assert.deepEqual(pipx.command.args, ['runpip', 'mcp-server-time', 'install', 'mcp-server-time==2026.10.19']);
  });

  it('npx or uvx: the pin changes in the entries; unpinned, refused (the runner starts the newest)', () => {
    const cached = npmAt('/h/.npm/_npx/ab12/node_modules/@acme/srv');
    const pinned = upgradePlan(
      serverOf(cached, { command: 'npx', args: ['-y', '@acme/srv@1.0.0'] }),
      '2.0.0',
      facts([]),
    );
    assert.deepEqual(pinned, {
      kind: 'pin',
      serverName: 'srv',
      package: '@acme/srv',
      ecosystem: 'npm',
      runner: 'npx',
      from: '1.0.0',
      to: '2.0.0',
    });
    const loose = upgradePlan(serverOf(cached, { command: 'npx', args: ['-y', '@acme/srv'] }), '2.0.0', facts([]));
    assert.equal(loose.kind, 'refused');
    assert.match(loose.kind === 'refused' ? loose.message : '', /through npx without a version/);
  });

  it("deno: a release in deno's npm cache is fetched by deno: the entry's `npm:` pin changes", () => {
    const cached = {
      ...npmAt('/h/.cache/deno/npm/registry.npmjs.org/@acme/srv/1.0.0'),
      how: 'deno npm cache /h/.cache/deno/npm/registry.npmjs.org',
    };
    const plan = upgradePlan(
      serverOf(cached, { command: 'deno', args: ['run', '-A', 'npm:@acme/srv@1.0.0'] }),
      '2.0.0',
      facts([]),
    );
    assert.deepEqual(plan, {
      kind: 'pin',
      serverName: 'srv',
      package: '@acme/srv',
      ecosystem: 'npm',
      runner: 'deno',
      from: '1.0.0',
      to: '2.0.0',
    });
    const text = '{ "mcpServers": { "m": { "command": "deno", "args": ["run", "-A", "npm:@acme/srv@1.0.0"] } } }\n';
    const r = editEntries(text, entryFormatFor('/c/mcp.json'), [
      { keyPath: ['mcpServers', 'm'], change: pinChange('@acme/srv', 'npm', '2.0.0') },
    ]);
    assert.ok(r.kind === 'ok');
    assert.match(r.text ?? '', /"npm:@acme\/srv@2\.0\.0"/);
    assert.ok(!r.text?.includes('1.0.0'), r.text);
    // A file inside the package after the version is no pin this rewrites.
    assert.equal(pinIn(['run', 'npm:@acme/srv@1.0.0/bin/cli.js'], '@acme/srv', 'npm'), undefined);
  });

  it('refused: nothing newer known, the same version, a checkout, a script', () => {
    const at = npmAt('/w/app/node_modules/@acme/srv');
    const f = facts(['/w/app/package.json']);
    assert.match(
      JSON.stringify(upgradePlan(serverOf(at), undefined, f)),
      /no newer version of @acme\/srv than 1\.0\.0 is known/,
    );
    assert.match(JSON.stringify(upgradePlan(serverOf(at), '1.0.0', f)), /@acme\/srv 1\.0\.0 is what is installed/);
    const dev = { ...at, dev: { root: '/src/srv', how: 'x', newest: [] } };
    assert.match(JSON.stringify(upgradePlan(serverOf(dev), '2.0.0', f)), /runs from source \(\/src\/srv\)/);
  });

  it('pins: found in npm and Python spellings; rewritten in the file with every other byte kept', () => {
    assert.deepEqual(pinIn(['-y', '@acme/srv@^1.2'], '@acme/srv', 'npm'), { index: 1, spec: '^1.2' });
    assert.equal(pinIn(['-y', '@acme/srv-extra@1.0.0'], '@acme/srv', 'npm'), undefined);
    assert.deepEqual(pinIn(['--from', 'MCP_Server.Time[x]==1.0'], 'mcp-server-time', 'python'), {
      index: 1,
      spec: '1.0',
    });
    assert.deepEqual(pinIn(['mcp-server-time@2026.8.18'], 'mcp-server-time', 'python'), {
      index: 0,
      spec: '2026.8.18',
    });
    const text =
      '{\n  // mine\n  "mcpServers": { "m": { "command": "npx", "args": ["-y", "@acme/srv@1.0.0", "--port=\\u0031"] } }\n}\n';
    const r = editEntries(text, entryFormatFor('/c/mcp.json'), [
      { keyPath: ['mcpServers', 'm'], change: pinChange('@acme/srv', 'npm', '2.0.0') },
    ]);
    assert.ok(r.kind === 'ok');
    // The comment, the list's one line and the other values as written (an escape kept) stay; only the pin changed.
    assert.equal(r.text, text.replace('@acme/srv@1.0.0', '@acme/srv@2.0.0'));
    // And back: the bytes it had.
    const back = editEntries(r.text!, entryFormatFor('/c/mcp.json'), [
      { keyPath: ['mcpServers', 'm'], change: pinChange('@acme/srv', 'npm', '1.0.0') },
    ]);
    assert.ok(back.kind === 'ok');
    assert.equal(back.text, text);
    // A list one value a line, TOML's literal strings and a YAML block list keep their layout too.
    const lines = '{"mcpServers": {"t": {"command": "uvx", "args": [\n  "mcp-server-time@2026.8.18" // pinned\n]}}}\n';
    const l = editEntries(lines, entryFormatFor('/c/mcp.json'), [
      { keyPath: ['mcpServers', 't'], change: pinChange('mcp-server-time', 'python', '2026.10.19') },
    ]);
    assert.ok(l.kind === 'ok');
    assert.equal(l.text, lines.replace('2026.8.18', '2026.10.19'));
    const literal =
      "[mcp_servers.t]\r\ncommand = 'uvx'\r\nargs = [\r\n  '--quiet',\r\n  'mcp-server-time==2026.8.18', # pinned\r\n]\r\n";
    const lt = editEntries(literal, entryFormatFor('/c/config.toml'), [
      { keyPath: ['mcp_servers', 't'], change: pinChange('mcp-server-time', 'python', '2026.10.19') },
    ]);
    assert.ok(lt.kind === 'ok');
    assert.equal(lt.text, literal.replace("'mcp-server-time==2026.8.18'", '"mcp-server-time==2026.10.19"'));
    const yaml =
      'mcpServers:\n  - name: t\n    command: uvx\n    args:\n      - --quiet\n      - mcp-server-time@2026.8.18 # pinned\n';
    const y = editEntries(yaml, entryFormatFor('/c/.continue/config.yaml'), [
      { keyPath: ['mcpServers', 0], change: pinChange('mcp-server-time', 'python', '2026.10.19') },
    ]);
    assert.ok(y.kind === 'ok', JSON.stringify(y));
    assert.equal(y.text, yaml.replace('mcp-server-time@2026.8.18', '"mcp-server-time@2026.10.19"'));
    const toml = '[mcp_servers.t]\ncommand = "uvx"\nargs = ["mcp-server-time==2026.8.18"]\n';
    const t = editEntries(toml, entryFormatFor('/c/config.toml'), [
      { keyPath: ['mcp_servers', 't'], change: pinChange('mcp-server-time', 'python', '2026.10.19') },
    ]);
    assert.ok(t.kind === 'ok');
    assert.equal(t.text, toml.replace('2026.8.18', '2026.10.19'));
    const same = editEntries(text, entryFormatFor('/c/mcp.json'), [
      { keyPath: ['mcpServers', 'm'], change: pinChange('@acme/srv', 'npm', '1.0.0') },
    ]);
    assert.ok(same.kind === 'ok');
    assert.equal(same.text, undefined);
  });

  it('what ran the old version: guards to restart; unguarded and changed entries left to their clients; the rest untouched', () => {
    const inst = (pid: number, verdict: VersionVerdict, guarded: boolean): Instance =>
      ({
        pid,
        client: { id: 'cursor', name: 'Cursor' },
        verdicts: [],
        ...(guarded ? { lock: { serverName: 'srv', resourceKey: 'k' } } : {}),
        versions: { verdict } as unknown as InstanceVersions,
      }) as unknown as Instance;
    const stale = { state: 'stale', summary: 's' } as unknown as VersionVerdict;
    const r = ranOld({
      instances: [
        inst(1, stale, true),
        inst(2, stale, false),
        inst(3, { state: 'current', reason: 'x' }, true),
        inst(
          4,
          {
            state: 'config-changed',
            package: 'p',
            running: 'p@1',
            configured: 'p@2',
            summary: 'started from p@1, configured p@2',
          },
          true,
        ),
        inst(5, { state: 'unknown', reason: 'x' }, true),
      ],
    });
    assert.deepEqual(r.restart, [{ pid: 1, client: 'Cursor' }]);
    assert.deepEqual(
      r.left.map((l) => l.pid),
      [2, 4],
    );
    assert.match(r.left[1].why, /started from p@1, configured p@2: restart it in Cursor/);
  });
});
