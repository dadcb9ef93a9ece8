import * as fs from 'node:fs';
import type { MachineFs } from './types';

/**
 * A process's `stat`, `cmdline` and `status` read again through a descriptor kept open since the
 * last read, not opened by path each time: an engine that looks every few seconds reads these for
 * every process of the machine, and the open and close were most of each read's cost. A kept
 * descriptor names the process it was opened for, never a later process given the same pid: once
 * that process is gone its reads fail (ESRCH), the descriptor is closed and the path opened afresh,
 * which then reads whatever holds the pid now. So every answer is the one a read by path gives at
 * that moment. Linux only (`/proc`); any other path reads as `inner` reads it.
 */

/** The files kept open: read again at position 0, each read makes the kernel write them anew. */
const KEPT_FILE = /^\/proc\/\d+\/(?:stat|cmdline|status)$/;

/** Descriptors kept at most by one engine's Machine (about two a process; past it, files are read by path). */
const MAX_KEPT = 512;

/** A descriptor not read for this long is closed (its process most likely gone: nothing reads it any more). */
const IDLE_MS = 30_000;

/** Paths read once and not kept, remembered at most (past it, the oldest half is forgotten). */
const MAX_READ_ONCE = 4 * MAX_KEPT;

type Kept = Map<string, { fd: number; usedAt: number }>;

function closeAll(kept: Kept): void {
  for (const [path, k] of kept) close(kept, path, k.fd);
}

/** A Machine dropped (an engine made and let go: tests, a CLI's commands) closes what it kept. */
const dropped = new FinalizationRegistry<Kept>(closeAll);

function close(kept: Kept, path: string, fd: number): void {
  kept.delete(path);
  try {
    fs.closeSync(fd);
  } catch {
    // already unusable: nothing to release
  }
}

/** `inner` with a process's `stat`, `cmdline` and `status` read through kept descriptors (its own, up to MAX_KEPT). */
export function withKeptProcFiles(inner: MachineFs): MachineFs {
  const kept: Kept = new Map();
  // A descriptor is kept from a path's second read on: a one-shot look (a CLI command, a test's
  // engine) reads each file once and so keeps none, leaving nothing open for a collection to close.
  const readOnce = new Map<string, number>();
  let sweptAt = 0;
  let buffer = Buffer.allocUnsafe(16 * 1024);

  /**
   * The whole file from position 0. A `/proc/<pid>` text file is made whole by the kernel at each
   * read: a read that returns less than asked reached its end.
   */
  const readWhole = (fd: number): string => {
    let n = 0;
    for (;;) {
      n += fs.readSync(fd, buffer, n, buffer.length - n, n);
      if (n < buffer.length) return buffer.toString('utf8', 0, n);
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, n);
      buffer = bigger;
    }
  };
  const sweep = (now: number): void => {
    if (now - sweptAt < IDLE_MS) return;
    sweptAt = now;
    for (const [path, k] of kept) if (now - k.usedAt >= IDLE_MS) close(kept, path, k.fd);
    for (const [path, at] of readOnce) if (now - at >= IDLE_MS) readOnce.delete(path);
  };
  /** True the first time a path is read (within IDLE_MS): that read goes by path, nothing kept. */
  const firstRead = (path: string, now: number): boolean => {
    if (readOnce.delete(path)) return false;
    if (readOnce.size >= MAX_READ_ONCE) {
      let drop = readOnce.size / 2;
      for (const key of readOnce.keys()) if (drop-- > 0) readOnce.delete(key);
    }
    readOnce.set(path, now);
    return true;
  };

  const machineFs: MachineFs = {
    ...inner,
    readTextSync: (path) => {
      if (!KEPT_FILE.test(path)) return inner.readTextSync(path);
      const now = Date.now();
      sweep(now);
      const k = kept.get(path);
      if (k) {
        try {
          const text = readWhole(k.fd);
          k.usedAt = now;
          return text;
        } catch {
          // Its process is gone: the path is opened again below.
          close(kept, path, k.fd);
        }
      }
      if (kept.size >= MAX_KEPT || firstRead(path, now)) return inner.readTextSync(path);
      let fd: number;
      try {
        fd = fs.openSync(path, fs.constants.O_RDONLY);
      } catch {
        // Not there, or not ours to read: answered as a read by path answers it.
        return inner.readTextSync(path);
      }
      try {
        const text = readWhole(fd);
        kept.set(path, { fd, usedAt: now });
        return text;
      } catch {
        fs.closeSync(fd);
        return inner.readTextSync(path);
      }
    },
  };
  dropped.register(machineFs, kept);
  return machineFs;
}
