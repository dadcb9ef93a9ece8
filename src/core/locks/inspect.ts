import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { checkLockDir } from './lockDir';
import { judgeRecord } from './liveness';
import { lockPathFor } from './naming';
import { listNumbers, readRecordFile, recordPath } from './generations';
import type { FreeState, HolderState, ServerIdentity } from './types';

/** Reads one lock's newest record and judges it; never changes anything. */
export async function readLockAt(lockPath: string): Promise<HolderState | FreeState> {
  for (;;) {
    const numbers = listNumbers(lockPath);
    if (numbers.length === 0) return { state: 'free' };
    const file = recordPath(lockPath, numbers[numbers.length - 1]);
    const read = readRecordFile(file);
    if (read.kind === 'missing') continue; // superseded while we looked
    if (read.kind === 'unreadable') return { state: 'unreadable', reason: `${file} ${read.reason}`, recordPath: file };
    if (read.record.releasedAt !== undefined) return { state: 'free', released: read.record };
    return { ...(await judgeRecord(read.record)), recordPath: file };
  }
}

/** Who holds `identity`'s lock, if anyone. Throws a LockDirError for a lock directory that cannot be trusted. */
export async function readHolder(opts: { dir: string; identity: ServerIdentity }): Promise<HolderState | FreeState> {
  if (!(await lockDirExists(opts.dir))) return { state: 'free' };
  await checkLockDir(opts.dir);
  return readLockAt(lockPathFor(opts.dir, opts.identity));
}

/** Every lock in `dir` with its state, sorted by path. A missing directory has none. */
export async function listLocks(dir: string): Promise<Array<{ lockPath: string } & (HolderState | FreeState)>> {
  if (!(await lockDirExists(dir))) return [];
  await checkLockDir(dir);
  const names = (await fs.readdir(dir)).filter((n) => n.endsWith('.lock')).sort();
  const out: Array<{ lockPath: string } & (HolderState | FreeState)> = [];
  for (const name of names) {
    const lockPath = path.join(dir, name);
    const st = await fs.lstat(lockPath);
    if (!st.isDirectory()) {
      out.push({
        lockPath,
        state: 'unreadable',
        reason: `${lockPath} is not a directory${st.isSymbolicLink() ? ' (a symbolic link, never followed)' : ''}`,
      });
      continue;
    }
    out.push({ lockPath, ...(await readLockAt(lockPath)) });
  }
  return out;
}

async function lockDirExists(dir: string): Promise<boolean> {
  try {
    await fs.lstat(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
