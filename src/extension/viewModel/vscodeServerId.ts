import { VmServer } from '../../core/report/input';

/** VS Code's own MCP commands MCP Lifeguard calls, each with a server id from vscodeServerId. */
export const VSCODE_MCP = {
  start: 'workbench.mcp.startServer',
  stop: 'workbench.mcp.stopServer',
  restart: 'workbench.mcp.restartServer',
  showOutput: 'workbench.mcp.showOutput',
} as const;

/**
 * The id VS Code's own MCP commands (`workbench.mcp.restartServer`, `stopServer`) know a server by.
 * These are internal ids and an unknown one is silently ignored, so every use is verified afterwards
 * in the process table. Returns undefined for servers this VS Code does not run from a config file.
 *   user mcp.json (and legacy settings.json "mcp")  mcp.config.usrlocal.<name>
 *   remote user mcp.json                              mcp.config.usrremote.<name>
 *   <folder i>/.vscode/mcp.json                       mcp.config.ws<i>.<name>
 *   *.code-workspace settings.mcp                     mcp.config.workspace.<name>
 *   <folder i>/.mcp.json                              workspace-dot-mcp.<i>.<name>
 */
export function vscodeServerId(
  server: Pick<VmServer, 'name' | 'source'>,
  window: { product: 'vscode' | 'vscode-insiders'; workspaceFolders: readonly string[] },
): string | undefined {
  const { source, name } = server;
  const file = source.file.replace(/\\/g, '/');
  const folderIndex =
    source.workspaceFolder === undefined ? -1 : window.workspaceFolders.indexOf(source.workspaceFolder);
  if (source.client === 'claude-code' && source.scope === 'project' && /\/\.mcp\.json$/.test(file)) {
    return folderIndex >= 0 ? `workspace-dot-mcp.${folderIndex}.${name}` : undefined;
  }
  if (source.client !== 'vscode' && source.client !== 'vscode-insiders') return undefined;
  if (source.scope === 'workspace') {
    if (file.endsWith('.code-workspace')) return `mcp.config.workspace.${name}`;
    return folderIndex >= 0 ? `mcp.config.ws${folderIndex}.${name}` : undefined;
  }
  if (/\/\.vscode-server(-insiders)?\//.test(file)) return `mcp.config.usrremote.${name}`;
  // User files belong to one product: Insiders' user servers are not this window's if it is stable.
  if (source.client !== window.product) return undefined;
  if (source.scope === 'user' || source.scope === 'profile') return `mcp.config.usrlocal.${name}`;
  return undefined;
}
