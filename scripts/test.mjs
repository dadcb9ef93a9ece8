#!/usr/bin/env node
// The test run, in the order that fails fastest:
//   npm test              build (and, when e2e tests run, the .vsix they install), typecheck and lint side by
//                         side with the size budgets and the unit layer (stops at its first failure), then
//                         (typecheck and lint finishing beside them; a failure of theirs fails the run)
//                         integration, the real clients (test/clients), reliability and e2e in shards side by
//                         side (each shard one mocha process; the e2e scenarios one after another in one
//                         shard). Under CI=true (or MCP_LIFEGUARD_WINDOWS_SETUP=1, MCP_LIFEGUARD_E2E_SETUP=1) the
//                         Windows runtime (test/integration/windows/setup.sh) and the e2e tools
//                         (test/e2e/setup.sh) install meanwhile. It ends with each step's and layer's time,
//                         the 20 slowest tests and one line of mocha's own counts over every layer:
//                         "N passed, N failed, N skipped".
//   npm test -- FILE...   those files only, in shards too (after the build; typecheck and lint are skipped: a quick loop).
//   npm run test:unit     the unit layer alone; `npm run test:unit -- FILE...` those files only.
//                         A folder stands for the test files under it.
// MCP_LIFEGUARD_TEST_JOBS=N sets how many shards run side by side (default 2, or 1 on a single processor;
// MCP_LIFEGUARD_TEST_JOBS=1 is one run in the listed order). Each file's time in a whole run is kept in
// ${MCP_LIFEGUARD_TEST_CACHE:-~/.cache/mcp-lifeguard-test}/test-durations.json for the next run's shards;
// a fresh machine starts from test/durations.json where the repository has one, else from a first guess per layer.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LAYERS, layerOf, layerSeconds, mergeDurations, planShards, shardCount, slowest } from './testPlan.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mochaBin = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
const layerConfig = path.join(root, 'test', 'support', 'mocharc.layer.cjs');
const cacheRoot = process.env.MCP_LIFEGUARD_TEST_CACHE ?? path.join(os.homedir(), '.cache', 'mcp-lifeguard-test');
const durationsCache = path.join(cacheRoot, 'test-durations.json');
const durationsRecord = path.join(root, 'test', 'durations.json');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
// mocha's output comes through a pipe: colours only when ours is a terminal.
const color = process.stdout.isTTY ? '--color' : '--no-color';

const args = process.argv.slice(2);
const unitOnly = args[0] === '--unit';
// A folder stands for the test files under it, so its files are shards' units like any others.
const files = (unitOnly ? args.slice(1) : args).flatMap((f) => {
  const relative = path.relative(root, path.resolve(f)).split(path.sep).join('/');
  return isFolder(f) ? listTests(relative) : [relative];
});
const ci = process.env.CI === 'true' || process.env.CI === '1';
const shardSetting = shardCount(process.env.MCP_LIFEGUARD_TEST_JOBS, os.availableParallelism());
if ('problem' in shardSetting) {
  process.stdout.write(`${shardSetting.problem}\n`);
  process.exit(2);
}
const { jobs } = shardSetting;

const stepTimes = [];
const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(0)} s`;

/** Runs a command; its output goes to ours line by line (with `prefix`), or is kept when `quiet`. */
function spawnStep(command, commandArgs, { env = process.env, prefix = '', quiet = false } = {}) {
  const child = spawn(command, commandArgs, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let kept = '';
  const pass = (stream, out) => {
    let partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      if (quiet) {
        kept += chunk;
        return;
      }
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix}${line}\n`);
    });
    stream.on('end', () => {
      if (partial && !quiet) out.write(`${prefix}${partial}\n`);
    });
  };
  pass(child.stdout, process.stdout);
  pass(child.stderr, process.stderr);
  const done = new Promise((resolve) => {
    child.on('error', (err) => resolve({ code: 1, output: `${kept}${err.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output: kept }));
  });
  return { child, done };
}

async function timed(title, run) {
  const t0 = Date.now();
  const r = await run();
  stepTimes.push({ title, ms: Date.now() - t0 });
  return r;
}

async function step(title, command, commandArgs) {
  process.stdout.write(`== ${title}\n`);
  return timed(title, () => spawnStep(command, commandArgs).done);
}

function stopHere(title, code, background = []) {
  process.stdout.write(`${title} failed (exit ${code}): nothing after it was run\n`);
  for (const b of background) b.child.kill();
  process.exit(code);
}

/** One mocha run; its counts, file times and test times, read from the file the totals reporter writes. */
async function mocha(title, specs, { extra = [], prefix = '', env = process.env } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lg-totals-'));
  const totalsFile = path.join(dir, 'totals.json');
  try {
    process.stdout.write(`== ${title}\n`);
    const { code } = await spawnStep(process.execPath, [mochaBin, '--config', layerConfig, color, ...extra, ...specs], {
      env: { ...env, MCP_LIFEGUARD_TEST_TOTALS: totalsFile },
      prefix,
    }).done;
    const totals = fs.existsSync(totalsFile) ? JSON.parse(fs.readFileSync(totalsFile, 'utf8')) : undefined;
    // A run that ended before its reporter did (a crash, a file that does not load) counts as a failure.
    return { code, totals: totals ?? { passed: 0, failed: 1, skipped: 0, files: {}, tests: [] } };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return {};
  }
}

function isFolder(p) {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Test files under a folder (a path from the root), as paths from the root. */
function listTests(folder) {
  return fs
    .readdirSync(path.join(root, folder), { recursive: true })
    .map((f) => `${folder.replace(/\/$/, '')}/${String(f).split(path.sep).join('/')}`)
    .filter((f) => f.endsWith('.test.ts'))
    .sort();
}

/** Test files under test/<layer>, as paths from the root. */
function listLayer(layer) {
  return listTests(`test/${layer}`);
}

/** `specs` in shards side by side; one result per shard. */
async function sharded(title, specs, env) {
  const known = { ...readJson(durationsRecord), ...readJson(durationsCache) };
  const shards = planShards(specs, known, jobs);
  if (shards.length === 1) return [await mocha(title, shards[0].files, { env })];
  process.stdout.write(
    `== ${title}: ${specs.length} files in ${shards.length} shards side by side (about ${shards.map((s) => seconds(s.seconds * 1000)).join(', ')})\n`,
  );
  return Promise.all(
    shards.map((s, i) => mocha(`shard ${i + 1}: ${s.files.length} files`, s.files, { prefix: `[${i + 1}] `, env })),
  );
}

/**
 * Ends the run with its times and counts. `keepTimes`: a whole run keeps each file's time for the next
 * run's shards; a run of some files (alone, often beside other work) would make that record uneven, and
 * two shards planned from it end minutes apart.
 */
function finish(runs, { keepTimes = false } = {}) {
  const sum = { passed: 0, failed: 0, skipped: 0 };
  const fileTimes = {};
  const tests = [];
  for (const r of runs) {
    for (const k of Object.keys(sum)) sum[k] += r.totals[k];
    Object.assign(fileTimes, r.totals.files ?? {});
    tests.push(...(r.totals.tests ?? []));
  }
  if (keepTimes && Object.keys(fileTimes).length) {
    try {
      fs.mkdirSync(cacheRoot, { recursive: true });
      fs.writeFileSync(
        durationsCache,
        `${JSON.stringify(mergeDurations(readJson(durationsCache), fileTimes), null, 1)}\n`,
      );
    } catch (err) {
      process.stdout.write(`(the files' times were not kept: ${err.message})\n`);
    }
  }
  process.stdout.write('\n== times\n');
  for (const s of stepTimes) process.stdout.write(`  ${s.title.padEnd(48)} ${seconds(s.ms).padStart(7)}\n`);
  process.stdout.write(`  ${'whole run'.padEnd(48)} ${seconds(Date.now() - started).padStart(7)}\n`);
  process.stdout.write("  each layer, its files' times added up:\n");
  for (const l of layerSeconds(fileTimes))
    process.stdout.write(`    ${l.layer.padEnd(46)} ${seconds(l.seconds * 1000).padStart(7)}\n`);
  const slow = slowest(tests, 20);
  if (slow.length) {
    process.stdout.write('== the 20 slowest tests\n');
    for (const t of slow) process.stdout.write(`  ${(t.ms / 1000).toFixed(1).padStart(6)} s  ${t.file}  ${t.title}\n`);
  }
  const code = runs.some((r) => r.code !== 0) || sum.failed > 0 ? 1 : 0;
  process.stdout.write(`${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped\n`);
  process.exit(code);
}

async function main() {
  if (unitOnly) {
    const specs = files.length ? files : ['test/unit/**/*.test.ts'];
    finish([await timed('unit', () => mocha(files.length ? `unit: ${files.join(' ')}` : 'unit layer', specs))]);
  }

  const withE2e = files.length ? files.some((f) => layerOf(f) === 'e2e') : true;
  // The e2e scenarios install the packaged extension: it is made here, once, before any test runs
  // (a shard that packaged it would rebuild dist/ under the others' feet).
  const build = await step(withE2e ? 'build and package (.vsix)' : 'build', npm, [
    'run',
    withE2e ? 'package' : 'build',
    '--silent',
  ]);
  if (build.code !== 0) stopHere('build', build.code);
  const vsix = path.join(root, 'dist', 'mcp-lifeguard.vsix');
  const testEnv = withE2e && fs.existsSync(vsix) ? { ...process.env, MCP_LIFEGUARD_E2E_VSIX: vsix } : process.env;

  if (files.length)
    finish(
      await timed(`tests: ${files.length} files`, () =>
        sharded(files.length > 3 ? `${files.length} files` : files.join(' '), files, testEnv),
      ),
    );

  // The e2e tools take minutes on a fresh machine (code-server is built): they install while the checks run,
  // after the Windows runtime (Wine and Node for Windows, seconds): one after the other, as both may run apt-get.
  const setupScripts = [
    ...(ci || process.env.MCP_LIFEGUARD_WINDOWS_SETUP === '1' ? ['test/integration/windows/setup.sh'] : []),
    ...(ci || process.env.MCP_LIFEGUARD_E2E_SETUP === '1' ? ['test/e2e/setup.sh'] : []),
  ];
  const setupTitle = `test tools (${setupScripts.join(', ')})`;
  const setupStarted = Date.now();
  const setup = setupScripts.length
    ? spawnStep('bash', ['-c', 'for s; do bash "$s" || exit; done', 'setup', ...setupScripts], { quiet: true })
    : undefined;
  const background = setup ? [setup] : [];

  // Typecheck and lint run beside the size budgets and the unit layer: each is one process on one
  // processor, and none needs the others' result to start.
  process.stdout.write('== typecheck and lint, side by side with the size budgets and the unit layer\n');
  const checkSteps = ['typecheck', 'lint'].map((name) => ({
    name,
    step: spawnStep(npm, ['run', name, '--silent'], { quiet: true }),
  }));
  const checksDone = timed('typecheck and lint', () =>
    Promise.all(checkSteps.map(async (c) => ({ name: c.name, ...(await c.step.done) }))),
  );
  const running = [...background, ...checkSteps.map((c) => c.step)];
  // The .vsix the build step packaged is measured as it is, not packaged a second time.
  const sizes = await step('size budgets', npm, [
    'run',
    'sizes',
    '--silent',
    ...(fs.existsSync(vsix) && withE2e ? ['--', '--vsix', vsix] : []),
  ]);
  if (sizes.code !== 0) stopHere('size budgets', sizes.code, running);

  const unit = await timed('unit layer', () =>
    mocha('unit layer (stops at the first failure)', ['test/unit/**/*.test.ts'], { extra: ['--bail'] }),
  );
  if (unit.code !== 0 || unit.totals.failed > 0) {
    for (const b of running) b.child.kill();
    process.stdout.write('the unit layer failed: integration, clients, reliability and e2e were not run\n');
    finish([unit], { keepTimes: true });
  }
  // The other layers start as soon as the unit layer passed: typecheck and lint finish beside them
  // (a processor left idle while the last of them ends costs the whole run). A check that fails is
  // reported when it ends, and the run fails; the shards are not cut short (their tests clean up
  // what they start).
  const checksReported = checksDone.then((checks) => {
    for (const c of checks) {
      if (c.output) process.stdout.write(`-- ${c.name}\n${c.output}`);
      if (c.code !== 0) process.stdout.write(`${c.name} failed (exit ${c.code}): the run fails\n`);
    }
    return { code: checks.some((c) => c.code !== 0) ? 1 : 0, totals: { passed: 0, failed: 0, skipped: 0 } };
  });
  if (setup) {
    const r = await setup.done;
    stepTimes.push({ title: `${setupTitle}, beside the checks`, ms: Date.now() - setupStarted });
    process.stdout.write(`== ${setupTitle}\n${r.output}`);
    if (r.code !== 0) stopHere(setupTitle, r.code);
  }
  const rest = LAYERS.filter((l) => l !== 'unit').flatMap(listLayer);
  const shards = await timed('integration, clients, reliability and e2e', () =>
    sharded('integration, clients, reliability and e2e', rest, testEnv),
  );
  finish([unit, await checksReported, ...shards], { keepTimes: true });
}

await main();
