import type { MachineFs } from '../machine/types';
import { ReadOutcome } from './types';

export type { ReadOutcome } from './types';

/**
 * The file reads a config read makes: a Machine's (tests inject failures root cannot see, permission
 * denied). The stat is synchronous: most of the places a scan looks are empty, and an absent file is
 * an answer there, where a promise's stat makes an error for it (2 ms of a 28 ms refresh).
 */
export type ReadFs = Pick<MachineFs, 'statSync' | 'readBytes'>;

/**
 * Config files larger than this are refused unread: no client writes one, and reading it would
 * stall a refresh. Up to it a JSON config is scanned in well under 2 s (bench/sources.bench.ts);
 * YAML and TOML have lower limits of their own (continueYaml.ts, codex.ts): their parsers are slower.
 */
export const MAX_CONFIG_BYTES = 10 * 1024 * 1024;

/**
 * Reads a config file as UTF-8 text, turning every way it can fail into a diagnostic: a directory
 * where a file should be, permission denied, a symlink loop, a file over MAX_CONFIG_BYTES, NUL bytes.
 * A UTF-8 byte order mark is dropped (with no complaint: editors on Windows write one).
 */
export async function readConfigFile(file: string, fs: ReadFs): Promise<ReadOutcome> {
  let size: number;
  try {
    const st = fs.statSync(file);
    // A dangling symlink, or a path through a file, is as good as missing.
    if (!st) return { state: 'missing' };
    if (st.kind === 'dir') return unreadable('is a directory, expected a file');
    if (st.kind !== 'file') return unreadable('is not a regular file');
    size = st.size;
  } catch (err) {
    return unreadable(describeFsError(err as NodeJS.ErrnoException));
  }
  if (size > MAX_CONFIG_BYTES) {
    return unreadable(
      `is ${formatBytes(size)}, over the ${formatBytes(MAX_CONFIG_BYTES)} limit for a config file; not read`,
    );
  }
  let bytes: Buffer | undefined;
  try {
    // One read with a hard cap: the file may grow between stat and read.
    bytes = await fs.readBytes(file, 0, Math.min(size, MAX_CONFIG_BYTES) + 1);
  } catch (err) {
    return unreadable(describeFsError(err as NodeJS.ErrnoException));
  }
  // Gone, or no longer a regular file, between the stat and the read.
  if (!bytes) return { state: 'missing' };
  if (bytes.length > MAX_CONFIG_BYTES)
    return unreadable(`grew over the ${formatBytes(MAX_CONFIG_BYTES)} limit while being read; not read`);
  return decodeConfigText(bytes);
}

/** Bytes to text: strips a UTF-8 BOM; NUL bytes (a binary or corrupted file) are reported with their position. */
export function decodeConfigText(bytes: Buffer): ReadOutcome {
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul);
    const line = before.split(/\r\n|\r|\n/).length;
    const column = nul - Math.max(before.lastIndexOf('\n'), before.lastIndexOf('\r'));
    return {
      state: 'unreadable',
      diagnostic: {
        severity: 'error',
        line,
        column,
        message: 'contains NUL bytes: not a text config file (corrupted or binary); not read',
      },
    };
  }
  return { state: 'read', text, diagnostics: [] };
}

function unreadable(message: string): ReadOutcome {
  return { state: 'unreadable', diagnostic: { severity: 'error', message } };
}

export function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'EACCES':
    case 'EPERM':
      return 'cannot be read: permission denied';
    case 'ELOOP':
      return 'cannot be read: symbolic link loop';
    case 'EISDIR':
      return 'is a directory, expected a file';
    case 'ENAMETOOLONG':
      return 'cannot be read: path too long';
    default:
      return `cannot be read: ${err.code ?? 'error'} ${err.message}`;
  }
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MiB` : `${n} bytes`;
}
