import * as assert from 'node:assert/strict';
import { replayHeaders } from '../../../src/guard/http/headers';

describe('http front: the headers a replayed handshake carries', () => {
  it("keeps the client's own headers (authorization, custom ones) and drops those of the request that triggered the replay", () => {
    const replayed = replayHeaders({
      host: '127.0.0.1:8080',
      authorization: 'Bearer abc',
      'x-client': 'one',
      'mcp-session-id': 'front-session',
      'mcp-protocol-version': '2025-06-18',
      'last-event-id': '7',
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
      'content-length': '120',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
      'mcp-param-region': 'eu',
    });
    assert.deepEqual(replayed, { authorization: 'Bearer abc', 'x-client': 'one' });
  });
});
