import * as vscode from 'vscode';
import { Services } from '../services';
import { t } from '../viewModel/l10n';

/** A starting point for the workspace's VS Code MCP servers, opened for editing. */
const TEMPLATE = `{
  // MCP servers for this workspace. Example:
  // "memory": { "type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] }
  "servers": {}
}
`;

/** The welcome view's link: creates .vscode/mcp.json in the first folder (or opens it if it exists). */
export async function createWorkspaceMcpJson(svc: Services): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage(
      t('Open a folder first: .vscode/mcp.json belongs to a workspace folder.'),
    );
    return;
  }
  const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  const exists = await vscode.workspace.fs.stat(uri).then(
    () => true,
    () => false,
  );
  if (!exists) {
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(TEMPLATE));
    svc.log.info(`created ${uri.fsPath}`);
  }
  await vscode.window.showTextDocument(uri);
}
