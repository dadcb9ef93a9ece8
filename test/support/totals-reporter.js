'use strict';
// The spec reporter, closed by one plain line of mocha's own counts that CI reads:
// "N passed, N failed, N skipped". Under scripts/test.mjs each layer (or shard) is its own mocha
// run: the counts, each file's time (its hooks included) and each test's time then go to the file
// MCP_LIFEGUARD_TEST_TOTALS names, and the script prints the one line with the slowest tests.
const fs = require('node:fs');
const path = require('node:path');
const Mocha = require('mocha');

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

/** A file's path as the test plan names it: relative to the working folder, with forward slashes. */
function relative(file) {
  return file ? path.relative(process.cwd(), file).split(path.sep).join('/') : '';
}

class TotalsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const files = {};
    const tests = [];
    // A file's top-level suites run one after another: its time is from the first one's start to the last one's end.
    const started = new Map();
    runner.on(EVENT_SUITE_BEGIN, (suite) => {
      if (!suite.parent?.root || !suite.file) return;
      const file = relative(suite.file);
      if (!started.has(file)) started.set(file, Date.now());
    });
    runner.on(EVENT_SUITE_END, (suite) => {
      if (!suite.parent?.root || !suite.file) return;
      const file = relative(suite.file);
      files[file] = (Date.now() - (started.get(file) ?? Date.now())) / 1000;
    });
    const timed = (test) => {
      if (typeof test.duration === 'number')
        tests.push({ title: test.fullTitle(), file: relative(test.file), ms: test.duration });
    };
    runner.on(EVENT_TEST_PASS, timed);
    runner.on(EVENT_TEST_FAIL, timed);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? this.stats;
      const totals = { passed: s.passes, failed: s.failures, skipped: s.pending };
      const out = process.env.MCP_LIFEGUARD_TEST_TOTALS;
      if (out) fs.writeFileSync(out, JSON.stringify({ ...totals, files, tests }));
      else process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
    });
  }
}

module.exports = TotalsReporter;
