import * as assert from 'node:assert/strict';
import { checkOrigin } from '../../../src/guard/http/origin';

describe('front origin check (DNS rebinding)', () => {
  const opts = { allowedOrigins: ['https://app.example'], listen: '127.0.0.1' };

  it('lets clients without an Origin through (every non-browser client)', () => {
    assert.deepEqual(checkOrigin({ host: '127.0.0.1:3001' }, opts), { ok: true });
  });

  it('allows loopback origins and listed ones', () => {
    for (const origin of ['http://localhost:6274', 'http://127.0.0.1', 'http://[::1]:80', 'https://app.example']) {
      assert.deepEqual(checkOrigin({ origin, host: 'localhost:3001' }, opts), { ok: true }, origin);
    }
  });

  it('refuses foreign, garbled and null origins', () => {
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1.evil.example']) {
      assert.equal(checkOrigin({ origin, host: 'localhost:3001' }, opts).ok, false, origin);
    }
  });

  it('refuses a non-loopback Host when bound to loopback (a rebound name)', () => {
    assert.equal(checkOrigin({ host: 'attacker.example:3001' }, opts).ok, false);
    assert.equal(checkOrigin({ host: 'attacker.example:3001' }, { ...opts, listen: '0.0.0.0' }).ok, true);
  });
});
