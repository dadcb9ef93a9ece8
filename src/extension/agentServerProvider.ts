import * as vscode from 'vscode';
import { AgentServerLaunch, agentServerLaunch, agentServerNews } from './viewModel/agentServer';

/** The provider id, as package.json's `mcpServerDefinitionProviders` declares it. */
export const AGENT_PROVIDER_ID = 'mcpLifeguard.agentServer';

export interface AgentProviderDeps {
  enabled(): boolean;
  launcher(): string | undefined;
  workspaceFolders(): string[];
  version: string;
  log(line: string): void;
}

/**
 * Offers `mcp-lifeguard mcp` to VS Code's own MCP support (MCP: List Servers, agent mode) with no
 * setup. `changed()` is called when what is offered may differ: the setting, the guard installed,
 * the folders or the workspace's trust. Undefined when this VS Code has no MCP provider API.
 */
export function registerAgentServerProvider(
  deps: AgentProviderDeps,
): { disposable: vscode.Disposable; changed(): void } | undefined {
  const lm = vscode.lm as Partial<typeof vscode.lm> | undefined;
  if (typeof lm?.registerMcpServerDefinitionProvider !== 'function') {
    deps.log('this VS Code has no MCP server definition provider API: the agent server is not offered');
    return undefined;
  }
  const emitter = new vscode.EventEmitter<void>();
  let last: AgentServerLaunch | undefined;
  const provider: vscode.McpServerDefinitionProvider = {
    onDidChangeMcpServerDefinitions: emitter.event,
    provideMcpServerDefinitions: () => {
      const launch = agentServerLaunch({
        enabled: deps.enabled(),
        launcher: deps.launcher(),
        workspaceFolders: deps.workspaceFolders(),
        trusted: vscode.workspace.isTrusted,
        remoteName: vscode.env.remoteName,
      });
      const news = agentServerNews(last, launch);
      last = launch;
      if (news) deps.log(news);
      if (launch.state === 'withheld') return [];
      return [new vscode.McpStdioServerDefinition(launch.label, launch.command, launch.args, {}, deps.version)];
    },
  };
  const registration = lm.registerMcpServerDefinitionProvider(AGENT_PROVIDER_ID, provider);
  return { disposable: vscode.Disposable.from(registration, emitter), changed: () => emitter.fire() };
}
