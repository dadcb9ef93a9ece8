import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { McpLifeguardApi } from '../../api/mcp-lifeguard';
import { registerAgentServerProvider } from './agentServerProvider';
import { createApi } from './api';
import { EXPLORER_VIEW_ID, VIEW_ID } from './commandIds';
import { registerCommands } from './commands/registerCommands';
import { createEngine } from './engine';
import { EVIDENCE_SCHEME, EvidenceProvider } from './evidenceProvider';
import { Notifier } from './notifier';
import { RefreshManager } from './refreshManager';
import { OwnActions } from './ownActions';
import { currentWindow, GuardInstallState, localWorkspaceFolders, Services } from './services';
import { findRuntime, installGuard } from '../core/configEdit/guardInstall';
import { readSettings, Settings, SETTINGS_SECTION } from './settings';
import { createProblemsPanel } from './problemsPanel';
import { createStatusBar } from './statusBar';
import { SnapshotStore } from './store';
import { ServersTreeProvider } from './tree/serversTreeProvider';
import { viewDescription } from './viewModel/tree';
import { instancesNeedingRestart } from '../core/report/state';
import { watchTargets } from './viewModel/watchTargets';
import { shouldPoll } from './viewModel/notConfigured';
import { settling } from '../core/snapshot/settle';
import { watchedMachine } from '../core/snapshot/sides';
import { useTranslator } from './viewModel/l10n';
import { HiddenProcesses } from './hiddenProcesses';
import { isWrapped } from '../core/configEdit/guardCommand';
import { filterNote } from './viewModel/sourcesFilter';

/**
 * Activation wires the pieces and returns: the first snapshot (config scan + process table) runs
 * right after, off the activation path. This file is a table of contents; each piece has its own.
 */
export function activate(context: vscode.ExtensionContext): McpLifeguardApi {
  // Every string the extension shows is translated by VS Code (l10n/bundle.l10n.<language>.json).
  useTranslator((message, ...args) => vscode.l10n.t(message, ...args));
  const activatedAt = Date.now();
  const log = vscode.window.createOutputChannel('MCP Lifeguard', { log: true });
  const engine = createEngine();
  // Where this extension host runs, and so which machine's processes it sees: the remote, in a remote window.
  const watching = watchedMachine(vscode.env.remoteName, engine.host, os.hostname());
  const store = new SnapshotStore();
  const evidence = new EvidenceProvider();
  let settings: Settings = readSettings();
  let guard: GuardInstallState = { state: 'pending' };
  const guardAvailable = () => guard.state === 'installed';
  const hidden = new HiddenProcesses(context.globalState);

  const tree = new ServersTreeProvider(
    store,
    () => ({
      trusted: vscode.workspace.isTrusted,
      now: Date.now(),
      guardAvailable: guardAvailable(),
      window: currentWindow(),
      home: os.homedir(),
      logsDir: engine.paths.logs,
      servers: store.snapshot?.servers ?? [],
      machine: store.snapshot?.machine,
      diagnostics: store.snapshot?.diagnostics ?? [],
    }),
    () => ({ hidden: hidden.keys() }),
  );
  const treeViews = [VIEW_ID, EXPLORER_VIEW_ID].map((id) =>
    vscode.window.createTreeView(id, { treeDataProvider: tree, showCollapseAll: true }),
  );
  // The views' header names the machine watched, in a remote window.
  for (const view of treeViews) view.description = viewDescription(watching);

  // While a client filter is on, the view says so, and how to see every client again.
  const showFilterNote = (): void => {
    const note = filterNote(settings.sources);
    for (const view of treeViews) view.message = note;
  };
  showFilterNote();

  let firstLook = true;
  let versionsLogged = false;
  const load = async (): Promise<void> => {
    const workspaceFolders = localWorkspaceFolders();
    try {
      const workspaceFile = vscode.workspace.workspaceFile;
      const request = {
        workspaceFolders,
        workspaceFiles: workspaceFile?.scheme === 'file' ? [workspaceFile.fsPath] : [],
        singleWriter: settings.singleWriterServers,
        // Until VS Code trusts the workspace, no URL its configs name is requested.
        workspaceTrusted: vscode.workspace.isTrusted,
        watching,
        registryChecks: settings.notifyOnRegistryUpdate,
        mcpRegistries: settings.mcpRegistries,
        log: (m: string) => log.debug(`engine: ${m}`),
      };
      if (firstLook) {
        // What is cheap first (configs and processes), so the badge counts at once; versions follow.
        firstLook = false;
        store.setSnapshot(await engine.snapshot({ ...request, withoutVersions: true }), settings.sources, {
          versionsPending: true,
        });
        log.info(`first badge after ${Date.now() - activatedAt} ms (configs and processes; versions follow)`);
      }
      const raw = await engine.snapshot(request);
      if (!versionsLogged) {
        versionsLogged = true;
        log.info(`versions after ${Date.now() - activatedAt} ms`);
      }
      store.setSnapshot(raw, settings.sources);
      // Worded only when someone reads it: this runs after every snapshot.
      if (log.logLevel <= vscode.LogLevel.Debug && log.logLevel !== vscode.LogLevel.Off)
        log.debug(`engine cache: ${engine.cacheStats()}`);
      refresh.watch(watchTargets(raw, path.dirname, path.basename));
      refresh.setPolling(shouldPoll(raw));
      refresh.setSettling(settling(raw));
      const snap = store.snapshot;
      void vscode.commands.executeCommand('setContext', 'mcpLifeguard.loaded', true);
      void vscode.commands.executeCommand(
        'setContext',
        'mcpLifeguard.hasStale',
        !!snap?.servers.some((s) => instancesNeedingRestart(s).length > 0),
      );
      // Unwrap Server from Guard... is in the Command Palette while some entry runs through the guard.
      void vscode.commands.executeCommand('setContext', 'mcpLifeguard.hasWrapped', !!snap?.servers.some(isWrapped));
    } catch (err) {
      store.setFailed(err instanceof Error ? err.message : String(err));
      throw err;
    }
  };
  const refresh = new RefreshManager(load, () => settings.refreshIntervalMs, log);
  // The tree is told what changed only while a view of it shows, and the poll slows while none does.
  const viewsShown = (): void => {
    tree.setVisibleViews(treeViews.filter((v) => v.visible).length);
    refresh.setViewVisible(treeViews.some((v) => v.visible));
  };
  viewsShown();

  const agentServer = registerAgentServerProvider({
    enabled: () => settings.agentServerEnabled,
    launcher: () => (guard.state === 'installed' ? guard.launcher : undefined),
    workspaceFolders: localWorkspaceFolders,
    version: context.extension.packageJSON.version as string,
    log: (line) => log.info(line),
  });

  const svc: Services = {
    context,
    log,
    engine,
    store,
    refresh,
    tree,
    treeViews,
    evidence,
    hidden,
    ownActions: new OwnActions(),
    settings: () => settings,
    window: currentWindow,
    guardAvailable,
    guard: () => guard,
  };
  const api = createApi(svc);

  context.subscriptions.push(
    log,
    store,
    tree,
    hidden,
    hidden.onDidChange(() => tree.refresh()),
    ...treeViews,
    ...treeViews.flatMap((v) => [
      v.onDidChangeVisibility(viewsShown),
      v.onDidExpandElement((e) => tree.noteExpanded(e.element, true)),
      v.onDidCollapseElement((e) => tree.noteExpanded(e.element, false)),
    ]),
    refresh,
    createStatusBar(store, () => ({
      alwaysShow: settings.statusBarAlwaysShow,
      memoryBudgetBytes: settings.memoryBudgetBytes,
    })),
    createProblemsPanel(store),
    new Notifier(svc),
    vscode.workspace.registerTextDocumentContentProvider(EVIDENCE_SCHEME, evidence),
    ...registerCommands(svc),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_SECTION)) return;
      settings = readSettings();
      showFilterNote();
      agentServer?.changed();
      void refresh.request('config');
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      agentServer?.changed();
      void refresh.request('config');
    }),
    // Trust changes what may be restarted or wrapped, and lets the workspace's URL entries be asked:
    // menus are recomputed at once, and a new snapshot looks at those URLs.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      agentServer?.changed();
      tree.refresh();
      void refresh.request('config');
    }),
    ...(agentServer ? [agentServer.disposable] : []),
    api,
  );
  log.info(`MCP Lifeguard ${context.extension.packageJSON.version as string} activated`);
  setTimeout(() => void refresh.request('manual'), 0);
  // Keeps the guard that wrapped configs point at current with this extension's CLI (off the activation path).
  setTimeout(() => {
    guard = installGuard({
      binDir: engine.paths.bin,
      root: engine.paths.root,
      cliSource: context.asAbsolutePath('dist/cli.js'),
      platform: process.platform,
      runtime: findRuntime(process.env, process.platform, process.execPath),
    });
    if (guard.state === 'installed')
      log.info(`guard ${guard.changed ? 'installed' : 'up to date'} at ${guard.launcher}`);
    else log.warn(`the guard could not be installed: ${guard.state === 'failed' ? guard.reason : ''}`);
    void vscode.commands.executeCommand('setContext', 'mcpLifeguard.guardAvailable', guardAvailable());
    agentServer?.changed();
    tree.refresh();
  }, 0);
  // Other extensions get the versioned API (api/mcp-lifeguard.d.ts), not the disposable behind it.
  const { dispose: _dispose, ...publicApi } = api;
  return publicApi;
}

export function deactivate(): void {
  // Disposables registered on the context are released by VS Code.
}
