import * as assert from 'node:assert/strict';
import { restartCheckOf } from '../../../src/cli/commands/guardOptions';
import { RUN_COMMAND } from '../../../src/cli/commands/runSpec';
import { parseOptions } from '../../../src/cli/options';

describe('run --restart-check', () => {
  it('probes by default; a server that owns a resource or is shared by every client never runs twice, so it is not probed', () => {
    assert.equal(restartCheckOf(undefined, undefined), 'probe');
    assert.equal(restartCheckOf(undefined, '/data/palace'), 'none');
    assert.equal(restartCheckOf(undefined, undefined, true), 'none');
    assert.equal(restartCheckOf('probe', '/data/palace', true), 'probe', 'as given, it wins');
    assert.equal(restartCheckOf('none', undefined), 'none');
  });

  it('takes probe or none, and names the choices otherwise', () => {
    assert.equal(parseOptions(['--restart-check', 'none'], RUN_COMMAND.options).values['restart-check'], 'none');
    assert.throws(() => parseOptions(['--restart-check', 'maybe'], RUN_COMMAND.options), /probe, none|probe\|none/);
  });
});
