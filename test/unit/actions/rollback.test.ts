import * as assert from 'node:assert/strict';
import type { ServerStatus } from '../../../src/core/base/model';
import type { Installed } from '../../../src/core/base/versionTypes';
import { facts, serverRunning } from './installFacts';
import { rollbackPlan, rollbackText } from '../../../src/core/actions/rollback';
import { stdioConfig } from '../processes/support';

type Inst = Extract<Installed, { state: 'installed' }>;

const serverOf = (installed: Inst, running: { version: string; packages?: Record<string, string> }): ServerStatus =>
  serverRunning(installed, running, { verdict: 'current' });

/** The venv at /w/.venv and its site-packages, where srv 2.0.0 is installed with these packages in its closure. */
const site = '/w/.venv/lib/python3.11/site-packages';
const venvSrv = (packages: Record<string, string>): Inst => ({
  state: 'installed',
  ecosystem: 'python',
  name: 'srv',
  version: '2.0.0',
  how: 'venv /w/.venv',
  location: `${site}/srv-2.0.0.dist-info`,
  sitePackages: site,
  environment: { hash: 'h', packages, scope: 'closure' },
});

const npmAt = (location: string, version = '2.0.0'): Inst => ({
  state: 'installed',
  ecosystem: 'npm',
  name: '@acme/srv',
  version,
  how: 'x',
  location,
});

describe('roll back: the versions its processes started with, the way it was installed', () => {
  it('npm: a project installs in its folder, a global prefix globally; npx cache is the entry pin to change', () => {
    const project = rollbackPlan(
      serverOf(npmAt('/w/app/node_modules/@acme/srv'), { version: '1.0.0' }),
      facts(['/w/app/package.json'], [], { npm: '/usr/bin/npm' }),
    );
    assert.ok(project.kind === 'plan');
    // Exact in the project's package.json: a caret range would let the next `npm update` bring back 2.0.0.
    assert.deepEqual(project.command, {
      command: '/usr/bin/npm',
      args: ['install', '--save-exact', '@acme/srv@1.0.0'],
      cwd: '/w/app',
    });
    assert.equal(project.where, 'npm project /w/app; its package.json gets the exact versions');
    assert.equal(project.from, 'what pid 42 started with');
    const global = rollbackPlan(
      serverOf(npmAt('/usr/local/lib/node_modules/@acme/srv'), { version: '1.0.0' }),
      facts([]),
    );
    assert.ok(global.kind === 'plan');
    assert.deepEqual(global.command.args, ['install', '--global', '--prefix', '/usr/local', '@acme/srv@1.0.0']);
    const npx = rollbackPlan(
      serverOf(npmAt('/home/u/.npm/_npx/ab12/node_modules/@acme/srv'), { version: '1.0.0' }),
      facts([]),
    );
    assert.deepEqual(npx, {
      kind: 'pin',
      serverName: 'srv',
      package: '@acme/srv',
      ecosystem: 'npm',
      runner: 'npx',
      from: '2.0.0',
      to: '1.0.0',
    });
  });

  it('Python: the venv’s pip pins the package and each dependency that moved; without pip, pipx or uv; outside a venv, refused', () => {
    const installed = venvSrv({ mcp: '2.3.0', anyio: '4.0.0', 'mcp-types': '2.3.0' });
    const ran = { version: '1.0.0', packages: { mcp: '1.30.0', anyio: '4.0.0', httpx: '0.28.1' } };
    const withPip = rollbackPlan(serverOf(installed, ran), facts(['/w/.venv/pyvenv.cfg'], [`${site}/pip`]));
    assert.ok(withPip.kind === 'plan');
    assert.deepEqual(withPip.command, {
      command: '/w/.venv/bin/python',
      args: ['-m', 'pip', 'install', 'srv==1.0.0', 'mcp==1.30.0', 'httpx==0.28.1'],
    });
    assert.deepEqual(rollbackText(withPip).slice(0, 4), [
      'srv: back to what pid 42 started with (venv /w/.venv):',
      '  srv 2.0.0 -> 1.0.0',
      '  mcp 2.3.0 -> 1.30.0',
      '  httpx (absent) -> 0.28.1',
    ]);
    // certifi and sniffio only left the closure: still installed beside it (certifi at the version it
    // had, sniffio at another). Never an install from nothing: certifi is left alone, sniffio moves back.
    const left = serverOf(installed, {
      ...ran,
      packages: { ...ran.packages, certifi: '2026.10.19', sniffio: '1.3.0' },
    });
    const judged = left.instances[0].versions!;
    Object.assign(judged, {
      verdict: {
        state: 'stale',
        movedDependencies: [
          { name: 'certifi', from: '2026.10.19', stillInstalled: '2026.10.19' },
          { name: 'sniffio', from: '1.3.0', stillInstalled: '1.3.1' },
        ],
      },
    });
    const beside = rollbackPlan(left, facts(['/w/.venv/pyvenv.cfg'], [`${site}/pip`]));
    assert.ok(beside.kind === 'plan');
    assert.deepEqual(beside.command.args, [
      '-m',
      'pip',
      'install',
      'srv==1.0.0',
      'mcp==1.30.0',
      'httpx==0.28.1',
      'sniffio==1.3.0',
    ]);
    assert.ok(rollbackText(beside).includes('  sniffio 1.3.1 -> 1.3.0'), rollbackText(beside).join('\n'));
    assert.ok(!rollbackText(beside).some((l) => l.includes('certifi')), rollbackText(beside).join('\n'));
    // mcp-types came with the upgrade: left installed (the venv may use it elsewhere), and said.
    assert.deepEqual(withPip.kept, ['mcp-types']);
    assert.match(rollbackText(withPip).at(-1)!, /^ {2}left installed: mcp-types \(the newer release brought it;/);
    const withUv = rollbackPlan(serverOf(installed, ran), facts(['/w/.venv/pyvenv.cfg'], [], { uv: '/usr/bin/uv' }));
    assert.ok(withUv.kind === 'plan');
    assert.deepEqual(withUv.command.args.slice(0, 4), ['pip', 'install', '--python', '/w/.venv/bin/python']);
    const pipxSite = '/home/u/.local/share/pipx/venvs/srv/lib/python3.11/site-packages';
    const inPipx = rollbackPlan(
      serverOf({ ...installed, sitePackages: pipxSite }, ran),
      facts(['/home/u/.local/share/pipx/venvs/srv/pyvenv.cfg'], [], { pipx: '/usr/bin/pipx' }),
    );
    assert.ok(inPipx.kind === 'plan');
    assert.deepEqual(inPipx.command.args.slice(0, 3), ['runpip', 'srv', 'install']);
    assert.equal(rollbackPlan(serverOf(installed, ran), facts([])).kind, 'refused');
  });

  it("a down guard's Roll Back says what really changes: a dependency still installed in its site-packages is never installed from nothing", () => {
    const installed = venvSrv({ mcp: '2.3.0' });
    // The guard's record of its last server that served: certifi and sniffio left the closure with
    // the upgrade, and no process runs to have a verdict say they are still there.
    const ranWith = {
      package: { name: 'srv', version: '1.0.0' },
      dependencies: { mcp: '1.30.0', certifi: '2026.10.19', sniffio: '1.3.0', httpx: '0.28.1' },
    };
    const guard = {
      pid: 40,
      startTime: 1,
      launcherChain: [],
      client: { id: 'cursor', name: 'Cursor' },
      verdicts: [{ kind: 'down', since: 's', reason: 'crash loop', ranWith }],
      lock: { serverName: 'srv', resourceKey: 'k' },
    } as unknown as ServerStatus['instances'][number];
    const server: ServerStatus = { ...stdioConfig('srv', 'cursor', 'x', []), installed, instances: [guard] };
    const listing = [
      'srv-2.0.0.dist-info',
      'mcp-2.3.0.dist-info',
      'certifi-2026.10.19.dist-info',
      'Sniffio-1.3.1.dist-info',
      'pip',
    ];
    const plan = rollbackPlan(server, {
      ...facts(['/w/.venv/pyvenv.cfg'], [`${site}/pip`]),
      readdir: (p) => (p === site ? listing : undefined),
    });
    assert.ok(plan.kind === 'plan', JSON.stringify(plan));
    assert.deepEqual(plan.pins, [
      { name: 'srv', version: '1.0.0', now: '2.0.0' },
      { name: 'mcp', version: '1.30.0', now: '2.3.0' },
      { name: 'sniffio', version: '1.3.0', now: '1.3.1' },
      { name: 'httpx', version: '0.28.1' },
    ]);
    assert.deepEqual(plan.restart, [{ guardPid: 40 }]);
    assert.ok(!rollbackText(plan).some((l) => l.includes('certifi')), rollbackText(plan).join('\n'));
  });

  it("a JavaScript script whose imported package moved: that package back, with the project's own installer in its folder", () => {
    const script: Inst = {
      state: 'installed',
      ecosystem: 'npm',
      name: 'server.mjs',
      version: 'script',
      how: 'the script /w/proj/server.mjs',
      location: '/w/proj/server.mjs',
      environment: {
        hash: 'h',
        packages: { '@modelcontextprotocol/sdk': '1.25.0', 'express-rate-limit': '7.5.1', zod: '3.25.76' },
        scope: 'closure',
      },
      nodeProject: { dir: '/w/proj', imports: ['@modelcontextprotocol/sdk'] },
      dev: { root: '/w/proj', how: 'a script', newest: [], script: true },
    };
    const ran = {
      version: 'script',
      packages: {
        '@modelcontextprotocol/sdk': '1.32.2',
        'express-rate-limit': '8.7.5',
        'ip-address': '10.7.6',
        zod: '3.25.76',
      },
    };
    const plan = rollbackPlan(serverOf(script, ran), facts(['/w/proj/package.json'], [], { npm: '/usr/bin/npm' }));
    assert.ok(plan.kind === 'plan', JSON.stringify(plan));
    // What it imports goes back, then the top-level member npm would keep where the upgrade put it;
    // ip-address, removed by the upgrade, comes back with the SDK that needs it.
    assert.deepEqual(plan.command, {
      command: '/usr/bin/npm',
      args: ['install', '--save-exact', '@modelcontextprotocol/sdk@1.32.2', 'express-rate-limit@8.7.5'],
      cwd: '/w/proj',
    });
    assert.deepEqual(rollbackText(plan).slice(0, 4), [
      'srv: back to what pid 42 started with (npm project /w/proj; its package.json gets the exact versions):',
      '  @modelcontextprotocol/sdk 1.25.0 -> 1.32.2',
      '  express-rate-limit 7.5.1 -> 8.7.5',
      '  cd /w/proj && /usr/bin/npm install --save-exact @modelcontextprotocol/sdk@1.32.2 express-rate-limit@8.7.5',
    ]);
    // A pnpm, yarn or bun project: its own add, with its own flag for the exact version.
    for (const [lockfile, program, flag] of [
      ['pnpm-lock.yaml', 'pnpm', '--save-exact'],
      ['yarn.lock', 'yarn', '--exact'],
      ['bun.lock', 'bun', '--exact'],
    ]) {
      const other = rollbackPlan(
        serverOf(script, ran),
        facts(['/w/proj/package.json', `/w/proj/${lockfile}`], [], { [program]: `/usr/bin/${program}` }),
      );
      assert.ok(other.kind === 'plan' && other.command.command === `/usr/bin/${program}`, JSON.stringify(other));
      assert.deepEqual(other.command.args, [
        'add',
        flag,
        '@modelcontextprotocol/sdk@1.32.2',
        'express-rate-limit@8.7.5',
      ]);
      assert.equal(other.where, `${program} project /w/proj; its package.json gets the exact versions`);
    }
    // A name read from a file never becomes an option.
    const hostile = rollbackPlan(
      serverOf(
        { ...script, nodeProject: { dir: '/w/proj', imports: ['--registry=http://evil'] } },
        {
          version: 'script',
          packages: { '--registry=http://evil': '1.0.0' },
        },
      ),
      facts(['/w/proj/package.json'], [], { npm: '/usr/bin/npm' }),
    );
    assert.equal(hostile.kind, 'refused');
    assert.match(rollbackText(hostile)[0], /starts with '-' and would read as an option/);
    // Taken from a folder, not a registry: refused.
    const linked = rollbackPlan(
      serverOf(script, ran),
      facts(
        ['/w/proj/package.json'],
        [],
        { npm: '/usr/bin/npm' },
        {
          '/w/proj/package-lock.json': JSON.stringify({
            packages: { 'node_modules/@modelcontextprotocol/sdk': { resolved: '../sdk', link: true } },
          }),
        },
      ),
    );
    assert.equal(linked.kind, 'refused', JSON.stringify(linked));
  });

  it('nothing moved, or nothing known of what ran: refused, saying why', () => {
    const same = rollbackPlan(
      serverOf(npmAt('/w/app/node_modules/@acme/srv', '1.0.0'), { version: '1.0.0' }),
      facts(['/w/app/package.json']),
    );
    assert.deepEqual(same, { kind: 'refused', serverName: 'srv', message: 'it already has what pid 42 started with' });
    const unknown: ServerStatus = { ...stdioConfig('srv', 'cursor', 'x', []), instances: [] };
    assert.equal(rollbackPlan(unknown, facts([])).kind, 'refused');
  });

  it('after an upgrade whose old processes are gone: what the recorded upgrade replaced', () => {
    const server = serverOf(npmAt('/w/app/node_modules/@acme/srv', '2.0.0'), { version: '2.0.0' });
    const record = { server: 'srv', package: '@acme/srv', from: '1.0.0', to: '2.0.0', at: '2026-11-25T10:00:00.000Z' };
    const plan = rollbackPlan(server, facts(['/w/app/package.json']), record);
    assert.ok(plan.kind === 'plan');
    assert.equal(plan.from, 'what it had before the upgrade of 2026-11-25T10:00:00.000Z');
    assert.deepEqual(plan.pins, [{ name: '@acme/srv', version: '1.0.0', now: '2.0.0' }]);
    // A record of another version than is installed says nothing about it.
    const other = rollbackPlan(server, facts(['/w/app/package.json']), { ...record, to: '3.0.0' });
    assert.equal(other.kind, 'refused');
  });

  it("a uvx pin the upgrade wrote goes back, during the client's session (the old release still runs) and after it; a pin it did not write is not taken for it", () => {
    const uvx = (version: string): Inst => ({
      state: 'installed',
      ecosystem: 'python',
      name: 'mcp_server_time',
      version,
      how: `uvx cache /home/u/.cache/uv/archive-v0/x`,
      location: '/home/u/.cache/uv/archive-v0/x/lib/python3.12/site-packages/mcp_server_time',
    });
    const entry = (pin: string, installed: Inst, runs: string): ServerStatus => ({
      ...serverRunning(installed, { version: runs }, { verdict: 'current' }),
      command: 'uvx',
      args: [`mcp-server-time==${pin}`],
    });
    const record = { server: 'srv', package: 'mcp-server-time', from: '2026.8.18', to: '2026.10.19', at: 't' };
    // During the session: the entry pins the new release, its client still runs the old one.
    const during = rollbackPlan(entry('2026.10.19', uvx('2026.8.18'), '2026.8.18'), facts([]), record);
    assert.ok(during.kind === 'pin', JSON.stringify(during));
    assert.equal(during.to, '2026.8.18');
    assert.equal(during.from, '2026.10.19', 'the pin moves from what the entry pins now, not from what still runs');
    // After: the new release runs from the new pin.
    const after = rollbackPlan(entry('2026.10.19', uvx('2026.10.19'), '2026.10.19'), facts([]), record);
    assert.ok(after.kind === 'pin', JSON.stringify(after));
    assert.equal(after.to, '2026.8.18');
    // A pin the user moved on since: the record is not the pin's.
    const moved = rollbackPlan(entry('2026.11.1', uvx('2026.11.1'), '2026.11.1'), facts([]), record);
    assert.equal(moved.kind, 'refused');
    // After the client quit before it fetched the new pin: nothing of it is installed or runs; the record is enough.
    const neverFetched: ServerStatus = {
      ...stdioConfig('srv', 'cursor', 'uvx', ['mcp-server-time==2026.10.19']),
      instances: [],
    };
    const fromRecord = rollbackPlan(neverFetched, facts([]), record);
    assert.deepEqual(fromRecord, {
      kind: 'pin',
      serverName: 'srv',
      package: 'mcp-server-time',
      ecosystem: 'python',
      runner: 'uvx',
      from: '2026.10.19',
      to: '2026.8.18',
      recordedAt: 't',
    });
    assert.match(
      rollbackText(fromRecord)[0],
      /^srv: what it runs is not known .* the pin 2026\.10\.19 is the one the upgrade of t wrote/,
    );
    const notTheRecords = { ...neverFetched, args: ['mcp-server-time==2026.11.1'] };
    assert.equal(rollbackPlan(notTheRecords, facts([]), record).kind, 'refused');
  });
});
