// The project's mocha settings without its list of files: scripts/test.mjs names the layer (or the
// files) to run on the command line, which mocha would otherwise add to .mocharc.json's list.
const { spec: _all, ...base } = require('../../.mocharc.json');

module.exports = base;
