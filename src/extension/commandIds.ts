/**
 * Every command id of the extension, in one place: registration, menus, links in tooltips and the
 * manifest test all read this. Plain data (no vscode import) so tests can check package.json.
 */
export const CommandId = {
  restartServer: 'mcpLifeguard.restartServer',
  restartAllStale: 'mcpLifeguard.restartAllStale',
  killDuplicates: 'mcpLifeguard.killDuplicates',
  stopServer: 'mcpLifeguard.stopServer',
  refresh: 'mcpLifeguard.refresh',
  wrapWithGuard: 'mcpLifeguard.wrapWithGuard',
  unwrapGuard: 'mcpLifeguard.unwrapGuard',
  shareOneInstance: 'mcpLifeguard.shareOneInstance',
  unshareServer: 'mcpLifeguard.unshareServer',
  upgradeServer: 'mcpLifeguard.upgradeServer',
  rollbackServer: 'mcpLifeguard.rollbackServer',
  showVersions: 'mcpLifeguard.showVersions',
  showLog: 'mcpLifeguard.showLog',
  showView: 'mcpLifeguard.showView',
  showHiddenProcesses: 'mcpLifeguard.showHiddenProcesses',
  filterClients: 'mcpLifeguard.filterClients',
  // Tree-only: they need a node, so the palette hides them.
  restartInstance: 'mcpLifeguard.restartInstance',
  stopInstance: 'mcpLifeguard.stopInstance',
  openConfig: 'mcpLifeguard.openConfig',
  openProblem: 'mcpLifeguard.openProblem',
  showEvidence: 'mcpLifeguard.showEvidence',
  copyPid: 'mcpLifeguard.copyPid',
  copyCommandLine: 'mcpLifeguard.copyCommandLine',
  hideProcess: 'mcpLifeguard.hideProcess',
  addToConfig: 'mcpLifeguard.addToConfig',
  showServerLog: 'mcpLifeguard.showServerLog',
  startServer: 'mcpLifeguard.startServer',
  // The welcome view's link.
  createWorkspaceMcpJson: 'mcpLifeguard.createWorkspaceMcpJson',
} as const;

export type CommandIdValue = (typeof CommandId)[keyof typeof CommandId];

/** Commands that only make sense on a tree node (or the welcome view): hidden from the Command Palette. */
export const TREE_ONLY_COMMANDS: readonly CommandIdValue[] = [
  CommandId.createWorkspaceMcpJson,
  CommandId.restartInstance,
  CommandId.stopInstance,
  CommandId.openConfig,
  CommandId.openProblem,
  CommandId.showEvidence,
  CommandId.copyPid,
  CommandId.copyCommandLine,
  CommandId.hideProcess,
  CommandId.addToConfig,
  CommandId.showServerLog,
];

/**
 * Hidden from the Command Palette: the tree-only ones, and Show MCP Servers, which VS Code's own
 * "View: Show MCP Lifeguard" already is there (the status bar item and links still run it).
 */
export const HIDDEN_FROM_PALETTE: readonly CommandIdValue[] = [...TREE_ONLY_COMMANDS, CommandId.showView];

export const VIEW_ID = 'mcpLifeguard.servers';
export const EXPLORER_VIEW_ID = 'mcpLifeguard.serversExplorer';
export const VIEW_CONTAINER_ID = 'mcpLifeguard';
