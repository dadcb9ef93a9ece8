import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClientId, ServerConfig } from '../../../src/core/base/model';
import { parsePsTable, parseWindowsProcessCsv, ProcessInfo } from '../../../src/core/pids/table';
import { fixturesDir } from '../../support/repo';
import { runnerHomes } from '../../../src/core/launch/runnerHomes';
import type { LaunchFacts } from '../../../src/core/processes/launchFacts';

export const tablesDir = path.join(fixturesDir, 'process-tables');

/** A recorded table: Linux as JSON rows, macOS as `ps` text, Windows as the CIM query's CSV. */
export function recordedTable(name: 'linux-clients' | 'linux-agent-hosts' | 'macos-ps' | 'windows-cim'): ProcessInfo[] {
  if (name.startsWith('linux-'))
    return (JSON.parse(fs.readFileSync(path.join(tablesDir, `${name}.json`), 'utf8')) as { processes: ProcessInfo[] })
      .processes;
  if (name === 'macos-ps') return parsePsTable(fs.readFileSync(path.join(tablesDir, 'macos-ps.txt'), 'utf8'));
  return parseWindowsProcessCsv(fs.readFileSync(path.join(tablesDir, 'windows-cim.csv'), 'utf8'));
}

let n = 0;
/** A stdio ServerConfig as discovery would produce it. */
export function stdioConfig(
  name: string,
  client: ClientId,
  command: string,
  args: string[],
  extra: Partial<ServerConfig> = {},
): ServerConfig {
  n++;
  return {
    id: `${client}:user:/cfg/${n}.json#${name}`,
    name,
    source: { client, scope: 'user', label: client, file: `/cfg/${n}.json` },
    keyPath: ['servers', name],
    transport: 'stdio',
    command,
    args,
    envKeys: [],
    headerKeys: [],
    disabled: false,
    unresolved: [],
    launchKey: `stdio:${JSON.stringify([command, ...args])}`,
    ...extra,
    identityKey: extra.identityKey ?? extra.launchKey ?? `stdio:${JSON.stringify([command, ...args])}`,
  };
}

/** The user the recorded tables were taken from: their npx caches are this user's. */
export function recordedUserHomes(platform: NodeJS.Platform) {
  const home = platform === 'win32' ? 'C:\\Users\\u' : platform === 'darwin' ? '/Users/u' : '/home/u';
  return runnerHomes({
    home,
    platform,
    env: platform === 'win32' ? { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' } : {},
  });
}

/** Facts of a pretend machine: exe and cwd per pid, a PATH, symlinks and venvs. */
export function facts(spec: {
  exe?: Record<number, string>;
  cwd?: Record<number, string>;
  path?: Record<string, string>;
  links?: Record<string, string>;
  venvs?: string[];
  shims?: Record<string, string>;
}): LaunchFacts {
  return {
    binShimTarget: (file) => spec.shims?.[file],
    exe: (pid) => spec.exe?.[pid],
    cwd: (pid) => spec.cwd?.[pid],
    which: (name) => spec.path?.[name],
    realpath: (file) => spec.links?.[file] ?? file,
    isVenv: (dir) => spec.venvs?.includes(dir) ?? false,
  };
}
