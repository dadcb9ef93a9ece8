import type { ServerConfig } from '../base/model';

/**
 * An entry as an owner verdict names it: its name and the file that defines it. The file, not the
 * client's label: two entries may share a name and a label (two workspace folders' `mcp.json`), never
 * a name and a file, and a verdict that says which entries a process fits must tell them apart.
 */
export function entryNamed(config: Pick<ServerConfig, 'name' | 'source'>): string {
  return `'${config.name}' (${config.source.file})`;
}
