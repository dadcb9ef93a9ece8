import * as assert from 'node:assert/strict';
import { testMachine } from '../../support/machines';
import { EngineCore, EngineOptions, settleFromEnv } from '../../../src/core/versions/engineCore';

/** An engine that says the quiet period it judges with. */
class SettleOf extends EngineCore {
  get settleMs(): number | undefined {
    return this.settings.settleMs;
  }
}

const engineWith = (env: Record<string, string>, options: EngineOptions = {}, log: string[] = []) =>
  new SettleOf(testMachine({ host: { home: '/home/u', platform: 'linux', env } }), {
    registry: false,
    docker: false,
    log: (m) => log.push(m),
    ...options,
  });

describe("versions: the quiet period after a change is the engine's option, else MCP_LIFEGUARD_SETTLE_MS", () => {
  it('reads whole milliseconds from 0 to a minute; unset or empty is the default', () => {
    assert.deepEqual(settleFromEnv({}), { state: 'unset' });
    assert.deepEqual(settleFromEnv({ MCP_LIFEGUARD_SETTLE_MS: '' }), { state: 'unset' });
    assert.deepEqual(settleFromEnv({ MCP_LIFEGUARD_SETTLE_MS: '0' }), { state: 'set', ms: 0 });
    assert.deepEqual(settleFromEnv({ MCP_LIFEGUARD_SETTLE_MS: ' 750 ' }), { state: 'set', ms: 750 });
    assert.deepEqual(settleFromEnv({ MCP_LIFEGUARD_SETTLE_MS: '60000' }), { state: 'set', ms: 60_000 });
  });

  it('refuses anything else, naming the variable and the value (a typo never turns the wait off)', () => {
    for (const bad of ['-1', '1.5', '2s', 'abc', '60001', '1e3']) {
      const got = settleFromEnv({ MCP_LIFEGUARD_SETTLE_MS: bad });
      assert.equal(got.state, 'invalid', bad);
      assert.match(got.state === 'invalid' ? got.reason : '', new RegExp(`^MCP_LIFEGUARD_SETTLE_MS="${bad}" is not`));
    }
  });

  it("an engine judges with the host env's value; its own option wins; a bad value is logged and the default holds", () => {
    assert.equal(engineWith({}).settleMs, undefined);
    assert.equal(engineWith({ MCP_LIFEGUARD_SETTLE_MS: '300' }).settleMs, 300);
    assert.equal(engineWith({ MCP_LIFEGUARD_SETTLE_MS: '300' }, { settleMs: 0 }).settleMs, 0);
    const log: string[] = [];
    assert.equal(engineWith({ MCP_LIFEGUARD_SETTLE_MS: 'soon' }, {}, log).settleMs, undefined);
    assert.deepEqual(log, [
      'MCP_LIFEGUARD_SETTLE_MS="soon" is not a whole number of milliseconds from 0 to 60000; the default quiet period holds',
    ]);
  });
});
