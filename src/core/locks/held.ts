import { serializeRecord } from './record';
import type { MachineFs } from '../machine/types';
import { listNumbers, replaceRecord } from './generations';
import type { HeldLock, LockRecord } from './types';

/** A lock this process holds: record number `n` in `lockPath`, the newest while we hold it. */
export class Held implements HeldLock {
  private current: LockRecord;
  private released = false;

  constructor(
    readonly lockPath: string,
    private readonly n: number,
    record: LockRecord,
    /** This machine's files, where the lock is held (acquire.ts). */
    private readonly fs: MachineFs,
  ) {
    this.current = record;
  }

  get record(): LockRecord {
    return this.current;
  }

  async update(changes: Partial<Omit<LockRecord, 'protocol' | 'pid' | 'startTime'>>): Promise<void> {
    if (this.released) throw new Error(`${this.lockPath}: cannot update a released lock`);
    // What identifies the lock and its holder never changes.
    const next: LockRecord = {
      ...this.current,
      ...changes,
      serverName: this.current.serverName,
      resourceKey: this.current.resourceKey,
      linux: this.current.linux,
      commandHash: this.current.commandHash,
    };
    replaceRecord(this.lockPath, this.n, serializeRecord(next));
    this.current = next;
  }

  async release(): Promise<void> {
    this.releaseSync();
  }

  /** Marks our record released instead of deleting it: the newest number must never go away. */
  releaseSync(): void {
    if (this.released) return;
    this.released = true;
    const numbers = listNumbers(this.lockPath, this.fs);
    // Someone judged us dead and took over (we were frozen, or our start time was misread): not ours.
    if (numbers[numbers.length - 1] !== this.n) return;
    replaceRecord(this.lockPath, this.n, serializeRecord(this.releasedRecord()));
  }

  private releasedRecord(): LockRecord {
    return { ...this.current, releasedAt: new Date().toISOString() };
  }
}
