import type { VmInstance, VmServer } from '../report/input';
import { isWrapped } from './guardCommand';
import { nextSteps } from './nextSteps';
import { english, Translate } from './translate';

/**
 * A process of a wrapped (or shared) entry that still runs without its guard: its client started
 * it before Wrap or Share rewrote the entry, and keeps it until it starts the server again, which
 * can be a whole session. It stays the entry's, judged as before (an upgrade under it is stale);
 * `nextStep` is what makes the client start it through the guard, in the client's own words.
 */
export interface GuardPending {
  client: VmInstance['client'];
  nextStep: string;
}

/** The wrapped entry's process that runs unguarded, with its client's next step; undefined for any other. */
export function guardPending(s: VmServer, i: VmInstance, t: Translate = english): GuardPending | undefined {
  if (i.lock !== undefined || !isWrapped(s)) return undefined;
  const [step] = nextSteps([s], t);
  return step && { client: i.client, nextStep: step.text };
}
