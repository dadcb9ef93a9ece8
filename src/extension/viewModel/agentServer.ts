/**
 * The definition MCP Lifeguard offers VS Code's MCP support for its own agent face: the installed
 * guard launcher (a stable per-user path, with the runtime named inside it) running `mcp` for this
 * window's folders. Trusting the workspace is VS Code's decision, passed on as the face's option;
 * the model never gets to decide it.
 */

export type AgentServerLaunch =
  | { state: 'offered'; label: string; command: string; args: string[] }
  | { state: 'withheld'; reason: string };

export const AGENT_SERVER_LABEL = 'MCP Lifeguard';

export function agentServerLaunch(o: { enabled: boolean; launcher: string | undefined; workspaceFolders: readonly string[]; trusted: boolean }): AgentServerLaunch {
  if (!o.enabled) return { state: 'withheld', reason: 'the setting mcpLifeguard.agentServer.enabled is off' };
  if (!o.launcher) return { state: 'withheld', reason: 'the guard is not installed yet' };
  const args = ['mcp', ...o.workspaceFolders.flatMap((f) => ['--workspace', f]), ...(o.trusted ? ['--trust-workspace'] : [])];
  return { state: 'offered', label: AGENT_SERVER_LABEL, command: o.launcher, args };
}
