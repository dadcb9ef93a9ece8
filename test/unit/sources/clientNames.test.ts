import * as assert from 'node:assert/strict';
import { noClientLogReason } from '../../../src/core/clientLogs/locate';
import { CLIENT_NAMES, clientName } from '../../../src/core/sources/clientNames';
import { SOURCES } from '../../../src/core/sources/table';

/**
 * Every face names a client and its config file from one table, by the name the client calls
 * itself: a plan line, a tooltip, `status` and the tree say "VS Code (workspace)", never a bare
 * "Workspace" (whose? Cursor, Gemini CLI and Codex have workspace files too) nor a raw id.
 */
describe('clients by the names they call themselves', () => {
  it("every source row's label begins with its client's own name", () => {
    const astray = SOURCES.filter((s) => !s.label.startsWith(CLIENT_NAMES[s.client])).map(
      (s) => `${s.client}: ${s.label}`,
    );
    assert.deepEqual(astray, []);
  });

  it("VS Code's workspace files and Claude Code's project file say whose they are", () => {
    const labels = (client: string, scope: string) => [
      ...new Set(SOURCES.filter((s) => s.client === client && s.scope === scope).map((s) => s.label)),
    ];
    assert.deepEqual(labels('vscode', 'workspace'), ['VS Code (workspace)']);
    assert.deepEqual(labels('claude-code', 'project'), ['Claude Code (project)']);
  });

  it('a client without a known log is named, not given by its id', () => {
    assert.equal(noClientLogReason('cursor'), 'MCP Lifeguard knows of no log Cursor keeps of its servers');
    assert.equal(clientName('qwen-code'), 'Qwen Code');
    // A name that is no known id (a process's own) is left as it is.
    assert.equal(clientName('code-server'), 'code-server');
  });
});
