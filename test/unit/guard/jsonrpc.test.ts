import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { isJsonRpcMessage } from '../../../src/guard/stdio/jsonrpc';

/**
 * The guard's hand-written JSON-RPC shape check agrees with the SDK's schema (the reference
 * implementation) on the shapes MCP messages take and on near misses of them.
 */
describe('guard: JSON-RPC message shapes, checked without a schema library', () => {
  const sdk = (v: unknown) => JSONRPCMessageSchema.safeParse(v).success;

  it('agrees with the SDK on requests, notifications, results, errors and near misses', () => {
    const cases: unknown[] = [
      { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'x' } },
      { jsonrpc: '2.0', id: 'a', method: 'ping' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 1, result: {} },
      { jsonrpc: '2.0', id: 1, error: { code: -32600, message: 'bad' } },
      { jsonrpc: '2.0', error: { code: -32700, message: 'parse' } },
      { jsonrpc: '2.0', id: 1.5, method: 'x' },
      { jsonrpc: '2.0', id: null, method: 'x' },
      { jsonrpc: '1.0', id: 1, method: 'x' },
      { jsonrpc: '2.0', id: 1, method: 'x', extra: true },
      { jsonrpc: '2.0', id: 1, result: [] },
      { jsonrpc: '2.0', id: 1, result: 'x' },
      { jsonrpc: '2.0', id: 1, error: { code: 1.5, message: 'x' } },
      { jsonrpc: '2.0', id: 1, error: { code: 1 } },
      { jsonrpc: '2.0', id: 1, method: 'x', params: [] },
      { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: 'no' } },
      { jsonrpc: '2.0', id: 1 },
      { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { progressToken: 1.5 } } },
      { jsonrpc: '2.0', id: 1, method: 'x', params: { _meta: { progressToken: 't' } } },
      { jsonrpc: '2.0', method: 'x', params: { _meta: { 'io.modelcontextprotocol/related-task': {} } } },
      { jsonrpc: '2.0', id: 1, result: { _meta: { progressToken: null } } },
      { jsonrpc: '2.0', id: 1, result: { _meta: 3 } },
      [],
      null,
      'x',
    ];
    for (const c of cases) assert.equal(isJsonRpcMessage(c), sdk(c), JSON.stringify(c));
  });

  it('agrees with the SDK on generated messages', () => {
    const id = fc.oneof(fc.integer(), fc.string(), fc.double(), fc.constant(null), fc.boolean());
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null));
    const meta = fc.dictionary(
      fc.constantFrom('progressToken', 'io.modelcontextprotocol/related-task', 'x'),
      fc.oneof(scalar, fc.record({ taskId: scalar }, { requiredKeys: [] })),
      { maxKeys: 2 },
    );
    const obj = fc.dictionary(fc.constantFrom('a', '_meta', 'name', 'progressToken'), fc.oneof(scalar, meta), {
      maxKeys: 3,
    });
    const value = fc.oneof(obj, fc.array(fc.integer()), fc.string(), fc.integer(), fc.constant(null));
    const message = fc.record(
      {
        jsonrpc: fc.constantFrom('2.0', '1.0', 2),
        id,
        method: fc.oneof(fc.string(), fc.integer()),
        params: value,
        result: value,
        error: fc.oneof(
          fc.record(
            { code: fc.oneof(fc.integer(), fc.double()), message: fc.oneof(fc.string(), fc.integer()) },
            { requiredKeys: [] },
          ),
          value,
        ),
        other: fc.string(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(message, (m) => isJsonRpcMessage(m) === sdk(m)),
      { numRuns: 3000, seed: 29 },
    );
  });
});
