import * as vscode from 'vscode';
import { EngineDoor } from './engine';
import { RefreshManager } from './refreshManager';
import { Settings } from './settings';
import { SnapshotStore } from './store';
import { ServersTreeProvider } from './tree/serversTreeProvider';
import { WindowContext } from './viewModel/actionPlan';
import { EvidenceProvider } from './evidenceProvider';
import { TreeNode } from './viewModel/treeModel';
import { GuardInstall } from '../core/configEdit/guardInstall';
import { HiddenProcesses } from './hiddenProcesses';
import { OwnActions } from './ownActions';

export type GuardInstallState = GuardInstall | { state: 'pending' };

/** What commands need, passed in (no module-level globals). */
export interface Services {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly engine: EngineDoor;
  readonly store: SnapshotStore;
  readonly refresh: RefreshManager;
  readonly tree: ServersTreeProvider;
  readonly treeViews: readonly vscode.TreeView<TreeNode>[];
  readonly evidence: EvidenceProvider;
  /** Not configured processes the user hid (remembered across reloads). */
  readonly hidden: HiddenProcesses;
  /** Actions under way whose result says their consequences (no notification beside it). */
  readonly ownActions: OwnActions;
  settings(): Settings;
  window(): WindowContext;
  /** Whether the guard is installed at its stable path (Wrap with Guard needs it). */
  guardAvailable(): boolean;
  guard(): GuardInstallState;
}

/** This window, as the action plans need it. */
/** The window's workspace folders on this machine's disk (what the engine reads configs from). */
export function localWorkspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export function currentWindow(): WindowContext {
  return {
    trusted: vscode.workspace.isTrusted,
    workspaceFolders: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
    product: /insiders/i.test(vscode.env.appName) ? 'vscode-insiders' : 'vscode',
    // MCP servers VS Code starts are children of the extension host this code runs in.
    windowPids: [process.pid],
  };
}
