import * as assert from 'node:assert/strict';
import { restartJson } from '../../../src/cli/commands/restart';
import type { StopResult } from '../../../src/core/actions/stop';

describe('CLI: restart --json', () => {
  it('a guarded restart is ok; a stop says the client must start it again; a refusal or a survivor is not ok', () => {
    // A stop whose processes survived the ladder is a failed one.
    const stop = (outcome: StopResult['outcome']): StopResult => ({ pid: 7, outcome, message: outcome, steps: [] });
    const out = restartJson('memory', [
      { kind: 'restarted', serverName: 'memory', guardPid: 10, childPid: 11, restarts: 2 },
      { kind: 'stopped', serverName: 'memory', client: 'Claude Desktop', stop: stop('stopped') },
    ]);
    assert.equal(out.ok, true);
    assert.deepEqual(out.outcomes[0], {
      kind: 'restarted',
      serverName: 'memory',
      guardPid: 10,
      childPid: 11,
      restarts: 2,
      ok: true,
    });
    assert.equal(out.outcomes[1].ok, true);
    assert.equal((out.outcomes[1] as { restartedBy?: string }).restartedBy, 'client');
    assert.match((out.outcomes[1] as { message?: string }).message ?? '', /Claude Desktop/);

    const bad = restartJson('memory', [
      { kind: 'refused', reason: 'not-found', message: 'nothing matches' },
      { kind: 'stopped', client: 'Cursor', stop: stop('failed') },
    ]);
    assert.equal(bad.ok, false);
    assert.deepEqual(
      bad.outcomes.map((o) => o.ok),
      [false, false],
    );
    assert.equal((bad.outcomes[1] as { restartedBy?: string }).restartedBy, undefined);
  });
});
