import { pathFor } from '../base/hostEnv';
import { isTreeMark } from '../pids/treeMark';
import { readPrivate, removePrivate, writePrivateAtomic } from '../machine/privateFs';
import { identityHash, ServerIdentity } from '../locks';
import type { LifeguardPaths } from '../base/paths';
import type { RecordedProcess } from '../pids/reidentify';

/**
 * Where an HTTP guard says it serves, for `ensure` to print the URL of one that already runs. The
 * lock record names the holder; this file (private, in the state dir) adds the client-facing URL.
 */
export interface FrontInfo {
  url: string;
  /** The guard's pid: the file is only believed while the lock's holder has this pid. */
  pid: number;
  host: string;
  port: number;
  /**
   * The server the guard runs now, with what re-identifying it takes (pids/reidentify.ts): a
   * guard killed with SIGKILL leaves it behind, and the next guard stops it before starting its own.
   * `treeMark`: the MCP_LIFEGUARD_TREE value it was started with, which what it started carries.
   */
  upstream?: RecordedProcess & { treeMark?: string };
}

function httpStateDir(paths: LifeguardPaths): string {
  return pathFor(paths).join(paths.state, 'http');
}

export function frontInfoPath(paths: LifeguardPaths, identity: ServerIdentity): string {
  return pathFor(paths).join(httpStateDir(paths), `${identityHash(identity)}.front.json`);
}

/** The persisted session map of an identity's front (see SessionStore). */
export function sessionsPath(paths: LifeguardPaths, identity: ServerIdentity): string {
  return pathFor(paths).join(httpStateDir(paths), `${identityHash(identity)}.sessions.json`);
}

export async function writeFrontInfo(paths: LifeguardPaths, identity: ServerIdentity, info: FrontInfo): Promise<void> {
  const file = frontInfoPath(paths, identity);
  await writePrivateAtomic(file, JSON.stringify(info), { root: paths.root });
}

export async function readFrontInfo(paths: LifeguardPaths, identity: ServerIdentity): Promise<FrontInfo | undefined> {
  try {
    const value = JSON.parse(
      (await readPrivate(frontInfoPath(paths, identity), { root: paths.root })) ?? 'null',
    ) as Partial<FrontInfo> | null;
    if (!value) return undefined;
    if (
      typeof value.url === 'string' &&
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.port === 'number'
    ) {
      const up = value.upstream;
      // Kept as written: the re-identification rule refuses a record that lacks a field.
      const upstream =
        up && typeof up.pid === 'number'
          ? {
              pid: up.pid,
              startTime: up.startTime,
              commandHash: up.commandHash,
              linux: up.linux,
              ...(isTreeMark(up.treeMark) ? { treeMark: up.treeMark } : {}),
            }
          : undefined;
      return { url: value.url, pid: value.pid, host: value.host, port: value.port, upstream };
    }
  } catch {
    // garbled, or not a private file of ours: the guard that wrote it is gone or never finished starting
  }
  return undefined;
}

/** Removes the file if it is still the one `pid` wrote (a successor may have replaced it). */
export async function removeFrontInfo(file: string, pid: number): Promise<void> {
  try {
    const value = JSON.parse((await readPrivate(file)) ?? 'null') as Partial<FrontInfo> | null;
    if (value?.pid === pid) await removePrivate(file);
  } catch {
    // already gone
  }
}
