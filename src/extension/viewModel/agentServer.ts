import { t } from './l10n';
/**
 * The definition MCP Lifeguard offers VS Code's MCP support for its own agent face: the installed
 * guard launcher (a stable per-user path, with the runtime named inside it) running `mcp` for this
 * window's folders. Trusting the workspace is VS Code's decision, passed on as the face's option;
 * the model never gets to decide it.
 */

export type AgentServerLaunch =
  { state: 'offered'; label: string; command: string; args: string[] } | { state: 'withheld'; reason: string };

export const AGENT_SERVER_LABEL = 'MCP Lifeguard';

const GUARD_NOT_YET = 'the guard is not installed yet';

export function agentServerLaunch(o: {
  enabled: boolean;
  launcher: string | undefined;
  workspaceFolders: readonly string[];
  trusted: boolean;
  /** VS Code's `env.remoteName` in a remote window: the server runs on the remote, as this extension does. */
  remoteName?: string;
}): AgentServerLaunch {
  if (!o.enabled) return { state: 'withheld', reason: t('the setting mcpLifeguard.agentServer.enabled is off') };
  if (!o.launcher) return { state: 'withheld', reason: GUARD_NOT_YET };
  const args = [
    'mcp',
    ...o.workspaceFolders.flatMap((f) => ['--workspace', f]),
    ...(o.trusted ? ['--trust-workspace'] : []),
    ...(o.remoteName ? ['--remote-window', o.remoteName] : []),
  ];
  return { state: 'offered', label: AGENT_SERVER_LABEL, command: o.launcher, args };
}

/**
 * The log line for what is offered, once per change (VS Code asks for the definitions often), or
 * nothing. The guard being installed is not news: it is done moments after start (a failure is
 * logged by the install itself), so a start that ends up offering the server never says "not offered".
 */
export function agentServerNews(previous: AgentServerLaunch | undefined, next: AgentServerLaunch): string | undefined {
  const key = (l: AgentServerLaunch | undefined) =>
    l === undefined ? '' : l.state === 'offered' ? `offered ${l.command} ${l.args.join(' ')}` : `withheld ${l.reason}`;
  if (key(previous) === key(next)) return undefined;
  if (next.state === 'offered')
    return t('agent server offered to VS Code\'s MCP support as "{0}" (MCP: List Servers)', next.label);
  if (next.reason === GUARD_NOT_YET) return undefined;
  return t('agent server not offered: {0}', next.reason);
}
