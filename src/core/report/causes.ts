import { assertNever } from '../base/assertNever';
import { english, Translate } from '../base/translate';

/**
 * The one vocabulary of why an instance needs a restart. Every face words a restart need, counts it
 * and decides about it from `causeWords`: the badge and its screen-reader text, the tree, Show
 * Evidence, `status`, the agent face and the guard's `--when-stale` policies. A new cause fails to
 * compile until `causeWords` words it, and so until every face that switches over it handles it.
 *
 * - `down`: a guard runs, its server does not (it gave up starting it); the instance is the guard.
 * - `version`: an upgrade replaced the code it runs (its package's version or a dependency moved): "stale".
 * - `changed`: its files changed after it started, and nothing recorded what it loaded.
 * - `config`: its entry now launches another version than it was started with.
 * - `runtime`: the runtime it runs on (node, python3.x) was replaced under it; its own code is what is installed.
 *
 * Worst first: the order every face lists them in.
 */
export const RESTART_CAUSES = ['down', 'version', 'changed', 'config', 'runtime'] as const;
export type RestartCause = (typeof RESTART_CAUSES)[number];

/** The instance verdict each cause is named by (`list_servers`' `verdicts`, its `verdict` filter). */
export type CauseVerdict = 'down' | 'stale' | 'changed-since-start' | 'config-changed' | 'runtime-replaced';

/**
 * What a guard's `--when-stale` policy does while its own server has a cause:
 * - `refuse`: the policy as given: `refuse-writes` and `refuse-all` refuse, `annotate` and `warn`
 *   tell, `restart-when-idle` restarts. What runs is old code, which may write data in an old format.
 * - `tell`: told and restarted, never refused: the server's own code is what is installed.
 * - `answer`: no server runs, so no policy is asked: the guard answers every request with the cause
 *   itself (`<name> is down: <reason>`), whatever the policy.
 */
export type WhenStale = 'refuse' | 'tell' | 'answer';

export interface CauseWords {
  verdict: CauseVerdict;
  /**
   * The short word: a tree row's verdict, a tooltip's, Show Evidence's summary (`config changed`).
   * In capitals it is the CLI's (`CONFIG CHANGED`, `cliWord`), capitalised the head of its evidence
   * (`Config changed: ...`, `evidenceHead`).
   */
  label: string;
  /** The badge's count of it: `2 config changed`. */
  badge(n: number): string;
  /** A sentence's count of it, which a screen reader reads for the badge and the agent face's summary says. */
  sentence(n: number): string;
  guard: WhenStale;
}

/** A count and its noun, both forms through `t`. */
const instances = (n: number, t: Translate): string => (n === 1 ? t('{0} instance', n) : t('{0} instances', n));

/**
 * A cause's words, worded by the face's `t` (the extension's l10n, English for the CLI, the agent
 * face and the guard): scripts/l10n.mjs lists these messages with the extension's.
 */
export function causeWords(cause: RestartCause, t: Translate = english): CauseWords {
  switch (cause) {
    case 'down':
      return {
        verdict: 'down',
        label: t('down'),
        badge: (n) => t('{0} down', n),
        sentence: (n) =>
          n === 1
            ? t('{0} server down (its guard runs, the server does not)', n)
            : t('{0} servers down (their guards run, the servers do not)', n),
        guard: 'answer',
      };
    case 'version':
      return {
        verdict: 'stale',
        label: t('stale'),
        badge: (n) => t('{0} stale', n),
        sentence: (n) => t('{0} running replaced code', instances(n, t)),
        guard: 'refuse',
      };
    case 'changed':
      return {
        verdict: 'changed-since-start',
        label: t('changed since start'),
        badge: (n) => t('{0} changed', n),
        sentence: (n) => t('{0} whose files changed since start', instances(n, t)),
        guard: 'refuse',
      };
    case 'config':
      return {
        verdict: 'config-changed',
        label: t('config changed'),
        badge: (n) => t('{0} config changed', n),
        sentence: (n) => t('{0} started before its configuration changed', instances(n, t)),
        guard: 'refuse',
      };
    case 'runtime':
      return {
        verdict: 'runtime-replaced',
        label: t('runtime replaced'),
        badge: (n) => t('{0} runtime replaced', n),
        sentence: (n) => t('{0} on a replaced runtime (node or Python upgraded)', instances(n, t)),
        guard: 'tell',
      };
    default:
      return assertNever(cause);
  }
}

/** The cause an instance verdict names. */
export function causeOfVerdict(verdict: CauseVerdict): RestartCause {
  const cause = RESTART_CAUSES.find((c) => causeWords(c).verdict === verdict);
  // Unreachable while CauseVerdict is exactly the table's verdicts (a unit test holds them equal).
  if (!cause) throw new Error(`no restart cause is named ${verdict}`);
  return cause;
}

/** The CLI's word for a cause: its label in capitals, so the eye finds it in `status`'s VERDICTS column. */
export function cliWord(cause: RestartCause): string {
  return causeWords(cause).label.toUpperCase();
}

/** The head of a cause's evidence sentence (`Config changed: ...`): Show Evidence, tooltips, the guard's notice. */
export function evidenceHead(cause: RestartCause): string {
  const label = causeWords(cause).label;
  return `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
}

/** Counts of instances by cause, each cause at 0. */
export function noCauses(): Record<RestartCause, number> {
  return { down: 0, version: 0, changed: 0, config: 0, runtime: 0 };
}
