import { downMessage } from './notifications';
import { t } from './l10n';
import { VmServer } from '../../core/report/input';
import { downVerdict } from '../../core/report/state';
import { assertNever } from '../../core/base/assertNever';

/**
 * What a Restart or Stop says once it ran, one toast per event: a restart that left its server down
 * says so in the words of the down notification (whose event it claims), with the way back; its
 * guard's own account of the failure stays in the log, behind Show Log.
 */

export type ResultButton = 'Roll Back' | 'Show' | 'Show Log' | 'Wrap with Guard';

export interface ActionResult {
  ok: boolean;
  message: string;
  buttons: ResultButton[];
}

/** What running a plan did (actions/executePlan.ts's report). */
export interface PlanReport {
  ok: boolean;
  lines: readonly string[];
  afterward: readonly string[];
}

/** `after`: the server as read once the action was done (undefined when not read again); `offerWrap`: Wrap with Guard is offered. */
export function actionResult(
  name: string,
  report: PlanReport,
  after: Pick<VmServer, 'instances' | 'rollbackable'> | undefined,
  offerWrap: boolean,
): ActionResult {
  const down = report.ok ? undefined : after?.instances.map(downVerdict).find((d) => d !== undefined);
  if (down)
    return {
      ok: false,
      message: downMessage(name, down),
      buttons: [...(after?.rollbackable === true ? (['Roll Back'] as const) : []), 'Show', 'Show Log'],
    };
  const message = `${name}: ${[...report.lines, ...report.afterward].join('. ')}`;
  const wrap = offerWrap ? (['Wrap with Guard'] as const) : [];
  return report.ok ? { ok: true, message, buttons: [...wrap] } : { ok: false, message, buttons: ['Show Log', ...wrap] };
}

export function resultButtonLabel(b: ResultButton): string {
  switch (b) {
    case 'Roll Back':
      return t('Roll Back');
    case 'Show':
      return t('Show');
    case 'Show Log':
      return t('Show Log');
    case 'Wrap with Guard':
      return t('Wrap with Guard');
    default:
      return assertNever(b);
  }
}
