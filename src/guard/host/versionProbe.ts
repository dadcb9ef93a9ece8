import { HostEnv } from '../../core/base/hostEnv';
import { liveMachine, currentHostEnv } from '../../core/machine/live';
import { EngineCore } from '../../core/versions/engineCore';
import { LaunchSpec } from '../../core/versions/lookup';
import type { Installed, InstanceVersions } from '../../core/base/versionTypes';
import type { OwnChild } from '../../core/versions/ownInstance';
import { InstalledVersionProbe, ResolvedVersion } from './staleness';

/**
 * The one version probe of both transports. What the guard's launch would run if started now, through the engine's resolvers (npm bins, npx
 * and other runners, Python venvs and tools, plain node scripts). Cached by the mtimes of the files
 * the resolution read, so asking on every `tools/call` costs a few stats.
 */
export class LaunchVersionProbe implements InstalledVersionProbe {
  /** The guard's one engine: this machine, and the cache of everything its questions keep. */
  private readonly engine: EngineCore;

  constructor(
    host: HostEnv,
    private readonly launch: LaunchSpec,
  ) {
    // The guard writes its own records; the engine keeps no state files of its own for it.
    this.engine = new EngineCore(liveMachine(host), { registry: false, persist: false });
  }

  async installed(): Promise<ResolvedVersion> {
    return toResolvedVersion((await this.engine.installed(this.launch)).installed);
  }

  /**
   * The engine's verdict on the running child. Its modules (the judgement, mapped files, the process
   * table) load on the first question, after the child started, not with the guard (engineCore.ts).
   */
  judge(child: OwnChild): Promise<InstanceVersions> {
    return this.engine.judgeOne(this.launch, child);
  }
}

export function toResolvedVersion(installed: Installed): ResolvedVersion {
  switch (installed.state) {
    case 'installed':
      return {
        state: 'known',
        name: installed.name,
        version: installed.version,
        ecosystem: installed.ecosystem,
        ...(installed.environment ? { environment: installed.environment } : {}),
        ...(installed.startRisks ? { startRisks: installed.startRisks } : {}),
        ...(installed.dev && installed.changedAt !== undefined
          ? {
              dev: {
                changedAt: installed.changedAt,
                ...(installed.dev.newest[0] ? { newest: installed.dev.newest[0].path } : {}),
              },
            }
          : {}),
      };
    case 'missing':
      return { state: 'unknown', reason: `${installed.name} is not installed any more (${installed.how})` };
    case 'unversioned':
      return { state: 'unknown', reason: `${installed.path} has no version to compare (${installed.how})` };
    case 'unknown':
      return { state: 'unknown', reason: installed.reason };
  }
}

/** The probe of a launch and what it says now: a guard's identity and lock record start from it. */
export async function probeLaunch(
  launch: LaunchSpec & { env: NodeJS.ProcessEnv },
): Promise<{ probe: LaunchVersionProbe; atStart: ResolvedVersion }> {
  const probe = new LaunchVersionProbe(currentHostEnv(launch.env), launch);
  return { probe, atStart: await probe.installed() };
}
