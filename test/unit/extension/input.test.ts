import * as assert from 'node:assert/strict';
import type { Instance } from '../../../src/core/base/model';
import type { Installed, InstanceVersions } from '../../../src/core/base/versionTypes';
import { NOT_JUDGED, PENDING, toViewInput } from '../../../src/core/report/input';
import { filterSources } from '../../../src/extension/viewModel/sourcesFilter';
import { coreInstance, coreSnapshot, staleMemory } from './coreSnapshots';
import { server, snapshot, source } from './fixtures';

describe('extension view-model: a core snapshot as view input', () => {
  it('keeps instances, verdicts and the process-table state', () => {
    const dup = {
      kind: 'duplicate' as const,
      identityKey: 'k',
      client: { id: 'claude-desktop' as const, name: 'Claude Desktop' },
      keep: { pid: 11, client: { id: 'unknown' as const, name: 'unknown' } },
      instances: [],
    };
    const { instances: _i, updateAvailable: _u, ...config } = server('memory');
    const vm = toViewInput(
      coreSnapshot({
        servers: [{ ...config, instances: [coreInstance({ verdicts: [dup] })] }],
        notConfigured: [coreInstance({ pid: 99 })],
      }),
    );
    assert.equal(vm.servers[0].instances[0].pid, 10);
    assert.deepEqual(vm.servers[0].instances[0].verdicts, [dup]);
    assert.equal(vm.servers[0].instances[0].commandHash, 'abc');
    assert.equal(vm.notConfigured[0].pid, 99);
    assert.deepEqual(vm.processes, { state: 'ok' });
    assert.deepEqual(toViewInput(coreSnapshot({ processes: { state: 'unavailable', reason: 'no ps' } })).processes, {
      state: 'unavailable',
      reason: 'no ps',
    });
  });

  it('Roll Back has something to go back to: a released package, a Python script whose dependencies moved under it, a JavaScript script whose imported packages moved in its project, a down guard that recorded what ran; not a JavaScript script with no project read', () => {
    const { instances: _i, updateAvailable: _u, ...config } = server('notes');
    const script = (ecosystem: 'python' | 'npm', moved: boolean): InstanceVersions =>
      ({
        installed: {
          state: 'installed',
          ecosystem,
          name: 'srv',
          version: 'script',
          how: 'the script /w/srv',
          location: '/w/srv',
          dev: { root: '/w', how: 'a script', script: true, newest: [] },
        },
        running: { state: 'known', version: 'mcp 1.30.0', source: 'lock-record', how: 'lock record' },
        verdict: {
          state: 'stale',
          package: 'srv',
          ecosystem,
          running: 'mcp 1.30.0',
          installed: 'mcp 2.3.0',
          movedDependencies: moved ? [{ name: 'mcp', from: '1.30.0', to: '2.3.0' }] : [],
          replacedFiles: [],
          summary: 's',
          runningHow: 'r',
          installedHow: 'i',
        },
      }) as unknown as InstanceVersions;
    const one = (over: Partial<Instance>) =>
      toViewInput(coreSnapshot({ servers: [{ ...config, instances: [coreInstance(over)] }] })).servers[0];
    assert.equal(one({ versions: script('python', true) }).rollbackable, true);
    assert.equal(one({ versions: script('python', true) }).upgradable, undefined, 'a script is no release');
    assert.equal(one({ versions: script('python', false) }).rollbackable, undefined);
    assert.equal(one({ versions: script('npm', true) }).rollbackable, undefined);
    // Its project's npm puts back what it imports (actions/rollback.ts).
    const inProject = script('npm', true);
    if (inProject.installed.state === 'installed')
      inProject.installed.nodeProject = { dir: '/w', imports: ['@modelcontextprotocol/sdk'] };
    assert.equal(one({ versions: inProject }).rollbackable, true);
    assert.equal(one({ versions: inProject }).upgradable, undefined, 'a script is no release');
    const down = { kind: 'down' as const, since: 's', reason: 'r' };
    assert.equal(one({ verdicts: [{ ...down, ranWith: { dependencies: { mcp: '1.30.0' } } }] }).rollbackable, true);
    assert.equal(one({ verdicts: [down] }).rollbackable, undefined);
  });

  it('Upgrade is offered for an entry that pins a runner release even while that release is nowhere on disk (uvx fetches it at its next start); not for an unpinned one', () => {
    const { instances: _i, updateAvailable: _u, ...config } = server('time');
    const unknown: Installed = { state: 'unknown', ecosystem: 'python', name: 'mcp-server-time', reason: 'r' };
    const entry = (args: string[]) =>
      toViewInput(
        coreSnapshot({
          servers: [{ ...config, command: '/h/.local/bin/uvx', args, installed: unknown, instances: [] }],
        }),
      ).servers[0];
    assert.equal(entry(['mcp-server-time@2026.8.18']).upgradable, true);
    assert.equal(entry(['mcp-server-time']).upgradable, undefined);
  });

  it('reads the version judgement: stale becomes a stale verdict with the evidence, unknown stays unknown', () => {
    const installed: Installed = {
      state: 'installed',
      ecosystem: 'npm',
      name: '@modelcontextprotocol/server-memory',
      version: '2026.8.31',
      how: 'npx cache',
      location: '/x',
    };
    const versions = staleMemory(installed);
    const unknownVersions: InstanceVersions = {
      installed,
      running: { state: 'unknown', reason: 'no record' },
      verdict: { state: 'unknown', reason: 'no record' },
    };
    const { instances: _i, ...config } = server('memory');
    const vm = toViewInput(
      coreSnapshot({
        servers: [
          {
            ...config,
            instances: [coreInstance({ versions }), coreInstance({ pid: 11, versions: unknownVersions })],
            updateAvailable: {
              current: '2026.8.31',
              latest: '2026.9.1',
              package: '@modelcontextprotocol/server-memory',
              checkedAt: 't',
              registry: 'npm',
            },
          },
        ],
      }),
    );
    const [a, b] = vm.servers[0].instances;
    assert.deepEqual(a.verdicts, [
      {
        kind: 'restart',
        cause: 'version',
        package: '@modelcontextprotocol/server-memory',
        running: '2026.7.4',
        installed: '2026.8.31',
        summary: 's',
        evidence: versions,
      },
    ]);
    assert.equal(a.runningVersion, '2026.7.4');
    assert.deepEqual(b.verdicts, [{ kind: 'unknown', question: 'stale', reason: 'no record' }]);
    assert.equal(vm.servers[0].installedVersion, '2026.8.31');
    assert.deepEqual(vm.servers[0].updateAvailable, {
      package: '@modelcontextprotocol/server-memory',
      installed: '2026.8.31',
      latest: '2026.9.1',
    });
  });

  it('the processes an instance started: each with its own version verdict; one whose command line names no package is not judged; pending while versions are', () => {
    const installed: Installed = {
      state: 'installed',
      ecosystem: 'python',
      name: 'buckaroo',
      version: '0.15.11',
      how: 'venv /v',
      location: '/v/lib/python3.11/site-packages/buckaroo-0.15.11.dist-info',
    };
    const versions: InstanceVersions = {
      installed,
      running: { state: 'known', version: '0.15.10', source: 'first-seen', how: 'first seen' },
      verdict: {
        state: 'stale',
        package: 'buckaroo',
        ecosystem: 'python',
        running: '0.15.10',
        installed: '0.15.11',
        movedDependencies: [],
        replacedFiles: [],
        runningHow: 'r',
        installedHow: 'i',
        summary: 's',
      },
    };
    const child = { ppid: 10, startTime: 6, commandHash: 'c', startedAt: 'x', memoryBytes: 7 };
    const core = coreInstance({
      children: [
        { ...child, pid: 20, commandLine: 'python -m buckaroo.server', versions },
        { ...child, pid: 21, commandLine: 'python -c x' },
      ],
    });
    const { instances: _i, updateAvailable: _u, ...config } = server('buckaroo');
    const snap = coreSnapshot({ servers: [{ ...config, instances: [core] }] });
    const [data, dog] = toViewInput(snap).servers[0].instances[0].childProcesses!;
    assert.deepEqual(data, {
      pid: 20,
      ppid: 10,
      startTime: 6,
      memoryBytes: 7,
      commandLine: 'python -m buckaroo.server',
      runningVersion: '0.15.10',
      verdicts: [
        {
          kind: 'restart',
          cause: 'version',
          package: 'buckaroo',
          running: '0.15.10',
          installed: '0.15.11',
          summary: 's',
          evidence: versions,
        },
      ],
    });
    assert.deepEqual(dog.verdicts, [NOT_JUDGED]);
    const pending = toViewInput(snap, { versionsPending: true }).servers[0].instances[0].childProcesses!;
    assert.deepEqual(
      pending.map((c) => c.verdicts),
      [[PENDING], [PENDING]],
    );
  });

  it('changed since start and config drift become restart-needing verdicts with their cause; settling stays unknown', () => {
    const installed: Installed = {
      state: 'installed',
      ecosystem: 'npm',
      name: 'srv',
      version: '2.0.0',
      how: 'h',
      location: '/x',
    };
    const running = { state: 'unknown' as const, reason: 'no record' };
    const changedV: InstanceVersions = {
      installed,
      running,
      verdict: {
        state: 'changed',
        package: 'srv',
        ecosystem: 'npm',
        installed: '2.0.0',
        dev: false,
        changedFiles: [],
        changedAt: 't',
        processStart: 's',
        identicalFiles: [],
        summary: 'srv: changed since start',
      },
    };
    const configV: InstanceVersions = {
      installed,
      running,
      verdict: {
        state: 'config-changed',
        package: 'srv',
        running: 'srv@1.0.0',
        configured: 'srv@2.0.0',
        summary: 'srv: config',
      },
    };
    const settlingV: InstanceVersions = {
      installed,
      running,
      verdict: { state: 'unknown', reason: 'files changed 1 s ago', settling: true },
    };
    const { instances: _i, updateAvailable: _u, ...config } = server('srv');
    const vm = toViewInput(
      coreSnapshot({
        servers: [
          {
            ...config,
            instances: [
              coreInstance({ versions: changedV }),
              coreInstance({ pid: 11, versions: configV }),
              coreInstance({ pid: 12, versions: settlingV }),
            ],
          },
        ],
      }),
    );
    const [a, b, c] = vm.servers[0].instances;
    assert.deepEqual(
      a.verdicts.map((v) => v.kind === 'restart' && [v.cause, v.running, v.installed]),
      [['changed', 'changed since start', '2.0.0']],
    );
    assert.deepEqual(
      b.verdicts.map((v) => v.kind === 'restart' && [v.cause, v.running, v.installed]),
      [['config', 'srv@1.0.0', 'srv@2.0.0']],
    );
    assert.deepEqual(c.verdicts, [
      { kind: 'unknown', question: 'stale', reason: 'files changed 1 s ago', settling: true },
    ]);
    assert.equal(a.runningVersion, undefined, 'an unknown running version is never filled in');
  });

  it('a snapshot whose process table could not be read reads as "instances unknown"', () => {
    const vm = toViewInput(coreSnapshot({ processes: { state: 'unavailable', reason: 'no ps' } }));
    assert.deepEqual(vm.servers[0].instances, []);
    assert.equal(vm.processes.state, 'unavailable');
  });
});

describe('extension view-model: the sources setting', () => {
  it('shows only the chosen clients; empty shows all', () => {
    const snap = snapshot(
      [
        server('a'),
        server('b', { source: source({ client: 'cursor', label: 'Cursor', file: '/h/.cursor/mcp.json' }) }),
      ],
      {
        diagnostics: [
          { file: '/h/.cursor/mcp.json', severity: 'error', message: 'x', client: 'cursor' },
          { file: '/h/x.json', severity: 'error', message: 'y', client: 'claude-desktop' },
        ],
      },
    );
    assert.deepEqual(
      filterSources(snap, []).servers.map((s) => s.name),
      ['a', 'b'],
    );
    const only = filterSources(snap, ['cursor']);
    assert.deepEqual(
      only.servers.map((s) => s.name),
      ['b'],
    );
    assert.deepEqual(
      only.diagnostics.map((d) => d.message),
      ['x'],
    );
  });
});

describe('extension view-model: server-level version facts', () => {
  it('takes the installed version from the server and the update with its package', () => {
    const { instances: _i, ...config } = server('memory');
    const vm = toViewInput(
      coreSnapshot({
        servers: [
          {
            ...config,
            instances: [],
            installed: {
              state: 'installed',
              ecosystem: 'npm',
              name: 'pkg',
              version: '1.0.0',
              how: 'h',
              location: '/p',
            },
            updateAvailable: { current: '1.0.0', latest: '1.1.0', package: 'pkg', checkedAt: 't', registry: 'npm' },
          },
        ],
      }),
    );
    assert.equal(vm.servers[0].installedVersion, '1.0.0');
    assert.deepEqual(vm.servers[0].updateAvailable, { package: 'pkg', installed: '1.0.0', latest: '1.1.0' });
  });
});
