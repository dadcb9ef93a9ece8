import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const made = new Set<string>();

/**
 * A temp folder that lives until the run ends: for fixtures a whole suite builds once and reads in
 * several tests. The run's root hook removes them all (test/support/tempRoot.ts).
 */
export function makeTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/**
 * A temp folder, as makeTempDir, on a disk: for code a test maps into a process and then replaces
 * (native libraries, a mapped file). The engine reads a mapping under /dev/shm as shared memory,
 * never as code, and the run's own folder may be there (tempRoot.ts); on a disk the mapping reads
 * as it does where code is installed.
 */
export function makeDiskTempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(process.env.MCP_LIFEGUARD_TEST_DISK_TMPDIR ?? os.tmpdir(), prefix));
  made.add(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  made.clear();
}
