import { currentHostEnv, HostEnv } from '../../core/base/hostEnv';
import { MtimeCache } from '../../core/versions/cache';
import { nodeFs } from '../../core/versions/fs';
import { LaunchSpec } from '../../core/versions/lookup';
import { Resolution, resolveInstalled } from '../../core/versions/resolve';
import type { Installed, InstanceVersions } from '../../core/base/versionTypes';
import type { OwnChild, OwnInstanceJudge } from '../../core/versions/ownInstance';
import { InstalledVersionProbe, ResolvedVersion } from './staleness';

/**
 * The one version probe of both transports. What the guard's launch would run if started now, through the engine's resolvers (npm bins, npx
 * and other runners, Python venvs and tools, plain node scripts). Cached by the mtimes of the files
 * the resolution read, so asking on every `tools/call` costs a few stats.
 */
export class LaunchVersionProbe implements InstalledVersionProbe {
  private readonly cache = new MtimeCache<Resolution>(nodeFs);
  private judgeOf: OwnInstanceJudge | undefined;

  constructor(
    private readonly host: HostEnv,
    private readonly launch: LaunchSpec,
  ) {}

  async installed(): Promise<ResolvedVersion> {
    const resolution = await this.cache.get('launch', (fs) => resolveInstalled({ host: this.host, fs }, this.launch));
    return toResolvedVersion(resolution.installed);
  }

  /**
   * The engine's verdict on the running child. Its modules (the judgement, mapped files, the process
   * table) load on the first question, after the child started, not with the guard: a lazy
   * `require`, which the bundle keeps lazy and which runs the same under the test runner.
   */
  judge(child: OwnChild): Promise<InstanceVersions> {
    if (!this.judgeOf) {
      type OwnInstance = typeof import('../../core/versions/ownInstance');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { OwnInstanceJudge: Judge } = require('../../core/versions/ownInstance') as OwnInstance;
      this.judgeOf = new Judge(this.host, this.launch);
    }
    return this.judgeOf.judge(child);
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
