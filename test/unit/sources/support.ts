import * as fs from 'node:fs';
import * as path from 'node:path';
import { HostEnv } from '../../../src/core/base/hostEnv';
import { liveFs } from '../../../src/core/machine/liveFs';
import { decodeConfigText, ReadOutcome } from '../../../src/core/sources/readConfigFile';
import { scanSources, ScanContext, ScanResult } from '../../../src/core/sources/scan';
import { ListDir } from '../../../src/core/sources/types';
import { makeTempDir } from '../../support/temp';

/** A fresh temporary folder, removed when the run ends. */
export function tempDir(label = 'src'): string {
  return makeTempDir(`mcp-lifeguard-${label}-`);
}

/** Writes files (absolute path -> text or bytes), creating their folders. */
export function writeTree(files: Record<string, string | Buffer>): void {
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

/**
 * An in-memory file system for a host whose paths this machine cannot hold (Windows paths on
 * Linux): reads decode like real ones (BOM, NUL bytes), folders are listed from the file names.
 */
export function memFs(
  platform: NodeJS.Platform,
  files: Record<string, string>,
): { readFile: (f: string) => Promise<ReadOutcome>; listDir: ListDir } {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return {
    readFile: async (file) =>
      file in files ? decodeConfigText(Buffer.from(files[file], 'utf8')) : { state: 'missing' },
    listDir: async (dir) => {
      const prefix = dir.endsWith(p.sep) ? dir : dir + p.sep;
      const names = Object.keys(files)
        .filter((f) => f.startsWith(prefix))
        .map((f) => f.slice(prefix.length).split(p.sep)[0]);
      if (names.length === 0) throw Object.assign(new Error(`ENOENT: ${dir}`), { code: 'ENOENT' });
      return [...new Set(names)];
    },
  };
}

export function host(home: string, platform: NodeJS.Platform = 'linux', env: Record<string, string> = {}): HostEnv {
  return { home, platform, env };
}

/** A scan of fixture files on this disk (liveFs) unless the test names other files. */
export async function scan(ctx: Omit<ScanContext, 'fs'> & Partial<Pick<ScanContext, 'fs'>>): Promise<ScanResult> {
  return scanSources({ fs: liveFs, ...ctx });
}

/** Finds the one server of that name, failing clearly when it is missing. */
export function server(result: ScanResult, name: string) {
  const found = result.servers.filter((s) => s.name === name);
  if (found.length !== 1)
    throw new Error(
      `expected one server "${name}", found ${found.length}: ${result.servers.map((s) => s.name).join(', ')}`,
    );
  return found[0];
}
