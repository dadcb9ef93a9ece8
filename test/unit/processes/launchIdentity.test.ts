import * as assert from 'node:assert/strict';
import { attachInstances } from '../../../src/core/processes/instances';
import type { LaunchFacts } from '../../../src/core/processes/launchIdentity';
import { ProcessInfo } from '../../../src/core/pids/table';
import { facts, stdioConfig } from './support';

const base: ProcessInfo[] = [
  { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
  { pid: 10, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
];

async function listed(configs: ReturnType<typeof stdioConfig>[], processes: ProcessInfo[], f: LaunchFacts) {
  const r = await attachInstances(configs, { state: 'ok', processes: [...base, ...processes], method: 'procfs' }, { platform: 'linux', secretsOf: () => new Set(), facts: f });
  return Object.fromEntries(r.servers.map((s) => [s.name, s.instances.map((i) => ({ pid: i.pid, undecided: i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner') }))]));
}

describe('launch identity: one process, one entry', () => {
  it('a bare name is the program PATH finds: the process\'s executable decides', async () => {
    const r = await listed(
      [stdioConfig('onPath', 'vscode', 'my-server', []), stdioConfig('inB', 'vscode', '/b/bin/my-server', [])],
      [{ pid: 20, ppid: 10, argv: ['my-server'], startTime: 2000 }, { pid: 21, ppid: 10, argv: ['/b/bin/my-server'], startTime: 2100 }],
      facts({ exe: { 20: '/a/bin/my-server', 21: '/b/bin/my-server' }, path: { 'my-server': '/a/bin/my-server' } }),
    );
    assert.deepEqual(r, { onPath: [{ pid: 20, undecided: false }], inB: [{ pid: 21, undecided: false }] });
  });

  it('python -m pkg of two venvs: the interpreter\'s own path decides, though both link to one python', async () => {
    const links = { '/a/.venv/bin/python': '/usr/bin/python3.12', '/b/.venv/bin/python': '/usr/bin/python3.12' };
    const r = await listed(
      [stdioConfig('a', 'vscode', '/a/.venv/bin/python', ['-m', 'pkg']), stdioConfig('b', 'vscode', '/b/.venv/bin/python', ['-m', 'pkg'])],
      [{ pid: 20, ppid: 10, argv: ['/a/.venv/bin/python', '-m', 'pkg'], startTime: 2000 }, { pid: 21, ppid: 10, argv: ['/b/.venv/bin/python', '-m', 'pkg'], startTime: 2100 }],
      facts({ links, venvs: ['/a/.venv', '/b/.venv'] }),
    );
    assert.deepEqual(r, { a: [{ pid: 20, undecided: false }], b: [{ pid: 21, undecided: false }] });
  });

  it('npx entries that differ only by cwd: the launch\'s working directory decides; unreadable, it is undecided', async () => {
    const configs = [stdioConfig('p1', 'vscode', 'npx', ['tool'], { cwd: '/p1' }), stdioConfig('p2', 'vscode', 'npx', ['tool'], { cwd: '/p2', launchKey: 'other' })];
    const processes: ProcessInfo[] = [{ pid: 20, ppid: 10, argv: ['npm', 'exec', 'tool'], startTime: 2000 }, { pid: 21, ppid: 10, argv: ['npm', 'exec', 'tool'], startTime: 2100 }];
    assert.deepEqual(await listed(configs, processes, facts({ cwd: { 20: '/p1', 21: '/p2' } })), { p1: [{ pid: 20, undecided: false }], p2: [{ pid: 21, undecided: false }] });
    const blind = await listed(configs, processes, facts({}));
    assert.deepEqual(blind.p1, [{ pid: 20, undecided: true }, { pid: 21, undecided: true }]);
  });

  it('a relative script is found in the config\'s cwd; one configured in several places is still one launch', async () => {
    const sameLaunch = { launchKey: 'stdio:same' };
    const r = await listed(
      [stdioConfig('here', 'vscode', 'node', ['server.js'], { cwd: '/p1', ...sameLaunch }), stdioConfig('hereToo', 'vscode', 'node', ['server.js'], { cwd: '/p1', ...sameLaunch }), stdioConfig('there', 'vscode', 'node', ['server.js'], { cwd: '/p2' })],
      [{ pid: 20, ppid: 10, argv: ['node', 'server.js'], startTime: 2000 }],
      facts({ cwd: { 20: '/p1' } }),
    );
    assert.deepEqual(r.here, [{ pid: 20, undecided: false }]);
    assert.deepEqual(r.hereToo, [{ pid: 20, undecided: false }]);
    assert.deepEqual(r.there, []);
  });

  it('a pnpm bin shim is the `node <shim folder>/../<pkg>/<script>` it execs, in its own project only', async () => {
    const rel = '../@s/srv/dist/index.js';
    const shims = { '/a/node_modules/.bin/srv': rel, '/b/node_modules/.bin/srv': rel };
    const r = await listed(
      [stdioConfig('a', 'vscode', '/a/node_modules/.bin/srv', ['--x']), stdioConfig('b', 'vscode', './node_modules/.bin/srv', ['--x'], { cwd: '/b' }), stdioConfig('plain', 'vscode', '/c/node_modules/.bin/srv', ['--x'])],
      [
        { pid: 20, ppid: 10, argv: ['node', '/a/node_modules/.bin/../@s/srv/dist/index.js', '--x'], startTime: 2000 },
        { pid: 21, ppid: 10, argv: ['node', './node_modules/.bin/../@s/srv/dist/index.js', '--x'], startTime: 2100 },
      ],
      facts({ shims, cwd: { 21: '/b' } }),
    );
    assert.deepEqual(r, { a: [{ pid: 20, undecided: false }], b: [{ pid: 21, undecided: false }], plain: [] });
  });

  it('a program that does not depend on its folder: the folder tells entries apart, but never rules one out', async () => {
    const configs = [stdioConfig('p1', 'vscode', '/opt/bin/tool', [], { cwd: '/p1' }), stdioConfig('p2', 'vscode', '/opt/bin/tool', [], { cwd: '/p2', launchKey: 'tool in p2' })];
    const processes: ProcessInfo[] = [{ pid: 20, ppid: 10, argv: ['/opt/bin/tool'], startTime: 2000 }];
    assert.deepEqual(await listed(configs, processes, facts({ cwd: { 20: '/p2' } })), { p1: [], p2: [{ pid: 20, undecided: false }] });
    const elsewhere = await listed(configs, processes, facts({ cwd: { 20: '/tmp' } }));
    assert.deepEqual(elsewhere, { p1: [{ pid: 20, undecided: true }], p2: [{ pid: 20, undecided: true }] });
  });
});
