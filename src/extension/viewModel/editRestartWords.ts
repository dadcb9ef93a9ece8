import { pidsMoved } from './format';
import { t } from './l10n';

/**
 * After Wrap, Unwrap, Share or Unshare, the next step VS Code took itself: the rewritten server this
 * window ran, restarted by VS Code with its new entry, from the pids it ran as to those it runs as
 * (one sentence, said once, as the other clients' next steps are: "VS Code: ...").
 */
export function restartedWithNewEntryText(name: string, from: readonly number[], to: readonly number[]): string {
  return t('VS Code: restarted {0} with its new entry (pid {1}).', name, pidsMoved(from, to));
}
