#!/usr/bin/env node
// The test run, in the order that fails fastest:
//   npm test              build, typecheck, lint, the size budgets, the unit layer (stops at its first failure), the
//                         e2e tools (test/e2e/setup.sh, under CI=true or MCP_LIFEGUARD_E2E_SETUP=1),
//                         then integration, the real clients (test/clients), reliability and e2e in one
//                         mocha run; it ends with one line of mocha's own counts over every layer:
//                         "N passed, N failed, N skipped".
//   npm test -- FILE...   those files only (after build, typecheck and lint are skipped: a quick loop).
//   npm run test:unit     the unit layer alone; `npm run test:unit -- FILE...` those files only.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = {
  unit: ['test/unit/**/*.test.ts'],
  rest: [
    'test/integration/**/*.test.ts',
    'test/clients/**/*.test.ts',
    'test/reliability/**/*.test.ts',
    'test/e2e/**/*.test.ts',
  ],
};
const mochaBin = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const layerConfig = path.join(root, 'test', 'support', 'mocharc.layer.cjs');

const args = process.argv.slice(2);
const unitOnly = args[0] === '--unit';
const files = unitOnly ? args.slice(1) : args;
const ci = process.env.CI === 'true' || process.env.CI === '1';

function step(title, command, commandArgs, env = process.env) {
  process.stdout.write(`== ${title}\n`);
  const r = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

function must(title, command, commandArgs) {
  const code = step(title, command, commandArgs);
  if (code !== 0) {
    process.stdout.write(`${title} failed (exit ${code}): nothing after it was run\n`);
    process.exit(code);
  }
}

/** One mocha run; its counts, read from the file the totals reporter writes. */
function mocha(title, specs, extra = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-totals-'));
  const totalsFile = path.join(dir, 'totals.json');
  try {
    const code = step(title, process.execPath, [mochaBin, '--config', layerConfig, ...extra, ...specs], {
      ...process.env,
      MCP_LIFEGUARD_TEST_TOTALS: totalsFile,
    });
    const totals = fs.existsSync(totalsFile) ? JSON.parse(fs.readFileSync(totalsFile, 'utf8')) : undefined;
    // A run that ended before its reporter did (a crash, a file that does not load) counts as a failure.
    return { code, totals: totals ?? { passed: 0, failed: 1, skipped: 0 } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function finish(runs) {
  const sum = { passed: 0, failed: 0, skipped: 0 };
  for (const r of runs) for (const k of Object.keys(sum)) sum[k] += r.totals[k];
  const code = runs.some((r) => r.code !== 0) || sum.failed > 0 ? 1 : 0;
  process.stdout.write(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped\n`);
  process.exit(code);
}

if (unitOnly)
  finish([mocha(files.length ? `unit: ${files.join(' ')}` : 'unit layer', files.length ? files : LAYERS.unit)]);

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
must('build', npm, ['run', 'build', '--silent']);
if (files.length) finish([mocha(files.join(' '), files)]);

must('typecheck', npm, ['run', 'typecheck', '--silent']);
must('lint', npm, ['run', 'lint', '--silent']);
must('size budgets', npm, ['run', 'sizes', '--silent']);
const unit = mocha('unit layer (stops at the first failure)', LAYERS.unit, ['--bail']);
if (unit.code !== 0 || unit.totals.failed > 0) {
  process.stdout.write('the unit layer failed: integration, clients, reliability and e2e were not run\n');
  finish([unit]);
}
if (ci || process.env.MCP_LIFEGUARD_E2E_SETUP === '1')
  must('e2e tools (test/e2e/setup.sh)', 'bash', ['test/e2e/setup.sh']);
finish([unit, mocha('integration, clients, reliability and e2e', LAYERS.rest)]);
