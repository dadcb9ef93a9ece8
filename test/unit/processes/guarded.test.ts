import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LockRecord } from '../../../src/core/locks/types';
import { markGuarded, shareUrlField } from '../../../src/core/processes/guarded';
import { attachInstances } from '../../../src/core/processes/instances';
import { ProcessInfo } from '../../../src/core/pids/table';
import { takeSnapshot } from '../../../src/core/snapshot/engine';
import { testMachine, writeLockRecords } from '../../support/machines';
import { stdioConfig, facts } from './support';

const record = (pid: number, startTime: number): LockRecord => ({
  protocol: 1,
  pid,
  startTime,
  serverName: 'memory',
  resourceKey: '/data',
  command: ['mcp-server-memory'],
  cwd: '/',
  startedAt: new Date(startTime).toISOString(),
  holder: 'mcp-lifeguard-guard 0.1.0',
});

describe('guarded instances: joined to live lock records', () => {
  const table: ProcessInfo[] = [
    { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
    { pid: 10, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
    {
      pid: 20,
      ppid: 10,
      argv: [
        '/usr/bin/node',
        '/home/u/.local/state/mcp-lifeguard/bin/mcp-lifeguard.js',
        'run',
        '--',
        'mcp-server-memory',
      ],
      startTime: 5000,
    },
    { pid: 21, ppid: 20, argv: ['node', '/x/.bin/mcp-server-memory'], startTime: 5100 },
  ];

  it('marks the instance whose launcher (the guard) holds a lock with the same pid and start time, and not one with another start time', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-guarded-'));
    try {
      const host = { home, platform: 'linux' as const, env: { HOME: home, MCP_LIFEGUARD_HOME: path.join(home, 'lg') } };
      const snap = async (locks: LockRecord[]) => {
        await writeLockRecords(host, locks);
        return takeSnapshot({
          host,
          machine: testMachine({ host, processes: table, selfPid: 999999 }),
          workspaceFolders: [home],
          versions: false,
        });
      };
      const guarded = await snap([record(20, 5000)]);
      assert.equal(guarded.notConfigured.length, 1);
      assert.equal(guarded.notConfigured[0].pid, 21);
      assert.deepEqual(
        guarded.notConfigured[0].launcherChain.map((s) => s.pid),
        [20],
        'the guard is the launch',
      );
      assert.equal(guarded.notConfigured[0].client.id, 'vscode');
      assert.deepEqual(guarded.notConfigured[0].lock, {
        serverName: 'memory',
        resourceKey: '/data',
        holder: 'mcp-lifeguard-guard 0.1.0',
      });
      // A shared server (run --on-conflict share): the instance lists its clients, well-formed entries only.
      const shared = await snap([
        {
          ...record(20, 5000),
          share: true,
          attached: [
            { pid: 31, startTime: 6000, clientName: 'claude-code' },
            { pid: 32, startTime: 6100 },
            { pid: 'x', startTime: 1 } as never,
          ],
        },
      ]);
      // A client the process table does not show is named by what it sent, as the product names that client.
      assert.deepEqual(shared.notConfigured[0].lock?.attached, [
        { pid: 31, startTime: 6000, clientName: 'Claude Code' },
        { pid: 32, startTime: 6100 },
      ]);
      const reused = await snap([record(20, 90000)]);
      assert.equal(reused.notConfigured[0].lock, undefined, 'a record of a reused pid marks nothing');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("an HTTP guard's clients: listed when it has any (a pid only where known); none, and it is just guarded", () => {
    const instance = () => ({ pid: 21, startTime: 5100, launcherChain: [{ pid: 20, startTime: 5000 }] }) as never;
    const http = { ...record(20, 5000), holder: 'mcp-lifeguard-guard 0.1.0 http' };
    const used = instance() as { lock?: { attached?: unknown } };
    markGuarded(
      [used as never],
      [
        {
          ...http,
          attached: [
            { pid: 31, startTime: 6000, clientName: 'claude-code' },
            { clientName: 'zed' },
            { pid: 32, clientName: 'no start time' } as never,
            { pid: -1, startTime: 1 } as never,
          ],
        },
      ],
    );
    assert.deepEqual(used.lock?.attached, [
      { pid: 31, startTime: 6000, clientName: 'claude-code' },
      { clientName: 'zed' },
    ]);
    const idle = instance() as { lock?: { attached?: unknown } };
    markGuarded([idle as never], [{ ...http, attached: [] }]);
    assert.ok(idle.lock && !('attached' in idle.lock));
    // A stdio guard that does not share: whatever its record says, no clients.
    const plain = instance() as { lock?: { attached?: unknown } };
    markGuarded([plain as never], [{ ...record(20, 5000), attached: [{ clientName: 'x' }] }]);
    assert.ok(plain.lock && !('attached' in plain.lock));
  });

  it('matches the instance itself when it holds the lock natively', () => {
    const inst = { pid: 21, startTime: 5100, launcherChain: [] } as unknown as Parameters<
      typeof markGuarded
    >[0] extends Iterable<infer I>
      ? I
      : never;
    markGuarded([inst], [record(21, 5400)]);
    assert.equal(inst.lock?.serverName, 'memory');
  });

  it('matches a config wrapped with the installed guard through guard -> npm exec -> sh -> node', async () => {
    const bin = '/home/u/.local/state/mcp-lifeguard/bin';
    const wrapped = stdioConfig('memory', 'vscode', `${bin}/mcp-lifeguard`, [
      'run',
      '--',
      'npx',
      '-y',
      '@modelcontextprotocol/server-memory',
    ]);
    const processes: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
      {
        pid: 20,
        ppid: 10,
        argv: [
          '/usr/bin/node',
          `${bin}/mcp-lifeguard.js`,
          'run',
          '--',
          'npx',
          '-y',
          '@modelcontextprotocol/server-memory',
        ],
        startTime: 5000,
      },
      { pid: 21, ppid: 20, argv: ['npm', 'exec', '@modelcontextprotocol/server-memory'], startTime: 5100 },
      { pid: 22, ppid: 21, argv: ['sh', '-c', 'mcp-server-memory'], startTime: 5200 },
      { pid: 23, ppid: 22, argv: ['node', '/x/.bin/mcp-server-memory'], startTime: 5300 },
    ];
    const r = await attachInstances(
      [wrapped],
      { state: 'ok', processes, method: 'procfs' },
      { platform: 'linux', secretsOf: () => new Set() },
    );
    const [i] = r.servers[0].instances;
    assert.equal(i.pid, 23);
    assert.deepEqual(
      i.launcherChain.map((s) => s.pid),
      [20, 21, 22],
    );
    assert.deepEqual(r.notConfigured, []);
  });

  it('a launch a live lock owns is never an orphan, though init adopted it; without the lock it is one', async () => {
    const wrapped = stdioConfig('memory', 'vscode', '/opt/lg/mcp-lifeguard', ['run', '--', 'mcp-server-memory']);
    const plain = stdioConfig('memory', 'vscode', 'mcp-server-memory', ['--plain']);
    const processes: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      // A guard detached on purpose: adopted by init, its server below it.
      {
        pid: 30,
        ppid: 1,
        argv: ['/usr/bin/node', '/opt/lg/mcp-lifeguard.js', 'run', '--', 'mcp-server-memory'],
        startTime: 7000,
      },
      { pid: 31, ppid: 30, argv: ['mcp-server-memory'], startTime: 7100 },
      // A plain server adopted by init.
      { pid: 40, ppid: 1, argv: ['mcp-server-memory', '--plain'], startTime: 8000 },
    ];
    // Each runs the program the entry's PATH finds.
    const f = facts({
      exe: { 31: '/usr/bin/mcp-server-memory', 40: '/usr/bin/mcp-server-memory' },
      path: { 'mcp-server-memory': '/usr/bin/mcp-server-memory' },
    });
    const run = (locks: LockRecord[]) =>
      attachInstances(
        [wrapped, plain],
        { state: 'ok', processes, method: 'procfs' },
        { platform: 'linux', secretsOf: () => new Set(), locks, facts: f },
      );
    const inst = (r: Awaited<ReturnType<typeof run>>, pid: number) =>
      r.servers.flatMap((s) => s.instances).find((i) => i.pid === pid);
    const kinds = (r: Awaited<ReturnType<typeof run>>, pid: number) => inst(r, pid)?.verdicts.map((v) => v.kind);
    const byHolder = await run([record(30, 7000)]);
    assert.deepEqual(kinds(byHolder, 31), [], 'the guard above it holds the lock');
    assert.equal(inst(byHolder, 31)?.lock?.serverName, 'memory');
    assert.deepEqual(kinds(byHolder, 40), ['orphan'], 'no lock names it');
    const byChild = await run([{ ...record(999, 100), child: { pid: 40, startTime: 8000 } }]);
    assert.deepEqual(kinds(byChild, 40), [], 'the lock names it as the child its launcher runs');
    assert.deepEqual(kinds(await run([]), 31), ['orphan']);
    assert.deepEqual(kinds(await run([record(30, 90_000)]), 31), ['orphan'], 'a record of a reused pid owns nothing');
  });

  it("two guards init adopted are not one client's duplicates: init is no client", async () => {
    const wrapped = stdioConfig('memory', 'vscode', '/opt/lg/mcp-lifeguard', ['run', '--', 'mcp-server-memory']);
    const guard = (pid: number, startTime: number): ProcessInfo[] => [
      {
        pid,
        ppid: 1,
        argv: ['/usr/bin/node', '/opt/lg/mcp-lifeguard.js', 'run', '--', 'mcp-server-memory'],
        startTime,
      },
      { pid: pid + 1, ppid: pid, argv: ['mcp-server-memory'], startTime: startTime + 100 },
    ];
    const processes: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      ...guard(30, 7000),
      ...guard(40, 8000),
    ];
    const r = await attachInstances(
      [wrapped],
      { state: 'ok', processes, method: 'procfs' },
      { platform: 'linux', secretsOf: () => new Set(), locks: [record(30, 7000), record(40, 8000)] },
    );
    assert.deepEqual(
      r.servers[0].instances.map((i) => [i.pid, i.verdicts.map((v) => v.kind)]),
      [
        [31, []],
        [41, []],
      ],
    );
  });
});

describe("guarded instances: a share host's HTTP front as its record names it", () => {
  const shareRecord = (shareUrl: unknown) => ({ ...record(20, 5000), share: true, shareUrl }) as LockRecord;

  it('shows a plain loopback http URL, and nothing else a record may hold', () => {
    assert.deepEqual(shareUrlField(shareRecord('http://127.0.0.1:4321/mcp')), {
      shareUrl: 'http://127.0.0.1:4321/mcp',
    });
    assert.deepEqual(shareUrlField(shareRecord('http://[::1]:4321/mcp')), { shareUrl: 'http://[::1]:4321/mcp' });
    for (const bad of [
      'http://user:secret@127.0.0.1:4321/mcp',
      'https://127.0.0.1:4321/mcp',
      'http://example.com:4321/mcp',
      'not a url',
      42,
      `http://127.0.0.1:1/${'x'.repeat(300)}`,
    ])
      assert.deepEqual(shareUrlField(shareRecord(bad)), {}, String(bad));
    // Only a sharing holder has one.
    assert.deepEqual(shareUrlField({ ...shareRecord('http://127.0.0.1:4321/mcp'), share: undefined }), {});
  });
});
