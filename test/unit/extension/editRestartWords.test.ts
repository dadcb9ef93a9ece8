import * as assert from 'node:assert/strict';
import { restartedWithNewEntryText } from '../../../src/extension/viewModel/editRestartWords';

describe("extension: after Wrap or Unwrap, VS Code's own restart of the rewritten server in one sentence", () => {
  it('says restarted once, with the pids it ran as and runs as, and no brackets in brackets', () => {
    const text = restartedWithNewEntryText('memory', [1], [2]);
    assert.equal(text, 'VS Code: restarted memory with its new entry (pid 1 → 2).');
    assert.equal(text.match(/restarted/g)?.length, 1);
    assert.doesNotMatch(text, /\([^)]*\(/);
    assert.equal(
      restartedWithNewEntryText('memory', [3, 4], [5]),
      'VS Code: restarted memory with its new entry (pid 3, 4 → 5).',
    );
  });
});
