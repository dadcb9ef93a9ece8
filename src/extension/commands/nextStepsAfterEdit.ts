import * as vscode from 'vscode';
import { Services } from '../services';
import { VmServer } from '../../core/report/input';
import { nextSteps } from '../../core/configEdit/nextSteps';
import { notRestartedText } from '../actions/vscodeRestart';
import { restartRewritten, startFileSiblings } from '../actions/startFileSiblings';
import { entriesEdit } from '../viewModel/fileSiblings';
import { EditFollowUp, followUpText } from '../viewModel/editOutcome';
import { isThisWindow } from '../viewModel/actionPlan';
import { vscodeServerId } from '../viewModel/vscodeServerId';
import { t } from '../viewModel/l10n';
import { isShareWrapped, isWrapped } from '../../core/configEdit/guardCommand';

/**
 * After Wrap with Guard, Unwrap, Share One Instance or Unshare wrote entries (`rewritten`, as they
 * were before the write): each client's next step, from the one table of core/configEdit/nextSteps.ts,
 * said in the log and returned for the toast (editOutcome.ts words it). VS Code's own servers that this window runs are
 * restarted here through VS Code's MCP restart (verified in the process table, as Restart is), so
 * they run the new entry at once; every other client is told what to do in it. The other servers of
 * an edited file that VS Code ran here (`before`: every server as seen right before the write) are
 * stopped by VS Code when it reads the file again: they are started again, and said.
 */
export async function nextStepsAfterEdit(
  svc: Services,
  rewritten: readonly VmServer[],
  before: readonly VmServer[],
): Promise<EditFollowUp[]> {
  const ctx = svc.window();
  const out: EditFollowUp[] = [];
  for (const step of nextSteps(rewritten, t)) {
    if (step.kind !== 'vscode') {
      out.push({ kind: 'next', text: step.text });
      continue;
    }
    const mine = rewritten.filter((s) => s.source.client === step.client);
    const instructions: string[] = [];
    for (const server of mine) {
      const id = vscodeServerId(server, ctx);
      if (id === undefined) {
        instructions.push(server.name);
        continue;
      }
      const ours = server.instances.filter((i) => isThisWindow(i, ctx));
      if (ours.length === 0) {
        // Not running here: VS Code reads the entry when it next starts the server (another window
        // running it restarts it there).
        if (server.instances.length > 0) instructions.push(server.name);
        else
          out.push({
            kind: 'next',
            text: t('VS Code: starts {0} with its new entry the next time it starts it.', server.name),
          });
        continue;
      }
      // VS Code's own restart even for a guarded instance (an Unwrap): only VS Code starts the new entry;
      // a guard would restart its child under the old one.
      const r = await restartRewritten(svc, { server, serverId: id, instances: ours }, (edited) =>
        isShareWrapped(edited) ? undefined : { kind: isWrapped(edited) ? 'guarded' : 'unguarded' },
      );
      out.push(
        r.ok
          ? { kind: 'restarted', name: server.name, from: ours.map((i) => i.pid), to: r.pids }
          : { kind: 'next', text: notRestartedText(server.name, r.seen) },
      );
    }
    if (instructions.length > 0)
      out.push({
        kind: 'next',
        text: nextSteps(
          mine.filter((s) => instructions.includes(s.name)),
          t,
        )[0].text,
      });
  }
  out.push(
    ...(await startFileSiblings(svc, before, entriesEdit(rewritten))).map((text): EditFollowUp => ({
      kind: 'done',
      text,
    })),
  );
  for (const f of out) svc.log.info(`${f.kind === 'next' ? 'next step' : 'done'}: ${followUpText(f)}`);
  return out;
}

/** A toast of what was edited and what followed (editOutcome.ts), a warning when nothing was written. */
export function showOutcome(text: string, ok: boolean): void {
  void (ok ? vscode.window.showInformationMessage(text) : vscode.window.showWarningMessage(text));
}
