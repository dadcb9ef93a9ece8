import type { SourceRef } from '../../../src/core/base/model';
import { VmClient, VmInstance, VmServer, VmSnapshot, VmVerdict } from '../../../src/core/report/input';

/** Small builders for view-model inputs: every test states only what matters to it. */

export const HOUR = 3_600_000;
export const NOW = Date.parse('2026-11-21T12:00:00Z');

export const CLAUDE: VmClient = { id: 'claude-desktop', name: 'Claude Desktop', pid: 100 };
export const VSCODE_HERE: VmClient = { id: 'vscode', name: 'VS Code', pid: 200 };
export const VSCODE_OTHER: VmClient = { id: 'vscode', name: 'VS Code', pid: 300 };
export const TERMINAL: VmClient = { id: 'terminal', name: 'terminal', pid: 400 };

export function source(over: Partial<SourceRef> = {}): SourceRef {
  return {
    client: 'claude-desktop',
    scope: 'user',
    label: 'Claude Desktop',
    file: '/home/u/.config/Claude/claude_desktop_config.json',
    ...over,
  };
}

export function server(name: string, over: Partial<VmServer> = {}): VmServer {
  const src = over.source ?? source();
  return {
    id: `${src.client}:${src.scope}:${src.file}#${name}`,
    name,
    source: src,
    position: { line: 3, column: 5 },
    keyPath: ['mcpServers', name],
    transport: 'stdio',
    command: 'npx',
    args: ['-y', `@modelcontextprotocol/server-${name}`],
    envKeys: [],
    headerKeys: [],
    disabled: false,
    unresolved: [],
    launchKey: `stdio:npx -y ${name}`,
    instances: [],
    ...over,
    identityKey: over.identityKey ?? over.launchKey ?? `stdio:npx -y ${name}`,
  };
}

export function instance(pid: number, over: Partial<VmInstance> = {}): VmInstance {
  return {
    pid,
    ppid: 1,
    startTime: NOW - 3 * HOUR,
    commandLine: `node server-${pid}`,
    client: CLAUDE,
    memoryBytes: 84 * 1024 * 1024,
    verdicts: [],
    ...over,
  };
}

export const stale = (
  running = '2026.7.4',
  installed = '2026.8.31',
  pkg = '@modelcontextprotocol/server-memory',
): VmVerdict => ({
  kind: 'restart',
  cause: 'version',
  package: pkg,
  running,
  installed,
  summary: `${pkg}: runs ${running} but ${installed} is installed`,
});
/** Files of the package changed after the process started, and nothing recorded what it loaded. */
export const changed = (installed = '2026.8.31', pkg = '@modelcontextprotocol/server-memory'): VmVerdict => ({
  kind: 'restart',
  cause: 'changed',
  package: pkg,
  running: 'changed since start',
  installed,
  summary: `${pkg}: changed since start: restart to load what is installed (its files changed at 2026-11-20T10:00:00.000Z)`,
});
export const versionUnknown = (
  reason = 'no lock record, no report from the server and no earlier sighting of this instance',
): VmVerdict => ({ kind: 'unknown', question: 'stale', reason });
export const duplicate = (keep: number, pids: number[], client: VmClient = CLAUDE): VmVerdict => ({
  kind: 'duplicate',
  identityKey: 'k',
  client,
  keep: { pid: keep, client },
  instances: pids.map((pid) => ({ pid, client })),
});
export const orphan = (): VmVerdict => ({
  kind: 'orphan',
  launchPid: 9,
  ppid: 1,
  reason: 'its client exited; it was reparented to init (pid 1)',
});

export const superseded = (): VmVerdict => ({
  kind: 'superseded',
  name: 'Claude Code daemon',
  host: { pid: 100 },
  newer: { pid: 200 },
  why: 'version',
  reason: 'left by an earlier Claude Code daemon (pid 100)',
});

export function snapshot(servers: VmServer[], over: Partial<VmSnapshot> = {}): VmSnapshot {
  return {
    takenAt: new Date(NOW).toISOString(),
    workspaceFolders: ['/ws/a'],
    servers,
    notConfigured: [],
    processes: { state: 'ok' },
    files: [],
    diagnostics: [],
    ...over,
  };
}
