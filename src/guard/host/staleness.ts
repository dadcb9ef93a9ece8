import type { InstanceVersions, StartRisk } from '../../core/base/versionTypes';
import { quoted } from '../../core/base/modelText';
import { describeVerdict } from '../../core/report/evidence';
import { runtimeVerdict, versionVerdict } from '../../core/report/input';
import type { OwnChild } from '../../core/versions/ownInstance';

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
 * What the guard acts on: the engine's words for a verdict that asks for a restart (stale, changed
 * since start), and whether a restart would load installed code (not when the package is gone).
 * `runtimeOnly`: only the runtime under it was replaced (a Node or Python upgrade); its own code is
 * what is installed, so nothing it writes is in an old format: told and restarted, never refused.
 */
export type GuardVerdict =
  | {
      state: 'restart';
      /** The engine's words, for the guard's log and stderr. */
      said: string;
      /** The same words for a model (a notice in a tool result, an error to the client): values quoted. */
      toModel: string;
      restartable: boolean;
      runtimeOnly?: true;
    }
  | { state: 'none'; reason: string };

/** The engine's verdict, as the guard acts on it and says it (core/report's words). */
export function guardVerdict(versions: InstanceVersions): GuardVerdict {
  const verdict = versions.verdict;
  const said = versionVerdict(versions);
  if (said?.kind !== 'stale') {
    // The runtime it runs on was replaced (a Node or Python upgrade): a restart runs the new one.
    const runtime = runtimeVerdict(versions);
    if (runtime?.kind === 'stale')
      return {
        state: 'restart',
        said: describeVerdict(runtime),
        toModel: describeVerdict(runtime, quoted),
        restartable: runtime.installed !== 'missing',
        runtimeOnly: true,
      };
    return { state: 'none', reason: verdict.state === 'unknown' ? verdict.reason : verdict.state };
  }
  return {
    state: 'restart',
    said: describeVerdict(said),
    toModel: describeVerdict(said, quoted),
    restartable: !(verdict.state === 'stale' && verdict.installed === 'missing'),
  };
}

/** Requests a stale server still answers under `refuse-all`: they change nothing and keep the session alive. */
const ALWAYS_ALLOWED = new Set(['initialize', 'ping']);

export type PolicyDecision = { action: 'forward' } | { action: 'refuse'; message: string };

/**
 * What to do with one client request when the server is stale. `readOnly` says whether the tool of
 * a `tools/call` was declared `readOnlyHint: true` by the server (undefined when never listed).
 */
export function decide(
  policy: StalePolicy,
  verdict: GuardVerdict,
  request: { method: string; toolName?: string; readOnly?: boolean },
  serverName: string,
): PolicyDecision {
  if (verdict.state !== 'restart' || verdict.runtimeOnly) return { action: 'forward' };
  // Said to the client, and so to its model: values quoted.
  const what = `${quoted(serverName)}: ${verdict.toModel}`;
  const fix = `restart the server (mcp-lifeguard restart ${serverName})`;
  switch (policy) {
    case 'annotate':
    case 'warn':
    case 'restart-when-idle':
      return { action: 'forward' };
    case 'refuse-all':
      if (ALWAYS_ALLOWED.has(request.method)) return { action: 'forward' };
      return { action: 'refuse', message: `${what}; every request is refused until you ${fix}` };
    case 'refuse-writes':
      if (request.method !== 'tools/call' || request.readOnly === true) return { action: 'forward' };
      return {
        action: 'refuse',
        message: `${what}; tool ${quoted(request.toolName ?? '?')} is not declared read-only, so it is refused; ${fix}`,
      };
  }
}
