import { HostEnv } from './hostEnv';
import { SCHEMA_VERSION, Snapshot } from './model';
import { scanSources } from './sources/scan';
import { LIFEGUARD_VERSION } from './version';

export interface SnapshotOptions {
  host: HostEnv;
  /** Absolute paths of the workspace folders whose project-level configs are read. */
  workspaceFolders: string[];
  /** Injected for tests; defaults to now. */
  now?: () => Date;
}

/** Takes one snapshot: every configured server on this host, as plain data. */
export async function takeSnapshot(options: SnapshotOptions): Promise<Snapshot> {
  const now = options.now ?? (() => new Date());
  const scan = await scanSources({ host: options.host, workspaceFolders: options.workspaceFolders });
  return {
    schemaVersion: SCHEMA_VERSION,
    generator: { name: 'mcp-lifeguard', version: LIFEGUARD_VERSION },
    takenAt: now().toISOString(),
    platform: options.host.platform,
    workspaceFolders: options.workspaceFolders,
    servers: scan.servers,
    launchGroups: scan.launchGroups,
    files: scan.files,
    diagnostics: scan.diagnostics,
  };
}
