import * as assert from 'node:assert/strict';
import type { Instance, Snapshot, Verdict } from '../../../../src/core/base/model';
import { planKillDuplicates } from '../../../../src/core/actions/killDuplicates';
import { recordedMachine } from '../../../../src/core/machine/recorded';
import { Engine } from '../../../../src/core/snapshot/engine';
import type { RealCapture, WindowsProcess } from '../../../support/realMachines';
import {
  crashedSessions,
  fourDaysOfSessions,
  hermesRestarts,
  recycledSessionPid,
  scheduledPrintRuns,
  vscodePanelSessions,
  windowsOrphanCaptures,
} from '../../../fixtures/captures/real/windowsOrphans';

/** The snapshot a rebuilt machine gives, through the engine a replay uses. */
function replay(c: RealCapture): Promise<Snapshot> {
  return new Engine(recordedMachine(c.record), { registry: false, docker: false }).snapshot(c.request);
}

const everyInstance = (s: Snapshot): Instance[] => [...s.servers.flatMap((x) => x.instances), ...s.notConfigured];

/** Each copy as a user reads it: pid, its client, and its verdicts' kinds, by pid. */
const read = (list: readonly Instance[]) =>
  list
    .map((i) => [i.pid, i.client.id, i.verdicts.map((v) => v.kind).join(',')])
    .sort((a, b) => Number(a[0]) - Number(b[0]));

/** How a user expects these rows read: each with this client and these verdicts. */
const expect = (rows: readonly WindowsProcess[], client: string, verdicts: string) =>
  rows.map((r) => [r.pid, client, verdicts]);

const orphanOf = (i: Instance | undefined): Extract<Verdict, { kind: 'orphan' }> | undefined =>
  i?.verdicts.find((v): v is Extract<Verdict, { kind: 'orphan' }> => v.kind === 'orphan');

/** What Kill Duplicates would stop, by pid: its reason and the copy it keeps. */
const plan = (s: Snapshot) =>
  planKillDuplicates(s)
    .map((p) => [p.pid, p.reason, p.keep])
    .sort((a, b) => Number(a[0]) - Number(b[0]));

describe('real Windows machines: servers left running after their session ended', () => {
  it('each capture cites its source, says what its user reported and what was filled', () => {
    const captures = windowsOrphanCaptures();
    assert.ok(captures.length >= 6);
    for (const c of captures) {
      assert.match(c.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/issues\/\d+$/, c.name);
      assert.ok(c.reported.length > 40 && c.filled.length > 40, c.name);
      assert.equal(c.platform, 'win32');
    }
    assert.equal(new Set(captures.map((c) => c.source)).size, captures.length, 'one capture per source');
  });

  it('two scheduled `claude -p` runs that exited (anthropics/claude-code#42881): every server they left is an orphan, none a duplicate kept as the newest', async () => {
    const c = scheduledPrintRuns();
    const snap = await replay(c);
    assert.deepEqual(read(everyInstance(snap)), expect(c.leftovers, 'unknown', 'orphan'));
    const memory = snap.servers.find((s) => s.name === 'memory')?.instances.find((i) => i.pid === 9142);
    // The launch is the cmd.exe the run started; its parent, the run's claude.exe, is gone.
    assert.deepEqual([orphanOf(memory)?.launchPid, orphanOf(memory)?.ppid], [9140, 9112]);
    assert.match(orphanOf(memory)?.reason ?? '', /pid 9112, no longer runs/);
    // Kill Duplicates stops every leftover as an orphan and keeps none of them.
    assert.deepEqual(
      plan(snap),
      c.leftovers.map((l) => [l.pid, 'orphan', undefined]),
    );
  });

  it("sessions closed in VS Code (anthropics/claude-code#58918): their servers are orphans; the live session's copies are its own, not duplicates", async () => {
    const c = vscodePanelSessions();
    const snap = await replay(c);
    assert.deepEqual(read(everyInstance(snap)), [
      ...expect(c.leftovers, 'unknown', 'orphan'),
      ...expect(c.live, 'claude-code', ''),
    ]);
    // The extension runs Claude Code as the Agent SDK does: the extension host is the client, the live session its session.
    for (const live of c.live) {
      const client = everyInstance(snap).find((i) => i.pid === live.pid)?.client;
      assert.deepEqual([client?.pid, client?.agentHost?.sessionPid], [5388, 9630]);
    }
    assert.deepEqual(
      plan(snap).map(([pid, reason]) => [pid, reason]),
      c.leftovers.map((l) => [l.pid, 'orphan']),
      'the live copies stay; no leftover is kept for being newest',
    );
  });

  it('a crashed session whose pid Windows gave to a VS Code window (mksglu/context-mode#982): the window does not own the leftover, an orphan', async () => {
    const c = recycledSessionPid();
    const snap = await replay(c);
    assert.deepEqual(read(everyInstance(snap)), [
      [c.leftover.pid, 'unknown', 'orphan'],
      [c.live.pid, 'claude-code', ''],
    ]);
    const leftover = everyInstance(snap).find((i) => i.pid === c.leftover.pid);
    assert.notEqual(leftover?.client.pid, c.recycler.pid, 'the younger Code.exe is not its parent');
    assert.match(orphanOf(leftover)?.reason ?? '', /pid 8812 now names code, started after it: the pid was reused/);
    // What the user saw: the leftover has burned its CPU-seconds.
    assert.equal(leftover?.cpuMs, 2_310_400);
    assert.deepEqual(plan(snap), [[c.leftover.pid, 'orphan', undefined]]);
  });

  it("four days of sessions (anthropics/claude-code#57740): an ended session's servers are orphans even where the live session holds its old pid", async () => {
    const c = fourDaysOfSessions();
    const snap = await replay(c);
    assert.deepEqual(read(everyInstance(snap)), [
      ...expect(c.leftovers, 'unknown', 'orphan'),
      ...expect(c.live, 'claude-code', ''),
    ]);
    const underReused = everyInstance(snap).find((i) => i.pid === c.reused.pid + 2);
    assert.match(orphanOf(underReused)?.reason ?? '', /pid 4410 now names claude, started after it/);
    assert.deepEqual(
      plan(snap).map(([pid, reason, keep]) => [pid, reason, keep]),
      c.leftovers.map((l) => [l.pid, 'orphan', undefined]),
    );
  });

  it("Hermes backends that died in restarts (NousResearch/hermes-agent#61059): their servers are orphans, the live backend's are not", async () => {
    const c = hermesRestarts();
    const snap = await replay(c);
    assert.deepEqual(read(snap.notConfigured), [
      ...expect(c.leftovers, 'unknown', 'orphan'),
      ...expect(c.live, 'unknown', ''),
    ]);
    // The live copies are the live backend's: its pid groups them, apart from the leftovers.
    for (const live of c.live) assert.equal(snap.notConfigured.find((i) => i.pid === live.pid)?.client.pid, 7730);
  });

  it("two crashed sessions and a live one (anthropics/claude-code#15211): one copy is the live session's, the others orphans, never its duplicates", async () => {
    const c = crashedSessions();
    const snap = await replay(c);
    assert.deepEqual(read(everyInstance(snap)), [
      ...expect(c.leftovers, 'unknown', 'orphan'),
      [c.live.pid, 'claude-code', ''],
    ]);
    assert.deepEqual(plan(snap), [
      [c.leftovers[0].pid, 'orphan', undefined],
      [c.leftovers[1].pid, 'orphan', undefined],
    ]);
  });
});
