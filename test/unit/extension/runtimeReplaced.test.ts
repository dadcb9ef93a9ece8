import { quoted } from '../../../src/core/base/modelText';
import * as assert from 'node:assert/strict';
import type { Instance } from '../../../src/core/base/model';
import type { InstanceVersions, RuntimeReplaced } from '../../../src/core/base/versionTypes';
import { runtimeVerdict, VmVerdict } from '../../../src/core/report/input';
import { bulkRestartTargets, counts, instanceVerdicts, serverState } from '../../../src/core/report/state';
import { describeVerdict } from '../../../src/core/report/evidence';
import { healthReport } from '../../../src/agent/health';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { decideNotifications } from '../../../src/extension/viewModel/notifications';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { TreeContext } from '../../../src/extension/viewModel/treeModel';
import { decide, guardVerdict } from '../../../src/guard/host/staleness';
import { formatStaleEvidence, runtimeLabel } from '../../../src/cli/format/versions';
import { CLAUDE, instance, NOW, server, snapshot, stale } from './fixtures';

const runtime: RuntimeReplaced = {
  state: 'replaced',
  runtime: 'node',
  path: '/usr/bin/node',
  running: '22.11.0',
  installed: '22.12.0',
  runningHow: 'read from the running executable (/proc/7/exe)',
  installedHow: '/usr/bin/node --version',
  libraries: [],
  summary: 'runs a replaced node 22.11.0; installed 22.12.0 at /usr/bin/node: restart it to run what is installed',
};

const versions: InstanceVersions = {
  installed: { state: 'installed', ecosystem: 'npm', name: 'pkg', version: '1.0.0', how: 'h', location: '/p' },
  running: { state: 'known', version: '1.0.0', source: 'first-seen', how: 'seen' },
  verdict: { state: 'current', reason: 'runs 1.0.0, the installed version' },
  runtime,
};

const rtVerdict = runtimeVerdict(versions)!;

/** A replaced runtime (issue 28, item 3) is a restart need in every face, said in its own words, and the package's verdict stays its own. */
describe('a replaced runtime in every face', () => {
  it('is a verdict of its own beside the package verdict: counted once, named by both', () => {
    assert.deepEqual(
      { kind: rtVerdict.kind, cause: rtVerdict.kind === 'restart' && rtVerdict.cause },
      { kind: 'restart', cause: 'runtime' },
    );
    assert.equal(describeVerdict(rtVerdict), `Runtime replaced: ${runtime.summary}`);
    const s = server('memory', {
      instances: [instance(7, { verdicts: [rtVerdict] }), instance(8, { verdicts: [stale(), rtVerdict] })],
    });
    const c = counts(snapshot([s]));
    // Each instance under its first cause: the package's before its runtime's.
    assert.deepEqual(c.restart, { down: 0, version: 1, changed: 0, config: 0, runtime: 1 });
    assert.deepEqual(instanceVerdicts(s.instances[0]), ['runtime-replaced']);
    assert.deepEqual(instanceVerdicts(s.instances[1]), ['stale', 'runtime-replaced']);
    assert.deepEqual(
      bulkRestartTargets(s).map((i) => i.pid),
      [7, 8],
    );
  });

  it('status bar, tree and notification say "runtime replaced" with both versions', () => {
    const s = server('memory', { instances: [instance(7, { client: CLAUDE, verdicts: [rtVerdict] })] });
    const snap = snapshot([s]);
    const bar = statusBarModel({ state: 'ready', snapshot: snap }, { alwaysShow: false });
    assert.ok(bar.visible);
    assert.equal(bar.text, '$(warning) MCP 1 · 1 runtime replaced');
    assert.match(bar.accessibility, /1 instance on a replaced runtime/);
    assert.match(bar.tooltip, /node 22\.11\.0 → 22\.12\.0 \(runtime replaced\)/);
    assert.deepEqual(serverState(s), {
      kind: 'stale',
      cause: 'runtime',
      package: 'node',
      running: '22.11.0',
      installed: '22.12.0',
      count: 1,
    });
    const ctx: TreeContext = { trusted: true, now: NOW, guardAvailable: true };
    const serverNode = childNodes(rootNodes(snap).find((n) => n.kind === 'group')!)[0];
    assert.equal(treeItem(serverNode, ctx, []).description, 'runtime replaced · node 22.11.0 → 22.12.0');
    const row = treeItem(childNodes(serverNode)[0], ctx, []);
    assert.match(row.label, /^runtime replaced · pid 7/);
    assert.match(row.description ?? '', /node 22\.11\.0 → 22\.12\.0/);
    const [n] = decideNotifications(
      snap,
      { seen: new Set(), muted: new Set() },
      { onUpgrade: true, onRegistryUpdate: false },
    );
    assert.ok(n.kind === 'stale');
    assert.equal(n.eventId, 'runtime:node@22.12.0');
    assert.equal(
      n.message,
      'node was replaced (22.11.0 → 22.12.0); 1 instance (1 in Claude Desktop) still runs the old node: restart to run it.',
    );
  });

  it('the agent face and the CLI count and say it; the guard acts on it for its own child', () => {
    const s = server('memory', { instances: [instance(7, { verdicts: [rtVerdict] })] });
    const report = healthReport(snapshot([s]));
    assert.equal(report.healthy, false);
    assert.equal(report.counts.restart.runtime, 1);
    assert.match(report.summary, /^Needs attention: 1 instance on a replaced runtime \(node or Python upgraded\);/);
    assert.deepEqual(report.servers[0].instances[0].verdicts, ['runtime-replaced']);
    assert.deepEqual(guardVerdict(versions), {
      state: 'restart',
      cause: 'runtime',
      said: describeVerdict(rtVerdict),
      toModel: describeVerdict(rtVerdict, quoted),
      restartable: true,
    });
    // The server's own code is what is installed: a replaced runtime is told and restarted, never refused.
    for (const policy of ['refuse-writes', 'refuse-all'] as const)
      assert.deepEqual(decide(policy, guardVerdict(versions), { method: 'tools/call', toolName: 'write' }, 'memory'), {
        action: 'forward',
      });
    // Nothing installed at the runtime's path: a restart would not start it, so the guard does not restart into it.
    assert.deepEqual(guardVerdict({ ...versions, runtime: { ...runtime, installed: 'missing' } }), {
      state: 'restart',
      said: describeVerdict(runtimeVerdict({ ...versions, runtime: { ...runtime, installed: 'missing' } })!),
      toModel: describeVerdict(runtimeVerdict({ ...versions, runtime: { ...runtime, installed: 'missing' } })!, quoted),
      restartable: false,
      cause: 'runtime',
    });
    assert.deepEqual(guardVerdict({ ...versions, runtime: undefined }), { state: 'none', reason: 'current' });
    const inst = { pid: 7, versions } as unknown as Instance;
    assert.equal(runtimeLabel(inst), 'RUNTIME REPLACED: node 22.11.0 -> 22.12.0');
    const lines = formatStaleEvidence({
      servers: [{ name: 'memory', instances: [inst] }],
    } as unknown as Parameters<typeof formatStaleEvidence>[0]);
    assert.ok(lines.includes('Needs a restart (1): these processes do not run what is installed or configured now.'));
    assert.ok(lines.includes('    runtime:   node 22.11.0, read from the running executable (/proc/7/exe)'));
  });

  it('no runtime evidence, no runtime verdict', () => {
    const none: VmVerdict | undefined = runtimeVerdict({ ...versions, runtime: undefined });
    assert.equal(none, undefined);
  });
});
