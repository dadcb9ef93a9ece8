import * as assert from 'node:assert/strict';
import {
  changedNotices,
  honoredOf,
  isModernRequest,
  messageOfEvent,
  SseEventSplitter,
  subscriptionIdOf,
} from '../../../src/guard/http/modernRequests';

describe('http front: modern requests and listen streams', () => {
  const meta = { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' };

  it('calls a request modern by its body _meta, or by a modern version header without a session', () => {
    assert.equal(isModernRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: { _meta: meta } }, {}), true);
    assert.equal(
      isModernRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '2026-07-28' }),
      true,
    );
    assert.equal(
      isModernRequest(
        { jsonrpc: '2.0', id: 1, method: 'tools/list' },
        { 'mcp-protocol-version': '2026-07-28', 'mcp-session-id': 's' },
      ),
      false,
    );
    assert.equal(
      isModernRequest({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-protocol-version': '2025-11-25' }),
      false,
    );
    assert.equal(
      isModernRequest({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25' } }, {}),
      false,
    );
    assert.equal(isModernRequest(undefined, {}), false);
  });

  it('reads what an acknowledgement honors and writes one tagged notice per honored list', () => {
    const ack = {
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: {
        notifications: { toolsListChanged: true, resourceSubscriptions: ['file:///a'] },
        _meta: { 'io.modelcontextprotocol/subscriptionId': 7 },
      },
    };
    assert.equal(subscriptionIdOf(ack), 7);
    const honored = honoredOf(ack);
    assert.deepEqual(honored, {
      toolsListChanged: true,
      promptsListChanged: false,
      resourcesListChanged: false,
      resourceSubscriptions: ['file:///a'],
    });
    const notices = changedNotices(honored, 7) as Array<{ method: string; params: { uri?: string } }>;
    assert.deepEqual(
      notices.map((n) => n.method),
      ['notifications/tools/list_changed', 'notifications/resources/updated'],
    );
    assert.equal(notices[1].params.uri, 'file:///a');
    for (const n of notices) assert.equal(subscriptionIdOf(n), 7);
    assert.deepEqual(changedNotices(honoredOf({}), 7), []);
  });

  it('splits an SSE stream into whole events however it is chunked', () => {
    const stream =
      'event: message\ndata: {"jsonrpc":"2.0","method":"a"}\n\nevent: message\r\ndata: {"jsonrpc":"2.0","id":3,"result":{}}\r\n\r\n';
    for (let cut = 0; cut <= stream.length; cut++) {
      const s = new SseEventSplitter();
      const events = [...s.push(stream.slice(0, cut)), ...s.push(stream.slice(cut))];
      assert.equal(events.join(''), stream);
      assert.deepEqual(
        events.map((e) => messageOfEvent(e)),
        [
          { jsonrpc: '2.0', method: 'a' },
          { jsonrpc: '2.0', id: 3, result: {} },
        ],
      );
    }
  });
});
