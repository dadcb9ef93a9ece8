import * as assert from 'node:assert/strict';
import { proposalTabs } from '../../../src/extension/viewModel/proposalTabs';

/** A URI as VS Code's tab inputs hold it: an object whose string is the URI. */
const uri = (s: string) => ({ toString: () => s });

describe("extension: a proposed edit's diff is closed once its question is answered", () => {
  it('finds the tabs that show the proposal, as a diff or alone, and leaves the user’s file and every other tab', () => {
    const proposed = 'mcp-lifeguard-evidence:/3/mcp%20%28proposed%29.jsonc';
    const diff = {
      label: 'mcp.json: Wrap pynotes',
      input: { original: uri('file:///ws/.vscode/mcp.json'), modified: uri(proposed) },
    };
    const alone = { label: 'mcp (proposed).jsonc', input: { uri: uri(proposed) } };
    const file = { label: 'mcp.json', input: { uri: uri('file:///ws/.vscode/mcp.json') } };
    const other = {
      label: 'mcp.json: Wrap kb',
      input: {
        original: uri('file:///ws/.vscode/mcp.json'),
        modified: uri('mcp-lifeguard-evidence:/2/mcp%20%28proposed%29.jsonc'),
      },
    };
    const terminal = { label: 'bash', input: undefined };
    assert.deepEqual(
      proposalTabs([file, diff, other, alone, terminal], proposed).map((t) => t.label),
      ['mcp.json: Wrap pynotes', 'mcp (proposed).jsonc'],
    );
    assert.deepEqual(proposalTabs([file, other, terminal], proposed), []);
  });
});
