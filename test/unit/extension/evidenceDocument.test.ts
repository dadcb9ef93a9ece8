import * as assert from 'node:assert/strict';
import type { InstanceVersions } from '../../../src/core/base/versionTypes';
import { evidenceDocument, MAX_LISTED_PACKAGES } from '../../../src/core/report/evidenceDocument';
import { VmVerdict } from '../../../src/core/report/input';
import { instance, server, stale } from './fixtures';

/** A dependency map of `n` packages at 1.0.0. */
const deps = (n: number, over: Record<string, string> = {}) => ({
  ...Object.fromEntries(Array.from({ length: n }, (_, k) => [`dep-${k}`, '1.0.0'])),
  ...over,
});

/** Parses the document: `//` summary lines, then JSON. */
function parse(doc: string): {
  summary: string[];
  json: { instance?: { verdicts: { evidence?: InstanceVersions }[] } };
} {
  const lines = doc.split('\n');
  const summary = lines.filter((l) => l.startsWith('//')).map((l) => l.replace(/^\/\/ ?/, ''));
  return { summary, json: JSON.parse(lines.filter((l) => !l.startsWith('//')).join('\n')) };
}

describe('extension view-model: Show Evidence', () => {
  it("a shared server's owner is its clients, never unknown", () => {
    const shared = instance(31, {
      client: { id: 'unknown', name: 'unknown' },
      lock: { serverName: 'memory', attached: [{ clientName: 'Claude Desktop' }, { clientName: 'Claude Code' }] },
    });
    const { summary } = parse(
      evidenceDocument({ server: server('memory', { instances: [shared] }), instance: shared }),
    );
    assert.match(summary[1], /^pid 31 \(Claude Desktop, Claude Code, guarded\)/);
  });

  it('opens with the verdict, why and what to do, above the JSON', () => {
    const s = server('memory', { instances: [instance(4242, { verdicts: [stale()] })] });
    const { summary, json } = parse(evidenceDocument({ server: s, instance: s.instances[0] }));
    assert.equal(summary[0], 'memory (Claude Desktop)');
    assert.equal(summary[1], 'pid 4242 (Claude Desktop): stale');
    assert.equal(
      summary[2],
      '  Why: Stale: runs @modelcontextprotocol/server-memory 2026.7.4, but 2026.8.31 is installed',
    );
    assert.match(
      summary[3],
      /^ {2}What to do: Restart it to load what is installed\. It is not guarded, so a restart from here stops it and Claude Desktop must start it again/,
    );
    assert.ok(json.instance);
    const ok = parse(evidenceDocument({ server: s, instance: instance(1) })).summary;
    assert.deepEqual(ok.slice(1, 3), [
      'pid 1 (Claude Desktop): ok',
      '  What to do: Nothing to do: it runs what is installed.',
    ]);
    const guarded = parse(
      evidenceDocument({ instance: instance(2, { lock: { serverName: 'm' }, verdicts: [stale()] }) }),
    ).summary;
    assert.equal(guarded[0], 'Not configured: matches no config entry');
    assert.match(
      guarded.find((l) => l.startsWith('  What to do'))!,
      /its guard restarts it and the client keeps its session/,
    );
  });

  it('what an instance started is said under it, each with its own verdict and why', () => {
    const verdict = stale('0.15.10', '0.15.11', 'buckaroo');
    const tool = instance(100, {
      verdicts: [verdict],
      childProcesses: [{ pid: 101, ppid: 100, commandLine: 'python3 -m buckaroo.server', verdicts: [verdict] }],
    });
    const s = server('buckaroo', { instances: [tool] });
    const { summary, json } = parse(evidenceDocument({ server: s, instance: tool }));
    assert.deepEqual(summary.slice(4), [
      '  It started pid 101 (python3 -m buckaroo.server): stale',
      '    Why: Stale: runs buckaroo 0.15.10, but 0.15.11 is installed',
      '',
      'The evidence, as the engine recorded it:',
    ]);
    assert.equal((json.instance as { childProcesses?: unknown[] }).childProcesses?.length, 1);
  });

  it('a long dependency list collapses to the packages that moved', () => {
    const base = stale() as Extract<VmVerdict, { kind: 'restart' }>;
    const evidence: InstanceVersions = {
      installed: {
        state: 'installed',
        ecosystem: 'npm',
        name: base.package,
        version: base.installed,
        how: 'npx cache',
        location: '/x',
        environment: { hash: 'a', packages: deps(40, { 'dep-3': '2.0.0' }) },
      },
      running: {
        state: 'known',
        version: base.running,
        source: 'lock-record',
        how: 'lock record',
        environment: { hash: 'b', packages: deps(40, { 'dep-7': '1.1.0' }) },
      },
      verdict: {
        state: 'stale',
        package: base.package,
        ecosystem: 'npm',
        running: base.running,
        installed: base.installed,
        movedDependencies: [{ name: 'dep-3', from: '1.0.0', to: '2.0.0' }],
        replacedFiles: [],
        runningHow: 'r',
        installedHow: 'i',
        summary: 's',
      },
    };
    const i = instance(5, { verdicts: [{ ...base, evidence }] });
    const { json } = parse(evidenceDocument({ instance: i }));
    const shown = json.instance!.verdicts[0].evidence!;
    const installed = shown.installed.state === 'installed' ? shown.installed.environment!.packages : {};
    // dep-3 moved in the verdict's list, dep-7 differs between the two environments: both stay, the rest is counted.
    assert.deepEqual(installed, { 'dep-3': '2.0.0', 'dep-7': '1.0.0', '(not shown)': '38 packages that did not move' });
    // A short list is shown whole.
    const short = {
      ...evidence,
      installed: { ...evidence.installed, environment: { hash: 'c', packages: deps(MAX_LISTED_PACKAGES) } },
    } as InstanceVersions;
    const j2 = parse(evidenceDocument({ instance: instance(6, { verdicts: [{ ...base, evidence: short }] }) })).json;
    const inst2 = j2.instance!.verdicts[0].evidence!.installed;
    assert.equal(inst2.state === 'installed' && Object.keys(inst2.environment!.packages).length, MAX_LISTED_PACKAGES);
  });
});
