import type { Instance, Snapshot } from '../../../src/core/base/model';
import type { Installed, InstanceVersions } from '../../../src/core/base/versionTypes';
import { server } from './fixtures';

/** An instance as the engine reports it: pid 10, Claude Desktop's, no verdict yet. */
export const coreInstance = (over: Partial<Instance> = {}): Instance => ({
  pid: 10,
  ppid: 1,
  startTime: 5,
  commandLine: 'node x',
  commandHash: 'abc',
  client: { id: 'claude-desktop', name: 'Claude Desktop', pid: 2 },
  launcherChain: [],
  matchedBy: 'k',
  verdicts: [],
  ...over,
});

/** A snapshot as the engine takes it, of one server, `memory`, with these instances. */
export function coreSnapshot(over: Partial<Snapshot> = {}, instances: Instance[] = []): Snapshot {
  const { instances: _i, updateAvailable: _u, ...config } = server('memory');
  return {
    schemaVersion: 1,
    generator: { name: 'mcp-lifeguard', version: '0.1.0' },
    takenAt: '2026-11-21T12:00:00.000Z',
    platform: 'linux',
    workspaceFolders: [],
    servers: [{ ...config, instances }],
    notConfigured: [],
    processes: { state: 'ok', count: 100 },
    launchGroups: [],
    files: [],
    diagnostics: [],
    ...over,
  };
}

/** The memory server's judgement when its lock record says 2026.7.4 runs and `installed` is 2026.8.31: stale. */
export const staleMemory = (installed: Installed): InstanceVersions => ({
  installed,
  running: { state: 'known', version: '2026.7.4', source: 'lock-record', how: 'lock record' },
  verdict: {
    state: 'stale',
    package: '@modelcontextprotocol/server-memory',
    ecosystem: 'npm',
    running: '2026.7.4',
    installed: '2026.8.31',
    movedDependencies: [],
    replacedFiles: [],
    runningHow: 'r',
    installedHow: 'i',
    summary: 's',
  },
});
