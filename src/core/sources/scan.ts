import { HostEnv } from '../hostEnv';
import { Diagnostic, LaunchGroup, ScannedFile, ServerConfig } from '../model';

export interface ScanContext {
  host: HostEnv;
  workspaceFolders: string[];
}

export interface ScanResult {
  servers: ServerConfig[];
  launchGroups: LaunchGroup[];
  files: ScannedFile[];
  diagnostics: Diagnostic[];
}

/** Reads every configuration source on the host. Placeholder until the source table lands. */
export async function scanSources(_ctx: ScanContext): Promise<ScanResult> {
  return { servers: [], launchGroups: [], files: [], diagnostics: [] };
}
