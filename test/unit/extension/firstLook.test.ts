import * as assert from 'node:assert/strict';
import type { Instance, Snapshot } from '../../../src/core/base/model';
import type { InstanceVersions } from '../../../src/core/base/versionTypes';
import { toViewInput } from '../../../src/core/report/input';
import { decideNotifications } from '../../../src/extension/viewModel/notifications';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { instanceVerdictWords } from '../../../src/extension/viewModel/instanceWords';
import { coreInstance, coreSnapshot, staleMemory } from './coreSnapshots';

/** The first look (configs and processes, no versions yet) and the full snapshot that replaces it. */

const inst = (pid: number, versions?: InstanceVersions): Instance =>
  coreInstance({ pid, ...(versions ? { versions } : {}) });

const core = (instances: Instance[]): Snapshot =>
  coreSnapshot({ takenAt: 't', processes: { state: 'ok', count: 10 } }, instances);

const stale = staleMemory({
  state: 'installed',
  ecosystem: 'npm',
  name: '@modelcontextprotocol/server-memory',
  version: '2026.8.31',
  how: 'h',
  location: '/x',
});

describe('extension view-model: the first look, versions pending', () => {
  const first = toViewInput(core([inst(10), inst(11)]), { versionsPending: true });

  it('counts what runs at once, never calls an instance ok or stale before its version is known', () => {
    for (const i of first.servers[0].instances) assert.deepEqual(instanceVerdictWords(i), ['checking']);
    const bar = statusBarModel({ state: 'ready', snapshot: first }, { alwaysShow: false });
    assert.ok(bar.visible);
    assert.equal(bar.text, '$(sync~spin) MCP 2');
    assert.match(bar.accessibility, /Versions are being checked\.$/);
    assert.doesNotMatch(bar.accessibility, /All instances are fine/);
    assert.match(bar.tooltip, /versions are being checked/);
    assert.deepEqual(
      decideNotifications(first, { seen: new Set(), muted: new Set() }, { onUpgrade: true, onRegistryUpdate: true }),
      [],
    );
  });

  it('the full snapshot replaces it: its verdicts, no pending mark', () => {
    const full = toViewInput(core([inst(10, stale), inst(11)]));
    assert.equal(full.versionsPending, undefined);
    assert.deepEqual(instanceVerdictWords(full.servers[0].instances[0]), ['stale']);
    const bar = statusBarModel({ state: 'ready', snapshot: full }, { alwaysShow: false });
    assert.ok(bar.visible);
    assert.equal(bar.text, '$(warning) MCP 2 · 1 stale');
  });
});
