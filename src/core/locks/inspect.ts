import { pathFor } from '../base/hostEnv';
import { thisMachine } from '../machine/live';
import type { Machine } from '../machine/types';
import { checkLockDir } from './lockDir';
import { judgeRecord, lockProbe, ProcessProbe } from './liveness';
import { lockPathFor } from './naming';
import { listNumbers, readRecordFile, recordPath } from './generations';
import type { FreeState, HolderState, ServerIdentity } from './types';

/** How a holder's pid is looked up (liveness.ts lockProbe): a check that read the process table passes its own. */
type Probe = (pid: number) => Promise<ProcessProbe>;

/** Reads one lock's newest record and judges it; never changes anything. */
export async function readLockAt(
  lockPath: string,
  machine: Machine = thisMachine(),
  probe: Probe = lockProbe(machine),
): Promise<HolderState | FreeState> {
  for (;;) {
    const numbers = listNumbers(lockPath, machine.fs);
    if (numbers.length === 0) return { state: 'free' };
    const file = recordPath(lockPath, numbers[numbers.length - 1], pathFor(machine.host));
    const read = readRecordFile(file, machine.fs);
    if (read.kind === 'missing') continue; // superseded while we looked
    if (read.kind === 'unreadable') return { state: 'unreadable', reason: `${file} ${read.reason}`, recordPath: file };
    if (read.record.releasedAt !== undefined) return { state: 'free', released: read.record };
    return { ...(await judgeRecord(read.record, probe)), recordPath: file };
  }
}

/** Who holds `identity`'s lock, if anyone. Throws a LockDirError for a lock directory that cannot be trusted. */
export async function readHolder(opts: {
  dir: string;
  identity: ServerIdentity;
  machine?: Machine;
}): Promise<HolderState | FreeState> {
  const machine = opts.machine ?? thisMachine();
  if (!lockDirExists(opts.dir, machine)) return { state: 'free' };
  await checkLockDir(opts.dir, machine);
  return readLockAt(lockPathFor(opts.dir, opts.identity, pathFor(machine.host)), machine);
}

/** Every lock in `dir` with its state, sorted by path. A missing directory has none. */
export async function listLocks(
  dir: string,
  machine: Machine = thisMachine(),
  probe: Probe = lockProbe(machine),
): Promise<Array<{ lockPath: string } & (HolderState | FreeState)>> {
  if (!lockDirExists(dir, machine)) return [];
  await checkLockDir(dir, machine);
  const names = ((await machine.fs.readdir(dir)) ?? []).filter((n) => n.endsWith('.lock')).sort();
  const out: Array<{ lockPath: string } & (HolderState | FreeState)> = [];
  for (const name of names) {
    const lockPath = pathFor(machine.host).join(dir, name);
    const st = await machine.fs.lstat(lockPath);
    if (!st) continue; // removed while we looked
    if (st.kind !== 'dir') {
      out.push({
        lockPath,
        state: 'unreadable',
        reason: `${lockPath} is not a directory${st.kind === 'link' ? ' (a symbolic link, never followed)' : ''}`,
      });
      continue;
    }
    out.push({ lockPath, ...(await readLockAt(lockPath, machine, probe)) });
  }
  return out;
}

function lockDirExists(dir: string, machine: Machine): boolean {
  return machine.fs.lstatSync(dir) !== undefined;
}
