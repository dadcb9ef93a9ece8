import * as assert from 'node:assert/strict';
import { attachInstances, InstanceOptions } from '../../../src/core/processes/instances';
import type { LaunchFacts } from '../../../src/core/processes/launchFacts';
import { ProcessInfo } from '../../../src/core/pids/table';
import { facts, stdioConfig } from './support';
import { runnerHomes } from '../../../src/core/launch/runnerHomes';
import { readVersionShim } from '../../../src/core/launch/versionShim';
import { poetryEnvHash } from '../../../src/core/launch/projectEnv';

const base: ProcessInfo[] = [
  { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
  { pid: 10, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
];

/** The instances of these entries among `base`'s processes and these, judged on Linux (or `options.platform`) with these options. */
function attachAmong(
  configs: ReturnType<typeof stdioConfig>[],
  processes: ProcessInfo[],
  options: Omit<InstanceOptions, 'platform'> & Partial<Pick<InstanceOptions, 'platform'>>,
) {
  return attachInstances(
    configs,
    { state: 'ok', processes: [...base, ...processes], method: 'procfs' },
    { platform: 'linux', secretsOf: () => new Set(), ...options },
  );
}

async function listed(configs: ReturnType<typeof stdioConfig>[], processes: ProcessInfo[], f: LaunchFacts) {
  const r = await attachAmong(configs, processes, { facts: f });
  return Object.fromEntries(
    r.servers.map((s) => [
      s.name,
      s.instances.map((i) => ({
        pid: i.pid,
        undecided: i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'),
      })),
    ]),
  );
}

/** `/srv/server.py` run by the interpreter `python` names (one client's child). */
const run = (pid: number, python: string): ProcessInfo => ({
  pid,
  ppid: 10,
  argv: [python, '/srv/server.py'],
  startTime: 2000 + pid,
});

describe('launch identity: one process, one entry', () => {
  it("a python3 that is pyenv's shim: a process of one of pyenv's versions is the entry's, and so is the system one after the shims; another python is not", async () => {
    const shim = '/home/u/.pyenv/shims/python3';
    const text = 'export PYENV_ROOT="/home/u/.pyenv"\nexec "/home/u/.pyenv/libexec/pyenv" exec "$program" "$@"\n';
    const f: LaunchFacts = {
      ...facts({
        path: { python3: shim },
        cwd: { 20: '/srv', 21: '/srv', 22: '/srv' },
        links: { '/srv/.venv/bin/python3': '/home/u/.pyenv/versions/3.12.1/bin/python3.12' },
        venvs: ['/srv/.venv'],
      }),
      shim: (file) => (file === shim ? readVersionShim(file, text) : undefined),
      pathCandidates: () => [shim, '/usr/bin/python3'],
    };
    const cfg = [stdioConfig('srv', 'vscode', 'python3', ['/srv/server.py'])];
    assert.deepEqual(await listed(cfg, [run(20, '/home/u/.pyenv/versions/3.12.1/bin/python3')], f), {
      srv: [{ pid: 20, undecided: false }],
    });
    // pyenv's `system`: the python3 PATH finds after the shims.
    assert.deepEqual(await listed(cfg, [run(21, '/usr/bin/python3')], f), { srv: [{ pid: 21, undecided: false }] });
    // Another interpreter: not what the shim runs.
    assert.deepEqual(await listed(cfg, [run(22, '/opt/python/bin/python3')], { ...f, realpath: (x) => x }), {
      srv: [],
    });
  });

  it("a bare command npm put on PATH as a shim: the process running the script the shim names is the entry's, another copy of the package is not", async () => {
    // npm i -g on Windows: `<prefix>\\mcp-server-memory.cmd` runs `<prefix>\\node_modules\\...\\index.js`
    // (the shim's folder and spelling here are the test's; the location rule is machineLaunchFacts').
    const script = 'node_modules/@modelcontextprotocol/server-memory/dist/index.js';
    const f = facts({
      path: { 'mcp-server-memory': '/u/npm/mcp-server-memory.cmd' },
      shims: { '/u/npm/mcp-server-memory.cmd': script },
    });
    const cfg = [stdioConfig('memory', 'claude-desktop', 'mcp-server-memory', [])];
    const launch = (pid: number, file: string): ProcessInfo[] => [
      { pid, ppid: 10, argv: ['cmd.exe', '/d', '/s', '/c', 'mcp-server-memory'], startTime: 2000 + pid },
      { pid: pid + 1, ppid: pid, argv: ['node', file], startTime: 2001 + pid },
    ];
    assert.deepEqual(await listed(cfg, launch(20, `/u/npm/${script}`), f), {
      memory: [{ pid: 21, undecided: false }],
    });
    assert.deepEqual(await listed(cfg, launch(30, `/other/${script}`), f), { memory: [] });
    // The shim named by path on both sides (`cmd /c C:\\...\\npm\\x.cmd`): one file, whatever it runs.
    const byPath = [stdioConfig('memory', 'claude-desktop', 'cmd.exe', ['/c', '/u/npm/mcp-server-memory.cmd'])];
    const shimRoot: ProcessInfo[] = [
      { pid: 40, ppid: 10, argv: ['cmd.exe', '/c', '/u/npm/mcp-server-memory.cmd'], startTime: 2040 },
      { pid: 41, ppid: 40, argv: ['node', `/u/npm/${script}`], startTime: 2041 },
    ];
    assert.deepEqual(await listed(byPath, shimRoot, f), { memory: [{ pid: 41, undecided: false }] });
  });

  it("poetry run: the project's environment in poetry's cache, named by the project folder's hash, decides", async () => {
    const mine = `/home/u/.cache/pypoetry/virtualenvs/proj-${poetryEnvHash('/srv/proj')}-py3.12`;
    const theirs = `/home/u/.cache/pypoetry/virtualenvs/proj-${poetryEnvHash('/srv/other')}-py3.12`;
    const cfg = [stdioConfig('srv', 'vscode', 'poetry', ['-C', '/srv/proj', 'run', 'mcp-server-x'])];
    const f = facts({ venvs: [mine, theirs], cwd: { 20: '/srv/proj', 21: '/srv/proj' } });
    const r = await listed(
      cfg,
      [
        { pid: 20, ppid: 10, argv: [`${mine}/bin/python`, `${mine}/bin/mcp-server-x`], startTime: 2000 },
        { pid: 21, ppid: 10, argv: [`${theirs}/bin/python`, `${theirs}/bin/mcp-server-x`], startTime: 2100 },
      ],
      {
        ...f,
        realpath: (x) => (x.endsWith('pyproject.toml') ? (x === '/srv/proj/pyproject.toml' ? x : undefined) : x),
      },
    );
    assert.deepEqual(r, { srv: [{ pid: 20, undecided: false }] });
  });

  it("a bare name is the program PATH finds: the process's executable decides", async () => {
    const r = await listed(
      [stdioConfig('onPath', 'vscode', 'my-server', []), stdioConfig('inB', 'vscode', '/b/bin/my-server', [])],
      [
        { pid: 20, ppid: 10, argv: ['my-server'], startTime: 2000 },
        { pid: 21, ppid: 10, argv: ['/b/bin/my-server'], startTime: 2100 },
      ],
      facts({ exe: { 20: '/a/bin/my-server', 21: '/b/bin/my-server' }, path: { 'my-server': '/a/bin/my-server' } }),
    );
    assert.deepEqual(r, { onPath: [{ pid: 20, undecided: false }], inB: [{ pid: 21, undecided: false }] });
  });

  it('`python`, `python3` and `python3.12` by bare name are one program when PATH finds one executable; `python` of another is not', async () => {
    const cfg = [stdioConfig('srv', 'vscode', 'python3', ['/srv/server.py'])];
    const f = (exe: string) =>
      facts({
        exe: { 20: exe, 21: exe },
        path: { python3: '/usr/bin/python3' },
        links: { '/usr/bin/python3': '/usr/bin/python3.12' },
      });
    assert.deepEqual(await listed(cfg, [run(20, 'python'), run(21, 'python3.12')], f('/usr/bin/python3.12')), {
      srv: [
        { pid: 20, undecided: false },
        { pid: 21, undecided: false },
      ],
    });
    // A `python` that is Python 2: another program, whatever script it names.
    assert.deepEqual(await listed(cfg, [run(20, 'python')], f('/usr/bin/python2.7')), { srv: [] });
  });

  it("python -m pkg of two venvs: the interpreter's own path decides, though both link to one python", async () => {
    const links = { '/a/.venv/bin/python': '/usr/bin/python3.12', '/b/.venv/bin/python': '/usr/bin/python3.12' };
    const r = await listed(
      [
        stdioConfig('a', 'vscode', '/a/.venv/bin/python', ['-m', 'pkg']),
        stdioConfig('b', 'vscode', '/b/.venv/bin/python', ['-m', 'pkg']),
      ],
      [
        { pid: 20, ppid: 10, argv: ['/a/.venv/bin/python', '-m', 'pkg'], startTime: 2000 },
        { pid: 21, ppid: 10, argv: ['/b/.venv/bin/python', '-m', 'pkg'], startTime: 2100 },
      ],
      facts({ links, venvs: ['/a/.venv', '/b/.venv'] }),
    );
    assert.deepEqual(r, { a: [{ pid: 20, undecided: false }], b: [{ pid: 21, undecided: false }] });
  });

  it("npx entries that differ only by cwd: the launch's working directory decides; unreadable, it is undecided", async () => {
    const configs = [
      stdioConfig('p1', 'vscode', 'npx', ['tool'], { cwd: '/p1' }),
      stdioConfig('p2', 'vscode', 'npx', ['tool'], { cwd: '/p2', launchKey: 'other' }),
    ];
    const processes: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['npm', 'exec', 'tool'], startTime: 2000 },
      { pid: 21, ppid: 10, argv: ['npm', 'exec', 'tool'], startTime: 2100 },
    ];
    assert.deepEqual(await listed(configs, processes, facts({ cwd: { 20: '/p1', 21: '/p2' } })), {
      p1: [{ pid: 20, undecided: false }],
      p2: [{ pid: 21, undecided: false }],
    });
    const blind = await listed(configs, processes, facts({}));
    assert.deepEqual(blind.p1, [
      { pid: 20, undecided: true },
      { pid: 21, undecided: true },
    ]);
  });

  it("a relative script is found in the config's cwd; one configured in several places is one process under one entry, undecided", async () => {
    const sameLaunch = { launchKey: 'stdio:same' };
    const r = await listed(
      [
        stdioConfig('here', 'vscode', 'node', ['server.js'], { cwd: '/p1', ...sameLaunch }),
        stdioConfig('hereToo', 'vscode', 'node', ['server.js'], { cwd: '/p1', ...sameLaunch }),
        stdioConfig('there', 'vscode', 'node', ['server.js'], { cwd: '/p2' }),
      ],
      [{ pid: 20, ppid: 10, argv: ['node', 'server.js'], startTime: 2000 }],
      facts({ cwd: { 20: '/p1' } }),
    );
    // Its client runs each of its entries as a process of its own: this one is one entry's, which is not known.
    assert.deepEqual(r.here, [{ pid: 20, undecided: true }]);
    assert.deepEqual(r.hereToo, []);
    assert.deepEqual(r.there, []);
  });

  it('a pnpm bin shim is the `node <shim folder>/../<pkg>/<script>` it execs, in its own project only', async () => {
    const rel = '../@s/srv/dist/index.js';
    const shims = { '/a/node_modules/.bin/srv': rel, '/b/node_modules/.bin/srv': rel };
    const r = await listed(
      [
        stdioConfig('a', 'vscode', '/a/node_modules/.bin/srv', ['--x']),
        stdioConfig('b', 'vscode', './node_modules/.bin/srv', ['--x'], { cwd: '/b' }),
        stdioConfig('plain', 'vscode', '/c/node_modules/.bin/srv', ['--x']),
      ],
      [
        { pid: 20, ppid: 10, argv: ['node', '/a/node_modules/.bin/../@s/srv/dist/index.js', '--x'], startTime: 2000 },
        { pid: 21, ppid: 10, argv: ['node', './node_modules/.bin/../@s/srv/dist/index.js', '--x'], startTime: 2100 },
      ],
      facts({ shims, cwd: { 21: '/b' } }),
    );
    assert.deepEqual(r, { a: [{ pid: 20, undecided: false }], b: [{ pid: 21, undecided: false }], plain: [] });
  });

  it('a program that does not depend on its folder: the folder tells entries apart, but never rules one out', async () => {
    const configs = [
      stdioConfig('p1', 'vscode', '/opt/bin/tool', [], { cwd: '/p1' }),
      stdioConfig('p2', 'vscode', '/opt/bin/tool', [], { cwd: '/p2', launchKey: 'tool in p2' }),
    ];
    const processes: ProcessInfo[] = [{ pid: 20, ppid: 10, argv: ['/opt/bin/tool'], startTime: 2000 }];
    assert.deepEqual(await listed(configs, processes, facts({ cwd: { 20: '/p2' } })), {
      p1: [],
      p2: [{ pid: 20, undecided: false }],
    });
    const elsewhere = await listed(configs, processes, facts({ cwd: { 20: '/tmp' } }));
    // Neither folder ruled out: one process under one entry, undecided.
    assert.deepEqual(elsewhere, { p1: [{ pid: 20, undecided: true }], p2: [] });
  });

  it("pnpm: the old version's folder of the same package in the same project is the entry's; another project's is not", async () => {
    // The shim now points at 2.0.0; the process started at 1.0.0 and names that folder.
    const rel = '../.pnpm/@s+srv@2.0.0/node_modules/@s/srv/dist/index.js';
    const r = await listed(
      [stdioConfig('srv', 'vscode', '/a/node_modules/.bin/srv', [])],
      [
        {
          pid: 20,
          ppid: 10,
          argv: ['node', '/a/node_modules/.bin/../.pnpm/@s+srv@1.0.0/node_modules/@s/srv/dist/index.js'],
          startTime: 2000,
        },
        {
          pid: 21,
          ppid: 10,
          argv: ['node', '/b/node_modules/.pnpm/@s+srv@1.0.0/node_modules/@s/srv/dist/index.js'],
          startTime: 2100,
        },
      ],
      // The old folder is gone from disk: its real path cannot be read.
      {
        ...facts({ shims: { '/a/node_modules/.bin/srv': rel } }),
        realpath: (f) => (f.includes('@1.0.0') ? undefined : f),
      },
    );
    assert.deepEqual(r, { srv: [{ pid: 20, undecided: false }] });
  });

  it("a shared bin name is never proof: the process doing the work names another install, so it is not the entry's", async () => {
    const r = await listed(
      [stdioConfig('mem', 'vscode', '/usr/bin/node', ['/proj/node_modules/.bin/mcp-server-memory'])],
      [
        { pid: 20, ppid: 10, argv: ['sh', '-c', 'mcp-server-memory'], startTime: 2000 },
        {
          pid: 21,
          ppid: 20,
          argv: ['node', '/other/home/.npm/_npx/0a1b/node_modules/.bin/mcp-server-memory'],
          startTime: 2001,
        },
        { pid: 30, ppid: 10, argv: ['/usr/bin/node', '/proj/node_modules/.bin/mcp-server-memory'], startTime: 3000 },
      ],
      facts({
        links: {
          '/proj/node_modules/.bin/mcp-server-memory': '/proj/node_modules/@m/srv/dist/index.js',
          '/other/home/.npm/_npx/0a1b/node_modules/.bin/mcp-server-memory':
            '/other/home/.npm/_npx/0a1b/node_modules/@m/srv/dist/index.js',
        },
      }),
    );
    assert.deepEqual(r, { mem: [{ pid: 30, undecided: false }] });
  });

  it('a name alone proves nothing: undecided, listed, never acted on; with the PATH and executable, proven', async () => {
    const cfg = [stdioConfig('git', 'vscode', 'mcp-server-git', [])];
    const processes: ProcessInfo[] = [{ pid: 20, ppid: 10, argv: ['mcp-server-git'], startTime: 2000 }];
    assert.deepEqual(await listed(cfg, processes, facts({})), { git: [{ pid: 20, undecided: true }] });
    assert.deepEqual(
      await listed(
        cfg,
        processes,
        facts({
          exe: { 20: '/u/.local/bin/mcp-server-git' },
          path: { 'mcp-server-git': '/u/.local/bin/mcp-server-git' },
        }),
      ),
      { git: [{ pid: 20, undecided: false }] },
    );
    assert.deepEqual(
      await listed(
        cfg,
        processes,
        facts({ exe: { 20: '/other/bin/mcp-server-git' }, path: { 'mcp-server-git': '/u/.local/bin/mcp-server-git' } }),
      ),
      { git: [] },
    );
  });

  it("bunx: this user's bun install cache proves it (bun 1.4.5's `.bunx-<uid>/<spec>` folders), another home's rules it out", async () => {
    const cfg = [stdioConfig('mem', 'vscode', 'bunx', ['@m/srv@1.0.0'])];
    const homes = runnerHomes({ home: '/home/u', platform: 'linux', env: {} });
    const bin = (home: string) => `${home}/.bun/install/cache/.bunx-1000/@m/srv@1.0.0/node_modules/.bin/srv`;
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['bunx', '@m/srv@1.0.0'], startTime: 2000 },
      { pid: 21, ppid: 20, argv: ['node', bin('/home/u')], startTime: 2001 },
      { pid: 30, ppid: 10, argv: ['bunx', '@m/srv@1.0.0'], startTime: 3000 },
      { pid: 31, ppid: 30, argv: ['node', bin('/home/eve')], startTime: 3001 },
    ];
    const r = await attachAmong(cfg, table, { facts: facts({}), homes });
    const [inst, ...more] = r.servers[0].instances;
    assert.equal(inst?.pid, 21);
    assert.deepEqual(more, []);
    assert.deepEqual(
      inst.verdicts.filter((v) => v.kind === 'unknown'),
      [],
    );
  });

  it("pnpm dlx: this user's pnpm cache (`dlx/<hash>/<id>/node_modules`) proves it the npx entry's, another home's rules it out", async () => {
    const cfg = [stdioConfig('mem', 'vscode', 'npx', ['-y', '@m/srv'])];
    const homes = runnerHomes({ home: '/home/u', platform: 'linux', env: {} });
    const script = (home: string) =>
      `${home}/.cache/pnpm/dlx/m4oexrtexwpbycg/1a224f3dfbc-c3b/node_modules/.bin/../@m/srv/dist/index.js`;
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['node', '/opt/tools/node_modules/.bin/pnpm', 'dlx', '@m/srv'], startTime: 2000 },
      { pid: 21, ppid: 20, argv: ['node', script('/home/u')], startTime: 2001 },
      { pid: 30, ppid: 10, argv: ['node', '/opt/tools/node_modules/.bin/pnpm', 'dlx', '@m/srv'], startTime: 3000 },
      { pid: 31, ppid: 30, argv: ['node', script('/home/eve')], startTime: 3001 },
    ];
    const r = await attachAmong(cfg, table, { facts: facts({}), homes });
    assert.deepEqual(
      r.servers[0].instances.map((i) => [i.pid, i.verdicts.filter((v) => v.kind === 'unknown')]),
      [[21, []]],
    );
  });

  it("bunx run of an npx entry, its install deleted while it serves: the path it recorded still proves this home's, and rules another home's out", async () => {
    const cfg = [stdioConfig('mem', 'vscode', 'npx', ['-y', '@m/srv@1.0.0'])];
    const homes = runnerHomes({ home: '/home/u', platform: 'linux', env: {} });
    const bin = (home: string) => `${home}/.bun/install/cache/.bunx-1000/@m/srv@1.0.0/node_modules/.bin/srv`;
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['bunx', '@m/srv@1.0.0'], startTime: 2000 },
      { pid: 21, ppid: 20, argv: ['node', bin('/home/u')], startTime: 2001 },
      { pid: 30, ppid: 10, argv: ['bunx', '@m/srv@1.0.0'], startTime: 3000 },
      { pid: 31, ppid: 30, argv: ['node', bin('/home/eve')], startTime: 3001 },
    ];
    // Both `.bunx-<uid>` folders removed: no real path, every file certainly gone.
    const gone: LaunchFacts = { ...facts({}), realpath: () => undefined, missing: () => true };
    const r = await attachAmong(cfg, table, { facts: gone, homes });
    assert.deepEqual(
      r.servers[0].instances.map((i) => [i.pid, i.verdicts.filter((v) => v.kind === 'unknown')]),
      [[21, []]],
    );
  });

  it("yarn dlx: a run from yarn's temporary project (`<temp>/xfs-<hex>/dlx-<pid>/`) proves no home's; listed undecided with why, whatever folder it runs in, its files there or not", async () => {
    const homes = runnerHomes({ home: '/home/u', platform: 'linux', env: {} });
    const yarn = ['node', '/opt/tools/node_modules/.bin/yarn', 'dlx', '@m/srv'];
    // node-modules linker, and Plug'n'Play (the package read from its zip in the project's own cache).
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: yarn, startTime: 2000 },
      {
        pid: 21,
        ppid: 20,
        argv: ['/usr/bin/node', '/tmp/xfs-3d7d2df3/dlx-20/node_modules/@m/srv/dist/index.js'],
        startTime: 2001,
      },
      { pid: 30, ppid: 10, argv: yarn, startTime: 3000 },
      {
        pid: 31,
        ppid: 30,
        argv: [
          '/usr/bin/node',
          '/tmp/xfs-507007f6/dlx-30/.yarn/cache/@m-srv-npm-1.0.0-db49cc2ca1-d7c516845f.zip/node_modules/@m/srv/dist/index.js',
        ],
        startTime: 3001,
      },
    ];
    const cwd = { 20: '/proj', 21: '/proj', 30: '/proj', 31: '/proj' };
    const entries = [
      stdioConfig('npx', 'vscode', 'npx', ['-y', '@m/srv']),
      // The same folder as the runs': a folder is no proof of a run whose files are the temp folder's.
      stdioConfig('npx-in-proj', 'vscode', 'npx', ['-y', '@m/srv'], { cwd: '/proj' }),
      stdioConfig('yarn-in-proj', 'vscode', 'yarn', ['dlx', '@m/srv'], { cwd: '/proj' }),
    ];
    for (const [f, files] of [
      [facts({ cwd }), 'there'],
      [{ ...facts({ cwd }), realpath: (x: string) => (x === '/proj' ? x : undefined), missing: () => true }, 'deleted'],
    ] as const) {
      for (const cfg of entries) {
        const r = await attachAmong([cfg], table, { facts: f, homes });
        const owner = r.servers[0].instances.map((i) => {
          const v = i.verdicts.find((x) => x.kind === 'unknown' && x.question === 'owner');
          return [i.pid, v?.kind === 'unknown' ? v.reason : undefined] as const;
        });
        assert.deepEqual(
          owner.map(([pid]) => pid),
          [21, 31],
          `${cfg.name}, files ${files}: ${JSON.stringify(owner)}`,
        );
        for (const [pid, reason] of owner)
          assert.match(
            String(reason),
            /yarn dlx's temporary project \/tmp\/xfs-[0-9a-f]+\/dlx-\d+,.*every home shares/,
            `${cfg.name} pid ${pid}, files ${files}`,
          );
      }
    }
  });

  it("npx -p pkg bin (and npm exec --package=pkg -- bin): npm's title shows only the bin; the bin's real file in pkg's folder proves it, another package's bin of that name does not", async () => {
    const pkg = '@modelcontextprotocol/server-memory';
    const cfg = [
      stdioConfig('eq', 'vscode', 'npx', ['-y', `--package=${pkg}@2025.4.25`, '--', 'mcp-server-memory']),
      stdioConfig('p', 'vscode', 'npx', ['-y', '-p', `${pkg}@2025.4.25`, 'mcp-server-memory', '--p']),
      stdioConfig('exec', 'vscode', 'npm', [
        'exec',
        '--yes',
        `--package=${pkg}@2025.4.25`,
        '--',
        'mcp-server-memory',
        '--x',
      ]),
    ];
    const homes = runnerHomes({ home: '/home/u', platform: 'linux', env: {} });
    const npx = (hash: string) => `/home/u/.npm/_npx/${hash}/node_modules`;
    // As npm 11 runs them: `npm exec <bin> <args>` (its title), `sh -c '<bin>' <args>`, then node on the .bin link.
    const chain = (pid: number, hash: string, args: string[]): ProcessInfo[] => [
      { pid, ppid: 10, argv: ['npm', 'exec', 'mcp-server-memory', ...args], startTime: 2000 + pid },
      { pid: pid + 1, ppid: pid, argv: ['sh', '-c', "'mcp-server-memory'", ...args], startTime: 2001 + pid },
      {
        pid: pid + 2,
        ppid: pid + 1,
        argv: ['node', `${npx(hash)}/.bin/mcp-server-memory`, ...args],
        startTime: 2002 + pid,
      },
    ];
    const table = [
      ...chain(20, 'f415f6feddfd580c', []),
      ...chain(30, 'f415f6feddfd580c', ['--p']),
      ...chain(40, 'f415f6feddfd580c', ['--x']),
      // A package of another name whose bin is also called mcp-server-memory.
      ...chain(50, '0badc0de0badc0de', []),
    ];
    const links: Record<string, string> = {
      [`${npx('f415f6feddfd580c')}/.bin/mcp-server-memory`]: `${npx('f415f6feddfd580c')}/${pkg}/dist/index.js`,
      [`${npx('0badc0de0badc0de')}/.bin/mcp-server-memory`]: `${npx('0badc0de0badc0de')}/memory-server-fork/index.js`,
    };
    const r = await attachAmong(cfg, table, { facts: facts({ links }), homes });
    const by = Object.fromEntries(r.servers.map((s) => [s.name, s.instances.map((i) => i.pid)]));
    assert.deepEqual(by, { eq: [22], p: [32], exec: [42] });
    for (const s of r.servers)
      assert.deepEqual(
        s.instances.flatMap((i) => i.verdicts.filter((v) => v.kind === 'unknown')),
        [],
        s.name,
      );
    assert.ok(!r.servers.some((s) => s.instances.some((i) => i.pid === 52)), "the other package is no entry's");
    // Without the real path of the bin, nothing proves which package it is.
    const blind = await attachAmong(cfg.slice(0, 1), chain(20, 'f415f6feddfd580c', []), {
      facts: { ...facts({}), realpath: () => undefined },
      homes,
    });
    assert.ok(
      blind.servers[0].instances.every((i) => i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner')),
      JSON.stringify(blind.servers[0].instances.map((i) => i.verdicts)),
    );
  });

  it("npx: this user's cache proves it, another home's rules it out, a cache the entry or its client's own environment names is theirs, and never one only the process's environment names", async () => {
    const cfg = [stdioConfig('mem', 'vscode', 'npx', ['-y', '@m/srv'])];
    const homes = runnerHomes({ home: '/home/u', platform: 'linux', env: {} });
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['npm', 'exec', '@m/srv'], startTime: 2000 },
      { pid: 21, ppid: 20, argv: ['node', '/home/u/.npm/_npx/1/node_modules/.bin/srv'], startTime: 2001 },
      { pid: 30, ppid: 10, argv: ['npm', 'exec', '@m/srv'], startTime: 3000 },
      { pid: 31, ppid: 30, argv: ['node', '/home/eve/.npm/_npx/1/node_modules/.bin/srv'], startTime: 3001 },
      { pid: 40, ppid: 10, argv: ['npm', 'exec', '@m/srv'], startTime: 4000 },
      { pid: 41, ppid: 40, argv: ['node', '/ci/cache/_npx/1/node_modules/.bin/srv'], startTime: 4001 },
      // A stranger's npx under another home: npm names that home's cache in its own environment.
      { pid: 50, ppid: 10, argv: ['npm', 'exec', '@m/srv'], startTime: 5000 },
      { pid: 51, ppid: 50, argv: ['node', '/home/eve/.npm/_npx/2/node_modules/.bin/srv'], startTime: 5001 },
    ];
    const r = await attachAmong(cfg, table, {
      facts: facts({}),
      homes,
      env: {
        declared: () => undefined,
        // The client (pid 10) moved the cache for its servers; each npx names its own cache in its environment.
        ofProcess: (pid) =>
          pid === 10 || pid === 41 || pid === 40
            ? new Map([['npm_config_cache', '/ci/cache']])
            : pid === 51 || pid === 50
              ? new Map([['npm_config_cache', '/home/eve/.npm']])
              : new Map(),
      },
    });
    assert.deepEqual(r.servers[0].instances.map((i) => i.pid).sort(), [21, 41]);
    // Without the client's word, the process's own environment proves nothing.
    const bare = await attachAmong(cfg, table, {
      facts: facts({}),
      homes,
      env: {
        declared: () => undefined,
        ofProcess: (pid) =>
          pid === 41
            ? new Map([['npm_config_cache', '/ci/cache']])
            : pid === 51
              ? new Map([['npm_config_cache', '/home/eve/.npm']])
              : new Map(),
      },
    });
    assert.deepEqual(bare.servers[0].instances.map((i) => i.pid).sort(), [21]);
    // The entry itself moving the cache proves it too.
    const declared = await attachAmong(cfg, table, {
      facts: facts({}),
      homes,
      env: {
        declared: () => ({ npm_config_cache: '/ci/cache' }),
        ofProcess: (pid) => (pid === 40 || pid === 41 ? new Map([['npm_config_cache', '/ci/cache']]) : new Map()),
      },
    });
    // (The processes that lack the entry's value are not its launches: other data, as any env.)
    assert.deepEqual(declared.servers[0].instances.map((i) => i.pid).sort(), [41]);
  });

  it("a stranger whose install was deleted is never claimed by its program's name; the entry's own process keeps its proof", async () => {
    const bin = '/home/u/proj/node_modules/.bin/mcp-server-memory';
    const cfg = [stdioConfig('mem', 'vscode', 'node', [bin])];
    const goneBin = '/home/eve/gone/node_modules/.bin/mcp-server-memory';
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['node', bin], startTime: 2000 },
      { pid: 30, ppid: 10, argv: ['node', goneBin], startTime: 3000 },
    ];
    const f = facts({ links: { [bin]: '/home/u/proj/node_modules/@m/mem/dist/index.js' } });
    const gone: LaunchFacts = {
      ...f,
      realpath: (file) => (file.startsWith('/home/eve/gone') ? undefined : f.realpath(file)),
      missing: (file) => file.startsWith('/home/eve/gone'),
    };
    const r = await attachAmong(cfg, table, { facts: gone });
    assert.deepEqual(
      r.servers[0].instances.map((i) => i.pid),
      [20],
    );
    assert.deepEqual(
      r.notConfigured.map((i) => i.pid),
      [30],
      'listed as not configured',
    );
    // A path that cannot be read (not gone) stays undecided, as before: listed, never acted on.
    const unreadable = await attachAmong(cfg, table, { facts: { ...gone, missing: () => false } });
    const stranger = unreadable.servers[0].instances.find((i) => i.pid === 30);
    assert.ok(stranger?.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'));
  });

  it("the entry's own install deleted, a stranger's of the same bin still there: the stranger is not claimed by its program's name; the entry's own process keeps its proof", async () => {
    const bin = '/home/u/proj/node_modules/.bin/mcp-server-memory';
    const cfg = [stdioConfig('mem', 'vscode', 'node', [bin])];
    const live = '/home/eve/.npm-global/bin/mcp-server-memory';
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['node', bin], startTime: 2000 },
      { pid: 30, ppid: 10, argv: ['node', live], startTime: 3000 },
    ];
    const ownGone: LaunchFacts = {
      ...facts({ links: { [live]: '/home/eve/.npm-global/lib/node_modules/@m/mem/dist/index.js' } }),
      realpath: (file) =>
        file === bin ? undefined : file === live ? '/home/eve/.npm-global/lib/node_modules/@m/mem/dist/index.js' : file,
      missing: (file) => file === bin,
    };
    const r = await attachAmong(cfg, table, { facts: ownGone });
    assert.deepEqual(
      r.servers[0].instances.map((i) => i.pid),
      [20],
      `claimed: ${JSON.stringify(r.servers[0].instances.map((i) => [i.pid, i.matchedBy]))}`,
    );
    assert.deepEqual(
      r.notConfigured.map((i) => i.pid),
      [30],
      'listed as not configured',
    );
  });

  it("both installs deleted (the entry's and a stranger's): only the process naming the entry's own path is the entry's; a path under a deleted working directory proves nothing", async () => {
    const bin = '/home/u/proj/node_modules/.bin/mcp-server-memory';
    const goneBin = '/home/eve/gone/node_modules/.bin/mcp-server-memory';
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['node', bin], startTime: 2000 },
      { pid: 30, ppid: 10, argv: ['node', goneBin], startTime: 3000 },
    ];
    const bothGone = (missing: (file: string) => boolean): LaunchFacts => ({
      ...facts({}),
      realpath: (file) => (file === bin || file === goneBin ? undefined : file),
      missing,
    });
    const listed = async (f: LaunchFacts, cfg = [stdioConfig('mem', 'vscode', 'node', [bin])]) =>
      (await attachAmong(cfg, table, { facts: f })).servers[0].instances.map((i) => i.pid);
    assert.deepEqual(await listed(bothGone((file) => file === bin || file === goneBin)), [20]);
    // Only one side certainly gone (the other unreadable): not known, both listed as before.
    assert.deepEqual((await listed(bothGone((file) => file === goneBin))).sort(), [20, 30]);
    // A relative script read against a deleted working directory is no spelling of its own to compare.
    const relative = [{ ...stdioConfig('mem', 'vscode', 'node', ['dist/index.js']), cwd: '/home/u/proj' }];
    table.splice(0, 2, { pid: 20, ppid: 10, argv: ['node', 'dist/index.js'], startTime: 2000 });
    const deletedCwd: LaunchFacts = {
      ...facts({}),
      cwd: () => '/home/u/proj (deleted)',
      realpath: () => undefined,
      missing: () => true,
    };
    assert.deepEqual(await listed(deletedCwd, relative), [20]);
  });

  it("the entry's own global install uninstalled under it stays its process: the gone file sat before the copy its bare command finds now on PATH; a stranger's gone file off that PATH, or after it, does not", async () => {
    const cfg = [stdioConfig('mem', 'vscode', 'mcp-server-memory', [])];
    const own = '/home/u/.npm-global/bin/mcp-server-memory';
    const later = '/home/u/proj/node_modules/.bin/mcp-server-memory';
    const early = '/usr/local/bin/mcp-server-memory';
    const stranger = '/home/eve/.npm-global/bin/mcp-server-memory';
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, argv: ['node', own], startTime: 2000 },
      { pid: 30, ppid: 10, argv: ['node', stranger], startTime: 3000 },
    ];
    const uninstalled = (order: string[]): LaunchFacts => ({
      ...facts({ path: { 'mcp-server-memory': later } }),
      realpath: (file) => (file === own || file === stranger ? undefined : file),
      missing: (file) => file === own || file === stranger,
      pathCandidates: () => order,
    });
    const claimed = async (f: LaunchFacts) => {
      const r = await attachAmong(cfg, table, { facts: f });
      return r.servers[0].instances
        .filter((i) => !i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'))
        .map((i) => i.pid);
    };
    // PATH: the global bin first, then the project's: the uninstalled file was what the entry ran.
    assert.deepEqual(await claimed(uninstalled([own, later])), [20]);
    // Nothing left on PATH at all: still the file the entry's command found while it existed.
    assert.deepEqual(await claimed({ ...uninstalled([own]), which: () => undefined }), [20]);
    // The gone file came after the copy the command finds: never what the entry ran.
    assert.equal((await claimed({ ...uninstalled([early, own]), which: () => early })).includes(20), false);
  });

  it("another user's process is nobody's instance, nor listed as not configured", async () => {
    const cfg = [stdioConfig('srv', 'vscode', '/opt/srv/bin/mcp-server-x', [])];
    const table: ProcessInfo[] = [
      { pid: 20, ppid: 10, uid: 1000, argv: ['/opt/srv/bin/mcp-server-x'], startTime: 2000 },
      { pid: 21, ppid: 10, uid: 1001, argv: ['/opt/srv/bin/mcp-server-x'], startTime: 2100 },
      { pid: 22, ppid: 10, uid: 1001, argv: ['/opt/other/mcp-server-y'], startTime: 2200 },
    ];
    const r = await attachAmong(cfg, table, { facts: facts({}), ownUid: 1000 });
    assert.deepEqual(
      r.servers[0].instances.map((i) => i.pid),
      [20],
    );
    assert.deepEqual(
      r.notConfigured.map((i) => i.pid),
      [],
    );
  });
});

describe("launch identity: a machine's paths by its platform's rules", () => {
  const shim = 'C:\\Users\\ana\\AppData\\Roaming\\npm\\mcp-server-memory.cmd';
  const script = 'C:\\Users\\ana\\AppData\\Roaming\\npm\\node_modules\\@scope\\memory\\dist\\index.js';
  const f: LaunchFacts = {
    ...facts({
      path: { 'mcp-server-memory': shim },
      shims: { [shim]: 'node_modules/@scope/memory/dist/index.js' },
    }),
    missing: () => false,
  };
  const cfg = [stdioConfig('memory', 'claude-desktop', 'mcp-server-memory', [])];
  // A client spawns a bare command through cmd.exe; npm's shim runs node with the package's script.
  const launch = (pid: number, file: string): ProcessInfo[] => [
    {
      pid,
      ppid: 10,
      argv: ['C:\\WINDOWS\\system32\\cmd.exe', '/d', '/s', '/c', 'mcp-server-memory'],
      startTime: 2000 + pid,
    },
    { pid: pid + 1, ppid: pid, argv: ['C:\\Program Files\\nodejs\\node.exe', file], startTime: 2001 + pid },
  ];
  const claims = async (platform: NodeJS.Platform, processes: ProcessInfo[]) => {
    const r = await attachAmong(cfg, processes, { platform, facts: f });
    return r.servers[0].instances.map((i) => [
      i.pid,
      i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner') ? 'undecided' : 'proven',
    ]);
  };

  it("on Windows, a bare command's npm .cmd shim on Path is the script it runs: that script's node is the entry's, another script's is not", async () => {
    assert.deepEqual(await claims('win32', launch(20, script)), [[21, 'proven']]);
    assert.deepEqual(await claims('win32', launch(30, 'C:\\elsewhere\\memory\\dist\\index.js')), []);
  });

  it('the same Windows paths read by POSIX rules are relative: nothing proves whose the process is', async () => {
    assert.deepEqual(await claims('linux', launch(40, script)), [[41, 'undecided']]);
  });
});
