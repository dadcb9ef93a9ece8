import * as vscode from 'vscode';
import { Services } from '../services';
import { startedBy, startTarget } from '../viewModel/start';
import { VSCODE_MCP } from '../viewModel/vscodeServerId';
import { CommandArg, pickServer } from './pickServer';

const WAIT_MS = 15_000;

/**
 * Start Server: a configured server VS Code itself runs is started through VS Code (its own
 * command, so VS Code owns the process as when it starts it itself); then the snapshot is taken
 * again until the instance shows. Any other server is started by its client, which the message names.
 */
export async function startServer(svc: Services, arg?: CommandArg): Promise<void> {
  const ws = svc.window();
  const server = await pickServer(svc, arg, (s) => startTarget(s, ws, ws.trusted, ws.workspaceFolders) !== undefined, 'Start which MCP server?', 'No server that is not running can be started from here: VS Code starts its own, other clients theirs.');
  if (!server) return;
  const target = startTarget(server, ws, ws.trusted, ws.workspaceFolders);
  if (!target) {
    void vscode.window.showInformationMessage(`${server.name} is not started from here. ${startedBy(server)}`);
    return;
  }
  svc.log.info(`start ${server.name}: ${target.command} ${target.serverId}`);
  await vscode.commands.executeCommand(target.command, target.serverId);
  // VS Code starts it in the background: look until its process shows (it is then listed).
  for (let waited = 0; waited < WAIT_MS; waited += 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    await svc.refresh.request('manual');
    if (svc.store.snapshot?.servers.find((s) => s.id === server.id)?.instances.length) return;
  }
  void vscode.window.showWarningMessage(`${server.name} did not show a running process within ${WAIT_MS / 1000} s of VS Code's start. Its output may say why.`, 'Show Server Log').then((c) => {
    if (c) void vscode.commands.executeCommand(VSCODE_MCP.showOutput, target.serverId);
  });
}
