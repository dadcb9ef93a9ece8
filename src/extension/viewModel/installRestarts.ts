import { VmServer } from '../../core/report/input';
import { distinctInstances, ownerNames } from '../../core/report/state';
import { isThisWindow, OwnerContext } from './actionPlan';
import { listWords, plural } from './format';
import { t } from './l10n';
import { vscodeServerId } from './vscodeServerId';

/** Keys of the instances no client of the table is named for (never a client's name: those hold no NUL). */
const TERMINAL = '\0terminal';
const UNKNOWN = '\0unknown';

/**
 * Before an Upgrade or a Roll Back is agreed, who restarts what the install changes under its
 * running instances (`servers`: every entry the install serves), as its result says afterwards:
 * a guarded instance restarts through its guard, one this window's VS Code runs through VS Code,
 * and every other keeps what it started with until its client restarts it, each client named.
 */
export function installRestartsText(servers: readonly VmServer[], ctx: OwnerContext): string[] {
  let guarded = 0;
  const own = new Set<string>();
  const others = new Map<string, number>();
  for (const { server, instance } of distinctInstances(servers)) {
    if (instance.lock) guarded++;
    else if (vscodeServerId(server, ctx) !== undefined && isThisWindow(instance, ctx)) own.add(server.name);
    else {
      // Started by hand, or by no known client: said so, as the rest of the product says it.
      const names = ownerNames(instance);
      const place = instance.client.id === 'terminal' ? TERMINAL : names.length > 0 ? listWords(names) : UNKNOWN;
      others.set(place, (others.get(place) ?? 0) + 1);
    }
  }
  const out: string[] = [];
  if (guarded > 0)
    out.push(
      t(
        'Then each guarded instance that still runs other code restarts; its guard checks the new server answers first.',
      ),
    );
  if (own.size > 0) out.push(t('VS Code restarts {0} in this window.', listWords([...own])));
  for (const [place, n] of others)
    out.push(
      place === TERMINAL
        ? plural(
            n,
            t(
              '{0} instance started from a terminal is not guarded: it runs what it started with until it is started again there.',
              n,
            ),
            t(
              '{0} instances started from a terminal are not guarded: they run what they started with until started again there.',
              n,
            ),
          )
        : place === UNKNOWN
          ? plural(
              n,
              t(
                '{0} instance with no known client is not guarded: it runs what it started with until it is restarted.',
                n,
              ),
              t(
                '{0} instances with no known client are not guarded: they run what they started with until restarted.',
                n,
              ),
            )
          : plural(
              n,
              t('{0} instance in {1} is not guarded: it runs what it started with until {1} restarts it.', n, place),
              t(
                '{0} instances in {1} are not guarded: they run what they started with until {1} restarts them.',
                n,
                place,
              ),
            ),
    );
  return out;
}
