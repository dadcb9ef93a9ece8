import * as vscode from 'vscode';
import { VIEW_ID } from '../commandIds';
import { Services } from '../services';

/** Refresh: at once, not debounced. */
export async function refresh(svc: Services): Promise<void> {
  await svc.refresh.request('manual');
}

export function showLog(svc: Services): void {
  svc.log.show();
}

/** Reveal the tree (the status bar item's click); with a server id, select that server. */
export async function showView(svc: Services, serverId?: string): Promise<void> {
  await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  const node = typeof serverId === 'string' ? svc.tree.node(`server:${serverId}`) : undefined;
  if (!node) return;
  // After what the tree has to tell: VS Code then reveals once it has drawn it, and the expansion holds.
  await svc.tree.whenTold();
  await svc.treeViews[0]?.reveal(node, { select: true, focus: true, expand: true });
}
