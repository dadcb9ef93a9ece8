import * as assert from 'node:assert/strict';
import { OpenWork } from '../../../src/guard/host/openWork';
import { diffTools, toolsChangedText } from '../../../src/guard/host/toolsDiff';

describe('guard: work a restart would lose (openWork.ts)', () => {
  it('a requestState handed out opens an exchange; the retry that echoes it closes it; only the three multi-round methods count', () => {
    const w = new OpenWork(20_000);
    w.noteResult('tools/call', { resultType: 'input_required', inputRequests: {}, requestState: 's1' });
    w.noteResult('tools/list', { resultType: 'input_required', requestState: 's2' });
    w.noteResult('prompts/get', { resultType: 'input_required', inputRequests: {} });
    assert.deepEqual(w.open(), { exchanges: 1, tasks: 0 });
    assert.equal(w.noteRequest('tools/call', { name: 'x', requestState: 's1', inputResponses: {} }), undefined);
    assert.deepEqual(w.open(), { exchanges: 0, tasks: 0 });
  });

  it('tracks tasks of both designs until a terminal status, from results, polls and status notifications', () => {
    const w = new OpenWork(20_000);
    w.noteResult('tools/call', { resultType: 'task', taskId: 'a', status: 'working' });
    w.noteResult('tools/call', { task: { taskId: 'b', status: 'working' } });
    w.noteResult('tools/call', { task: { taskId: 'c', status: 'input_required' } });
    assert.equal(w.open().tasks, 3);
    w.noteResult('tasks/get', { resultType: 'complete', taskId: 'a', status: 'completed' });
    w.noteNotification('notifications/tasks/status', { taskId: 'b', status: 'failed' });
    assert.equal(w.open().tasks, 1);
  });

  it("forgets work without news after the bound, and answers polls of a gone process's tasks", () => {
    let now = 0;
    const w = new OpenWork(1000, () => now);
    w.noteResult('tools/call', { resultType: 'task', taskId: 't', status: 'working' });
    w.noteResult('tools/call', { resultType: 'input_required', requestState: 's' });
    now = 1500;
    assert.deepEqual(w.open(), { exchanges: 0, tasks: 0 });
    w.noteResult('tools/call', { resultType: 'task', taskId: 'u', status: 'working' });
    w.processGone(42);
    assert.deepEqual(w.open(), { exchanges: 0, tasks: 0 });
    assert.match(
      w.noteRequest('tasks/get', { taskId: 'u' })!,
      /^task u ran in the server process that was restarted \(pid 42\)/,
    );
    assert.equal(w.noteRequest('tasks/get', { taskId: 'other' }), undefined);
    assert.equal(w.noteRequest('tools/call', { taskId: 'u' }), undefined, 'only task methods');
  });

  it('waitClosed resolves once the last work closes, or false at its bound', async () => {
    const w = new OpenWork(20_000);
    w.noteResult('tools/call', { resultType: 'task', taskId: 't', status: 'working' });
    assert.equal(await w.waitClosed(50), false);
    const closed = w.waitClosed(5000);
    w.noteResult('tasks/get', { taskId: 't', status: 'cancelled' });
    assert.equal(await closed, true);
  });
});

describe('guard: what changed in the tools across a restart (toolsDiff.ts)', () => {
  const tool = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    inputSchema: { type: 'object', properties: { a: { type: 'string' } } },
    ...extra,
  });

  it('names tools added, removed and changed (and in what); key order alone is no change', () => {
    const before = [tool('keep'), tool('gone'), tool('redo', { description: 'v1' })];
    const after = [
      { inputSchema: { properties: { a: { type: 'string' } }, type: 'object' }, name: 'keep' },
      tool('new'),
      tool('redo', { description: 'v2', annotations: { readOnlyHint: true } }),
    ];
    const diff = diffTools(before, after);
    assert.deepEqual(diff, {
      added: ['new'],
      removed: ['gone'],
      changed: [{ name: 'redo', what: ['description', 'annotations'] }],
    });
    assert.equal(diffTools(before, [...before].reverse()), undefined);
    assert.equal(
      toolsChangedText(diff!, 's'),
      '[MCP Lifeguard] This server ("s") was restarted and its tools changed; added: "new"; removed: "gone"; changed: "redo" (description, annotations). Tools you listed before the restart may be out of date: list them again before calling one that changed.',
    );
  });

  it('escapes control characters in tool names and cuts long lists', () => {
    const many = Array.from({ length: 12 }, (_, i) => tool(`t${i}`));
    const text = toolsChangedText(diffTools([], [...many, tool('evil\u001b[31m')])!, 's');
    assert.doesNotMatch(text, /\u001b/);
    assert.match(text, /and 3 more/);
  });
});
