import * as vscode from 'vscode';
import { killDuplicatesPlan, ShareHint } from '../../core/actions/killDuplicates';
import { stopSucceeded } from '../../core/actions/stop';
import { Services } from '../services';
import { leftoverInstances } from '../../core/report/state';
import { confirm } from '../actions/runAction';
import { CommandArg, pickServer } from './pickServer';
import { t } from '../viewModel/l10n';

/** Kill Duplicate Instances: the engine's plan (older duplicates and orphans; the newest per client stays). */
export async function killDuplicates(svc: Services, arg?: CommandArg): Promise<void> {
  const server = await pickServer(
    svc,
    arg,
    (s) => leftoverInstances(s).length > 0,
    t('Kill duplicate instances of which MCP server?'),
    t('No duplicate or orphaned instances.'),
  );
  const raw = svc.store.raw;
  if (!server || !raw) return;
  const { items: plan, shareHints } = killDuplicatesPlan(raw, server.id);
  const hint = shareHints.map(shareHintText).join(' ');
  const instances = plan.map((p) => server.instances.find((i) => i.pid === p.pid)).filter((i) => i !== undefined);
  if (plan.length === 0) {
    void vscode.window.showInformationMessage(
      [t('{0} has no duplicate or orphaned instance.', server.name), hint].filter(Boolean).join(' '),
    );
    return;
  }
  if (!(await confirm(svc, 'killDuplicates', server, instances))) return;
  const lines = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: t('Killing duplicates of {0}', server.name) },
    async (progress) => {
      const out: { ok: boolean; line: string }[] = [];
      for (const item of plan) {
        // Each stop re-identifies its process; one refusal does not stop the rest.
        const r = await svc.engine.stop(
          instances.find((i) => i.pid === item.pid) ?? item.instance,
          svc.settings().stopGraceMs,
        );
        const line = t(
          'pid {0} ({1}{2}): {3}',
          item.pid,
          item.reason,
          item.keep ? t(', pid {0} stays', item.keep) : '',
          r.message,
        );
        svc.log.info(`kill duplicates ${server.name}: ${line}`);
        progress.report({ message: line });
        out.push({ ok: stopSucceeded(r), line });
      }
      return out;
    },
  );
  void svc.refresh.request('manual');
  const text = [`${server.name}: ${lines.map((l) => l.line).join('; ')}`, hint].filter(Boolean).join(' ');
  void (lines.every((l) => l.ok) ? vscode.window.showInformationMessage(text) : vscode.window.showWarningMessage(text));
}

/** Copies several clients each run are no duplicates: sharing one is what would have avoided them (see docs/share.md). */
export function shareHintText(h: ShareHint): string {
  return t(
    '{0} copies of {1} run for {2} clients ({3}): `run --on-conflict share` serves them from one (see docs/share.md).',
    h.copies,
    h.serverName,
    h.clients.length,
    h.clients.join(', '),
  );
}
