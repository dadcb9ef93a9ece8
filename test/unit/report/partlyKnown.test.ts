import * as assert from 'node:assert/strict';
import type { InstanceVersions } from '../../../src/core/base/versionTypes';
import { toViewInput } from '../../../src/core/report/input';
import { instanceVerdicts } from '../../../src/core/report/state';
import { healthReport } from '../../../src/agent/health';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { installed, known, snapshotWith } from './fixtures';

/**
 * A script that loads code by computed names, with nothing changed that a reader can see: not
 * proven changed, so nothing counts it as a restart need; not proven fine, so nothing calls it `ok`.
 */

const versions = (computedLoads?: string[]): InstanceVersions => ({
  installed: {
    ...installed,
    dev: {
      root: '/p',
      how: 'a script',
      newest: [],
      script: true as const,
      ...(computedLoads ? { computedLoads } : {}),
    },
  },
  running: known('script'),
  verdict: {
    state: 'current',
    reason: computedLoads
      ? 'runs script; current as far as can be read: server.js loads code by computed names'
      : 'runs script, the installed version',
  },
});

describe('report: a script that loads code by computed names', () => {
  const partly = toViewInput(snapshotWith({ verdicts: [], versions: versions(['/p/server.js']) }));
  const plain = toViewInput(snapshotWith({ verdicts: [], versions: versions() }));

  it('reads partly-known, never ok; the same script without computed loads reads ok', () => {
    assert.deepEqual(instanceVerdicts(partly.servers[0].instances[0]), ['partly-known']);
    assert.deepEqual(instanceVerdicts(plain.servers[0].instances[0]), ['ok']);
  });

  it('the badge counts no restart and does not warn, as for ok; the agent face calls it healthy but not ok', () => {
    const bar = statusBarModel({ state: 'ready', snapshot: partly }, { alwaysShow: true });
    const okBar = statusBarModel({ state: 'ready', snapshot: plain }, { alwaysShow: true });
    assert.ok(bar.visible && okBar.visible);
    if (bar.visible && okBar.visible) {
      assert.equal(bar.warning, false);
      assert.equal(bar.text, okBar.text);
    }
    const health = healthReport(partly);
    assert.equal(health.healthy, true);
    assert.deepEqual(health.servers[0].instances[0].verdicts, ['partly-known']);
  });
});
