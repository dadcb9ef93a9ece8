import type { Instance, Snapshot, Verdict } from '../../../src/core/base/model';
import type { InstanceVersions } from '../../../src/core/base/versionTypes';
import type { RestartCause } from '../../../src/core/report/causes';

/** What the engine reports of one instance of each verdict, as the report tests read it through every face. */

export const PKG = '@modelcontextprotocol/server-memory';
export const START = Date.parse('2026-11-21T09:00:00Z');
export const installed = {
  state: 'installed',
  ecosystem: 'npm',
  name: PKG,
  version: '2026.8.31',
  how: 'package.json',
  location: `/home/u/.npm-global/lib/node_modules/${PKG}`,
} as const;
export const known = (version: string) =>
  ({ state: 'known', version, source: 'lock-record', how: 'lock record written at start' }) as const;

/** The engine's judgement of an instance of each cause but down (a guard's verdict, with no versions). */
export const VERSIONS: Record<Exclude<RestartCause, 'down'>, InstanceVersions> = {
  version: {
    installed,
    running: known('2026.7.4'),
    verdict: {
      state: 'stale',
      package: PKG,
      ecosystem: 'npm',
      running: '2026.7.4',
      installed: '2026.8.31',
      movedDependencies: [],
      replacedFiles: [],
      runningLearnedFrom: 'lock-record',
      runningHow: 'lock record written at start',
      installedHow: 'package.json',
      summary: `${PKG}: runs 2026.7.4 but 2026.8.31 is installed`,
    },
  },
  changed: {
    installed,
    running: { state: 'unknown', reason: 'nothing recorded what it loaded' },
    verdict: {
      state: 'changed',
      package: PKG,
      ecosystem: 'npm',
      installed: '2026.8.31',
      dev: false,
      changedFiles: [{ path: `${installed.location}/dist/index.js`, at: '2026-11-21T10:00:00.000Z' }],
      changedAt: '2026-11-21T10:00:00.000Z',
      processStart: '2026-11-21T09:00:00.000Z',
      identicalFiles: [],
      summary: `${PKG}: changed since start: restart to load what is installed (dist/index.js changed at 2026-11-21T10:00:00.000Z)`,
    },
  },
  config: {
    installed,
    running: known('2026.7.4'),
    verdict: {
      state: 'config-changed',
      package: PKG,
      running: `${PKG}@2026.7.4`,
      configured: `${PKG}@2026.8.31`,
      summary: `${PKG}: the configuration now launches 2026.8.31; this process was started with 2026.7.4: restart it to run the new launch`,
    },
  },
  runtime: {
    installed,
    running: known('2026.8.31'),
    verdict: { state: 'current', reason: 'runs 2026.8.31, the installed version' },
    runtime: {
      state: 'replaced',
      runtime: 'node',
      path: '/usr/bin/node',
      running: '22.11.0',
      installed: '22.12.0',
      runningHow: 'read from the running executable (/proc/7/exe)',
      installedHow: 'read from /usr/bin/node',
      libraries: [],
      summary: 'runs a replaced node 22.11.0; installed 22.12.0 at /usr/bin/node: restart it to run what is installed',
    },
  },
};

export const DOWN: Verdict = {
  kind: 'down',
  since: '2026-11-21T11:00:00.000Z',
  reason:
    "the server exited within 10 s of starting 3 times in a row (last: exit code 1); it is not restarted again. Its last output: ModuleNotFoundError: No module named 'mcp.server.fastmcp'",
};

/** A guard's lock record: its instance is the guard's process. */
export const GUARDED = { lock: { serverName: 'memory', resourceKey: 'memory' } } as const;

/** What the engine says of pid 7: its verdicts, and its versions and lock record when it has them. */
export type Given = Pick<Instance, 'verdicts'> & Partial<Pick<Instance, 'versions' | 'lock'>>;

/** A snapshot of one configured server, `memory`, with one instance (pid 7) as given. */
export function snapshotWith(given: Given): Snapshot {
  const instance: Instance = {
    pid: 7,
    ppid: 1,
    startTime: START,
    startedAt: new Date(START).toISOString(),
    commandLine: `node /home/u/.npm-global/bin/mcp-server-memory`,
    commandHash: 'h',
    client: { id: 'claude-desktop', name: 'Claude Desktop', pid: 100 },
    launcherChain: [],
    matchedBy: 'k',
    ...given,
  };
  return {
    schemaVersion: 1,
    generator: { name: 'mcp-lifeguard', version: '0' },
    takenAt: '2026-11-21T12:00:00.000Z',
    platform: 'linux',
    workspaceFolders: [],
    servers: [
      {
        id: 'claude-desktop:user:/c.json#memory',
        name: 'memory',
        source: { client: 'claude-desktop', scope: 'user', label: 'Claude Desktop', file: '/c.json' },
        keyPath: ['mcpServers', 'memory'],
        transport: 'stdio',
        command: 'npx',
        args: ['-y', PKG],
        envKeys: [],
        headerKeys: [],
        disabled: false,
        unresolved: [],
        launchKey: 'k',
        identityKey: 'k',
        instances: [instance],
      },
    ],
    notConfigured: [],
    launchGroups: [],
    processes: { state: 'ok', count: 1 },
    files: [],
    diagnostics: [],
  };
}

/** A snapshot of one instance of a restart cause. */
export function snapshotOf(cause: RestartCause): Snapshot {
  return snapshotWith(
    cause === 'down' ? { verdicts: [DOWN], ...GUARDED } : { verdicts: [], versions: VERSIONS[cause] },
  );
}
