import * as assert from 'node:assert/strict';
import { restartTarget } from '../../../src/core/actions/restart';
import { recordingStopDeps } from '../actions/recordingStopDeps';
import type { Instance, ServerStatus, Snapshot } from '../../../src/core/base/model';
import type { InstanceVersions, StartRisk } from '../../../src/core/base/versionTypes';
import { parseControlRequest } from '../../../src/core/control/protocol';
import { describeVerdict } from '../../../src/core/report/evidence';
import { whatToDo } from '../../../src/core/report/evidenceDocument';
import type { VmVerdict } from '../../../src/core/report/input';
import { restartRiskLabel } from '../../../src/cli/format/versions';
import { restartRiskConfirmation, restartRiskOf } from '../../../src/extension/viewModel/actionPlan';
import { makeTempDir } from '../../support/temp';
import { stdioConfig } from '../processes/support';
import { instance, NOW, server, snapshot, stale } from './fixtures';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { decideNotifications } from '../../../src/extension/viewModel/notifications';

const risk: StartRisk = {
  module: 'mcp.server.fastmcp',
  package: 'mcp',
  version: '2.3.0',
  why: 'raises',
  pin: 'mcp<2',
  summary: 'mcp.server.fastmcp raises at import in mcp 2.3.0 (it says to pin mcp<2)',
};
const versions = {
  installed: {
    state: 'installed',
    ecosystem: 'python',
    name: 'srv.py',
    version: 'mcp 2.3.0',
    how: 'the script /w/srv.py',
    location: '/w/srv.py',
    dev: { root: '/w', how: 'a script', newest: [], script: true },
    startRisks: [risk],
  },
  running: { state: 'known', version: 'mcp 1.30.0', source: 'lock-record', how: 'lock record written at start' },
  verdict: {
    state: 'stale',
    package: 'srv.py',
    ecosystem: 'python',
    running: 'mcp 1.30.0',
    installed: 'mcp 2.3.0',
    movedDependencies: [{ name: 'mcp', from: '1.30.0', to: '2.3.0' }],
    replacedFiles: [],
    summary: 'srv.py: runs mcp 1.30.0 but mcp 2.3.0 is installed',
    runningHow: 'lock record written at start',
    installedHow: 'the script /w/srv.py',
  },
} as unknown as InstanceVersions;
const risky: VmVerdict = { ...(stale('mcp 1.30.0', 'mcp 2.3.0', 'srv.py') as object), evidence: versions } as VmVerdict;
const WORDS = 'Restart will probably fail: mcp.server.fastmcp raises at import in mcp 2.3.0 (it says to pin mcp<2)';

describe('a restart predicted to fail: said before it is done, in every face', () => {
  it('the verdict line, Show Evidence and the agent say it, and what to do instead', () => {
    assert.equal(describeVerdict(risky), `Stale: runs srv.py mcp 1.30.0, but mcp 2.3.0 is installed. ${WORDS}`);
    assert.equal(describeVerdict(stale()).includes('Restart will probably fail'), false);
    assert.match(
      whatToDo(instance(7, { verdicts: [risky] })),
      /^Do not restart it yet: restart will probably fail: .*pin mcp<2\)\. It keeps serving/,
    );
  });

  it('the extension asks with its own words and button; an instance with no risk is not asked about', () => {
    assert.equal(restartRiskOf([instance(6, { verdicts: [stale()] }), instance(7, { verdicts: [risky] })]), WORDS);
    assert.equal(restartRiskOf([instance(6, { verdicts: [stale()] })]), undefined);
    const c = restartRiskConfirmation({ name: 'notes' }, WORDS);
    assert.equal(c.message, 'Restart notes? It will probably not start again.');
    assert.equal(c.button, 'Restart Anyway');
    assert.match(c.detail, /^Restart will probably fail: .*Cancel keeps the running server serving/);
  });

  it("the tree row and the upgrade's toast say it; the toast offers Roll Back, not Restart, where there is something to go back to", () => {
    const memo = { seen: new Set<string>(), muted: new Set<string>() };
    const on = { onUpgrade: true, onRegistryUpdate: false };
    const script = server('notes', { instances: [instance(7, { verdicts: [risky] })] });
    const row = treeItem(
      childNodes(rootNodes(snapshot([script])).find((n) => n.kind === 'group')!)[0],
      { trusted: true, now: NOW, guardAvailable: true },
      [],
    );
    assert.match(row.description!, /^stale · .* · restart will probably fail$/);
    const inst = treeItem(
      childNodes(childNodes(rootNodes(snapshot([script])).find((n) => n.kind === 'group')!)[0])[0],
      { trusted: true, now: NOW, guardAvailable: true },
      [],
    );
    assert.match(inst.description!, /restart will probably fail/);
    const [toast] = decideNotifications(snapshot([{ ...script, rollbackable: true }]), memo, on);
    assert.ok(toast.kind === 'stale');
    assert.ok(toast.message.endsWith(`${WORDS}.`), toast.message);
    // The script did not change, its dependency did: said of the entry (as the tree names it) by the move.
    assert.ok(
      toast.message.startsWith(
        'notes: its dependency mcp moved 1.30.0 → 2.3.0; 1 instance (1 in Claude Desktop) still runs mcp 1.30.0.',
      ),
      toast.message,
    );
    assert.doesNotMatch(toast.message, /srv\.py/);
    assert.deepEqual(toast.actions, ['Roll Back', 'Show']);
    // Several moved: the SDK the script is named by first, the rest counted.
    const many = {
      ...versions,
      verdict: {
        ...versions.verdict,
        movedDependencies: [
          { name: 'certifi', from: '2026.10.19.post1', stillInstalled: '2026.10.19.post1' },
          { name: 'httpx', from: '0.28.1', to: '0.29.0' },
          { name: 'mcp', from: '1.30.0', to: '2.3.0' },
        ],
      },
    } as InstanceVersions;
    const two = [
      script,
      server('notes2', { instances: [instance(8, { verdicts: [{ ...risky, evidence: many } as VmVerdict] })] }),
    ];
    const [both] = decideNotifications(snapshot(two), memo, on);
    assert.ok(both.kind === 'stale');
    assert.match(
      both.message,
      /^notes and notes2: its dependency mcp moved 1\.30\.0 → 2\.3\.0, and 2 more; 2 instances \(2 in Claude Desktop\) still run mcp 1\.30\.0\./,
    );
    // Nothing to go back to: no Restart into a failure either, only Show.
    const [bare] = decideNotifications(snapshot([script]), memo, on);
    assert.ok(bare.kind === 'stale');
    assert.deepEqual(bare.actions, ['Show']);
    // No risk: Restart... as before.
    const [plain] = decideNotifications(
      snapshot([server('kb', { instances: [instance(8, { verdicts: [stale()] })] })]),
      memo,
      on,
    );
    assert.ok(plain.kind === 'stale');
    assert.deepEqual(plain.actions, ['Restart...', 'Show']);
    assert.doesNotMatch(plain.message, /probably fail/);
  });

  it('status labels the row', () => {
    assert.equal(restartRiskLabel({ versions }), `RESTART WILL PROBABLY FAIL: ${risk.summary}`);
    assert.equal(restartRiskLabel({ versions: undefined }), undefined);
  });

  it('the control protocol carries force, and nothing else in its place', () => {
    assert.deepEqual(parseControlRequest('{"op":"restart","force":true}'), {
      ok: true,
      request: { op: 'restart', force: true },
    });
    assert.deepEqual(parseControlRequest('{"op":"restart","reason":"r"}'), {
      ok: true,
      request: { op: 'restart', reason: 'r' },
    });
    assert.deepEqual(parseControlRequest('{"op":"restart","force":"yes"}'), {
      ok: false,
      error: 'force must be a boolean',
    });
    // A per-server choice: no check before this restart; only "none" is a check one may ask for.
    assert.deepEqual(parseControlRequest('{"op":"restart","check":"none"}'), {
      ok: true,
      request: { op: 'restart', check: 'none' },
    });
    assert.deepEqual(parseControlRequest('{"op":"restart","check":"probe"}'), {
      ok: false,
      error: 'check must be "none"',
    });
  });

  it('restart by name of an unguarded instance is refused, nothing signalled, unless forced', async () => {
    const { deps, calls } = recordingStopDeps();
    const running = {
      pid: 21,
      ppid: 10,
      startTime: 21_000,
      commandLine: 'python srv.py',
      commandHash: 'h',
      client: { id: 'cursor', name: 'Cursor', pid: 10 },
      launcherChain: [],
      matchedBy: 'script',
      verdicts: [],
      versions,
    } as unknown as Instance;
    const server: ServerStatus = { ...stdioConfig('notes', 'cursor', 'python', ['srv.py']), instances: [running] };
    const o = {
      locksDir: makeTempDir('lg-restart-risk-'),
      snapshot: async () => ({ workspaceFolders: [], servers: [server], notConfigured: [] }) as unknown as Snapshot,
      trustWorkspace: true,
      home: '/home/u',
      graceMs: 0,
      timeoutMs: 1000,
      requestedBy: 'test',
      stopDeps: deps,
    };
    const [refused] = await restartTarget('notes', o);
    assert.ok(refused.kind === 'refused' && refused.reason === 'will-not-start', JSON.stringify(refused));
    assert.equal(
      refused.message,
      `${WORDS}; pid 21 was not stopped, it keeps serving (restart with force to do it anyway)`,
    );
    assert.deepEqual(calls, []);
    // Forced, it goes to the stop ladder (which re-identifies first: here the process is gone).
    await restartTarget('notes', { ...o, force: true });
    assert.deepEqual(calls, ['readIdentity']);
  });
});
