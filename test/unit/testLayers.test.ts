import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from '../support/repo';
import { requireTools } from '../e2e/support/tools';

/**
 * The unit layer stays pure, so that `npm run test:unit` is a fast loop: no test under test/unit
 * starts a process (child_process, or a test/support helper that does). Whatever must start one
 * belongs in test/integration.
 */
const SPAWNING_HELPERS = ['run', 'startup', 'liveness', 'jsonLines', 'venv', 'mempalace', 'toolCache'];

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? filesUnder(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
    );
}

describe('test layers', () => {
  it('no file of test/unit starts a process', () => {
    const offenders: string[] = [];
    for (const file of filesUnder(path.join(repoRoot, 'test', 'unit'))) {
      if (file === __filename) continue; // names the patterns it looks for
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(repoRoot, file);
      if (/from 'node:child_process'|require\('(node:)?child_process'\)|from 'child_process'/.test(text))
        offenders.push(`${rel}: child_process`);
      for (const helper of SPAWNING_HELPERS)
        if (text.includes(`support/${helper}'`)) offenders.push(`${rel}: test/support/${helper}`);
    }
    assert.deepEqual(offenders, []);
  });

  it('under CI=true an e2e suite whose tools are missing fails instead of skipping', () => {
    const saved = process.env.MCP_LIFEGUARD_E2E_CACHE;
    process.env.MCP_LIFEGUARD_E2E_CACHE = path.join(repoRoot, 'no-such-e2e-cache');
    let skipped = 0;
    const ctx = {
      skip: () => {
        skipped++;
        throw new Error('skipped');
      },
    } as unknown as Mocha.Context;
    try {
      assert.throws(() => requireTools(ctx, { CI: 'true' }), /CI=true: an e2e test may not skip/);
      assert.equal(skipped, 0);
      assert.throws(() => requireTools(ctx, {}), /skipped/);
      assert.equal(skipped, 1);
    } finally {
      if (saved === undefined) delete process.env.MCP_LIFEGUARD_E2E_CACHE;
      else process.env.MCP_LIFEGUARD_E2E_CACHE = saved;
    }
  });

  it('every folder of tests is a layer npm test runs, in order, and one plain mocha runs too', async () => {
    const plan = (await import(path.join(repoRoot, 'scripts', 'testPlan.mjs'))) as { LAYERS: string[] };
    const layers = [...plan.LAYERS];
    assert.deepEqual(layers, ['unit', 'integration', 'clients', 'reliability', 'e2e']);
    // The script runs the unit layer first, then every other layer of the plan.
    const script = fs.readFileSync(path.join(repoRoot, 'scripts', 'test.mjs'), 'utf8');
    assert.match(script, /\['test\/unit\/\*\*\/\*\.test\.ts'\]/);
    assert.match(script, /LAYERS\.filter\(\(l\) => l !== 'unit'\)\.flatMap\(listLayer\)/);
    const folders = fs
      .readdirSync(path.join(repoRoot, 'test'), { withFileTypes: true })
      .filter(
        (e) => e.isDirectory() && filesUnder(path.join(repoRoot, 'test', e.name)).some((f) => /\.test\.ts$/.test(f)),
      )
      .map((e) => e.name)
      .sort();
    assert.deepEqual(folders, [...layers].sort(), 'a folder of tests no layer runs');
    const mocharc = JSON.parse(fs.readFileSync(path.join(repoRoot, '.mocharc.json'), 'utf8')) as { spec: string[] };
    assert.deepEqual(
      mocharc.spec,
      layers.map((l) => `test/${l}/**/*.test.ts`),
    );
  });

  it('npm test and CI run the ordered script; CI runs it with CI=true', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    assert.equal(pkg.scripts.test, 'node scripts/test.mjs');
    assert.equal(pkg.scripts['test:unit'], 'node scripts/test.mjs --unit');
    const ci = fs.readFileSync(path.join(repoRoot, '.ci', 'run'), 'utf8');
    assert.match(ci, /^CI=true npm test$/m);
    const commands = ci
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
    assert.doesNotMatch(commands, /setup\.sh/, 'the e2e setup runs inside npm test, beside the checks');
  });
});
