import * as assert from 'node:assert/strict';
import { versionDoctor } from '../../../src/core/report/versionDoctor';
import { versionsSummary } from '../../../src/core/report/versionSummary';
import { heldBack } from './doctorFacts';

describe('Show Versions at a glance: what runs against what is installed, what moved, the one next step', () => {
  it('groups instances by what they run and what is installed, those to restart first, and says restart', () => {
    const s = versionsSummary(versionDoctor(heldBack()));
    assert.deepEqual(s.groups, [
      {
        runs: '2026.7.4',
        installed: '2026.8.31',
        needsRestart: true,
        clients: [{ name: 'Cursor', count: 1 }],
        pids: [41],
      },
      { runs: '2026.7.4', needsRestart: false, clients: [{ name: 'Cursor', count: 1 }], pids: [42] },
    ]);
    assert.deepEqual(s.moved, []);
    assert.deepEqual(s.next, { kind: 'restart', pids: [41] });
  });

  it('a restart that will probably fail is never advised: roll back first, naming what moved', () => {
    const a = versionDoctor(heldBack());
    a.instances[0].moved = ['mcp 1.30.0 -> 2.3.0', 'pydantic 2.9.0 -> 2.10.0'];
    a.instances[0].restartRisk = 'Restart will probably fail: mcp.server.fastmcp raises at import in mcp 2.3.0';
    const s = versionsSummary(a);
    assert.deepEqual(s.moved, ['mcp 1.30.0 -> 2.3.0', 'pydantic 2.9.0 -> 2.10.0']);
    assert.deepEqual(s.next, {
      kind: 'roll-back',
      risk: 'Restart will probably fail: mcp.server.fastmcp raises at import in mcp 2.3.0',
      pids: [41],
    });
  });

  it('with nothing to restart: the pin that holds an upgrade back, else a newer release, else nothing', () => {
    const f = heldBack();
    f.entries[0].instances = [];
    assert.deepEqual(versionsSummary(versionDoctor(f)).next, {
      kind: 'unpin',
      entry: 'memory',
      client: 'Windsurf',
      pin: '2026.7.4',
    });
    f.entries = f.entries.slice(0, 1);
    assert.deepEqual(versionsSummary(versionDoctor(f)).next, { kind: 'none' });
    f.releases = [{ source: 'npm', registry: 'r', latest: '2026.9.1', checkedAt: 't' }];
    assert.deepEqual(versionsSummary(versionDoctor(f)).next, {
      kind: 'upgrade',
      version: '2026.9.1',
      installed: '2026.8.31',
    });
  });

  it('what an instance runs that cannot be told is said, never a guess of nothing to do', () => {
    const a = versionDoctor(heldBack());
    a.entries = a.entries.map((e) => ({ ...e, heldBackFrom: undefined }));
    a.instances = [{ ...a.instances[1], runs: '?', needsRestart: false }];
    assert.deepEqual(versionsSummary(a).next, { kind: 'unknown', pids: [42] });
  });
});
