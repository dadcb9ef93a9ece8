import * as assert from 'node:assert/strict';
import type { Instance, Snapshot, Verdict } from '../../../../src/core/base/model';
import { recordedMachine } from '../../../../src/core/machine/recorded';
import { Engine } from '../../../../src/core/snapshot/engine';
import type { RealCapture } from '../../../support/realMachines';
import {
  agentModePool,
  bundledClaudeCode,
  coldLaunchTwoWriters,
  duplicatedAtLaunch,
  everyServerTwice,
  leftByARestart,
  macClaudeDesktopCaptures,
  oneServerUnderItsWrapper,
  timedOutRetries,
} from '../../../fixtures/captures/real/macClaudeDesktop';

/** The snapshot a rebuilt machine gives, through the engine a replay uses. */
function replay(c: RealCapture): Promise<Snapshot> {
  return new Engine(recordedMachine(c.record), { registry: false, docker: false }).snapshot(c.request);
}

/** The copies of every entry of that name (one per client that configures it). */
const instancesOf = (s: Snapshot, name: string): Instance[] =>
  s.servers.filter((x) => x.name === name).flatMap((x) => x.instances);

/** Each copy as a user reads it: pid, its client and the client's pid, and its verdicts' kinds. */
const read = (list: readonly Instance[]) =>
  list.map((i) => [i.pid, `${i.client.id}#${i.client.pid}`, i.verdicts.map((v) => v.kind).join(',')]);

const duplicateOf = (i: Instance): Extract<Verdict, { kind: 'duplicate' }> | undefined =>
  i.verdicts.find((v): v is Extract<Verdict, { kind: 'duplicate' }> => v.kind === 'duplicate');

describe("real macOS machines: Claude Desktop's servers under its disclaimer wrapper", () => {
  it('each capture cites its source, says what its user reported and what was filled', () => {
    const captures = macClaudeDesktopCaptures();
    assert.ok(captures.length >= 6);
    for (const c of captures) {
      assert.match(c.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/issues\/\d+$/, c.name);
      assert.ok(c.reported.length > 40 && c.filled.length > 40, c.name);
      assert.equal(c.platform, 'darwin');
    }
    assert.equal(new Set(captures.map((c) => c.source)).size, captures.length, 'one capture per source');
  });

  it('two copies at one launch (anthropics/claude-code#36616) are a duplicate under the one Claude Desktop, the wrapper in the launch', async () => {
    const snap = await replay(duplicatedAtLaunch());
    const firecrawl = instancesOf(snap, 'firecrawl');
    assert.deepEqual(read(firecrawl), [
      [713, 'claude-desktop#700', 'duplicate'],
      [733, 'claude-desktop#700', ''],
    ]);
    assert.equal(duplicateOf(firecrawl[0])?.keep.pid, 733);
    // The wrapper is the launch (what a stop takes down with the server), npx's processes below it.
    assert.deepEqual(
      firecrawl[1].launcherChain.map((l) => l.pid),
      [730, 731, 732],
    );
    assert.deepEqual(read(instancesOf(snap, 'notes')), [[721, 'claude-desktop#700', '']]);
    assert.deepEqual(snap.notConfigured, []);
  });

  it("a restarted app's old wrappers, adopted by launchd (anthropics/claude-code#36617), are orphans; the new app's copies are its own", async () => {
    const snap = await replay(leftByARestart());
    for (const [name, wrapper, old, live] of [
      ['firecrawl', 810, 813, 4113],
      ['notes', 820, 821, 4121],
    ] as const) {
      const list = instancesOf(snap, name);
      assert.deepEqual(read(list), [
        [old, 'unknown#1', 'orphan'],
        [live, 'claude-desktop#4100', ''],
      ]);
      const orphan = list[0].verdicts[0];
      // The wrapper is the launch launchd adopted.
      assert.deepEqual(orphan.kind === 'orphan' && [orphan.launchPid, orphan.ppid], [wrapper, 1]);
    }
  });

  it('every server twice after a restart (anthropics/claude-code#43597): three duplicates, each keeping the newer copy', async () => {
    const snap = await replay(everyServerTwice());
    for (const [name, first] of [
      ['email', 5011],
      ['crm', 5021],
      ['calendar', 5031],
    ] as const) {
      const list = instancesOf(snap, name);
      assert.deepEqual(read(list), [
        [first, 'claude-desktop#5000', 'duplicate'],
        [first + 100, 'claude-desktop#5000', ''],
      ]);
      assert.equal(duplicateOf(list[0])?.keep.pid, first + 100, name);
    }
  });

  it('two writers two minutes apart at a cold launch (anthropics/claude-code#50422): the older one is the duplicate', async () => {
    const memory = instancesOf(await replay(coldLaunchTwoWriters()), 'memory');
    assert.deepEqual(read(memory), [
      [2311, 'claude-desktop#2300', 'duplicate'],
      [2321, 'claude-desktop#2300', ''],
    ]);
    assert.deepEqual(
      duplicateOf(memory[0])?.instances.map((i) => i.startedAt),
      ['2026-04-18T09:00:05.000Z', '2026-04-18T09:02:07.000Z'],
    );
  });

  it("Local Agent Mode's second pool (anthropics/claude-code#61564) duplicates every server of the one app", async () => {
    const snap = await replay(agentModePool());
    assert.deepEqual(
      ['tasks', 'docs'].map((name) => read(instancesOf(snap, name))),
      [
        [
          [3311, 'claude-desktop#3300', 'duplicate'],
          [3411, 'claude-desktop#3300', ''],
        ],
        [
          [3321, 'claude-desktop#3300', 'duplicate'],
          [3421, 'claude-desktop#3300', ''],
        ],
      ],
    );
  });

  it("timed-out retries (anthropics/claude-code#52859): Claude Desktop's older copies are duplicates, Claude Code's one copy is not", async () => {
    const whatsapp = instancesOf(await replay(timedOutRetries()), 'whatsapp');
    assert.deepEqual(
      whatsapp.map((i) => [i.pid, `${i.client.id}#${i.client.pid}`, duplicateOf(i)?.keep.pid]),
      [
        [6111, 'claude-desktop#6100', 6131],
        [6121, 'claude-desktop#6100', 6131],
        [6131, 'claude-desktop#6100', undefined],
        [6520, 'claude-code#6510', undefined],
      ],
    );
    // Two clients run it, not four: the wrappers are no clients of their own.
    const shared = whatsapp[0].verdicts.find((v) => v.kind === 'shared');
    assert.deepEqual(
      shared?.kind === 'shared' && [...new Set(shared.instances.map((i) => `${i.client.id}#${i.client.pid}`))],
      ['claude-desktop#6100', 'claude-code#6510'],
    );
  });

  it('the Claude Code Claude Desktop bundles (anthropics/claude-code#83841) is a Claude Code session, the app its host', async () => {
    const tickets = instancesOf(await replay(bundledClaudeCode()), 'tickets');
    assert.deepEqual(
      tickets.map((i) => [i.pid, i.client.id, i.client.pid, i.client.agentHost?.sessionPid]),
      [[26040, 'claude-code', 7943, 25998]],
    );
  });

  it('one server from the config under its wrapper (PsychQuant/che-ical-mcp#132): the app is its client, the wrapper its launch', async () => {
    const [ical] = instancesOf(await replay(oneServerUnderItsWrapper()), 'macOS Calendar & Reminders');
    assert.deepEqual(
      [ical.pid, ical.client.id, ical.client.pid, ical.launcherChain.map((l) => l.pid), ical.verdicts],
      [1481, 'claude-desktop', 1400, [1480], []],
    );
  });
});
