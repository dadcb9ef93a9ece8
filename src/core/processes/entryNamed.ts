import type { ServerConfig } from '../base/model';
import { shownPath } from '../base/hostEnv';

/**
 * An entry as an owner verdict names it: its name and the file that defines it. The file, not the
 * client's label: two entries may share a name and a label (two workspace folders' `mcp.json`), never
 * a name and a file, and a verdict that says which entries a process fits must tell them apart. A file
 * under the home is written from `~`, as the tree writes paths (shownPath): the whole home made
 * tooltips and CLI lines long. Only the words: nothing matches or keys by them.
 */
export function entryNamed(config: Pick<ServerConfig, 'name' | 'source'>, home: string | undefined): string {
  return `'${config.name}' (${shownPath(config.source.file, home)})`;
}
