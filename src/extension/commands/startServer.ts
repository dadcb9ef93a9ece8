import * as vscode from 'vscode';
import { Services } from '../services';
import { readHttpLaunch } from '../../core/http/launchRecord';
import { VmServer } from '../../core/report/input';
import { runEnsure } from '../actions/runEnsure';
import { shownText } from '../viewModel/format';
import {
  ensureCommandText,
  ensureStartQuestion,
  startedBy,
  startedMessage,
  StartTarget,
  startTarget,
} from '../viewModel/start';
import { showView } from './view';
import { VSCODE_MCP } from '../viewModel/vscodeServerId';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';

const WAIT_MS = 15_000;
/** When to look after VS Code's start, rather than taking a snapshot every second. */
const LOOKS_MS = [1_500, 4_000, 8_000];

/**
 * Start Server: a configured server VS Code itself runs is started through VS Code (its own
 * command, so VS Code owns the process as when it starts it itself); an HTTP server through the
 * `ensure` command recorded for its port; then the snapshot is taken again until the instance
 * shows. Any other server is started by its client, which the message names.
 */
export async function startServer(svc: Services, arg?: CommandArg): Promise<void> {
  const ws = svc.window();
  const server = await pickServer(
    svc,
    arg,
    (s) => startTarget(s, ws, ws.trusted, ws.workspaceFolders) !== undefined,
    t('Start which MCP server?'),
    t('No server that is not running can be started from here: VS Code starts its own, other clients theirs.'),
  );
  if (!server) return;
  const target = startTarget(server, ws, ws.trusted, ws.workspaceFolders);
  if (!target) {
    void vscode.window.showInformationMessage(t('{0} is not started from here. {1}', server.name, startedBy(server)));
    return;
  }
  if (target.kind === 'ensure') return startThroughEnsure(svc, server, target);
  svc.log.info(`start ${server.name}: ${target.command} ${target.serverId}`);
  await vscode.commands.executeCommand(target.command, target.serverId);
  if (await shownRunning(svc, server.id)) return started(svc, server);
  void vscode.window
    .showWarningMessage(
      t(
        "{0} did not show a running process within {1} s of VS Code's start. Its output may say why.",
        server.name,
        WAIT_MS / 1000,
      ),
      t('Show Server Log'),
    )
    .then((c) => {
      if (c) void vscode.commands.executeCommand(VSCODE_MCP.showOutput, target.serverId);
    });
}

/**
 * An HTTP server: the `ensure` command line recorded for its port, shown in full and confirmed,
 * then read again from the private record (what runs is what was recorded, never the snapshot's
 * copy, which redaction may have touched) and run with the installed guard.
 */
async function startThroughEnsure(
  svc: Services,
  server: VmServer,
  target: Extract<StartTarget, { kind: 'ensure' }>,
): Promise<void> {
  const g = svc.guard();
  if (g.state !== 'installed') {
    void vscode.window.showWarningMessage(
      t(
        '{0} cannot be started yet: the guard that runs `ensure` is not installed{1}.',
        server.name,
        g.state === 'failed' ? ` (${g.reason})` : '',
      ),
    );
    return;
  }
  const answer = await vscode.window.showInformationMessage(
    ensureStartQuestion(server.name, target),
    { modal: true },
    t('Start'),
  );
  if (answer !== t('Start')) return;
  const record = await readHttpLaunch(svc.engine.paths, server.url);
  if (!record || record.argv.join('\0') !== target.argv.join('\0') || record.cwd !== target.cwd) {
    void vscode.window.showWarningMessage(
      t(
        '{0} was not started: the command recorded for its port changed since it was shown. Look again and retry.',
        server.name,
      ),
    );
    void svc.refresh.request('manual');
    return;
  }
  svc.log.info(`start ${server.name}: ${ensureCommandText(record.argv)} (in ${record.cwd})`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Starting ${server.name}...` },
    () => runEnsure(g.launcher, record.argv, record.cwd),
  );
  if (!result.ok) {
    svc.log.warn(`start ${server.name} failed: ${result.message}`);
    void vscode.window.showErrorMessage(t('{0} did not start: {1}', server.name, shownText(result.message)));
    return;
  }
  if (await shownRunning(svc, server.id)) return started(svc, server);
  void vscode.window.showWarningMessage(
    t(
      '{0} answers at {1}, but its process did not show within {2} s.',
      server.name,
      shownText(result.url ?? server.url ?? ''),
      WAIT_MS / 1000,
    ),
  );
}

/** Says what started (its pids) and reveals its row, expanded to show the new instance. */
async function started(svc: Services, server: VmServer): Promise<void> {
  const now = svc.store.server(server.id);
  const message = startedMessage(server.name, now?.instances.map((i) => i.pid) ?? []);
  svc.log.info(message);
  void vscode.window.showInformationMessage(message);
  await showView(svc, server.id);
}

/**
 * After a start: a few looks (and the regular refreshes) until the server's process shows in a
 * snapshot (it is then listed), or the wait is over.
 */
async function shownRunning(svc: Services, serverId: string): Promise<boolean> {
  const running = () => !!svc.store.snapshot?.servers.find((s) => s.id === serverId)?.instances.length;
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
  return ok;
}
