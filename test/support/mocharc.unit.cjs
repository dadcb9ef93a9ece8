// `npm run test:unit`: the project's mocha settings with the unit layer alone, for a fast loop.
const base = require('../../.mocharc.json');

module.exports = { ...base, spec: ['test/unit/**/*.test.ts'] };
