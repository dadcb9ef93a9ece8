import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openPrivateSync } from '../core/machine/privateFs';

/**
 * One notification per event across every open window: the first window to create the event's
 * marker file (O_EXCL, atomic on local file systems) shows it; the others see EEXIST and stay
 * quiet. Markers live in the user's state dir, so windows of every VS Code on this account agree.
 */

export type ClaimResult = { kind: 'claimed' } | { kind: 'taken' } | { kind: 'error'; message: string };

export function markerPath(stateDir: string, eventId: string): string {
  // Event ids hold paths and versions: hash them into a safe file name.
  const hash = crypto.createHash('sha256').update(eventId).digest('hex').slice(0, 32);
  return path.join(stateDir, 'notified', `${hash}.json`);
}

/** `root`: our root (src/core/base/paths.ts); every folder from it down to the marker's must be private (default: from stateDir). */
export function claimEvent(
  stateDir: string,
  eventId: string,
  now: () => Date = () => new Date(),
  root: string = stateDir,
): ClaimResult {
  const file = markerPath(stateDir, eventId);
  try {
    // O_EXCL: a marker (or a planted link) already there means taken; never written through.
    const fd = openPrivateSync(file, fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_WRONLY, { root });
    try {
      fs.writeSync(fd, `${JSON.stringify({ eventId, pid: process.pid, at: now().toISOString() })}\n`);
    } finally {
      fs.closeSync(fd);
    }
    return { kind: 'claimed' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { kind: 'taken' };
    return { kind: 'error', message: (err as Error).message };
  }
}

/** Gives back a claim made for an event that did not happen (an install that failed): a later one of that id is news again. */
export function unclaimEvent(stateDir: string, eventId: string): void {
  try {
    fs.rmSync(markerPath(stateDir, eventId), { force: true });
  } catch {
    // A marker left behind only keeps that one event quiet.
  }
}

/** How long a marker keeps its event quiet: the events are a running process's, and servers live for days, not months. */
export const CLAIM_LIFE_MS = 30 * 24 * 3600 * 1000;

/**
 * Removes the markers older than `lifeMs` (by their write time): one is made per event and process,
 * so without it the folder grows for as long as the extension is used. A marker is a file this
 * function made; anything else there (a link, a folder) is left as it is, never followed.
 */
export function sweepClaims(stateDir: string, now: number = Date.now(), lifeMs: number = CLAIM_LIFE_MS): number {
  const dir = path.join(stateDir, 'notified');
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0; // No marker yet.
  }
  let removed = 0;
  for (const name of names) {
    if (!/^[0-9a-f]{32}\.json$/.test(name)) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.lstatSync(file);
      if (!st.isFile() || now - st.mtimeMs < lifeMs) continue;
      fs.rmSync(file);
      removed++;
    } catch {
      // Gone meanwhile (another window swept it): nothing to do.
    }
  }
  return removed;
}
