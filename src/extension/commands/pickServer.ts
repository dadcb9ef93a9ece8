import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { serverState } from '../../core/report/state';
import { TreeNode } from '../viewModel/treeModel';
import { treeItem } from '../viewModel/treeItem';
import { t } from '../viewModel/l10n';

/** What a command was invoked on: a tree node, a server id (from a link or a notification), or nothing (the palette). */
export type CommandArg = TreeNode | string | undefined;

/** The server a command acts on: the node's or id's, else one the user picks among those `eligible`. */
export async function pickServer(
  svc: Services,
  arg: CommandArg,
  eligible: (s: VmServer) => boolean,
  placeHolder: string,
  none: string,
): Promise<VmServer | undefined> {
  if (typeof arg === 'string') {
    const server = svc.store.server(arg);
    // A link or notification can outlive its server (config edited since): say so rather than do nothing.
    if (!server) void vscode.window.showInformationMessage(t('That MCP server is no longer configured.'));
    return server;
  }
  if (arg && (arg.kind === 'server' || arg.kind === 'instance')) return svc.store.server(arg.server.id) ?? arg.server;
  const snap = svc.store.snapshot;
  // A server that runs on the other side of a remote window is acted on from there, never from here.
  const candidates = (snap?.servers ?? []).filter((s) => !s.elsewhere && eligible(s));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(none);
    return undefined;
  }
  const ctx = {
    trusted: svc.window().trusted,
    now: Date.now(),
    guardAvailable: svc.guardAvailable(),
    window: svc.window(),
  };
  const items = candidates.map((server) => {
    const m = treeItem({ kind: 'server', id: server.id, parentId: '', server }, ctx, snap?.workspaceFolders ?? []);
    return {
      label: server.name,
      description: m.description,
      detail: server.source.label,
      server,
      state: serverState(server).kind,
    };
  });
  // Servers needing attention first.
  const rank = {
    down: 0,
    orphan: 0,
    superseded: 0,
    stale: 1,
    duplicate: 2,
    unknown: 3,
    running: 4,
    notRunning: 5,
    disabled: 6,
    elsewhere: 7,
  } as const;
  items.sort((a, b) => rank[a.state] - rank[b.state] || a.label.localeCompare(b.label));
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true, matchOnDetail: true }))
    ?.server;
}
