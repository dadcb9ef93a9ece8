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
  StartLook,
  startLook,
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
/** How long after its process first shows a start is looked at again: a server that dies at import is gone by then. */
const VERIFY_MS = 3_000;

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
  const look = await verifiedStart(svc, server);
  if (look.kind === 'running') return started(svc, server, look.message);
  const message =
    look.kind === 'exited'
      ? look.message
      : t(
          "{0} did not show a running process within {1} s of VS Code's start. Its output may say why.",
          server.name,
          WAIT_MS / 1000,
        );
  svc.log.info(message);
  void vscode.window.showWarningMessage(message, t('Show Output')).then((c) => {
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
  const look = await verifiedStart(svc, server);
  if (look.kind === 'running') return started(svc, server, look.message);
  if (look.kind === 'exited') {
    void vscode.window.showWarningMessage(look.message);
    return;
  }
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
async function started(svc: Services, server: VmServer, message: string): Promise<void> {
  svc.log.info(message);
  void vscode.window.showInformationMessage(message);
  await showView(svc, server.id);
}

/**
 * After a start: a few looks (and the regular refreshes) until the server's process shows in a
 * snapshot (it is then listed), or the wait is over; then one more look a little later, so that a
 * server that dies at import is said to have exited, not to have started.
 */
async function verifiedStart(svc: Services, server: VmServer): Promise<StartLook> {
  const first = await lookUntil(svc, server, false, LOOKS_MS, WAIT_MS);
  if (first.kind !== 'running') return first;
  const again = await lookUntil(svc, server, true, [VERIFY_MS], VERIFY_MS + WAIT_MS, first);
  // Only its guard again (restarting its server): it started; a guard that gives up says so in its own notification.
  return again.kind === 'starting' ? first : again;
}

/** Looks at `looksMs` (and on every refresh) until a look decides (after `after`, when given), or `waitMs` is over. */
async function lookUntil(
  svc: Services,
  server: VmServer,
  shownBefore: boolean,
  looksMs: readonly number[],
  waitMs: number,
  after?: StartLook,
): Promise<StartLook> {
  const look = () => startLook(server.name, svc.store.server(server.id), shownBefore);
  let looked = after === undefined;
  const decided = new Promise<StartLook>((resolve) => {
    const sub = svc.store.onDidChange(() => {
      const now = look();
      // A verification waits for a look taken after its own request: the snapshot that showed the start says nothing new.
      if (!looked || now.kind === 'starting') return;
      clearTimeout(timer);
      sub.dispose();
      resolve(now);
    });
    const timer = setTimeout(() => {
      sub.dispose();
      resolve(look());
    }, waitMs);
  });
  const looks = looksMs.map((ms) =>
    setTimeout(() => {
      looked = true;
      void svc.refresh.request('manual');
    }, ms),
  );
  const result = await decided;
  looks.forEach(clearTimeout);
  return result;
}
