'use strict';
// The spec reporter, closed by one plain line of mocha's own counts that CI reads:
// "N passed, N failed, N skipped". Under scripts/test.mjs each layer is its own mocha run: the
// counts then go to the file MCP_LIFEGUARD_TEST_TOTALS names, and the script prints the one line.
const fs = require('node:fs');
const Mocha = require('mocha');

const { EVENT_RUN_END } = Mocha.Runner.constants;

class TotalsReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats ?? this.stats;
      const totals = { passed: s.passes, failed: s.failures, skipped: s.pending };
      const file = process.env.MCP_LIFEGUARD_TEST_TOTALS;
      if (file) fs.writeFileSync(file, JSON.stringify(totals));
      else process.stdout.write(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
    });
  }
}

module.exports = TotalsReporter;
