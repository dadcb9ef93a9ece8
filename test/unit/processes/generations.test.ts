import * as assert from 'node:assert/strict';
import type { Instance, ServerStatus, Snapshot, Verdict } from '../../../src/core/base/model';
import { killDuplicatesPlan, planReason } from '../../../src/core/actions/killDuplicates';
import { attachInstances } from '../../../src/core/processes/instances';
import type { LaunchFacts } from '../../../src/core/processes/launchFacts';
import { ProcessInfo } from '../../../src/core/pids/table';
import { verdictLabel } from '../../../src/cli/format/status';
import { facts, stdioConfig } from './support';
import { toViewInput } from '../../../src/core/report/input';
import { counts, hasProblems, instanceVerdicts, serverState } from '../../../src/core/report/state';
import { describeVerdict } from '../../../src/core/report/evidence';
import { explain } from '../../../src/agent/explain';
import { verdictWord } from '../../../src/extension/viewModel/instanceWords';

/**
 * Agent hosts of an earlier generation (issue 39): process tables as plain data, the files an
 * injected reader answers. The daemon's shape is the documented argv (docs/clients.md, hosts that
 * outlive windows: `<claude> daemon run --origin transient`, a `claude bg-pty-host` session, a
 * `claude bg-spare` worker, the servers the worker's children).
 */
const T = Date.parse('2026-11-20T10:00:00Z');
const UID = 1000;
const row = (pid: number, ppid: number, argv: string[], startTime: number): ProcessInfo => ({
  pid,
  ppid,
  argv,
  startTime,
  uid: UID,
});
const SERVER = ['/usr/bin/mcp-server-db', '--data', '/d'];
const cfg = stdioConfig('db', 'claude-code', 'mcp-server-db', ['--data', '/d']);

/** A Claude Code daemon at `base` (pid), with one session whose worker runs the server. */
function daemon(base: number, exe: string, start: number, ppid = 1): ProcessInfo[] {
  return [
    row(base, ppid, [exe, 'daemon', 'run', '--origin', 'transient'], start),
    row(base + 1, base, ['claude', 'bg-pty-host', '--bg-pty-host', '/tmp/s', '200', '50', '--', exe], start + 1000),
    row(base + 2, base + 1, ['claude', 'bg-spare', '--bg-spare', '/tmp/s'], start + 1000),
    row(base + 3, base + 2, [...SERVER], start + 5000),
  ];
}

function machine(
  table: ProcessInfo[],
  more: { deleted?: number[]; changed?: Record<string, number>; packages?: Record<string, string> } = {},
): LaunchFacts {
  const exe: Record<number, string> = {};
  for (const p of table) exe[p.pid] = p.argv[0] === 'mcp-server-db' ? '/usr/bin/mcp-server-db' : p.argv[0];
  for (const p of table) if (p.argv[0] === SERVER[0]) exe[p.pid] = SERVER[0];
  return {
    ...facts({ exe, path: { 'mcp-server-db': '/usr/bin/mcp-server-db' } }),
    exeDeleted: (pid) => more.deleted?.includes(pid) ?? false,
    changedAt: (file) => more.changed?.[file] ?? T - 86_400_000,
    packageVersion: (dir) => more.packages?.[dir],
  };
}

async function attach(table: ProcessInfo[], f: LaunchFacts) {
  const r = await attachInstances(
    [{ ...cfg, command: SERVER[0], args: SERVER.slice(1) }],
    { state: 'ok', processes: [row(1, 0, ['/sbin/init'], T - 1e9), ...table], method: 'procfs' },
    { platform: 'linux', ownUid: UID, facts: f, secretsOf: () => new Set(), findListeners: async () => new Map() },
  );
  return r.servers[0];
}

const superseded = (i: Instance | undefined) =>
  i?.verdicts.find((v): v is Extract<Verdict, { kind: 'superseded' }> => v.kind === 'superseded');
const at = (s: ServerStatus, pid: number) => s.instances.find((i) => i.pid === pid);

describe('agent hosts of an earlier generation: their servers are superseded', () => {
  it("two Claude Code daemons, the older one's executable deleted: its server is superseded, the newer one's not", async () => {
    const table = [...daemon(100, '/opt/claude/claude', T), ...daemon(200, '/opt/claude/claude', T + 3_600_000)];
    const s = await attach(table, machine(table, { deleted: [100] }));
    assert.deepEqual(s.instances.map((i) => i.pid).sort(), [103, 203]);
    const v = superseded(at(s, 103));
    assert.ok(v, JSON.stringify(at(s, 103)?.verdicts));
    assert.equal(v.why, 'replaced');
    assert.equal(v.host.pid, 100);
    assert.equal(v.newer.pid, 200);
    assert.equal(
      v.reason,
      'left by an earlier Claude Code daemon (pid 100, its executable /opt/claude/claude was deleted since it started); Claude Code daemon pid 200 runs now',
    );
    assert.equal(superseded(at(s, 203)), undefined);
    assert.match(verdictLabel(v), /^superseded: left by an earlier Claude Code daemon \(pid 100/);

    // Kill Duplicates plans it, with that reason; the newer daemon's server stays.
    const snap = { workspaceFolders: [], servers: [s], notConfigured: [] } as unknown as Snapshot;
    const plan = killDuplicatesPlan(snap);
    assert.deepEqual(
      plan.items.map((p) => [p.pid, p.reason, p.keep]),
      [[103, 'superseded', 200]],
    );
    assert.equal(planReason(plan.items[0]), `superseded: ${v.reason}`);
  });

  it('a file replaced on disk after the host started is earlier too (its mtime or ctime after the start)', async () => {
    const table = [...daemon(100, '/opt/claude/claude', T), ...daemon(200, '/opt/claude/claude', T + 3_600_000)];
    // The one file both run was replaced between the two starts: the older one runs what was there before.
    const s = await attach(table, machine(table, { changed: { '/opt/claude/claude': T + 60_000 } }));
    assert.equal(superseded(at(s, 103))?.why, 'replaced');
    assert.equal(superseded(at(s, 203)), undefined);
  });

  it("one daemon alone with a deleted executable is not superseded: its servers are still its host's", async () => {
    const table = daemon(100, '/opt/claude/claude', T);
    const s = await attach(table, machine(table, { deleted: [100] }));
    assert.deepEqual(
      s.instances.map((i) => [i.pid, i.verdicts.map((v) => v.kind)]),
      [[103, []]],
    );
  });

  it('two daemons of one version with nothing replaced: neither is superseded', async () => {
    const exe = '/home/u/.local/share/claude/versions/2.1.328/claude';
    const table = [...daemon(100, exe, T), ...daemon(200, exe, T + 3_600_000)];
    const s = await attach(table, machine(table));
    assert.deepEqual(
      s.instances.map((i) => [i.pid, superseded(i)]),
      [
        [103, undefined],
        [203, undefined],
      ],
    );
  });

  it("two daemons from versions folders: the older version's servers are superseded, whichever started first", async () => {
    const old = '/home/u/.local/share/claude/versions/2.1.300/claude';
    const now = '/home/u/.local/share/claude/versions/2.1.328/claude';
    // The newer version started first (an old daemon started by hand later) still wins by version.
    const table = [...daemon(100, now, T), ...daemon(200, old, T + 3_600_000)];
    const s = await attach(table, machine(table));
    const v = superseded(at(s, 203));
    assert.equal(v?.why, 'version');
    assert.deepEqual([v?.host.version, v?.newer.version, v?.newer.pid], ['2.1.300', '2.1.328', 100]);
    assert.match(
      v?.reason ?? '',
      /\(pid 200, version 2\.1\.300, older than 2\.1\.328\); Claude Code daemon pid 100 runs now$/,
    );
    assert.equal(superseded(at(s, 103)), undefined);
  });

  it("npm installs: the package.json version of each host's package folder", async () => {
    const a = '/home/u/.npm-a/lib/node_modules/@anthropic-ai/claude-code';
    const b = '/home/u/.npm-b/lib/node_modules/@anthropic-ai/claude-code';
    const host = (base: number, dir: string, start: number) =>
      daemon(base, '/usr/bin/node', start).map((p) =>
        p.pid === base
          ? { ...p, argv: ['/usr/bin/node', `${dir}/cli.js`, 'daemon', 'run', '--origin', 'transient'] }
          : p,
      );
    const table = [...host(100, a, T), ...host(200, b, T + 1000)];
    const s = await attach(table, machine(table, { packages: { [a]: '2.1.300', [b]: '2.1.328' } }));
    assert.equal(superseded(at(s, 103))?.why, 'version');
    assert.equal(superseded(at(s, 203)), undefined);
  });

  it("two `codex app-server` hosts from versions folders: the older version's server is superseded", async () => {
    const table = [
      row(300, 1, ['/home/u/.codex/versions/0.168.0/codex', 'app-server'], T),
      row(301, 300, [...SERVER], T + 2000),
      row(400, 1, ['/home/u/.codex/versions/0.169.0/codex', 'app-server'], T + 1000),
      row(401, 400, [...SERVER], T + 3000),
    ];
    const s = await attach(table, machine(table));
    const v = superseded(at(s, 301));
    assert.equal(
      v?.reason,
      'left by an earlier Codex app-server (pid 300, version 0.168.0, older than 0.169.0); Codex app-server pid 400 runs now',
    );
    assert.equal(superseded(at(s, 401)), undefined);
  });

  it("the newer daemon started by the old one (an upgrade's self-respawn) owns its own servers", async () => {
    const old = '/home/u/.local/share/claude/versions/2.1.300/claude';
    const now = '/home/u/.local/share/claude/versions/2.1.328/claude';
    const table = [...daemon(100, old, T), ...daemon(200, now, T + 3_600_000, 100)];
    const s = await attach(table, machine(table));
    assert.equal(at(s, 203)?.client.agentHost?.pid, 200);
    assert.equal(superseded(at(s, 203)), undefined);
    assert.equal(superseded(at(s, 103))?.newer.pid, 200);
  });

  it("another user's newer daemon does not supersede this user's", async () => {
    const old = '/home/u/.local/share/claude/versions/2.1.300/claude';
    const now = '/home/v/.local/share/claude/versions/2.1.328/claude';
    const table = [...daemon(100, old, T), row(200, 1, [now, 'daemon', 'run'], T + 1000)].map((p) =>
      p.pid === 200 ? { ...p, uid: 1001 } : p,
    );
    const s = await attach(table, machine(table));
    assert.equal(superseded(at(s, 103)), undefined);
  });

  it('every face says it: counts and the badge, the server state, the tree word, Show Evidence and the agent explain', async () => {
    const table = [...daemon(100, '/opt/claude/claude', T), ...daemon(200, '/opt/claude/claude', T + 3_600_000)];
    const s = await attach(table, machine(table, { deleted: [100] }));
    const vm = toViewInput({
      workspaceFolders: [],
      servers: [s],
      notConfigured: [],
      diagnostics: [],
      launchGroups: [],
      files: [],
      processes: { state: 'ok', count: table.length },
    } as unknown as Snapshot);
    const c = counts(vm);
    assert.deepEqual([c.superseded, c.orphan, c.duplicate, hasProblems(c)], [1, 0, 0, true]);
    assert.deepEqual(serverState(vm.servers[0]), { kind: 'superseded', count: 1 });
    const old = vm.servers[0].instances.find((i) => i.pid === 103);
    assert.ok(old);
    assert.equal(instanceVerdicts(old)[0], 'superseded');
    assert.equal(verdictWord('superseded'), 'superseded');
    const v = superseded(at(s, 103));
    assert.ok(v);
    assert.match(describeVerdict(v), /^Superseded: left by an earlier Claude Code daemon \(pid 100/);
    const e = explain(vm, { pid: 103 });
    assert.match(e.summary.join('\n'), /left by an earlier Claude Code daemon/);
    assert.deepEqual(e.instance?.verdicts?.slice(0, 1), ['superseded']);
  });
});
