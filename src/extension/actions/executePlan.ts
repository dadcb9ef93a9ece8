import * as vscode from 'vscode';
import { stopSucceeded } from '../../core/actions/stop';
import { ControlUnreachableError } from '../../core/control';
import { Services } from '../services';
import {
  ActionKind,
  guardStepResult,
  pidAndClients,
  PlanStep,
  stepVerb,
  verifyVsCodeStep,
} from '../viewModel/actionPlan';
import { pidsMoved } from '../viewModel/format';
import { VmInstance, VmServer } from '../../core/report/input';
import { t } from '../viewModel/l10n';
import { VSCODE_MCP } from '../viewModel/vscodeServerId';

/** What running a plan did, in lines a person reads. */
export interface ExecutionReport {
  ok: boolean;
  lines: string[];
  /** Sentences about what the user must do next (a client that must reconnect). */
  afterward: string[];
  offerWrap: boolean;
}

/** How long VS Code gets to stop and start its server before we look again and fall back. */
const VSCODE_VERIFY_MS = 25_000;
const VSCODE_POLL_MS = 1_000;
/** How long a restarted server may take to come back before VS Code is asked to start it. */
const VSCODE_RESTART_SETTLE_MS = 4_000;

export async function executePlan(
  svc: Services,
  action: ActionKind,
  server: VmServer,
  steps: readonly PlanStep[],
  progress: vscode.Progress<{ message?: string }>,
  /** The user chose Restart Anyway: a guard restarts even when the installed code will probably not start. */
  force = false,
): Promise<ExecutionReport> {
  const report: ExecutionReport = { ok: true, lines: [], afterward: [], offerWrap: false };
  let verb: ActionKind = action;
  const note = (ok: boolean, line: string) => {
    report.ok &&= ok;
    report.lines.push(line);
    svc.log[ok ? 'info' : 'warn'](`${verb} ${server.name}: ${line}`);
    progress.report({ message: line });
  };
  for (const step of steps) {
    // Logged as what it does: a restart of another client's instance is a stop.
    verb = stepVerb(action, step);
    switch (step.kind) {
      case 'guard':
        await guardStep(svc, server.name, step, note, force);
        break;
      case 'vscode':
        await vscodeStep(svc, action, server, step, note);
        break;
      case 'terminate':
        await terminate(svc, step.instances, note);
        report.afterward.push(step.afterward);
        report.offerWrap ||= step.offerWrap;
        break;
    }
  }
  return report;
}

type Note = (ok: boolean, line: string) => void;

async function guardStep(
  svc: Services,
  serverName: string,
  step: Extract<PlanStep, { kind: 'guard' }>,
  note: Note,
  force: boolean,
): Promise<void> {
  const pid = step.instance.pid;
  try {
    const reply =
      step.op === 'restart'
        ? await svc.engine.guardRestart(step.endpoint, {
            force,
            ...(svc.settings().restartWithoutCheck.includes(serverName) ? { check: 'none' as const } : {}),
          })
        : await svc.engine.guardShutdown(step.endpoint);
    // `pid` is its server's (the row's), not its guard's: said as such.
    if (!reply.ok)
      return note(
        false,
        step.op === 'restart'
          ? t('its guard did not restart pid {0}: {1}', pid, reply.error)
          : t('its guard did not stop pid {0}: {1}', pid, reply.error),
      );
    const child = step.op === 'restart' ? (reply.result as { childPid?: number }).childPid : undefined;
    note(true, guardStepResult(step, child));
  } catch (err) {
    const why = err instanceof ControlUnreachableError ? t('its guard does not answer') : (err as Error).message;
    note(false, t('pid {0}: {1}; nothing was changed', pid, why));
  }
}

async function vscodeStep(
  svc: Services,
  action: ActionKind,
  server: VmServer,
  step: Extract<PlanStep, { kind: 'vscode' }>,
  note: Note,
): Promise<void> {
  await vscode.commands.executeCommand(step.command, step.serverId);
  // VS Code ignores an id it does not know, so only the process table says whether it worked.
  const asked = Date.now();
  const until = asked + VSCODE_VERIFY_MS;
  const askedAgain = { start: false, restart: false };
  let verdict = verifyVsCodeStep(action, step.instances, server, step.runs);
  for (;;) {
    await new Promise((r) => setTimeout(r, VSCODE_POLL_MS));
    await svc.refresh.request('manual');
    verdict = verifyVsCodeStep(action, step.instances, svc.store.server(server.id), step.runs);
    if (verdict.kind === 'done' || Date.now() >= until) break;
    // Right after a config edit (Wrap), VS Code may restart the entry it had read before the edit and
    // stop it again once it reads the file: the old process is gone and nothing runs. Asked once more
    // to start, it starts the entry as the file now says; a copy of the old entry it left running is
    // restarted once more, by then from the file as it is.
    if (action !== 'restart' || Date.now() - asked < VSCODE_RESTART_SETTLE_MS) continue;
    const again = verdict.kind === 'notStarted' ? 'start' : verdict.kind === 'oldEntry' ? 'restart' : undefined;
    if (again && !askedAgain[again]) {
      askedAgain[again] = true;
      await vscode.commands.executeCommand(VSCODE_MCP[again], step.serverId);
    }
  }
  switch (verdict.kind) {
    case 'done':
      return note(
        true,
        action === 'restart'
          ? t(
              'VS Code restarted it (pid {0})',
              pidsMoved(
                step.instances.map((i) => i.pid),
                verdict.newPids,
              ),
            )
          : t('VS Code stopped it'),
      );
    case 'notStarted':
      return note(true, t('VS Code stopped it; it has not started it again yet and will when the server is next used'));
    case 'oldEntry':
      return note(
        false,
        t(
          'VS Code runs it as its entry was before the change (pid {0}); restart it from MCP: List Servers',
          verdict.pids.join(', '),
        ),
      );
    case 'unchanged': {
      const left = step.instances.filter((i) => verdict.stillRunning.includes(i.pid));
      note(
        false,
        t(
          'VS Code did not {0} it (server id {1}); stopping pid {2} directly instead',
          action,
          step.serverId,
          verdict.stillRunning.join(', '),
        ),
      );
      await terminate(svc, left, note);
    }
  }
}

async function terminate(svc: Services, instances: readonly VmInstance[], note: Note): Promise<void> {
  const graceMs = svc.settings().stopGraceMs;
  for (const i of instances) {
    const r = await svc.engine.stop(i, graceMs);
    note(stopSucceeded(r), t('{0}: {1}', pidAndClients(i), r.message));
  }
}
