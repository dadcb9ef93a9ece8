import * as assert from 'node:assert/strict';
import type { ServerConfig } from '../../../src/core/base/model';
import type { LockRecord } from '../../../src/core/locks/types';
import { envContradicts, exactReading, parseEnviron } from '../../../src/core/processes/environ';
import { attachInstances } from '../../../src/core/processes/instances';
import { ProcessInfo } from '../../../src/core/pids/table';
import { facts, stdioConfig } from './support';
import { commandHash } from '../../../src/core/pids/identity';
import { stopInstance } from '../../../src/core/actions/stop';

/**
 * Attribution follows the process: its environment (what its entry set) and its guard (a live lock
 * record), not only the command text a config shows now.
 */

const SCRIPT = '/srv/node_modules/@modelcontextprotocol/server-memory/dist/index.js';
const sameCommand = (name: string, client: ServerConfig['source']['client']) =>
  stdioConfig(name, client, 'node', [SCRIPT], {
    envKeys: ['MEMORY_FILE_PATH'],
    launchKey: 'stdio:memory-script',
    // One command, each entry with its own env: two servers.
    identityKey: `stdio:memory-script+env:${name}`,
  });

const processes: ProcessInfo[] = [
  { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
  { pid: 10, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1000 },
  { pid: 20, ppid: 10, argv: ['node', SCRIPT], startTime: 5000 },
];

async function attach(
  configs: ServerConfig[],
  declared: Record<string, Record<string, string>>,
  environ: Record<number, string> | undefined,
  locks: LockRecord[] = [],
  table = processes,
) {
  return attachInstances(
    configs,
    { state: 'ok', processes: table, method: 'procfs' },
    {
      platform: 'linux',
      secretsOf: () => new Set(),
      locks,
      findListeners: async () => new Map(),
      env: {
        declared: (c) => declared[c.id],
        ofProcess: (pid) => (environ?.[pid] !== undefined ? parseEnviron(environ[pid]) : undefined),
      },
    },
  );
}

const claimedBy = (r: Awaited<ReturnType<typeof attach>>, pid: number) =>
  r.servers
    .filter((s) => s.instances.some((i) => i.pid === pid))
    .map((s) => s.name)
    .sort();

describe('attribution follows the process', () => {
  const kb = sameCommand('kb', 'claude-code');
  const notes = sameCommand('notes', 'claude-desktop');
  const declared = {
    [kb.id]: { MEMORY_FILE_PATH: '/data/kb.json' },
    [notes.id]: { MEMORY_FILE_PATH: '/data/notes.json' },
  };

  it("two entries running one command with different env: the process is its own entry's, by the env it carries", async () => {
    const r = await attach([kb, notes], declared, { 20: 'PATH=/usr/bin\0MEMORY_FILE_PATH=/data/notes.json\0' });
    assert.deepEqual(claimedBy(r, 20), ['notes']);
    const [i] = r.servers.find((s) => s.name === 'notes')!.instances;
    assert.ok(!i.verdicts.some((v) => v.kind === 'unknown' && v.question === 'owner'), JSON.stringify(i.verdicts));
  });

  it('an entry whose env the process lacks did not start it', async () => {
    const r = await attach([kb, notes], { [kb.id]: { MEMORY_FILE_PATH: '/data/kb.json' } }, { 20: 'PATH=/usr/bin\0' });
    assert.deepEqual(claimedBy(r, 20), ['notes']);
  });

  it('an unreadable environment (another user, another system) leaves the process undecided, listed once, naming every fitting entry', async () => {
    const r = await attach([kb, notes], declared, undefined);
    // Neither entry is its client's (Cursor's): one process under one entry, not counted as both.
    assert.deepEqual(claimedBy(r, 20), ['kb']);
    const owner = r.servers[0].instances[0].verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
    assert.match(
      owner?.kind === 'unknown' ? owner.reason : '',
      /^claimed by 'kb' .*, 'notes' .*; it is listed once, under 'kb'/,
    );
  });

  it('an entry whose env the process contradicts never claims it, even alone: the same script with other data is another server, listed as not configured', async () => {
    const alone = await attach([kb], declared, { 20: 'MEMORY_FILE_PATH=/elsewhere\0' });
    assert.deepEqual(claimedBy(alone, 20), []);
    assert.deepEqual(
      alone.notConfigured.map((i) => i.pid),
      [20],
    );
    assert.deepEqual(claimedBy(await attach([kb, notes], declared, { 20: 'MEMORY_FILE_PATH=/elsewhere\0' }), 20), []);
    // Its environment unreadable (another system): the claim stands, as before.
    assert.deepEqual(claimedBy(await attach([kb], declared, undefined), 20), ['kb']);
  });

  it("python3 -m a module from two entries' PYTHONPATHs: each process is the entry's whose PYTHONPATH it runs with", async () => {
    const pyEntry = (name: string) =>
      stdioConfig(name, 'cursor', '/usr/bin/python3', ['-m', 'srv'], {
        envKeys: ['PYTHONPATH'],
        launchKey: 'stdio:python-m-srv',
        identityKey: `stdio:python-m-srv+env:${name}`,
      });
    const a = pyEntry('srv-a');
    const b = pyEntry('srv-b');
    const table: ProcessInfo[] = [
      ...processes.slice(0, 2),
      { pid: 20, ppid: 10, argv: ['/usr/bin/python3', '-m', 'srv'], startTime: 5000 },
    ];
    const env = { [a.id]: { PYTHONPATH: '/a/src' }, [b.id]: { PYTHONPATH: '/b/src' } };
    assert.deepEqual(claimedBy(await attach([a, b], env, { 20: 'PYTHONPATH=/b/src\0' }, [], table), 20), ['srv-b']);
    // Run with a PYTHONPATH no entry sets: the code of neither.
    assert.deepEqual(claimedBy(await attach([a, b], env, { 20: 'PYTHONPATH=/c/src\0' }, [], table), 20), []);
  });

  it("after Wrap, the other client's unguarded process stays under its own client's entry", async () => {
    // Claude Code's kb is now wrapped; Cursor's kb (the same command, its own env) still runs bare.
    const wrapped = stdioConfig('kb', 'claude-code', '/opt/lg/mcp-lifeguard', ['run', '--', 'node', SCRIPT], {
      envKeys: ['MEMORY_FILE_PATH'],
      launchKey: 'stdio:wrapped',
    });
    const cursorKb = sameCommand('kb', 'cursor');
    const env = {
      [wrapped.id]: { MEMORY_FILE_PATH: '/data/claude.json' },
      [cursorKb.id]: { MEMORY_FILE_PATH: '/data/cursor.json' },
    };
    const r = await attach([wrapped, cursorKb], env, { 20: 'MEMORY_FILE_PATH=/data/cursor.json\0' });
    assert.deepEqual(
      r.servers.filter((s) => s.instances.some((i) => i.pid === 20)).map((s) => s.source.client),
      ['cursor'],
    );
  });

  it('after Unwrap, a process still under its guard keeps its guarded mark: the lock says so, not the config text', async () => {
    const unwrapped = stdioConfig('kb', 'claude-code', 'node', [SCRIPT], { launchKey: 'stdio:memory-script' });
    const table: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/usr/bin/claude'], startTime: 1000 },
      {
        pid: 30,
        ppid: 10,
        argv: ['/usr/bin/node', '/opt/lg/mcp-lifeguard.js', 'run', '--', 'node', SCRIPT],
        startTime: 7000,
      },
      { pid: 31, ppid: 30, argv: ['node', SCRIPT], startTime: 7100 },
    ];
    const lock: LockRecord = {
      protocol: 1,
      pid: 30,
      startTime: 7000,
      serverName: 'kb',
      resourceKey: '/data',
      command: ['node', SCRIPT],
      cwd: '/',
      startedAt: new Date(7000).toISOString(),
      child: { pid: 31, startTime: 7100 },
    } as LockRecord;
    const r = await attach([unwrapped], {}, {}, [lock], table);
    const [i] = r.servers[0].instances;
    assert.equal(i.pid, 31);
    assert.equal(i.lock?.serverName, 'kb', 'still guarded');
    assert.equal(i.guardAbove, true, 'by a guard its entry does not name');
    // The guard is part of its launch: a stop ends it (re-identified), else it would start the server again.
    assert.deepEqual(
      i.launcherChain.map((p) => [p.pid, p.startTime, p.commandHash]),
      [[30, 7000, commandHash(table[2].argv)]],
    );
    assert.equal(i.client.id, 'claude-code');
    assert.deepEqual(r.notConfigured, []);
    // Stop from its row or `stop 31`: the guard and its server both get the stop ladder's TERM.
    const running = new Map(table.map((p) => [p.pid, p]));
    const signalled: string[] = [];
    const stop = await stopInstance(
      i,
      {
        readIdentity: async (pid) => {
          const p = running.get(pid);
          return p && { pid, startTime: p.startTime!, commandLine: p.argv.join(' '), uid: 1000 };
        },
        readTable: async () => [...running.values()].map((p) => ({ ...p, uid: 1000 })),
        kill: (pid, signal) => {
          signalled.push(`${signal} ${pid}`);
          running.delete(pid);
        },
        getuid: () => 1000,
        selfPid: 99,
        ancestorPids: async () => new Set(),
        sleep: async () => undefined,
        now: () => 0,
      },
      { graceMs: 10 },
    );
    assert.equal(stop.outcome, 'stopped', stop.message);
    assert.deepEqual(signalled.sort(), ['SIGTERM 30', 'SIGTERM 31']);
    const bare = await attach([unwrapped], {}, {}, [], table);
    assert.equal(bare.servers[0].instances[0].lock, undefined, 'without the lock it is not');
    // Its entry still wrapped: the guard is its own launch, not above it.
    const wrapped = stdioConfig('kb', 'claude-code', '/opt/lg/mcp-lifeguard', ['run', '--', 'node', SCRIPT]);
    const [w] = (await attach([wrapped], {}, {}, [lock], table)).servers[0].instances;
    assert.equal(w.pid, 31);
    assert.equal(w.guardAbove, undefined);
  });

  it('envContradicts: a differing or missing value contradicts; extra variables do not', () => {
    const env = parseEnviron('A=1\0B=2\0C=3\0');
    assert.equal(envContradicts({ A: '1', B: '2' }, exactReading(env)), false);
    assert.equal(envContradicts({ A: '9' }, exactReading(env)), true);
    assert.equal(envContradicts({ D: '4' }, exactReading(env)), true);
  });
});

describe('attribution: a server run by a guard of another MCP Lifeguard root', () => {
  it("is never an unwrapped entry's instance, even on the very same command line; under this root's guard it is", async () => {
    const script = '/srv/memory/dist/index.js';
    const cli = '/src/clone/dist/cli.js';
    const cfg = [stdioConfig('memory', 'cursor', 'node', [script])];
    const table: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1000 },
      { pid: 20, ppid: 10, argv: ['node', cli, 'run', '--name', 'memory', '--', 'node', script], startTime: 2000 },
      { pid: 21, ppid: 20, argv: ['node', script], startTime: 2001 },
    ];
    const run = (ownRoot: string) =>
      attachInstances(
        cfg,
        { state: 'ok', processes: table, method: 'procfs' },
        {
          platform: 'linux',
          secretsOf: () => new Set(),
          facts: { ...facts({}), cliBundle: (file) => file === cli },
          ownRoot,
          env: {
            declared: () => undefined,
            ofProcess: (pid) =>
              pid === 20 ? new Map([['MCP_LIFEGUARD_HOME', '/tmp/other-root']]) : new Map<string, string>(),
          },
        },
      );
    assert.deepEqual((await run('/home/u/.local/state/mcp-lifeguard')).servers[0].instances, []);
    assert.deepEqual(
      (await run('/tmp/other-root')).servers[0].instances.map((i) => i.pid),
      [21],
    );
  });
});

describe("attribution: a process another home's client started", () => {
  const script = '/srv/memory/dist/index.js';
  const cfg = stdioConfig('memory', 'cursor', 'node', [script], { envKeys: ['MEMORY_FILE_PATH'] });
  // Two Cursors, one per home, each starting the same command with the same env.
  const table: ProcessInfo[] = [
    { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
    { pid: 10, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1000 },
    { pid: 11, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1100 },
    { pid: 20, ppid: 10, argv: ['node', script], startTime: 2000 },
    { pid: 21, ppid: 11, argv: ['node', script], startTime: 2100 },
  ];
  const data = 'MEMORY_FILE_PATH=/data/kb.json\0';
  const run = (
    homes: { home?: string; accountHome?: string },
    environ: Record<number, string>,
    declared: Record<string, string> = { MEMORY_FILE_PATH: '/data/kb.json' },
  ) =>
    attachInstances(
      [cfg],
      { state: 'ok', processes: table, method: 'procfs' },
      {
        platform: 'linux',
        secretsOf: () => new Set(),
        ...homes,
        env: {
          declared: () => declared,
          ofProcess: (pid) => (environ[pid] !== undefined ? parseEnviron(environ[pid]) : undefined),
        },
      },
    );
  const pids = (r: Awaited<ReturnType<typeof run>>) => r.servers[0].instances.map((i) => i.pid).sort();

  it("is never the entry's instance, even on the same command and env: its client read that home's configs", async () => {
    const r = await run({ home: '/home/u' }, { 20: `HOME=/home/u\0${data}`, 21: `HOME=/tmp/other-home\0${data}` });
    assert.deepEqual(pids(r), [20]);
    assert.ok(!r.servers[0].instances[0].verdicts.some((v) => v.kind === 'shared' || v.kind === 'duplicate'));
  });

  it("the account's own home stays ours when our HOME is moved (a test's, a sandbox's); a third home does not", async () => {
    const environ = { 20: `HOME=/home/u\0${data}`, 21: `HOME=/tmp/other-home\0${data}` };
    assert.deepEqual(pids(await run({ home: '/tmp/fixture-home', accountHome: '/home/u' }, environ)), [20]);
  });

  it('an entry that sets HOME, a process with no HOME or an unread environment: not told, claimed as before', async () => {
    const theirs = { 20: `HOME=/home/u\0${data}`, 21: `HOME=/tmp/other-home\0${data}` };
    const setsHome = { MEMORY_FILE_PATH: '/data/kb.json', HOME: '/tmp/other-home' };
    assert.deepEqual(pids(await run({ home: '/home/u' }, theirs, setsHome)), [21]);
    assert.deepEqual(pids(await run({ home: '/home/u' }, { 20: `HOME=/home/u\0${data}`, 21: data })), [20, 21]);
    assert.deepEqual(pids(await run({ home: '/home/u' }, { 20: `HOME=/home/u\0${data}` })), [20, 21]);
  });
});
