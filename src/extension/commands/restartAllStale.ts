import * as vscode from 'vscode';
import { runAction } from '../actions/runAction';
import { Services } from '../services';
import { bulkRestartTargets } from '../viewModel/state';

/** Restart All Stale Servers: one confirmation for all, then each server by its owners' ways. */
export async function restartAllStale(svc: Services): Promise<void> {
  const targets = (svc.store.snapshot?.servers ?? []).map((server) => ({ server, instances: bulkRestartTargets(server) })).filter((t) => t.instances.length > 0);
  if (targets.length === 0) {
    void vscode.window.showInformationMessage('No MCP server is running replaced code.');
    return;
  }
  if (svc.settings().confirmDestructiveActions) {
    const detail = targets.map((t) => `${t.server.name}: ${t.instances.map((i) => `pid ${i.pid} (${i.client.name})`).join(', ')}`).join('\n');
    const ok = await vscode.window.showWarningMessage(`Restart ${targets.length} stale server${targets.length === 1 ? '' : 's'}?`, { modal: true, detail }, 'Restart');
    if (ok !== 'Restart') return;
  }
  for (const t of targets) await runAction(svc, 'restart', t.server, t.instances, { confirmed: true });
}
