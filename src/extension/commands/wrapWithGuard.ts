import * as vscode from 'vscode';
import { Services } from '../services';
import { guardHomeFor, isWrapped, wrapSupport } from '../../core/configEdit/guardCommand';
import { VmServer } from '../../core/report/input';
import { mayRun } from '../viewModel/trust';
import { GuardLauncher, guardPrefix, unwrapChange, wrapChange } from '../../core/configEdit/wrapEdit';
import { guardNameFor } from '../../core/configEdit/sharePlan';
import { editConfigEntry } from './editConfigEntry';
import { resourceKeyFor } from '../../core/configEdit/resourceKey';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';
import { nextStepsAfterEdit, showOutcome } from './nextStepsAfterEdit';
import { editOutcomeText, unwrapOutcomeText } from '../viewModel/editOutcome';

function guardLauncher(svc: Services): string | undefined {
  const g = svc.guard();
  if (g.state === 'installed') return g.launcher;
  void vscode.window.showWarningMessage(
    t(
      'Wrap with Guard needs the guard installed at {0}: {1}.',
      svc.engine.paths.bin,
      g.state === 'failed' ? g.reason : t('it is being installed, try again in a moment'),
    ),
  );
  return undefined;
}

/**
 * The guard as a written entry launches it: the launcher, and `--home DIR` when this window's folder
 * of our own files is not the default (the clients that start the guard do not share its environment).
 */
export function guardLaunch(svc: Services, launcher: string): GuardLauncher {
  const home = guardHomeFor(svc.engine.host);
  return home !== undefined ? { command: launcher, home } : { command: launcher };
}

/** Wrap Server with Guard...: the client then launches the server through `mcp-lifeguard run`. Returns whether the entry was wrapped. */
export async function wrapWithGuard(svc: Services, arg?: CommandArg): Promise<boolean> {
  const launcher = guardLauncher(svc);
  if (!launcher) return false;
  const ws = svc.window();
  const eligible = (s: VmServer) =>
    !isWrapped(s) && wrapSupport(s, t).supported && mayRun('wrap', s, ws.trusted, ws.workspaceFolders).allowed;
  const server = await pickServer(
    svc,
    arg,
    eligible,
    t('Wrap which MCP server with the guard?'),
    t('No server can be wrapped: only stdio servers that are not wrapped already, in a file this window may change.'),
  );
  if (!server) return false;
  const support = wrapSupport(server, t);
  if (!support.supported) {
    void vscode.window.showWarningMessage(t('Cannot wrap {0}: {1}.', server.name, support.reason));
    return false;
  }
  const trust = mayRun('wrap', server, ws.trusted, ws.workspaceFolders);
  if (!trust.allowed) {
    void vscode.window.showWarningMessage(trust.reason);
    return false;
  }
  // Another entry of this command with other env may already run through the guard under this name.
  const name = guardNameFor(svc.store.snapshot?.servers ?? [], server);
  // The lock is keyed by the data the entry names (else its identity), never the folder the client starts it in.
  const resource = resourceKeyFor(server);
  const guard = guardLaunch(svc, launcher);
  const detail = t(
    'Its command becomes "{0} <the current command>". Comments and formatting are kept; Unwrap restores the entry. The guard keeps one instance per server and its data, and restarts it without breaking the client\'s session.',
    guardPrefix(name, guard, { resource }).join(' '),
  );
  const done = await editConfigEntry(svc, server, 'Wrap', detail, wrapChange(name, guard, { resource }));
  if (done)
    showOutcome(
      editOutcomeText(
        t('{0} now starts through the guard.', server.name),
        await nextStepsAfterEdit(svc, [server], done.before),
      ),
      true,
    );
  return done !== undefined;
}

/** Unwrap: the entry's original command and args come back. */
export async function unwrapGuard(svc: Services, arg?: CommandArg): Promise<void> {
  const server = await pickServer(
    svc,
    arg,
    isWrapped,
    t('Unwrap which MCP server?'),
    t('No server runs through the guard.'),
  );
  if (!server) return;
  const done = await editConfigEntry(
    svc,
    server,
    'Unwrap',
    t('The entry gets back the command and arguments the guard was started with.'),
    unwrapChange,
  );
  if (done) showOutcome(unwrapOutcomeText(server.name, await nextStepsAfterEdit(svc, [server], done.before)), true);
}
