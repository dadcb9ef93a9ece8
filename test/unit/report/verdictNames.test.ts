import * as assert from 'node:assert/strict';
import type { Snapshot } from '../../../src/core/base/model';
import type { InstanceVersions } from '../../../src/core/base/versionTypes';
import {
  cliWord,
  evidenceHead,
  INSTANCE_VERDICTS,
  InstanceVerdict,
  verdictLabel,
} from '../../../src/core/report/causes';
import { evidenceSummary } from '../../../src/core/report/evidenceDocument';
import { toViewInput, VmSnapshot } from '../../../src/core/report/input';
import { instanceVerdicts } from '../../../src/core/report/state';
import { healthReport } from '../../../src/agent/health';
import { explain } from '../../../src/agent/explain';
import { LIST_SERVERS_DESCRIPTION } from '../../../src/agent/server';
import { formatInstances, statusJson } from '../../../src/cli/format/status';
import { statusBarModel } from '../../../src/extension/viewModel/statusBar';
import { childNodes, rootNodes } from '../../../src/extension/viewModel/tree';
import { treeItem } from '../../../src/extension/viewModel/treeItem';
import { TreeContext } from '../../../src/extension/viewModel/treeModel';
import { DOWN, Given, GUARDED, installed, known, snapshotWith, START, VERSIONS } from './fixtures';

/**
 * Every verdict of the table (core/report/causes.ts) is said by its one name in every face: its id
 * in JSON and in the agent face's tool description, its name in `status`, the tree, the status bar's
 * tooltip, Show Evidence and the head of its why. Driven by the table: a verdict added to it without
 * an instance here fails to compile, and one a face names in its own words fails below.
 */

const NOW = '2026-11-21T12:00:00.000Z';
const CLIENT = { id: 'claude-desktop', name: 'Claude Desktop', pid: 100 } as const;
const current: InstanceVersions = {
  installed,
  running: known('2026.8.31'),
  verdict: { state: 'current', reason: 'runs 2026.8.31, the installed version' },
};
const unknownVersion = (settling: boolean): InstanceVersions => ({
  installed,
  running: { state: 'unknown', reason: 'nothing recorded what it loaded' },
  verdict: { state: 'unknown', reason: 'no lock record, and npm keeps no history', ...(settling ? { settling } : {}) },
});
const ref = (pid: number) => ({ pid, startTime: START, client: CLIENT });

/** What the engine reports of an instance of each verdict; `pending`: the first look (versions not resolved) says it. */
const GIVEN: Record<InstanceVerdict, Given & { pending?: true }> = {
  down: { verdicts: [DOWN], ...GUARDED },
  orphan: { versions: current, verdicts: [{ kind: 'orphan', launchPid: 7, ppid: 1, reason: 'its client exited' }] },
  superseded: {
    versions: current,
    verdicts: [
      {
        kind: 'superseded',
        name: 'Claude Code daemon',
        host: { pid: 100 },
        newer: { pid: 200 },
        why: 'version',
        reason: 'left by an earlier Claude Code daemon (pid 100)',
      },
    ],
  },
  stale: { verdicts: [], versions: VERSIONS.version },
  'changed-since-start': { verdicts: [], versions: VERSIONS.changed },
  'config-changed': { verdicts: [], versions: VERSIONS.config },
  'runtime-replaced': { verdicts: [], versions: VERSIONS.runtime },
  duplicate: {
    versions: current,
    verdicts: [{ kind: 'duplicate', identityKey: 'k', client: CLIENT, keep: ref(8), instances: [ref(7), ref(8)] }],
  },
  checking: { verdicts: [], versions: current, pending: true },
  settling: { verdicts: [], versions: unknownVersion(true) },
  unknown: { verdicts: [], versions: unknownVersion(false) },
  'owner-undecided': {
    versions: current,
    verdicts: [{ kind: 'unknown', question: 'owner', reason: "claimed by 'o' and 'p'" }],
  },
  idle: { ...GUARDED, verdicts: [{ kind: 'idle', since: NOW, afterMs: 600_000 }] },
  'partly-known': {
    verdicts: [],
    versions: {
      ...current,
      installed: {
        ...installed,
        dev: { root: '/p', how: 'a script', newest: [], script: true as const, computedLoads: ['/p/server.js'] },
      },
      verdict: {
        state: 'current',
        reason: 'runs script; current as far as can be read: server.js loads code by computed names',
      },
    },
  },
  ok: { verdicts: [], versions: current },
};

const CTX: TreeContext = { trusted: true, now: Date.parse(NOW), guardAvailable: true };

/** The cell of `status`' VERDICTS column on the instance's row, each label apart. */
function cliCell(snap: Snapshot): string[] {
  const lines = formatInstances(snap);
  const header = lines.find((l) => l.includes('VERDICTS'));
  const row = lines.find((l) => l.startsWith('  memory '));
  assert.ok(header && row, lines.join('\n'));
  return row.slice(header.indexOf('VERDICTS')).split('; ');
}

/** The names `list_servers`' description lists, in its order. */
function describedVerdicts(): string[] {
  const listed = /with their verdicts \(([^)]*)\)/.exec(LIST_SERVERS_DESCRIPTION);
  assert.ok(listed, LIST_SERVERS_DESCRIPTION);
  return listed[1].split(', ');
}

describe('every verdict by its one name, in every face', () => {
  it('the table names each verdict once, by a name no other verdict has', () => {
    const names = INSTANCE_VERDICTS.map((v) => verdictLabel(v));
    assert.equal(new Set(names).size, names.length, names.join(', '));
    assert.equal(new Set(INSTANCE_VERDICTS).size, INSTANCE_VERDICTS.length);
    assert.deepEqual(Object.keys(GIVEN).sort(), [...INSTANCE_VERDICTS].sort());
  });

  it("the agent face's list_servers description lists every verdict, worst first, by its id", () => {
    assert.deepEqual(describedVerdicts(), [...INSTANCE_VERDICTS]);
  });

  for (const id of INSTANCE_VERDICTS) {
    describe(`an instance that is ${id}`, () => {
      const { pending, ...engine } = GIVEN[id];
      const snap = snapshotWith(engine);
      const vm: VmSnapshot = toViewInput(snap, pending ? { versionsPending: true } : {});
      const name = verdictLabel(id);

      it('the engine judges it so, first', () => {
        assert.equal(instanceVerdicts(vm.servers[0].instances[0])[0], id);
      });

      it('JSON carries its id: list_servers, explain, and `status --json` read back', () => {
        assert.equal(healthReport(vm).servers[0].instances[0].verdicts[0], id);
        assert.equal(explain(vm, { pid: 7 }).instance?.verdicts[0], id);
        // The snapshot carries the engine's judgement, which the one reading (toViewInput) names.
        if (!pending) {
          const read = toViewInput(JSON.parse(statusJson(snap)) as Snapshot);
          assert.equal(instanceVerdicts(read.servers[0].instances[0])[0], id);
        }
      });

      it('`status` heads its VERDICTS cell with its name', () => {
        // `status` reads a whole snapshot: the first look's `checking` is the extension's and the agent face's alone.
        if (pending) return assert.equal(id, 'checking');
        const word = cliWord(id);
        assert.equal(word.toLowerCase(), name);
        const cell = cliCell(snap);
        assert.ok(
          cell.some((c) => c === word || c.startsWith(`${word}:`)),
          `${word} in ${JSON.stringify(cell)}`,
        );
      });

      it("the tree's row and the status bar's tooltip lead with its name", () => {
        const serverNode = childNodes(rootNodes(vm).find((n) => n.kind === 'group')!)[0];
        const row = treeItem(childNodes(serverNode)[0], CTX, []);
        assert.equal(row.label.split(' · ')[0], name);
        const bar = statusBarModel({ state: 'ready', snapshot: vm }, { alwaysShow: true });
        assert.ok(bar.visible);
        const tooltipRow = bar.tooltip.split('\n').find((l) => l.startsWith('| memory |'));
        assert.ok(tooltipRow, bar.tooltip);
        // A fine instance shows its versions alone: `ok` goes without saying there.
        if (id === 'ok') assert.doesNotMatch(tooltipRow, / \(/);
        else assert.ok(tooltipRow.includes(` (${name}`), tooltipRow);
      });

      it('Show Evidence names it, and its why (the tooltip, the agent face) is headed by its name', () => {
        const [, verdict] = evidenceSummary({ server: vm.servers[0], instance: vm.servers[0].instances[0] });
        // `pid 7 (Claude Desktop): stale`: its verdicts, worst first, after the instance.
        assert.equal(verdict.slice(verdict.indexOf('): ') + 3).split(', ')[0], name, verdict);
        const whys = healthReport(vm).servers[0].instances[0].why;
        // A fine instance has nothing to explain.
        if (id === 'ok') return assert.deepEqual(whys, []);
        const head = evidenceHead(id);
        assert.ok(
          whys.some((w) => w.startsWith(`${head}:`)),
          `${head} in ${JSON.stringify(whys)}`,
        );
      });
    });
  }
});
