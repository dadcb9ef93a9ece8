import { assertNever } from '../../core/base/assertNever';
import { startRisksOf } from '../../core/report/evidence';
import { ARROW, listWords } from './format';
import { VmInstance } from '../../core/report/input';
import { InstanceVerdict, verdictLabel } from '../../core/report/causes';
import { instanceVerdicts, ownerNames, RestartVerdict, restartVerdict } from '../../core/report/state';
import { t } from './l10n';
import { versionMove, versionWord } from '../../core/report/versionWords';

/** Whether the installed code an instance would restart into will probably not start (core/versions/startRisk.ts). */
export function restartAtRisk(i: VmInstance): boolean {
  const stale = restartVerdict(i);
  return stale !== undefined && (startRisksOf(stale)?.length ?? 0) > 0;
}

/**
 * The words for what is wrong with an instance, worst first; the first is the row's verdict. A fine
 * instance says `ok`, one whose version is not known `version ?`: never blank, never "fine" by omission.
 */
export function instanceVerdictWords(i: VmInstance): string[] {
  return instanceVerdicts(i).map(verdictWord);
}

/** The tree's word for a verdict: core's (`verdictLabel`), translated. */
export function verdictWord(v: InstanceVerdict): string {
  return verdictLabel(v, t);
}

/** What a restart would change, after its cause's word: `2026.7.4 → 2026.8.31`, `node 22.11.0 → 22.12.0`, `2026.8.31 installed`. */
export function restartDetail(v: Pick<RestartVerdict, 'cause' | 'package' | 'running' | 'installed'>): string {
  switch (v.cause) {
    case 'changed':
      // What it runs is not known: only what a restart loads.
      return t('{0} installed', versionWord(v.installed, t));
    case 'runtime':
      return `${v.package} ${versionMove(v.running, v.installed, ARROW, t)}`;
    case 'version':
    case 'config':
      return versionMove(v.running, v.installed, ARROW, t);
    default:
      return assertNever(v.cause);
  }
}

/** Whom an instance serves (ownerNames: a shared server's clients, else its client), or "owner unknown". */
export function ownerName(i: Pick<VmInstance, 'client' | 'lock'>): string {
  const names = ownerNames(i);
  return names.length > 0 ? listWords(names) : t('owner unknown');
}

/** `shared by 3 clients (Claude Code, Cursor, Windsurf)`: a shared server's clients, named as the engine names them (core/processes/attachedNames.ts). */
export function sharedWords(attached: ReadonlyArray<{ clientName?: string }>): string {
  const names = attached.map((c) => c.clientName ?? '?').join(', ');
  return attached.length === 1
    ? t('shared by 1 client ({0})', names)
    : attached.length === 0
      ? t('shared by no client')
      : t('shared by {0} clients ({1})', attached.length, names);
}
