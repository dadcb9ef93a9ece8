import type { HostEnv } from '../base/hostEnv';
import type { Snapshot } from '../base/model';
import { liveMachine } from '../machine/live';
import { withKeptProcFiles } from '../machine/keptProcFiles';
import type { Machine } from '../machine/types';
import { EngineCore, EngineOptions } from '../versions/engineCore';
import { askServerInfo } from '../machine/serverInfo';
import { measurePss, snapshotOf, SnapshotRequest } from './build';
import { QuietTicks } from './quietTick';
import { SETTLE_MS } from '../versions/settling';
import { resolutionCache } from '../versions/kept';
import { DOCKER } from '../versions/gathering';

export type { SnapshotRequest } from './build';
export type { EngineOptions } from '../versions/engineCore';

/**
 * The engine of one process (the extension host, a CLI run, the agent face): the judging core
 * (versions/engineCore.ts: its Machine, its cache, `judgeOne`, `installed`) and `snapshot()`, the
 * whole picture every face reads.
 */
export class Engine extends EngineCore {
  private readonly quiet: QuietTicks;

  constructor(machine: Machine, options: EngineOptions = {}) {
    // The engine reads through the quiet ticks' machine, which notes what a pass read (quietTick.ts).
    const quiet = new QuietTicks(
      machine,
      options.quietTicks !== false && machine.host.env.MCP_LIFEGUARD_QUIET_TICKS !== '0',
    );
    super(quiet.machine, options);
    this.quiet = quiet;
  }

  /**
   * One snapshot of what the Machine shows now (core/snapshot/build.ts); the last one with fresh
   * memory and CPU figures when nothing it read has changed since (quietTick.ts).
   */
  snapshot(request: SnapshotRequest): Promise<Snapshot> {
    return this.quiet.snapshot({
      key: JSON.stringify(request),
      settleMs: this.settings.settleMs ?? SETTLE_MS,
      cache: this.cache,
      // A noted pass checks every resolution's probes: its reads are then all its answers rest on.
      beforeNoted: () => (resolutionCache(this.machine, this.cache).probeAll = () => this.quiet.noting()),
      full: (observe, table) =>
        snapshotOf(this.machine, this.cache, this.settings, request, this.keepParsedConfigs, observe, table),
      pss: request.versions !== false ? (instances) => measurePss(this.machine, this.cache, instances) : undefined,
      // Docker's answers are kept by time alone (no file says when a container changed).
      keptAnswersMs: () => (this.cache.stats()[DOCKER.name]?.size ? this.settings.dockerTtlMs : undefined),
    });
  }

  /** Ticks answered from the kept snapshot and full passes so far, and why the last full one may not be reused. */
  quietTickStats(): QuietTicks['stats'] {
    return { ...this.quiet.stats };
  }
}

/**
 * This machine as an engine reads it: its files, its processes (each one's `/proc` files read again
 * through a kept descriptor, machine/keptProcFiles.ts: an engine reads them every few seconds), and
 * its HTTP servers asked for their serverInfo.
 */
export function engineMachine(host: HostEnv): Machine {
  const machine = liveMachine(host, { serverInfo: (url, transport) => askServerInfo(url, transport) });
  return { ...machine, fs: withKeptProcFiles(machine.fs) };
}

/** One snapshot of this machine by an engine of its own: for a face that asks once (a CLI command). */
export function takeSnapshot(
  options: SnapshotRequest & { host: HostEnv; machine?: Machine; engine?: EngineOptions },
): Promise<Snapshot> {
  const { host, machine, engine, ...request } = options;
  return new Engine(machine ?? engineMachine(host), engine).snapshot(request);
}
