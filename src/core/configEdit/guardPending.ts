import type { VmInstance, VmServer } from '../report/input';
import { guardDisagreement } from '../report/guardAgreement';
import { isWrapped } from './guardCommand';
import { nextSteps } from './nextSteps';
import { english, Translate } from './translate';

/**
 * A process whose guard its entry no longer agrees with (report/guardAgreement.ts): a wrapped (or
 * shared) entry's that runs without its guard (`guarded: false`), or an unwrapped entry's still
 * under the guard its client started (`guarded: true`), until the client starts the server again,
 * which can be a whole session. `nextStep` is what makes the client start it as the entry says now,
 * in the client's own words.
 */
export interface GuardPending {
  client: VmInstance['client'];
  /** Whether it runs under a guard now (the entry no longer names one), or without (the entry does). */
  guarded: boolean;
  nextStep: string;
}

/** The instance's pending state under this entry, with its client's next step; undefined when it runs as the entry says. */
export function guardPending(s: VmServer, i: VmInstance, t: Translate = english): GuardPending | undefined {
  const state = guardDisagreement(i, { wrapped: isWrapped(s), client: s.source.client });
  if (state === undefined) return undefined;
  const [step] = nextSteps([s], t);
  return step && { client: i.client, guarded: state === 'guarded', nextStep: step.text };
}
