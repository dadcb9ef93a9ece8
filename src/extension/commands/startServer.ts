import * as vscode from 'vscode';
import { Services } from '../services';
import { startedBy, startTarget } from '../viewModel/start';
import { VSCODE_MCP } from '../viewModel/vscodeServerId';
import { CommandArg, pickServer } from './pickServer';

const WAIT_MS = 15_000;
/** When to look after VS Code's start, rather than taking a snapshot every second. */
const LOOKS_MS = [1_500, 4_000, 8_000];

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
  // VS Code starts it in the background: a few looks (and the regular refreshes) until its process
  // shows in a snapshot (it is then listed) or the wait is over.
  const running = () => !!svc.store.snapshot?.servers.find((s) => s.id === server.id)?.instances.length;
  const shown = new Promise<boolean>((resolve) => {
    const sub = svc.store.onDidChange(() => {
      if (!running()) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(true);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(running());
    }, WAIT_MS);
  });
  const looks = LOOKS_MS.map((ms) => setTimeout(() => void svc.refresh.request('manual'), ms));
  const ok = await shown;
  looks.forEach(clearTimeout);
  if (ok) return;
  void vscode.window.showWarningMessage(`${server.name} did not show a running process within ${WAIT_MS / 1000} s of VS Code's start. Its output may say why.`, 'Show Server Log').then((c) => {
    if (c) void vscode.commands.executeCommand(VSCODE_MCP.showOutput, target.serverId);
  });
}
