import * as assert from 'node:assert/strict';
import { editOutcomeText, unwrapOutcomeText } from '../../../src/extension/viewModel/editOutcome';

describe('extension: the toast after Wrap, Unwrap, Share or Unshare says one state, then what is left to do', () => {
  it('Unwrap that VS Code restarted here: unwrapped and running without the guard now, with its pids, no "Next:"', () => {
    const text = unwrapOutcomeText('memory', [{ kind: 'restarted', name: 'memory', from: [11], to: [12] }]);
    assert.equal(
      text,
      'memory is unwrapped and runs without the guard now: VS Code restarted it with its new entry (pid 11 → 12).',
    );
    assert.doesNotMatch(text, /next start|Next:/);
  });

  it('Unwrap another client must restart: it starts without the guard at its next start, and the step follows', () => {
    const text = unwrapOutcomeText('memory', [{ kind: 'next', text: 'Claude Desktop: quit it and open it again.' }]);
    assert.equal(
      text,
      'memory is unwrapped: it starts without the guard the next time its client starts it. Next: Claude Desktop: quit it and open it again.',
    );
    assert.doesNotMatch(text, /restarted/);
  });

  it('a restart already done is said as done, never among the next steps; a sibling started again too', () => {
    const text = editOutcomeText('memory now starts through the guard.', [
      { kind: 'restarted', name: 'memory', from: [1], to: [2] },
      { kind: 'done', text: 'VS Code stopped git when it read mcp.json again; it runs again (pid 3 → 4).' },
      { kind: 'next', text: 'Codex: quit the session (/quit) and start codex again.' },
    ]);
    assert.equal(
      text,
      'memory now starts through the guard. VS Code: restarted memory with its new entry (pid 1 → 2). VS Code stopped git when it read mcp.json again; it runs again (pid 3 → 4). Next: Codex: quit the session (/quit) and start codex again.',
    );
    assert.equal(editOutcomeText('x.', []), 'x.');
  });
});
