import { EngineCache } from '../base/engineCache';
import type { InstanceVersions } from '../base/versionTypes';
import type { Machine } from '../machine/types';
import type { VersionsSettings } from './attach';
import { resolutionCache, versionsLog } from './kept';
import { dockerCli } from './docker';
import type { LaunchSpec } from './lookup';
import type { OwnChild } from './ownInstance';
import type { RegistryOverrides } from './registry';
import { resolveInstalled, Resolution } from './resolve';

/** How an Engine works; everything it reads comes from its Machine. */
export interface EngineOptions {
  /** Failures that are not shown (registry, state files); defaults to `<logs>/versions.log` where we persist. */
  log?: (message: string) => void;
  /**
   * Registry update checks: the cached answers are read into every snapshot, and due ones asked in
   * the background (live machines only). false: none (also `MCP_LIFEGUARD_UPDATE_CHECK=0`).
   */
  registry?: false | { overrides?: RegistryOverrides; cacheFile?: string; timeoutMs?: number };
  /** The docker CLI's answers: false leaves docker launches unknown. */
  docker?: false | { timeoutMs?: number; ttlMs?: number };
  /** Where first sightings persist; defaults to `<state>/versions/first-seen.json`. */
  firstSeenFile?: string;
  /** false: nothing of ours is written (first sightings, the registry cache, the log). A replay never writes. */
  persist?: boolean;
  /** Receives the background registry checks (tests and the CLI's --watch may wait on them; a snapshot never does). */
  onBackground?: (checks: Promise<void>) => void;
  /**
   * false: every snapshot parses every config file again instead of keeping the parse of an
   * unchanged one (a capture, which must read the environment only where a config names it).
   */
  keepParsedConfigs?: boolean;
  /**
   * How long files must be quiet after a change before it is judged (ms; settling.ts SETTLE_MS, 4 s,
   * by default): a test that writes an upgrade and looks at once sets 0 instead of sleeping past it.
   * Unset, `MCP_LIFEGUARD_SETTLE_MS` in the host's env says it (settleFromEnv), so the CLI and the
   * guard, which take no such option, are given a short one by tests.
   */
  settleMs?: number;
  /**
   * false: every snapshot is a full pass, even when nothing it read has changed since the last
   * (snapshot/quietTick.ts); also `MCP_LIFEGUARD_QUIET_TICKS=0` in the host's env.
   */
  quietTicks?: boolean;
}

/** The environment variable that sets an engine's quiet period (ms) where its options do not. */
export const SETTLE_ENV_VAR = 'MCP_LIFEGUARD_SETTLE_MS';

/**
 * The quiet period `MCP_LIFEGUARD_SETTLE_MS` asks for: a whole number of milliseconds, at most a
 * minute. Anything else is refused with the reason (then the default holds): a typo must not turn
 * the wait for an install off.
 */
export function settleFromEnv(
  env: Record<string, string | undefined>,
): { state: 'unset' } | { state: 'set'; ms: number } | { state: 'invalid'; reason: string } {
  const raw = env[SETTLE_ENV_VAR];
  if (raw === undefined || raw === '') return { state: 'unset' };
  const ms = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isSafeInteger(ms) || ms > 60_000)
    return {
      state: 'invalid',
      reason: `${SETTLE_ENV_VAR}=${JSON.stringify(raw)} is not a whole number of milliseconds from 0 to 60000; the default quiet period holds`,
    };
  return { state: 'set', ms };
}

/** Docker answers come from process spawns, not files: reused this long. */
const DOCKER_TTL_MS = 30_000;

/**
 * The judging part of an engine: one Machine it reads the world through, and one cache of
 * everything it keeps between questions (base/engineCache.ts). A guard holds one of these alone
 * (it judges its own child and never takes a snapshot, so none of the scan is loaded with it);
 * the faces hold an Engine (snapshot/engine.ts), which is this and the snapshot.
 */
export class EngineCore {
  readonly cache: EngineCache;
  protected readonly settings: VersionsSettings;
  protected readonly keepParsedConfigs: boolean;

  constructor(
    readonly machine: Machine,
    options: EngineOptions = {},
  ) {
    this.cache = new EngineCache(() => machine.now());
    this.keepParsedConfigs = options.keepParsedConfigs !== false;
    const live = machine.kind === 'live';
    const persist = live && options.persist !== false;
    const registry =
      options.registry === false || machine.host.env.MCP_LIFEGUARD_UPDATE_CHECK === '0'
        ? false
        : { ...(options.registry ?? {}), ask: live };
    const log = options.log ?? (persist ? versionsLog(machine) : () => undefined);
    const settleMs = options.settleMs ?? this.settleOfEnv(machine, log);
    this.settings = {
      log,
      persist,
      docker: options.docker === false ? undefined : dockerCli(machine, options.docker?.timeoutMs),
      dockerTtlMs: (options.docker ? options.docker.ttlMs : undefined) ?? DOCKER_TTL_MS,
      registry,
      ...(options.firstSeenFile ? { firstSeenFile: options.firstSeenFile } : {}),
      ...(options.onBackground ? { onBackground: options.onBackground } : {}),
      ...(settleMs !== undefined ? { settleMs } : {}),
    };
  }

  private settleOfEnv(machine: Machine, log: (message: string) => void): number | undefined {
    const asked = settleFromEnv(machine.host.env);
    switch (asked.state) {
      case 'unset':
        return undefined;
      case 'set':
        return asked.ms;
      case 'invalid':
        log(asked.reason);
        return undefined;
    }
  }

  /** The verdict on a guard's own child running `launch` (versions/ownInstance.ts): the snapshot's judgement of one instance. */
  judgeOne(launch: LaunchSpec, child: OwnChild): Promise<InstanceVersions> {
    // The judgement's modules (mapped files, the process table, installers) load on the first
    // question, not with a guard: a lazy `require`, which the bundle keeps lazy.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { judgeOwnChild } = require('./ownInstance') as typeof import('./ownInstance');
    return judgeOwnChild(this.machine, this.cache, launch, child, this.settings.settleMs);
  }

  /** What `launch` would run if started now, cached by the files the answer was read from. */
  installed(launch: LaunchSpec): Promise<Resolution> {
    const key = JSON.stringify(['installed', launch.command, launch.args, launch.cwd ?? null]);
    return resolutionCache(this.machine, this.cache).get(key, (fs) =>
      resolveInstalled({ host: this.machine.host, fs, cache: this.cache }, launch),
    );
  }

  /** Each cache bucket's counters, for the log. */
  cacheStats(): ReturnType<EngineCache['stats']> {
    return this.cache.stats();
  }

  /** Forgets everything kept: the next question reads afresh. */
  stop(): void {
    this.cache.clear();
  }
}
