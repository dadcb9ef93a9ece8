import type { ClientId } from '../base/model';

/**
 * Each client by the name it calls itself (its own window title, `--help` or docs): the one table
 * every face words a client or its config file from. The source table's labels begin with these
 * (`VS Code (workspace)`, `Claude Code (project)`), so a plan line, a tooltip and `status` name the
 * same file the same way; a raw id (`claude-desktop`) is never shown to a person.
 */
export const CLIENT_NAMES: Readonly<Record<ClientId, string>> = {
  vscode: 'VS Code',
  'vscode-insiders': 'VS Code Insiders',
  vscodium: 'VSCodium',
  'claude-desktop': 'Claude Desktop',
  'claude-code': 'Claude Code',
  cursor: 'Cursor',
  windsurf: 'Windsurf',
  'gemini-cli': 'Gemini CLI',
  codex: 'Codex',
  continue: 'Continue',
  zed: 'Zed',
  cline: 'Cline',
  'roo-code': 'Roo Code',
  'copilot-cli': 'Copilot CLI',
  'qwen-code': 'Qwen Code',
  opencode: 'opencode',
  kilo: 'Kilo',
  auggie: 'Auggie',
  kiro: 'Kiro',
  junie: 'Junie',
  'amazon-q': 'Amazon Q',
  antigravity: 'Antigravity',
  amp: 'Amp',
  'factory-droid': 'Factory Droid',
  'mistral-vibe': 'Mistral Vibe',
};

/**
 * What known clients put in MCP's `initialize` as `clientInfo.name`, by client: a shared server's
 * lock record keeps what each client sent, and where the process table cannot name the client
 * (an HTTP client with no pid, a pid gone) that is the name left. Claude Desktop's `claude-ai`,
 * Claude Code's `claude-code` and Cursor's `cursor-vscode` are seen from the clients themselves;
 * the others are what the clients' sources send.
 */
const CLIENT_INFO_NAMES: Readonly<Record<string, ClientId>> = {
  'claude-ai': 'claude-desktop',
  'claude-code': 'claude-code',
  'cursor-vscode': 'cursor',
  'Visual Studio Code': 'vscode',
  'Visual Studio Code - Insiders': 'vscode-insiders',
  'codex-mcp-client': 'codex',
  'gemini-cli-mcp-client': 'gemini-cli',
};

/**
 * A client's name for people from what it sent as `clientInfo.name`: a known client's by the table
 * (`cursor-vscode` is Cursor), a known id as its client (`zed`), anything else as it was sent.
 */
export function clientNameFromInfo(sent: string): string {
  const id = Object.hasOwn(CLIENT_INFO_NAMES, sent) ? CLIENT_INFO_NAMES[sent] : undefined;
  return id ? CLIENT_NAMES[id] : clientName(sent);
}

/** Whether a string is a known client's id. */
export function isClientId(id: string): id is ClientId {
  return Object.hasOwn(CLIENT_NAMES, id);
}

/** A client's name for people: a known id by the table, anything else (a process's own name) as it is. */
export function clientName(id: string): string {
  return isClientId(id) ? CLIENT_NAMES[id] : id;
}
