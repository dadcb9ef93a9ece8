import { restartedWithNewEntryText } from './editRestartWords';
import { pidsMoved } from './format';
import { t } from './l10n';

/**
 * What followed an edit of entries (Wrap, Unwrap, Share, Unshare): a rewritten server VS Code
 * restarted here with its new entry (from the pids it ran as to those it runs as), a sentence of
 * what was done besides (a file sibling started again), or a step still to take in a client.
 */
export type EditFollowUp =
  | { kind: 'restarted'; name: string; from: readonly number[]; to: readonly number[] }
  | { kind: 'done'; text: string }
  | { kind: 'next'; text: string };

/** One follow-up's own sentence. */
export function followUpText(f: EditFollowUp): string {
  switch (f.kind) {
    case 'restarted':
      return restartedWithNewEntryText(f.name, f.from, f.to);
    case 'done':
    case 'next':
      return f.text;
  }
}

/**
 * The toast after an edit: the summary, what was done already, then the steps still to take after
 * "Next:" (a restart already done is never put among them).
 */
export function editOutcomeText(summary: string, followUps: readonly EditFollowUp[]): string {
  const done = followUps.filter((f) => f.kind !== 'next').map(followUpText);
  const next = followUps.filter((f) => f.kind === 'next').map(followUpText);
  return [summary, ...done, ...(next.length > 0 ? [t('Next: {0}', next.join(' '))] : [])].join(' ');
}

/**
 * Unwrap's toast, one state said once: restarted here by VS Code, the server runs without the guard
 * now (its pids); else it starts without the guard the next time its client starts it, and the
 * client's step follows.
 */
export function unwrapOutcomeText(name: string, followUps: readonly EditFollowUp[]): string {
  const own = followUps.find(
    (f): f is Extract<EditFollowUp, { kind: 'restarted' }> => f.kind === 'restarted' && f.name === name,
  );
  if (own === undefined)
    return editOutcomeText(
      t('{0} is unwrapped: it starts without the guard the next time its client starts it.', name),
      followUps,
    );
  return editOutcomeText(
    t(
      '{0} is unwrapped and runs without the guard now: VS Code restarted it with its new entry (pid {1}).',
      name,
      pidsMoved(own.from, own.to),
    ),
    followUps.filter((f) => f !== own),
  );
}
