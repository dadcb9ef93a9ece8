import * as assert from 'node:assert/strict';
import { ClientId } from '../../../src/core/base/model';
import { nextSteps } from '../../../src/core/configEdit/nextSteps';
import { english, Translate } from '../../../src/core/configEdit/translate';
import { SOURCES } from '../../../src/core/sources/table';

const entry = (name: string, client: ClientId) => ({ name, source: { client } });

/** Every client whose config MCP Lifeguard reads (its source table): each must have a next step. */
const EVERY_CLIENT: ClientId[] = [...new Set(SOURCES.map((spec) => spec.client))];

describe('next steps after a config edit, per client', () => {
  it('one step per client, in the order the entries come, naming each server once', () => {
    const steps = nextSteps(
      [
        entry('memory', 'claude-desktop'),
        entry('memory', 'vscode'),
        entry('notes', 'vscode'),
        entry('memory', 'vscode'),
        entry('memory', 'codex'),
      ],
      english,
    );
    assert.deepEqual(
      steps.map((s) => [s.client, s.kind, s.servers]),
      [
        ['claude-desktop', 'app', ['memory']],
        ['vscode', 'vscode', ['memory', 'notes']],
        ['codex', 'session', ['memory']],
      ],
    );
    assert.equal(steps[1].text, 'VS Code: run MCP: List Servers, pick memory, notes and choose Restart Server.');
  });

  it("says what to do in each client, in that client's own terms", () => {
    const text = (client: ClientId) => nextSteps([entry('kb', client)], english)[0].text;
    assert.match(text('claude-desktop'), /^Claude Desktop: quit it .*tray icon.* and open it again\.$/);
    assert.match(
      text('claude-code'),
      /^Claude Code: run \/mcp and reconnect kb, or end the session .*claude --continue/,
    );
    assert.match(text('codex'), /^Codex: quit the session \(\/quit\) and start codex again; it reads config\.toml/);
    assert.match(text('gemini-cli'), /^Gemini CLI: quit the session \(\/quit\)/);
    assert.match(text('cursor'), /^Cursor: in Cursor Settings, MCP, turn kb off and on again/);
    assert.match(text('windsurf'), /^Windsurf: .*press Refresh/);
    assert.match(text('copilot-cli'), /^Copilot CLI: end the session and start a new one/);
    assert.match(text('vscode-insiders'), /^VS Code Insiders: run MCP: List Servers, pick kb/);
  });

  it('every client has a step, each begins with its name, and every sentence goes through the translation', () => {
    const asked: string[] = [];
    const t: Translate = (message, ...args) => {
      asked.push(message);
      return english(message, ...args);
    };
    const steps = nextSteps(
      EVERY_CLIENT.map((c) => entry('kb', c)),
      t,
    );
    assert.ok(EVERY_CLIENT.length >= 17, EVERY_CLIENT.join(', '));
    assert.equal(steps.length, EVERY_CLIENT.length);
    assert.equal(asked.length, EVERY_CLIENT.length);
    for (const s of steps) {
      assert.match(s.text, /^[A-Za-z][A-Za-z ]+: \S/, s.text);
      assert.ok(s.text.endsWith('.'), s.text);
    }
    // Only VS Code's own servers are restarted for the user; every other client is told.
    assert.deepEqual(
      steps.filter((s) => s.kind === 'vscode').map((s) => s.client),
      ['vscode', 'vscode-insiders'],
    );
  });
});
