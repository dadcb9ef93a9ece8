import * as path from 'node:path';
import * as vscode from 'vscode';
import { Services } from '../services';
import { evidenceDocument } from '../../core/report/evidenceDocument';
import { clientLogDocument, ClientLogView, serverLogTarget } from '../viewModel/serverLog';
import { localWorkspaceFolders } from '../services';
import { TreeNode } from '../viewModel/treeModel';
import { VmInstance, VmServer } from '../../core/report/input';
import { CommandArg, pickServer } from './pickServer';
import { commandLineToCopy } from '../viewModel/commandLine';
import { t } from '../viewModel/l10n';

/** Open Config: the server's file at its entry. */
export async function openConfig(_svc: Services, node?: TreeNode): Promise<void> {
  if (node?.kind !== 'server') return;
  const pos = node.server.position;
  await openAt(node.server.source.file, pos?.line ?? 1, pos?.column ?? 1);
}

/** A Problems row: the file at the reported line and column (1-based, as the engine reports). */
export async function openProblem(_svc: Services, file?: string, line = 1, column = 1): Promise<void> {
  if (file) await openAt(file, line, column);
}

async function openAt(file: string, line: number, column: number): Promise<void> {
  const at = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(at, at), preview: true });
}

/** Show Evidence: a summary (verdict, why, what to do), then the engine's description of a server or instance, read-only. */
export async function showEvidence(svc: Services, node?: TreeNode): Promise<void> {
  if (!node) return;
  const target =
    node.kind === 'server'
      ? { server: node.server }
      : node.kind === 'instance'
        ? { server: node.server, instance: node.instance }
        : node.kind === 'unconfigured'
          ? { instance: node.instance }
          : undefined;
  if (!target) return;
  const name =
    node.kind === 'server'
      ? `${node.server.name}-evidence`
      : `pid-${'instance' in target ? target.instance?.pid : ''}-evidence`;
  const doc = await vscode.workspace.openTextDocument(svc.evidence.add(name, evidenceDocument(target)));
  // JSON with comments: the summary lines are comments above the evidence.
  await vscode.languages.setTextDocumentLanguage(doc, 'jsonc');
  await vscode.window.showTextDocument(doc, { preview: true });
}

/** Copy PID from an instance row. */
export async function copyPid(_svc: Services, node?: TreeNode): Promise<void> {
  if (node?.kind !== 'instance' && node?.kind !== 'unconfigured') return;
  await vscode.env.clipboard.writeText(String(node.instance.pid));
  void vscode.window.setStatusBarMessage(t('Copied pid {0}', node.instance.pid), 2000);
}

/** Copy Command Line from an instance or Not configured row: redacted (no env value, token or credential in a URL). */
export async function copyCommandLine(_svc: Services, node?: TreeNode): Promise<void> {
  if (node?.kind !== 'instance' && node?.kind !== 'unconfigured') return;
  const line = commandLineToCopy(node.instance);
  if (line === undefined) return;
  await vscode.env.clipboard.writeText(line);
  void vscode.window.setStatusBarMessage(
    t('Copied the command line of pid {0} (secrets redacted)', node.instance.pid),
    2000,
  );
}

/**
 * Show Server Log: a guarded server's log file (its stderr, kept by the guard), scrolled to the end;
 * for a server VS Code itself runs, VS Code's own output for that server; for an unguarded instance
 * of Claude Code, Claude Desktop or Copilot CLI, the end of the log that client keeps of it, masked,
 * in a read-only document scrolled to the end.
 */
export async function showServerLog(svc: Services, arg?: CommandArg): Promise<void> {
  // Without its row (a refresh of the tree met the click), the server is asked for, as other commands do.
  const logOf = (s: VmServer, i?: VmInstance) => serverLogTarget(s, i, svc.window(), svc.engine.paths.logs, path.sep);
  const server = await pickServer(
    svc,
    arg,
    (s) => logOf(s) !== undefined,
    t('Show the log of which MCP server?'),
    t('No MCP server has a log MCP Lifeguard can show.'),
  );
  if (!server) return;
  const row = typeof arg === 'object' && arg.kind === 'instance' ? arg.instance : undefined;
  const target = logOf(server, row);
  if (!target) {
    void vscode.window.showInformationMessage(
      t(
        '{0} has no log MCP Lifeguard can show: it is not guarded, not run by VS Code, and its client keeps no log of it that MCP Lifeguard can find.',
        server.name,
      ),
    );
    return;
  }
  if (target.kind === 'vscode') {
    await vscode.commands.executeCommand(target.command, target.serverId);
    return;
  }
  if (target.kind === 'file') {
    await openAtEnd(vscode.Uri.file(target.file));
    return;
  }
  const instance = server.instances.find((i) => i.pid === target.query.pid);
  if (!instance) return;
  let view: ClientLogView;
  try {
    const workspaceFile = vscode.workspace.workspaceFile;
    const log = await svc.engine.clientLog(target.query, target.envKeys, {
      workspaceFolders: localWorkspaceFolders(),
      workspaceFiles: workspaceFile?.scheme === 'file' ? [workspaceFile.fsPath] : [],
    });
    view = clientLogDocument(server, instance, log);
  } catch (err) {
    svc.log.warn(`show server log: ${target.clientName}'s log of pid ${instance.pid}: ${(err as Error).message}`);
    view = {
      kind: 'message',
      text: t("{0}'s log of {1} cannot be read: {2}", target.clientName, server.name, (err as Error).message),
    };
  }
  if (view.kind === 'message') {
    void vscode.window.showInformationMessage(view.text);
    return;
  }
  svc.log.info(`show server log: ${view.text.split('\n')[0]}`);
  await openAtEnd(svc.evidence.add(view.name, view.text, 'log'));
}

/** A document opened in preview, its last line selected. */
async function openAtEnd(uri: vscode.Uri): Promise<void> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const end = new vscode.Position(Math.max(0, doc.lineCount - 1), 0);
  await vscode.window.showTextDocument(doc, { preview: true, selection: new vscode.Range(end, end) });
}
