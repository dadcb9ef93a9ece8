import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { repoRoot } from '../support/repo';

type Plan = typeof import('../../scripts/testPlan.mjs', { with: { 'resolution-mode': 'import' } });

/** How `npm test` splits the slower layers into shards side by side (scripts/testPlan.mjs). */
describe('the test plan', () => {
  let plan: Plan;
  before(async () => {
    plan = (await import(path.join(repoRoot, 'scripts', 'testPlan.mjs'))) as Plan;
  });

  it("reads a file's layer from its path", () => {
    assert.equal(plan.layerOf('test/e2e/stale.test.ts'), 'e2e');
    assert.equal(plan.layerOf('test/integration/guard/share.test.ts'), 'integration');
    assert.equal(plan.layerOf('test\\reliability\\relay.test.ts'), 'reliability');
    assert.equal(plan.layerOf('bench/run.ts'), undefined);
    assert.equal(plan.layerOf('test/support/run.ts'), undefined);
  });

  it('runs two shards by default where the machine has two processors or more, one on a single processor', () => {
    assert.deepEqual(plan.shardCount(undefined, 2), { jobs: 2 });
    assert.deepEqual(plan.shardCount(undefined, 16), { jobs: 2 });
    assert.deepEqual(plan.shardCount(undefined, 1), { jobs: 1 });
    assert.deepEqual(plan.shardCount('', 4), { jobs: 2 });
    assert.deepEqual(plan.shardCount('1', 8), { jobs: 1 });
    assert.deepEqual(plan.shardCount('3', 2), { jobs: 3 });
    for (const bad of ['0', '-1', '1.5', 'two']) {
      const r = plan.shardCount(bad, 2);
      assert.ok('problem' in r && r.problem.includes(JSON.stringify(bad)), JSON.stringify(r));
    }
  });

  it('balances shards by the recorded times, longest first', () => {
    const durations = {
      'test/integration/a.test.ts': 100,
      'test/integration/b.test.ts': 60,
      'test/integration/c.test.ts': 50,
      'test/integration/d.test.ts': 10,
    };
    const shards = plan.planShards(Object.keys(durations), durations, 2);
    assert.deepEqual(
      shards.map((s) => s.files),
      [
        ['test/integration/a.test.ts', 'test/integration/d.test.ts'],
        ['test/integration/b.test.ts', 'test/integration/c.test.ts'],
      ],
    );
    assert.deepEqual(
      shards.map((s) => s.seconds),
      [110, 110],
    );
  });

  it('one shard runs the files in their listed order, whatever their times', () => {
    const files = ['test/integration/a.test.ts', 'test/e2e/b.test.ts', 'test/clients/c.test.ts'];
    const shards = plan.planShards(files, { 'test/clients/c.test.ts': 500 }, 1);
    assert.deepEqual(
      shards.map((s) => s.files),
      [files],
    );
  });

  it('keeps the e2e scenarios together, in their order, in one shard', () => {
    const files = [
      'test/e2e/a.test.ts',
      'test/integration/x.test.ts',
      'test/e2e/b.test.ts',
      'test/integration/y.test.ts',
      'test/e2e/c.test.ts',
    ];
    const durations = {
      'test/e2e/a.test.ts': 5,
      'test/e2e/b.test.ts': 5,
      'test/e2e/c.test.ts': 5,
      'test/integration/x.test.ts': 12,
      'test/integration/y.test.ts': 1,
    };
    const shards = plan.planShards(files, durations, 3);
    const withE2e = shards.filter((s) => s.files.some((f) => f.startsWith('test/e2e/')));
    assert.equal(withE2e.length, 1);
    assert.deepEqual(
      withE2e[0].files.filter((f) => f.startsWith('test/e2e/')),
      ['test/e2e/a.test.ts', 'test/e2e/b.test.ts', 'test/e2e/c.test.ts'],
    );
    // Every file runs exactly once.
    assert.deepEqual(shards.flatMap((s) => s.files).sort(), [...files].sort());
  });

  it('counts a file never timed as the median of its layer, and never makes an empty shard', () => {
    const durations = {
      'test/reliability/a.test.ts': 10,
      'test/reliability/b.test.ts': 30,
      'test/reliability/c.test.ts': 20,
    };
    const files = [...Object.keys(durations), 'test/reliability/new.test.ts'];
    const shards = plan.planShards(files, durations, 8);
    assert.equal(shards.length, 4);
    assert.deepEqual(shards.find((s) => s.files.includes('test/reliability/new.test.ts'))?.seconds, 20);
    assert.deepEqual(
      plan.planShards(['test/unit/x.test.ts'], {}, 0).map((s) => s.files),
      [['test/unit/x.test.ts']],
    );
    // A layer never timed: an e2e scenario is counted as longer than an integration file.
    const fresh = plan.planShards(['test/integration/a.test.ts', 'test/e2e/b.test.ts'], {}, 2);
    assert.ok(fresh[0].files.includes('test/e2e/b.test.ts') && fresh[0].seconds > fresh[1].seconds);
  });

  it('keeps earlier times of files a run did not time, and reports the slowest tests and each layer', () => {
    assert.deepEqual(
      plan.mergeDurations({ 'test/e2e/a.test.ts': 3, 'test/unit/b.test.ts': 1 }, { 'test/unit/b.test.ts': 2.345 }),
      {
        'test/e2e/a.test.ts': 3,
        'test/unit/b.test.ts': 2.3,
      },
    );
    const tests = [1, 5, 3].map((ms) => ({ title: `t${ms}`, file: 'f', ms }));
    assert.deepEqual(
      plan.slowest(tests, 2).map((t) => t.title),
      ['t5', 't3'],
    );
    assert.deepEqual(
      plan.layerSeconds({ 'test/e2e/a.test.ts': 3, 'test/unit/b.test.ts': 1, 'test/unit/c.test.ts': 2 }),
      [
        { layer: 'unit', seconds: 3 },
        { layer: 'e2e', seconds: 3 },
      ],
    );
  });
});
