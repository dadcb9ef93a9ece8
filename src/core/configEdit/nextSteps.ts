import type { ClientId } from '../base/model';
import { Translate } from './translate';

/**
 * What a user does in each client after Wrap with Guard, Share One Instance, Unwrap or Unshare
 * rewrote its entry: a client reads its MCP config when it starts a server, so a server it already
 * runs keeps the old command until the client starts it again. One row per client, in the client's
 * own words (only commands and panels the client has); the extension and the CLI say the same.
 *
 *   vscode     VS Code's own MCP restart (`workbench.mcp.restartServer`): the extension runs it for
 *              the servers this window runs; elsewhere the user runs MCP: List Servers > Restart
 *   app        an app that reads its config when it starts: quit it and open it again
 *   session    a CLI agent: its servers start with a session, so a new session runs the new entry
 *   in-client  a panel of the client restarts or reloads its servers
 */
export type NextStepKind = 'vscode' | 'app' | 'session' | 'in-client';

interface ClientRow {
  kind: NextStepKind;
  /** The sentence, whole (one message each for translation); `names` lists the servers rewritten. */
  words: (names: string, t: Translate) => string;
}

const sessionWords = (client: string) => (_names: string, t: Translate) =>
  t('{0}: end the session and start a new one (its servers start with a session).', client);

const NEXT_STEPS: Record<ClientId, ClientRow> = {
  vscode: {
    kind: 'vscode',
    words: (names, t) => t('VS Code: run MCP: List Servers, pick {0} and choose Restart Server.', names),
  },
  'vscode-insiders': {
    kind: 'vscode',
    words: (names, t) => t('VS Code Insiders: run MCP: List Servers, pick {0} and choose Restart Server.', names),
  },
  // Told, not done: the extension's own restart goes through VS Code's MCP commands, in VS Code's builds.
  vscodium: {
    kind: 'in-client',
    words: (names, t) => t('VSCodium: run MCP: List Servers, pick {0} and choose Restart Server.', names),
  },
  'claude-desktop': {
    kind: 'app',
    words: (_names, t) =>
      t(
        'Claude Desktop: quit it (from its menu or its tray icon: closing the window leaves it running) and open it again.',
      ),
  },
  'claude-code': {
    kind: 'session',
    words: (names, t) =>
      t(
        'Claude Code: run /mcp and reconnect {0}, or end the session and start it again (claude --continue resumes the conversation).',
        names,
      ),
  },
  cursor: {
    kind: 'in-client',
    words: (names, t) => t('Cursor: in Cursor Settings, MCP, turn {0} off and on again (or restart Cursor).', names),
  },
  windsurf: {
    kind: 'in-client',
    words: (_names, t) => t("Windsurf: in Cascade's MCP servers (Manage MCPs), press Refresh (or restart Windsurf)."),
  },
  'gemini-cli': {
    kind: 'session',
    words: (_names, t) => t('Gemini CLI: quit the session (/quit) and start gemini again.'),
  },
  codex: {
    kind: 'session',
    words: (_names, t) =>
      t('Codex: quit the session (/quit) and start codex again; it reads config.toml when it starts.'),
  },
  'qwen-code': {
    kind: 'session',
    words: (_names, t) => t('Qwen Code: quit the session (/quit) and start qwen again.'),
  },
  'copilot-cli': { kind: 'session', words: sessionWords('Copilot CLI') },
  opencode: { kind: 'session', words: sessionWords('opencode') },
  kilo: { kind: 'session', words: sessionWords('Kilo') },
  auggie: { kind: 'session', words: sessionWords('Auggie') },
  amp: { kind: 'session', words: sessionWords('Amp') },
  'factory-droid': { kind: 'session', words: sessionWords('Factory Droid') },
  'mistral-vibe': { kind: 'session', words: sessionWords('Mistral Vibe') },
  continue: {
    kind: 'app',
    words: (_names, t) => t('Continue: reload the editor window it runs in (in VS Code, Developer: Reload Window).'),
  },
  cline: {
    kind: 'in-client',
    words: (names, t) => t("Cline: in Cline's MCP Servers view, restart {0}.", names),
  },
  'roo-code': {
    kind: 'in-client',
    words: (names, t) => t("Roo Code: in Roo Code's MCP Servers view, restart {0}.", names),
  },
  zed: {
    kind: 'app',
    words: (_names, t) => t('Zed: quit Zed and open it again.'),
  },
  kiro: {
    // Kiro reconnects a server when its mcp.json is saved (the IDE, and Kiro CLI from 2.10).
    kind: 'in-client',
    words: (names, t) => t('Kiro: saving the file reconnects {0} (Kiro CLI: start a new session).', names),
  },
  junie: {
    kind: 'app',
    words: (_names, t) => t('Junie: restart the IDE it runs in (the junie CLI: a new session).'),
  },
  'amazon-q': {
    kind: 'session',
    words: (_names, t) => t('Amazon Q: start a new q chat session; in an editor, reload its window.'),
  },
  antigravity: {
    kind: 'in-client',
    words: (_names, t) => t('Antigravity: in Manage MCP Servers, press Refresh (agy: a new session).'),
  },
};

/** One client's next step after its entries were rewritten. */
export interface NextStep {
  client: ClientId;
  kind: NextStepKind;
  /** The names of its servers that were rewritten, each once. */
  servers: string[];
  text: string;
}

/**
 * The next step of each client whose entries were rewritten, in the order the entries come, one per
 * client (the servers of one client named together).
 */
export function nextSteps(
  rewritten: ReadonlyArray<{ name: string; source: { client: ClientId } }>,
  t: Translate,
): NextStep[] {
  const byClient = new Map<ClientId, string[]>();
  for (const s of rewritten) {
    const names = byClient.get(s.source.client) ?? [];
    if (!names.includes(s.name)) names.push(s.name);
    byClient.set(s.source.client, names);
  }
  return [...byClient].map(([client, servers]) => {
    const row = NEXT_STEPS[client];
    return { client, kind: row.kind, servers, text: row.words(servers.join(', '), t) };
  });
}
