import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { canShare, sharePlan } from '../../core/configEdit/sharePlan';
import { mayRun } from '../viewModel/trust';
import { guardPrefix, unwrapChange, wrapChange } from '../../core/configEdit/wrapEdit';
import { isShareWrapped, wrappedName } from '../../core/configEdit/guardCommand';
import { editPlan } from './editConfigEntry';
import { guardLaunch } from './wrapWithGuard';
import { resourceOption } from '../../core/configEdit/resourceKey';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';
import { shareLeftText, shareOrder, shareQuestionDetail } from '../viewModel/shareWords';
import { nextStepsAfterEdit, showOutcome } from './nextStepsAfterEdit';
import { editOutcomeText } from '../viewModel/editOutcome';

/** The entries of a plan as the log names them: each with its client and file. */
function entryList(servers: readonly VmServer[]): string {
  return servers.map((s) => `${s.name} (${s.source.label}, ${s.source.file})`).join(', ');
}

/**
 * Share One Instance...: a server several clients each run a copy of gets, in every client's entry,
 * `mcp-lifeguard run --on-conflict share --name N -- <its command>` (Wrap with Guard's edit, one diff
 * and one question per file), so the clients use one server process (docs/share.md).
 */
export async function shareOneInstance(svc: Services, arg?: CommandArg): Promise<number> {
  const g = svc.guard();
  if (g.state !== 'installed') {
    void vscode.window.showWarningMessage(
      t(
        'Share One Instance needs the guard installed at {0}: {1}.',
        svc.engine.paths.bin,
        g.state === 'failed' ? g.reason : t('it is being installed, try again in a moment'),
      ),
    );
    return 0;
  }
  const servers = svc.store.snapshot?.servers ?? [];
  const ws = svc.window();
  const refusal = (s: VmServer) => {
    const r = mayRun('wrap', s, ws.trusted, ws.workspaceFolders);
    return r.allowed ? undefined : r.reason;
  };
  const server = await pickServer(
    svc,
    arg,
    (s) => canShare(servers, s, refusal, t),
    t('Share one instance of which MCP server?'),
    t('No server runs a copy in each of several clients that Share One Instance could rewrite.'),
  );
  if (!server) return 0;
  // From a row or a link: the entry itself may be one this window may not change.
  const refused = refusal(server);
  if (refused !== undefined) {
    void vscode.window.showWarningMessage(refused);
    return 0;
  }
  const plan = sharePlan(servers, server, refusal, t);
  const guard = guardLaunch(svc, g.launcher);
  const options = { share: true, resource: plan.resource };
  const command = t(
    'Its command becomes "{0} <the current command>", as in every other client\'s entry of this server: the clients then use one server process, whatever folder each starts it in. Comments and formatting are kept; Unwrap restores the entry.',
    guardPrefix(plan.name, guard, options).join(' '),
  );
  const left = plan.steps.flatMap((step) => (step.rewrite ? [] : [shareLeftText(step.server, step.reason)]));
  // The file the user picked from is asked about first; the first question says why others are too.
  const rewrite = shareOrder(
    plan.steps.flatMap((step) => (step.rewrite ? [step.server] : [])),
    server,
  );
  const detail = (file: string) => shareQuestionDetail(rewrite, plan.name, file, command);
  const r = await editPlan(svc, rewrite, 'Share', detail, () => wrapChange(plan.name, guard, options), 'caller');
  if (!r) {
    void vscode.window.showInformationMessage(t('Share One Instance cancelled: nothing was written.'));
    return 0;
  }
  // One line for the share: the entries it put behind one instance, not one "wrap" line each.
  svc.log.info(
    `share ${plan.name}: ${r.done.length} of ${rewrite.length} entries behind one instance (run --on-conflict share --name ${plan.name} ${resourceOption(plan.resource)}): ${entryList(r.done)}`,
  );
  for (const s of r.left) left.push(shareLeftText(s, t('not rewritten')));
  const summary = t('{0} of {1} entries of {2} now share one server.', r.done.length, rewrite.length, plan.name);
  const text = [summary, ...(left.length ? [t('Left as they are: {0}.', left.join('; '))] : [])].join(' ');
  showOutcome(
    editOutcomeText(text, r.done.length > 0 ? await nextStepsAfterEdit(svc, r.done, r.before) : []),
    r.done.length > 0,
  );
  return r.done.length;
}

/**
 * Unshare Server...: every entry that shares the chosen server (`run --on-conflict share --name N`,
 * in every client's file) gets back the command the guard ran, in one plan: each file's diff is
 * asked about, and nothing is written unless every file is agreed.
 */
export async function unshareServer(svc: Services, arg?: CommandArg): Promise<number> {
  const servers = svc.store.snapshot?.servers ?? [];
  const server = await pickServer(
    svc,
    arg,
    (s) => isShareWrapped(s),
    t('Unshare which MCP server?'),
    t('No server is shared with --on-conflict share.'),
  );
  if (!server) return 0;
  const name = wrappedName(server);
  if (!isShareWrapped(server) || name === undefined) {
    void vscode.window.showInformationMessage(t('{0} is not shared with --on-conflict share.', server.name));
    return 0;
  }
  const ws = svc.window();
  const sharing = servers.filter((s) => isShareWrapped(s) && wrappedName(s) === name);
  const left: string[] = [];
  const rewrite = sharing.filter((s) => {
    const r = mayRun('wrap', s, ws.trusted, ws.workspaceFolders);
    if (!r.allowed) left.push(shareLeftText(s, r.reason));
    return r.allowed;
  });
  const r = await editPlan(
    svc,
    rewrite,
    'Unwrap',
    t(
      'Each entry gets back the command and arguments the guard was started with; each client starts its own copy again.',
    ),
    () => unwrapChange,
    'caller',
  );
  if (!r) {
    void vscode.window.showInformationMessage(t('Unshare cancelled: nothing was written.'));
    return 0;
  }
  svc.log.info(`unshare ${name}: ${r.done.length} of ${rewrite.length} entries restored: ${entryList(r.done)}`);
  for (const s of r.left) left.push(shareLeftText(s, t('not rewritten')));
  const summary = t(
    '{0} of {1} entries no longer share {2}; each client starts its own copy from its next start.',
    r.done.length,
    rewrite.length,
    name,
  );
  const text = [summary, ...(left.length ? [t('Left as they are: {0}.', left.join('; '))] : [])].join(' ');
  showOutcome(
    editOutcomeText(text, r.done.length > 0 ? await nextStepsAfterEdit(svc, r.done, r.before) : []),
    r.done.length > 0,
  );
  return r.done.length;
}
