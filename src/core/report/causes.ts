import { assertNever } from '../base/assertNever';
import { english, Translate } from '../base/translate';

/**
 * What an instance is, worst first: each verdict's one id, as JSON carries it (`list_servers`' and
 * `explain`'s `verdicts`, their `verdict` filter) and as the agent face's tool description lists it.
 * `instanceVerdicts` (state.ts) is the one place the engine's judgement becomes these.
 */
export const INSTANCE_VERDICTS = [
  'down',
  'orphan',
  'superseded',
  'stale',
  'changed-since-start',
  'config-changed',
  'runtime-replaced',
  'duplicate',
  'checking',
  'settling',
  'unknown',
  'owner-undecided',
  'idle',
  'partly-known',
  'ok',
] as const;
export type InstanceVerdict = (typeof INSTANCE_VERDICTS)[number];

/**
 * A verdict's one short name, worded by the face's `t`: a tree row's verdict, a tooltip's, Show
 * Evidence's summary, the head of a `status` VERDICTS cell (`cliWord`). A new verdict fails to
 * compile until it is named here; test/unit/report/verdictNames.test.ts holds every face to it.
 */
const VERDICT_LABELS: Record<InstanceVerdict, (t: Translate) => string> = {
  down: (t) => t('down'),
  stale: (t) => t('stale'),
  'changed-since-start': (t) => t('changed since start'),
  'config-changed': (t) => t('config changed'),
  'runtime-replaced': (t) => t('runtime replaced'),
  orphan: (t) => t('orphan'),
  superseded: (t) => t('superseded'),
  duplicate: (t) => t('duplicate'),
  checking: (t) => t('checking'),
  settling: (t) => t('version ?: files still changing'),
  unknown: (t) => t('version ?'),
  'owner-undecided': (t) => t('unknown owner'),
  idle: (t) => t('idle'),
  'partly-known': (t) => t('ok as far as can be read'),
  ok: (t) => t('ok'),
};

/** A verdict's name (VERDICT_LABELS), in the face's words. */
export function verdictLabel(v: InstanceVerdict, t: Translate = english): string {
  return VERDICT_LABELS[v](t);
}

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
   * Its verdict's name (`verdictLabel`): a tree row's verdict, a tooltip's, Show Evidence's summary
   * (`config changed`). In capitals it is the CLI's (`CONFIG CHANGED`, `cliWord`), capitalised the
   * head of its evidence (`Config changed: ...`, `evidenceHead`).
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
  const verdict = causeVerdict(cause);
  return { verdict, label: verdictLabel(verdict, t), ...causeCounts(cause, t) };
}

/** The verdict a cause is named by. */
function causeVerdict(cause: RestartCause): CauseVerdict {
  switch (cause) {
    case 'down':
      return 'down';
    case 'version':
      return 'stale';
    case 'changed':
      return 'changed-since-start';
    case 'config':
      return 'config-changed';
    case 'runtime':
      return 'runtime-replaced';
    default:
      return assertNever(cause);
  }
}

/** A cause's counted words and what a guard does about it. */
function causeCounts(cause: RestartCause, t: Translate): Pick<CauseWords, 'badge' | 'sentence' | 'guard'> {
  switch (cause) {
    case 'down':
      return {
        badge: (n) => t('{0} down', n),
        sentence: (n) =>
          n === 1
            ? t('{0} server down (its guard runs, the server does not)', n)
            : t('{0} servers down (their guards run, the servers do not)', n),
        guard: 'answer',
      };
    case 'version':
      return {
        badge: (n) => t('{0} stale', n),
        sentence: (n) => t('{0} running replaced code', instances(n, t)),
        guard: 'refuse',
      };
    case 'changed':
      return {
        badge: (n) => t('{0} changed', n),
        sentence: (n) => t('{0} whose files changed since start', instances(n, t)),
        guard: 'refuse',
      };
    case 'config':
      return {
        badge: (n) => t('{0} config changed', n),
        sentence: (n) => t('{0} started before its configuration changed', instances(n, t)),
        guard: 'refuse',
      };
    case 'runtime':
      return {
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
  const cause = RESTART_CAUSES.find((c) => causeVerdict(c) === verdict);
  // Unreachable while CauseVerdict is exactly the table's verdicts (a unit test holds them equal).
  if (!cause) throw new Error(`no restart cause is named ${verdict}`);
  return cause;
}

/** Whether a verdict names a restart cause. */
export function isCauseVerdict(v: InstanceVerdict): v is CauseVerdict {
  return RESTART_CAUSES.some((c) => causeVerdict(c) === v);
}

/**
 * The CLI's word for a verdict, at the head of its cell in `status`'s VERDICTS column: its name,
 * in capitals for a restart cause's, so the eye finds what needs a restart.
 */
export function cliWord(v: InstanceVerdict): string {
  const label = verdictLabel(v);
  return isCauseVerdict(v) ? label.toUpperCase() : label;
}

/** The head of a verdict's evidence sentence (`Config changed: ...`): Show Evidence, tooltips, the agent face's why, the guard's notice. */
export function evidenceHead(v: InstanceVerdict): string {
  const label = verdictLabel(v);
  return `${label.charAt(0).toUpperCase()}${label.slice(1)}`;
}

/** Counts of instances by cause, each cause at 0. */
export function noCauses(): Record<RestartCause, number> {
  return { down: 0, version: 0, changed: 0, config: 0, runtime: 0 };
}
