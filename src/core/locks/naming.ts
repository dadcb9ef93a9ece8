import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { PathRules } from '../base/hostEnv';
import type { ServerIdentity } from './types';

/**
 * Names derived from a server identity (docs/lock-protocol.md, "Names"). Every implementation must
 * derive the same names, so the rules are spelled out byte for byte and kept in this one file.
 */

/** sha256 of the UTF-8 text, hex, first 16 characters. */
function shortHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

/** The identity's hash: sha256(serverName + NUL + resourceKey), first 16 hex characters. */
export function identityHash(identity: ServerIdentity): string {
  return shortHash(`${identity.serverName}\0${identity.resourceKey}`);
}

/**
 * The human part of a lock's name: ASCII letters lowered, every run of other characters than
 * [a-z0-9._-] replaced by one '-', cut to 32 characters, leading dots removed (no hidden files).
 * Only for people reading the directory: the hash alone makes the name unique.
 */
export function nameSlug(serverName: string): string {
  const lowered = serverName.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const slug = lowered
    .replace(/[^a-z0-9._-]+/gu, '-')
    .slice(0, 32)
    .replace(/^\.+/, '');
  return slug.length > 0 ? slug : 'server';
}

/** The lock of one identity: a directory `<slug>-<hash>.lock` inside the lock directory, named by its machine's path rules. */
export function lockPathFor(dir: string, identity: ServerIdentity, rules: PathRules): string {
  return rules.join(dir, `${nameSlug(identity.serverName)}-${identityHash(identity)}.lock`);
}

/**
 * The resource a server writes to when none is named: the resolved working directory, command and
 * arguments as a JSON array with no whitespace, e.g. `["/home/me","/usr/bin/node","server.js"]`.
 */
export function defaultResourceKey(launch: { cwd: string; command: string; args: readonly string[] }): string {
  return JSON.stringify([launch.cwd, launch.command, ...launch.args]);
}

/** macOS allows 104 bytes in sun_path (Linux 108), including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 103;

/**
 * A control endpoint address for this identity: a Unix socket path inside `dir` (or a short fallback when the path would exceed the ~104-byte sun_path limit), or a \\.\pipe\ name on Windows.
 *
 * The fallback is `/tmp/mcp-lifeguard-<uid>/<hash>.sock`, hashed over the lock directory too so
 * that two roots (MCP_LIFEGUARD_HOME) never share an endpoint; whoever listens there first makes its
 * directory with ensureLockDir(path.dirname(endpoint)), which refuses a directory planted by
 * another user. Pipe names are machine-wide, so they are hashed over the directory as well.
 */
export function controlEndpointFor(dir: string, identity: ServerIdentity, platform: NodeJS.Platform): string {
  const scoped = shortHash(`${dir}\0${identity.serverName}\0${identity.resourceKey}`);
  if (platform === 'win32') return `\\\\.\\pipe\\mcp-lifeguard-${scoped}`;
  const inDir = posix.join(dir, `${identityHash(identity)}.sock`);
  if (Buffer.byteLength(inDir, 'utf8') <= MAX_SOCKET_PATH_BYTES) return inDir;
  const uid = typeof process.getuid === 'function' ? process.getuid() : 'user';
  return `/tmp/mcp-lifeguard-${uid}/${scoped}.sock`;
}
