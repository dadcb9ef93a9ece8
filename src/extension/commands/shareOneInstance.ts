import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { canShare, sharePlan } from '../../core/configEdit/sharePlan';
import { mayRun } from '../viewModel/trust';
import { computeWrap, entryFormatFor } from '../../core/configEdit/wrapEdit';
import { editConfigEntry } from './editConfigEntry';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';

/**
 * Share One Instance...: a server several clients each run a copy of gets, in every client's entry,
 * `mcp-lifeguard run --on-conflict share --name N -- <its command>` (Wrap with Guard's edit, one diff
 * and one question per file), so the clients use one server process (README, "Share one server").
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
  const server = await pickServer(
    svc,
    arg,
    (s) => canShare(servers, s, undefined, t),
    t('Share one instance of which MCP server?'),
    t('No server runs a copy in each of several clients that Share One Instance could rewrite.'),
  );
  if (!server) return 0;
  const ws = svc.window();
  const refusal = (s: VmServer) => {
    const r = mayRun('wrap', s, ws.trusted, ws.workspaceFolders);
    return r.allowed ? undefined : r.reason;
  };
  const plan = sharePlan(servers, server, refusal, t);
  const detail = t(
    'Its command becomes "{0} run --on-conflict share --name {1} -- <the current command>", as in every other client\'s entry of this server: the clients then use one server process. Comments and formatting are kept; Unwrap restores the entry.',
    g.launcher,
    plan.name,
  );
  let done = 0;
  const left: string[] = [];
  for (const step of plan.steps) {
    if (!step.rewrite) {
      left.push(t('{0} ({1}): {2}', step.server.name, step.server.source.label, step.reason));
      continue;
    }
    const s = step.server;
    const ok = await editConfigEntry(svc, s, 'Wrap', detail, (text) =>
      computeWrap(text, s.keyPath, plan.name, { command: g.launcher }, entryFormatFor(s.source.file), {
        share: true,
        t,
      }),
    );
    if (ok) done++;
    else left.push(t('{0} ({1}): not rewritten', s.name, s.source.label));
  }
  const summary = t(
    '{0} of {1} entries of {2} now share one server; each client uses it the next time it starts the server.',
    done,
    plan.steps.length,
    plan.name,
  );
  const text = [summary, ...(left.length ? [t('Left as they are: {0}.', left.join('; '))] : [])].join(' ');
  void (done > 0 ? vscode.window.showInformationMessage(text) : vscode.window.showWarningMessage(text));
  return done;
}
