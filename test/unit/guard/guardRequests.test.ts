import * as assert from 'node:assert/strict';
import { GuardRequests } from '../../../src/guard/stdio/guardRequests';

describe('guard: what it asked a restarted server is named by what it is, never by its internal id', () => {
  it('a server gone before answering, or before being asked, is said with the request’s name', async () => {
    const requests = new GuardRequests(
      () => undefined,
      60_000,
      () => undefined,
    );
    const waiting = requests.answer('mcp-lifeguard-replay-3', 60_000, 'the replayed initialize');
    requests.childGone('exited with code 1');
    await assert.rejects(waiting, (err: Error) => {
      assert.equal(err.message, 'the server exited with code 1 before answering the replayed initialize');
      return true;
    });
    await assert.rejects(requests.answer('mcp-lifeguard-replay-4', 60_000, 'initialize'), (err: Error) => {
      assert.equal(err.message, 'the server exited with code 1 before the guard asked initialize');
      return true;
    });
  });
});
