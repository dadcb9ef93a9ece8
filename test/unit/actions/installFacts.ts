import type { InstallFacts } from '../../../src/core/actions/installCommand';
import type { Instance, ServerStatus } from '../../../src/core/base/model';
import type { Installed, InstanceVersions } from '../../../src/core/base/versionTypes';
import { stdioConfig } from '../processes/support';

export type InstalledPackage = Extract<Installed, { state: 'installed' }>;

/** A Linux machine of these files, folders and programs on PATH (and these files' texts), as the install planner reads it. */
export function facts(
  files: string[],
  dirs: string[] = [],
  onPath: Record<string, string> = {},
  texts: Record<string, string> = {},
): InstallFacts {
  return {
    platform: 'linux',
    isFile: (p) => files.includes(p) || p in texts,
    readText: (p) => texts[p],
    isDir: (p) => dirs.includes(p),
    which: (program) => onPath[program],
  };
}

/**
 * A server with `installed` on disk whose pid 42 started running `running` (its guard's record says
 * so), judged `verdict`; `guardPid`: the guard that holds it, when one does.
 */
export function serverRunning(
  installed: InstalledPackage,
  running: { version: string; packages?: Record<string, string> },
  o: { verdict: 'stale' | 'current'; guardPid?: number },
): ServerStatus {
  const versions = {
    installed,
    running: {
      state: 'known',
      version: running.version,
      ...(running.packages ? { environment: { hash: 'h', packages: running.packages, scope: 'closure' } } : {}),
      source: 'lock-record',
      how: 'lock record written at start',
    },
    verdict: { state: o.verdict, reason: 'x', movedDependencies: [] },
  } as unknown as InstanceVersions;
  const instance = {
    pid: 42,
    startTime: 1,
    launcherChain: [],
    verdicts: [],
    client: { id: 'cursor', name: 'Cursor' },
    versions,
    ...(o.guardPid !== undefined ? { lock: { guardPid: o.guardPid } } : {}),
  } as unknown as Instance;
  return { ...stdioConfig('srv', 'cursor', 'x', []), installed, instances: [instance] };
}
