import * as assert from 'node:assert/strict';
import { shareLeftText, shareOrder, shareQuestionDetail } from '../../../src/extension/viewModel/shareWords';
import { server, source } from './fixtures';

const WS = '/w/.vscode/mcp.json';
const CC = '/home/u/.claude.json';
const COMMAND = 'Its command becomes "mcp-lifeguard run --on-conflict share --name memory <the current command>".';

describe("Share One Instance's questions: Share's words, every entry of every file it rewrites, why", () => {
  const workspace = server('memory', {
    source: source({ client: 'vscode', scope: 'workspace', label: 'VS Code (workspace)', file: WS }),
  });
  const claude = server('memory', { source: source({ client: 'claude-code', label: 'Claude Code', file: CC }) });

  it("asks about the picked entry's file first", () => {
    assert.deepEqual(
      shareOrder([workspace, claude], claude).map((s) => s.source.file),
      [CC, WS],
    );
  });

  it('the first question says why other files are rewritten and lists every entry of every file; the next names its own', () => {
    const rewrite = shareOrder([workspace, claude], claude);
    const first = shareQuestionDetail(rewrite, 'memory', CC, COMMAND);
    assert.equal(
      first,
      `Sharing needs every client that runs memory to go through one share host, so every entry of it is rewritten, in 2 files: memory in Claude Code (${CC}); memory in VS Code (workspace) (${WS}). Each file is asked about in turn; nothing is written until all are agreed.\n\n${COMMAND}`,
    );
    assert.doesNotMatch(first, /Wrap/);
    const second = shareQuestionDetail(rewrite, 'memory', WS, COMMAND);
    assert.equal(second, `File 2 of 2 of the share of memory: memory in VS Code (workspace).\n\n${COMMAND}`);
  });
});

describe("Share One Instance's result: each entry it left as it was", () => {
  it('is named as the rest of the product names an entry, never with brackets inside brackets', () => {
    const ws = server('notes', {
      source: source({ client: 'vscode', scope: 'workspace', label: 'VS Code (workspace)', file: WS }),
    });
    assert.equal(
      shareLeftText(ws, 'another server with other data (MEMORY_FILE_PATH differs): never shared with memory'),
      'notes in VS Code (workspace): another server with other data (MEMORY_FILE_PATH differs): never shared with memory',
    );
  });
});
