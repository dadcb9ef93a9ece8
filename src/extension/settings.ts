import * as vscode from 'vscode';

export const SETTINGS_SECTION = 'mcpLifeguard';

/** The settings, read in one place with their defaults (package.json documents each). */
export interface Settings {
  refreshIntervalMs: number;
  sources: string[];
  singleWriterServers: string[];
  confirmDestructiveActions: boolean;
  notifyOnUpgrade: boolean;
  notifyOnRegistryUpdate: boolean;
  /** MCP Registries asked about servers' entries, in order (empty: the official one). */
  mcpRegistries: string[];
  /** Server names whose restarts never start the installed server beside the serving one, even when the entry declares `--restart-check probe`. */
  restartWithoutCheck: string[];
  stopGraceMs: number;
  autoRestartStale: 'never' | 'guardedWhenIdle';
  statusBarAlwaysShow: boolean;
  /** `mcpLifeguard.memoryBudget` (MB) in bytes: past it the badge warns; 0: no budget. */
  memoryBudgetBytes: number;
  agentServerEnabled: boolean;
}

export function readSettings(): Settings {
  const c = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  return {
    refreshIntervalMs: Math.max(1, c.get<number>('refreshInterval', 5)) * 1000,
    sources: c.get<string[]>('sources', []),
    singleWriterServers: c.get<string[]>('singleWriterServers', []),
    confirmDestructiveActions: c.get<boolean>('confirmDestructiveActions', true),
    notifyOnUpgrade: c.get<boolean>('notifications.onUpgrade', true),
    notifyOnRegistryUpdate: c.get<boolean>('notifications.onRegistryUpdate', true),
    mcpRegistries: c.get<string[]>('mcpRegistries', []).filter((u) => typeof u === 'string' && /^https?:\/\//.test(u)),
    restartWithoutCheck: Object.entries(c.get<Record<string, unknown>>('restartCheck', {}) ?? {})
      .filter(([, v]) => v === 'none')
      .map(([name]) => name),
    stopGraceMs: Math.max(0, c.get<number>('stopGracePeriod', 5)) * 1000,
    autoRestartStale: c.get<'never' | 'guardedWhenIdle'>('autoRestartStale', 'never'),
    statusBarAlwaysShow: c.get<boolean>('statusBar.alwaysShow', false),
    memoryBudgetBytes: Math.max(0, c.get<number>('memoryBudget', 0)) * 1024 * 1024,
    agentServerEnabled: c.get<boolean>('agentServer.enabled', true),
  };
}
