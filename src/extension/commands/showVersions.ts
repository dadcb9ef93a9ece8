import * as vscode from 'vscode';
import { versionDoctor } from '../../core/report/versionDoctor';
import { Services } from '../services';
import { t } from '../viewModel/l10n';
import { versionsDocument, versionsFileName } from '../viewModel/versionsDocument';
import { CommandArg, pickServer } from './pickServer';

/**
 * Show Versions: `mcp-lifeguard doctor`'s answer for one server (what each instance runs and why,
 * every copy installed, each entry's pin, the newest release), in a Markdown preview that survives a
 * reload. Changes no config; the registries are asked only when update checks are on.
 */
export async function showVersions(svc: Services, arg?: CommandArg): Promise<void> {
  const server = await pickServer(
    svc,
    arg,
    (s) => s.upgradable === true,
    t('Show the versions of which MCP server?'),
    t('No configured MCP server runs a released npm or PyPI package.'),
  );
  const snapshot = svc.store.raw;
  if (!server || !snapshot) return;
  const settings = svc.settings();
  const facts = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: t('Reading the versions of {0}…', server.name) },
    () =>
      svc.engine.versionFacts(snapshot, server.name, {
        registryChecks: settings.notifyOnRegistryUpdate,
        mcpRegistries: settings.mcpRegistries,
        log: (m) => svc.log.debug(`engine: ${m}`),
      }),
  );
  if (!facts) {
    void vscode.window.showWarningMessage(t('{0} is no longer configured.', server.name));
    return;
  }
  const answer = versionDoctor(facts);
  svc.log.info(`show versions: ${server.name}: ${answer.findings.length} finding(s)`);
  // A file in the extension's storage, not a virtual document: the built-in Markdown preview brings
  // a file's preview back with the window after a reload, before this extension activates (a
  // content provider's URI would read as an error until then, and an untitled document is lost).
  // Show Versions writes it again each time it is asked; the page says when it was read.
  const readAt = new Date().toLocaleString();
  const folder = vscode.Uri.joinPath(svc.context.globalStorageUri, 'versions');
  const uri = vscode.Uri.joinPath(folder, versionsFileName(server.name));
  try {
    await vscode.workspace.fs.createDirectory(folder);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(versionsDocument(answer, readAt), 'utf8'));
  } catch (e) {
    svc.log.warn(`show versions: ${uri.fsPath} not written (${(e as Error).message}); shown unsaved`);
    await showDocument(svc.evidence.add(`${server.name}-versions`, versionsDocument(answer, readAt), 'md'));
    return;
  }
  await showDocument(uri);
}

async function showDocument(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // No Markdown preview (the built-in extension disabled): the text itself, read-only.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}
