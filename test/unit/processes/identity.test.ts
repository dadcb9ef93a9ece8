import * as assert from 'node:assert/strict';
import { killDuplicatesPlan } from '../../../src/core/actions/killDuplicates';
import type { ServerConfig, ServerStatus, Snapshot } from '../../../src/core/base/model';
import { canShare, sharePlan } from '../../../src/core/configEdit/sharePlan';
import { parseEnviron } from '../../../src/core/processes/environ';
import { attachInstances } from '../../../src/core/processes/instances';
import type { ProcessInfo } from '../../../src/core/pids/table';
import type { VmServer } from '../../../src/core/report/input';
import { envDifference, envDigests, identityKey } from '../../../src/core/sources/identity';
import { stdioConfig } from './support';

/**
 * Server identity: one script run with other env is another server. Every verdict, plan and count
 * keys on the identity (launch + env the entry sets), never on the command line alone.
 */

const SCRIPT = '/srv/node_modules/@modelcontextprotocol/server-memory/dist/index.js';
const LAUNCH = 'stdio:memory-script';

/** An entry running the memory script with this env (its identity made as discovery makes it). */
function memoryEntry(
  name: string,
  client: ServerConfig['source']['client'],
  env: Record<string, string>,
  extra: Partial<ServerConfig> = {},
): { config: ServerConfig; env: Record<string, string> } {
  const digests = Object.keys(env).length
    ? envDigests(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, { resolved: v }])))
    : undefined;
  return {
    config: stdioConfig(name, client, 'node', [SCRIPT], {
      envKeys: Object.keys(env),
      launchKey: LAUNCH,
      identityKey: identityKey(LAUNCH, digests),
      ...(digests ? { envDigests: digests } : {}),
      ...extra,
    }),
    env,
  };
}

async function attach(
  entries: { config: ServerConfig; env: Record<string, string> }[],
  table: ProcessInfo[],
  environ: Record<number, string>,
) {
  const declared = new Map(entries.map((e) => [e.config.id, e.env]));
  return attachInstances(
    entries.map((e) => e.config),
    { state: 'ok', processes: table, method: 'procfs' },
    {
      platform: 'linux',
      secretsOf: () => new Set(),
      findListeners: async () => new Map(),
      env: {
        declared: (c) => (Object.keys(declared.get(c.id) ?? {}).length ? declared.get(c.id) : undefined),
        ofProcess: (pid) => (environ[pid] !== undefined ? parseEnviron(environ[pid]) : undefined),
      },
    },
  );
}

const claimedBy = (servers: ServerStatus[], pid: number) =>
  servers
    .filter((s) => s.instances.some((i) => i.pid === pid))
    .map((s) => s.name)
    .sort();

const snapshotOf = (servers: ServerStatus[]): Snapshot =>
  ({ workspaceFolders: [], servers, notConfigured: [], launchGroups: [] }) as unknown as Snapshot;

describe('server identity: one script with other env is another server', () => {
  it('an identity is the launch plus every env key and value the entry sets; digests never show a value', () => {
    const a = envDigests({ MEMORY_FILE_PATH: { resolved: '/data/a.json' } });
    const b = envDigests({ MEMORY_FILE_PATH: { resolved: '/data/b.json' } });
    const a2 = envDigests({ MEMORY_FILE_PATH: { resolved: '/data/a.json' } });
    assert.deepEqual(a, a2, 'one value, one digest within a run');
    assert.notEqual(a.MEMORY_FILE_PATH, b.MEMORY_FILE_PATH);
    assert.ok(!JSON.stringify(a).includes('a.json'));
    assert.equal(identityKey(LAUNCH, undefined), LAUNCH, 'no env: the launch alone');
    assert.notEqual(identityKey(LAUNCH, a), identityKey(LAUNCH, b));
    assert.equal(identityKey(LAUNCH, a), identityKey(LAUNCH, a2));
    // A value left unresolved (`${input:x}`) is compared as written, never equal to a resolved one.
    assert.notEqual(envDigests({ K: { unresolved: '${input:k}' } }).K, envDigests({ K: { resolved: '${input:k}' } }).K);
    assert.deepEqual(envDifference(a, b), { differ: ['MEMORY_FILE_PATH'], onlyFirst: [], onlySecond: [] });
    assert.deepEqual(envDifference(a, undefined), { differ: [], onlyFirst: ['MEMORY_FILE_PATH'], onlySecond: [] });
    assert.equal(envDifference(a, a2), undefined);
  });

  // Claude Code: `claude mcp add memory-cc -e MEMORY_FILE_PATH=...` (local scope) and
  // `claude mcp add --scope project memory-proj` (the same command, no env), one session.
  const cc = memoryEntry('memory-cc', 'claude-code', { MEMORY_FILE_PATH: '/data/cc.json' });
  const proj = memoryEntry(
    'memory-proj',
    'claude-code',
    {},
    {
      source: {
        client: 'claude-code',
        scope: 'workspace',
        label: 'Claude Code (project)',
        file: '/work/p/.mcp.json',
        workspaceFolder: '/work/p',
      },
    },
  );
  const claudeSession: ProcessInfo[] = [
    { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
    { pid: 10, ppid: 1, argv: ['/home/u/.local/bin/claude', '-p', 'hello'], startTime: 1000 },
    { pid: 20, ppid: 10, argv: ['node', SCRIPT], startTime: 5000 },
    { pid: 21, ppid: 10, argv: ['node', SCRIPT], startTime: 6000 },
  ];

  it("two scopes of one client, same command: each process is its own entry's, and neither is a duplicate", async () => {
    const r = await attach([cc, proj], claudeSession, {
      10: 'PATH=/usr/bin\0',
      20: 'PATH=/usr/bin\0MEMORY_FILE_PATH=/data/cc.json\0',
      21: 'PATH=/usr/bin\0',
    });
    assert.deepEqual(claimedBy(r.servers, 20), ['memory-cc']);
    assert.deepEqual(claimedBy(r.servers, 21), ['memory-proj']);
    for (const s of r.servers)
      for (const i of s.instances) assert.deepEqual(i.verdicts, [], `${s.name} pid ${i.pid}: no verdict`);
    assert.deepEqual(killDuplicatesPlan(snapshotOf(r.servers)).items, []);
  });

  it('a client that carries the value itself proves nothing: the process is undecided, listed, never acted on', async () => {
    // Claude Code was started with MEMORY_FILE_PATH exported: memory-proj's process carries it too.
    const r = await attach([cc, proj], claudeSession, {
      10: 'PATH=/usr/bin\0MEMORY_FILE_PATH=/data/cc.json\0',
      20: 'PATH=/usr/bin\0MEMORY_FILE_PATH=/data/cc.json\0',
      21: 'PATH=/usr/bin\0MEMORY_FILE_PATH=/data/cc.json\0',
    });
    for (const pid of [20, 21]) {
      // One process under one entry of its client, its evidence naming both.
      assert.deepEqual(claimedBy(r.servers, pid), ['memory-cc']);
      const i = r.servers[0].instances.find((x) => x.pid === pid)!;
      const owner = i.verdicts.find((v) => v.kind === 'unknown' && v.question === 'owner');
      assert.ok(
        owner &&
          owner.kind === 'unknown' &&
          /different env.*; it is listed once, under 'memory-cc' \(/.test(owner.reason) &&
          owner.reason.includes("'memory-proj'"),
        JSON.stringify(i.verdicts),
      );
      assert.ok(!i.verdicts.some((v) => v.kind === 'shared'), 'an undecided process is counted as no copy of a server');
    }
    const plan = killDuplicatesPlan(snapshotOf(r.servers));
    assert.deepEqual(plan.items, []);
  });

  it("Kill Duplicates: Cursor runs `memory` twice and `team` (same script, other env) once: only memory's older copy goes", async () => {
    const memory = memoryEntry('memory', 'cursor', { MEMORY_FILE_PATH: '/data/memory.json' });
    const team = memoryEntry('team', 'cursor', { MEMORY_FILE_PATH: '/data/team.json' });
    const table: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1000 },
      { pid: 30, ppid: 10, argv: ['node', SCRIPT], startTime: 3000 },
      { pid: 31, ppid: 10, argv: ['node', SCRIPT], startTime: 4000 },
      { pid: 32, ppid: 10, argv: ['node', SCRIPT], startTime: 5000 },
    ];
    const r = await attach([memory, team], table, {
      10: 'PATH=/usr/bin\0',
      30: 'MEMORY_FILE_PATH=/data/memory.json\0',
      31: 'MEMORY_FILE_PATH=/data/memory.json\0',
      32: 'MEMORY_FILE_PATH=/data/team.json\0',
    });
    assert.deepEqual(claimedBy(r.servers, 30), ['memory']);
    assert.deepEqual(claimedBy(r.servers, 31), ['memory']);
    assert.deepEqual(claimedBy(r.servers, 32), ['team']);
    const plan = killDuplicatesPlan(snapshotOf(r.servers));
    assert.deepEqual(
      plan.items.map((i) => [i.serverName, i.pid, i.keep]),
      [['memory', 30, 31]],
    );
    assert.ok(!r.servers.find((s) => s.name === 'team')!.instances[0].verdicts.some((v) => v.kind === 'duplicate'));
  });

  it('"shared" and the share hint count only copies of one identity, never entries of other data', async () => {
    const cursor = memoryEntry('memory', 'cursor', { MEMORY_FILE_PATH: '/data/cursor.json' });
    const desktop = memoryEntry('kb', 'claude-desktop', { MEMORY_FILE_PATH: '/data/kb.json' });
    const vscode = memoryEntry('memory', 'vscode', { MEMORY_FILE_PATH: '/data/cursor.json' });
    const table: ProcessInfo[] = [
      { pid: 1, ppid: 0, argv: ['/sbin/init'], startTime: 1 },
      { pid: 10, ppid: 1, argv: ['/opt/Cursor/cursor'], startTime: 1000 },
      { pid: 11, ppid: 1, argv: ['/usr/lib/claude-desktop/claude'], startTime: 1000 },
      { pid: 12, ppid: 1, argv: ['/usr/share/code/code'], startTime: 1000 },
      { pid: 30, ppid: 10, argv: ['node', SCRIPT], startTime: 3000 },
      { pid: 31, ppid: 11, argv: ['node', SCRIPT], startTime: 4000 },
      { pid: 32, ppid: 12, argv: ['node', SCRIPT], startTime: 5000 },
    ];
    const r = await attach([cursor, desktop, vscode], table, {
      30: 'MEMORY_FILE_PATH=/data/cursor.json\0',
      31: 'MEMORY_FILE_PATH=/data/kb.json\0',
      32: 'MEMORY_FILE_PATH=/data/cursor.json\0',
    });
    const shared = (pid: number) =>
      r.servers
        .flatMap((s) => s.instances)
        .find((i) => i.pid === pid)!
        .verdicts.find((v) => v.kind === 'shared');
    assert.deepEqual(
      shared(30)?.kind === 'shared' && shared(30)!.kind === 'shared'
        ? (shared(30) as { instances: { pid: number }[] }).instances.map((i) => i.pid).sort()
        : [],
      [30, 32],
    );
    assert.equal(shared(31), undefined, "Claude Desktop's kb is its own server");
    const hints = killDuplicatesPlan(snapshotOf(r.servers)).shareHints;
    assert.deepEqual(
      hints.map((h) => [h.serverName, h.copies, h.clients]),
      [['memory', 2, ['Cursor', 'VS Code']]],
    );
  });

  it('Share One Instance groups one identity; the entries of other data are listed with which key differs, and never offered from a refused entry', () => {
    const vm = [
      memoryEntry('memory', 'cursor', { MEMORY_FILE_PATH: '/a' }),
      memoryEntry('memory', 'vscode', { MEMORY_FILE_PATH: '/a' }),
      memoryEntry('kb', 'claude-desktop', { MEMORY_FILE_PATH: '/b' }),
      memoryEntry('plain', 'codex', {}),
    ].map((e, i) => ({
      ...e.config,
      instances: [{ client: { id: e.config.source.client, pid: 100 + i } }],
    })) as never as VmServer[];
    const plan = sharePlan(vm, vm[0]);
    assert.deepEqual(
      plan.steps.filter((s) => s.rewrite).map((s) => s.server.source.client),
      ['cursor', 'vscode'],
    );
    assert.equal(plan.clientsRunning, 2, 'only the copies of this server count');
    const left = plan.steps.filter((s) => !s.rewrite) as { server: { name: string }; reason: string }[];
    assert.deepEqual(
      left.map((s) => s.server.name),
      ['kb', 'plain'],
    );
    assert.match(left[0].reason, /MEMORY_FILE_PATH differs/);
    assert.match(left[1].reason, /it does not set MEMORY_FILE_PATH/);
    assert.ok(!left.some((s) => s.reason.includes('/a') || s.reason.includes('/b')), 'no value named');
    assert.ok(canShare(vm, vm[0]));
    // From a workspace entry the window may not change (untrusted), it is never offered.
    assert.ok(!canShare(vm, vm[0], (s) => (s === vm[0] ? 'the workspace is not trusted' : undefined)));
  });
});
