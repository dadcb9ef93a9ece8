import { describeMove, movedDependencies } from '../../core/versions/fingerprint';

/**
 * The stale policy. Staleness is learned through an injected probe so the guard does not care how
 * a version is resolved (npm, Python, docker): the probe says what is installed now, the guard
 * remembers what was installed when the running child started.
 */

export type StalePolicy = 'annotate' | 'warn' | 'refuse-writes' | 'refuse-all' | 'restart-when-idle';
export const STALE_POLICIES: readonly StalePolicy[] = ['annotate', 'warn', 'refuse-writes', 'refuse-all', 'restart-when-idle'];

/**
 * The stdio guard's default: it never blocks or alters a call, and it is the only policy the
 * model (who mostly drives these servers) hears from; `warn` writes to a stderr nobody reads.
 */
export const DEFAULT_STALE_POLICY: StalePolicy = 'annotate';

export type ResolvedVersion =
  | {
      state: 'known';
      name: string;
      version: string;
      ecosystem: 'npm' | 'python' | 'docker' | 'binary';
      /** The packages beside it, when the resolver read them: a dependency upgrade is stale too. */
      environment?: { hash: string; packages: Record<string, string> };
      /**
       * A development package (a checkout, `npm link`, an editable install): its version does not
       * name its code, so the newest change of its own files (ms) and the file it was is compared.
       */
      dev?: { changedAt: number; newest?: string };
    }
  | { state: 'unknown'; reason: string };

export interface InstalledVersionProbe {
  /** The version installed right now. Called on a timer and on requests: implementations cache (e.g. by mtime). */
  installed(): Promise<ResolvedVersion>;
}

export type StaleVerdict =
  | { state: 'fresh' }
  | { state: 'stale'; name: string; running: string; installed: string; moved?: string[]; rebuilt?: string }
  | { state: 'unknown'; reason: string };

/** Compares the version the child started with against the one installed now. */
export function compareVersions(running: ResolvedVersion | undefined, installed: ResolvedVersion): StaleVerdict {
  if (!running) return { state: 'unknown', reason: 'the running version was not recorded' };
  if (running.state === 'unknown') return { state: 'unknown', reason: `running version unknown: ${running.reason}` };
  if (installed.state === 'unknown') return { state: 'unknown', reason: `installed version unknown: ${installed.reason}` };
  if (running.name === installed.name && running.version === installed.version) {
    // A development server rebuilt since its child started: the same version, other code.
    if (running.dev && installed.dev && installed.dev.changedAt > running.dev.changedAt) {
      return { state: 'stale', name: installed.name, running: running.version, installed: installed.version, rebuilt: `${installed.dev.newest ?? 'its files'} changed at ${new Date(installed.dev.changedAt).toISOString()}` };
    }
    const [before, now] = [running.environment, installed.environment];
    if (!before || !now || before.hash === now.hash) return { state: 'fresh' };
    return { state: 'stale', name: installed.name, running: running.version, installed: installed.version, moved: movedPackages(before.packages, now.packages) };
  }
  return { state: 'stale', name: installed.name, running: running.version, installed: installed.version };
}

/** "dep 1.0 -> 1.1" for each package whose version changed, appeared or went away: the engine's own wording. */
function movedPackages(before: Record<string, string>, now: Record<string, string>): string[] {
  return movedDependencies(before, now).map(describeMove);
}

/** What a stale verdict says in words: the versions, or the dependencies that moved. */
export function describeStale(verdict: StaleVerdict & { state: 'stale' }, serverName: string): string {
  if (verdict.rebuilt) return `${serverName} is stale: it runs a build of ${verdict.name} ${verdict.running} whose files changed since it started (${verdict.rebuilt})`;
  if (verdict.moved) {
    const shown = verdict.moved.slice(0, 5).join(', ') + (verdict.moved.length > 5 ? `, and ${verdict.moved.length - 5} more` : '');
    return `${serverName} is stale: it runs ${verdict.name} ${verdict.running}, whose dependencies changed since it started (${shown})`;
  }
  return `${serverName} is stale: it runs ${verdict.name} ${verdict.running} but ${verdict.installed} is installed`;
}

/** Requests a stale server still answers under `refuse-all`: they change nothing and keep the session alive. */
const ALWAYS_ALLOWED = new Set(['initialize', 'ping']);

export type PolicyDecision = { action: 'forward' } | { action: 'refuse'; message: string };

/**
 * What to do with one client request when the server is stale. `readOnly` says whether the tool of
 * a `tools/call` was declared `readOnlyHint: true` by the server (undefined when never listed).
 */
export function decide(policy: StalePolicy, verdict: StaleVerdict, request: { method: string; toolName?: string; readOnly?: boolean }, serverName: string): PolicyDecision {
  if (verdict.state !== 'stale') return { action: 'forward' };
  const what = describeStale(verdict, serverName);
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
        message: `${what}; tool '${request.toolName ?? '?'}' is not declared read-only, so it is refused; ${fix}`,
      };
  }
}
