import * as assert from 'node:assert/strict';
import { killDuplicatesPlan } from '../../../src/core/actions/killDuplicates';
import type { ClientId, Instance, ServerStatus, Snapshot } from '../../../src/core/base/model';
import { stdioConfig } from '../processes/support';

const VS = { id: 'vscode', name: 'VS Code', pid: 10 } as const;
const CC = { id: 'claude-code', name: 'Claude Code', pid: 11 } as const;
const CU = { id: 'cursor', name: 'Cursor', pid: 12 } as const;

const inst = (pid: number, client: Instance['client'], extra: Partial<Instance> = {}): Instance => ({
  pid,
  ppid: client.pid ?? 1,
  startTime: pid * 1000,
  commandLine: 'mcp-server-memory',
  commandHash: 'h',
  client,
  launcherChain: [],
  matchedBy: 'prog:mcp-server-memory',
  verdicts: [],
  ...extra,
});

/** One launch configured for several clients: the entries share its launchKey, each lists every instance. */
function snap(instances: Instance[], clients: Instance['client'][] = [VS, CC, CU]): Snapshot {
  const servers: ServerStatus[] = clients.map((c) => ({
    ...stdioConfig('memory', c.id as ClientId, 'mcp-server-memory', []),
    launchKey: 'stdio:memory',
    instances,
  }));
  return { workspaceFolders: [], servers, notConfigured: [] } as unknown as Snapshot;
}

describe('kill-duplicates: copies of one server in several clients say that sharing would have avoided them', () => {
  it('three copies for three clients: one hint naming the count, the clients and `run --on-conflict share`', () => {
    const plan = killDuplicatesPlan(snap([inst(21, VS), inst(22, CC), inst(23, CU)]));
    assert.deepEqual(plan.items, []);
    assert.equal(plan.shareHints.length, 1);
    const [h] = plan.shareHints;
    assert.deepEqual([h.serverName, h.copies, h.clients], ['memory', 3, ['VS Code', 'Claude Code', 'Cursor']]);
    assert.equal(
      h.message,
      "3 copies of memory run for 3 clients (VS Code, Claude Code, Cursor): `run --on-conflict share` serves them from one; `mcp-lifeguard wrap memory --share` rewrites each client's entry to it (see docs/share.md)",
    );
  });

  it("counts what the plan leaves: a client's older duplicate is stopped, not a copy to share", () => {
    const dup: Instance['verdicts'][number] = {
      kind: 'duplicate',
      identityKey: 'stdio:memory',
      client: VS,
      keep: { pid: 22, client: VS },
      instances: [],
    };
    const plan = killDuplicatesPlan(snap([inst(21, VS, { verdicts: [dup] }), inst(22, VS), inst(23, CC)]));
    assert.deepEqual(
      plan.items.map((i) => i.pid),
      [21],
    );
    assert.deepEqual(
      plan.shareHints.map((h) => [h.copies, h.clients]),
      [[2, ['VS Code', 'Claude Code']]],
    );
  });

  it('no hint for copies under one client, for a server already shared, for orphans, or for another server than the one named', () => {
    assert.deepEqual(killDuplicatesPlan(snap([inst(21, VS)])).shareHints, []);
    const shared = inst(31, VS, {
      lock: {
        serverName: 'memory',
        resourceKey: '/data',
        attached: [
          { pid: 20, startTime: 1, clientName: 'VS Code' },
          { pid: 24, startTime: 2, clientName: 'claude-code' },
        ],
      },
    });
    assert.deepEqual(killDuplicatesPlan(snap([shared])).shareHints, []);
    const orphan = inst(22, { id: 'none', name: 'none' } as unknown as Instance['client'], {
      verdicts: [{ kind: 'orphan', reason: 'its client is gone' } as unknown as Instance['verdicts'][number]],
    });
    assert.deepEqual(killDuplicatesPlan(snap([inst(21, VS), orphan])).shareHints, []);
    assert.deepEqual(killDuplicatesPlan(snap([inst(21, VS), inst(22, CC)]), 'other').shareHints, []);
    assert.equal(killDuplicatesPlan(snap([inst(21, VS), inst(22, CC)]), 'memory').shareHints.length, 1);
  });

  it("each client's entry lists its own copy: the hint counts every entry of the launch, even for one entry named by id", () => {
    const s = snap([]);
    s.servers.forEach((e, n) => (e.instances = [inst(21 + n, [VS, CC, CU][n])]));
    assert.deepEqual(
      killDuplicatesPlan(s, s.servers[0].id).shareHints.map((h) => [h.copies, h.clients.length]),
      [[3, 3]],
    );
  });

  it('a client the snapshot cannot name counts by its process: two unknown clients are two', () => {
    const u1 = { id: 'unknown', name: 'unknown', pid: 50 } as Instance['client'];
    const u2 = { id: 'unknown', name: 'unknown', pid: 51 } as Instance['client'];
    assert.deepEqual(
      killDuplicatesPlan(snap([inst(21, u1), inst(22, u2)], [VS])).shareHints.map((h) => h.copies),
      [2],
    );
  });
});
