import type { InstanceVersions, StartRisk } from '../../core/base/versionTypes';
import { assertNever } from '../../core/base/assertNever';
import { quoted } from '../../core/base/modelText';
import { causeWords } from '../../core/report/causes';
import { describeVerdict } from '../../core/report/evidence';
import { runtimeVerdict, versionVerdict } from '../../core/report/input';
import type { RestartVerdict } from '../../core/report/state';
import type { OwnChild } from '../../core/versions/ownInstance';
import type { ToolWrites } from './toolWrites';

/**
 * The stale policy. The judgement is the engine's (core/versions/judge.ts, asked through an
 * injected probe about the guard's own child): the guard only decides what a policy does with it.
 */

export { DEFAULT_STALE_POLICY, STALE_POLICIES } from './stalePolicies';
export type { StalePolicy } from './stalePolicies';
import type { StalePolicy } from './stalePolicies';

export type ResolvedVersion =
  | {
      state: 'known';
      name: string;
      version: string;
      ecosystem: 'npm' | 'python' | 'docker' | 'binary' | 'mcpb';
      /** The packages beside it, when the resolver read them: a dependency upgrade is stale too. */
      environment?: { hash: string; packages: Record<string, string> };
      /**
       * A development package (a checkout, `npm link`, an editable install): its version does not
       * name its code, so the newest change of its own files (ms) and the file it was is compared.
       */
      dev?: { changedAt: number; newest?: string };
      /** Why starting what is installed will probably fail (core's StartRisk): a restart into it is not done unasked. */
      startRisks?: StartRisk[];
    }
  | { state: 'unknown'; reason: string };

export interface InstalledVersionProbe {
  /** The version installed right now (the lock record and a child's start). Implementations cache (e.g. by mtime). */
  installed(): Promise<ResolvedVersion>;
  /**
   * The engine's judgement of the guard's own child (core/versions/ownInstance.ts): the one stale
   * judgement of the product, asked on a timer and on requests. Implementations cache.
   */
  judge(child: OwnChild): Promise<InstanceVersions>;
}

/**
 * What the guard acts on: a verdict that asks for a restart, with its cause (what the policies do
 * with it is the cause's `guard` in core/report/causes.ts), the engine's words for it, and whether a
 * restart would load installed code (not when the package or runtime is gone).
 */
export type GuardVerdict =
  | {
      state: 'restart';
      cause: RestartVerdict['cause'];
      /** The engine's words, for the guard's log and stderr. */
      said: string;
      /** The same words for a model (a notice in a tool result, an error to the client): values quoted. */
      toModel: string;
      restartable: boolean;
    }
  /**
   * The server's files are changing (an install under way, or less than the quiet period ago): not
   * judged yet. A refusing policy refuses a write meanwhile: it may be old code writing over data
   * the new code is about to read.
   */
  | { state: 'settling'; reason: string }
  | { state: 'none'; reason: string };

/** The engine's verdict, as the guard acts on it and says it (core/report's words). */
export function guardVerdict(versions: InstanceVersions): GuardVerdict {
  const verdict = versions.verdict;
  // The package's own need first; else the runtime it runs on was replaced (a Node or Python upgrade).
  const said = versionVerdict(versions);
  const need = said?.kind === 'restart' ? said : runtimeVerdict(versions);
  if (need?.kind !== 'restart') {
    if (verdict.state === 'unknown' && verdict.settling) return { state: 'settling', reason: verdict.reason };
    return { state: 'none', reason: verdict.state === 'unknown' ? verdict.reason : verdict.state };
  }
  return {
    state: 'restart',
    cause: need.cause,
    said: describeVerdict(need),
    toModel: describeVerdict(need, quoted),
    restartable: need.installed !== 'missing',
  };
}

/** Whether the refusing policies refuse while the server has this need (its cause's `guard`), or is not judged yet. */
function refuses(verdict: GuardVerdict): boolean {
  if (verdict.state === 'settling') return true;
  if (verdict.state !== 'restart') return false;
  const policy = causeWords(verdict.cause).guard;
  switch (policy) {
    case 'refuse':
      return true;
    // Its own code is what is installed, so nothing it writes is in an old format: told and restarted.
    case 'tell':
    // No server runs: the transport answered the request with the cause before any policy was asked.
    case 'answer':
      return false;
    default:
      return assertNever(policy);
  }
}

/** Requests a stale server still answers under `refuse-all`: they change nothing and keep the session alive. */
const ALWAYS_ALLOWED = new Set(['initialize', 'ping']);

export type PolicyDecision = { action: 'forward' } | { action: 'refuse'; message: string };

/**
 * What to do with one client request when the server is stale. `writes` says whether the tool of a
 * `tools/call` changes data, as the server declared it or its name says (toolWrites.ts; undefined
 * when never listed).
 */
export function decide(
  policy: StalePolicy,
  verdict: GuardVerdict,
  request: { method: string; toolName?: string; writes?: ToolWrites },
  serverName: string,
): PolicyDecision {
  if (verdict.state === 'none' || !refuses(verdict)) return { action: 'forward' };
  // Said to the client, and so to its model: values quoted.
  const what =
    verdict.state === 'settling'
      ? `${quoted(serverName)}: not judged yet: ${verdict.reason}`
      : `${quoted(serverName)}: ${verdict.toModel}`;
  const fix =
    verdict.state === 'settling'
      ? 'try again once the change is judged (seconds after the install ends)'
      : `restart the server (mcp-lifeguard restart ${serverName})`;
  switch (policy) {
    case 'annotate':
    case 'warn':
    case 'restart-when-idle':
      return { action: 'forward' };
    case 'refuse-all':
      if (ALWAYS_ALLOWED.has(request.method)) return { action: 'forward' };
      return { action: 'refuse', message: `${what}; every request is refused until you ${fix}` };
    case 'refuse-writes': {
      const w = request.writes;
      if (request.method !== 'tools/call' || w?.kind === 'reads') return { action: 'forward' };
      const tool = `tool ${quoted(request.toolName ?? '?')}`;
      const why =
        w?.kind === 'writes'
          ? w.by === 'annotation'
            ? `${tool} is not declared read-only`
            : `${tool} declares nothing, and its name says it changes data`
          : `whether ${tool} changes data cannot be told (it declares no read-only hint and its name does not say)`;
      return { action: 'refuse', message: `${what}; ${why}, so it is refused; ${fix}` };
    }
  }
}
