import { terminalSafe } from './terminalSafe';

/** The longest version string taken from outside: a release is a few dozen characters at most. */
const MAX_VERSION_CHARS = 128;

/**
 * Whether a version read from outside (a registry's answer, a server's serverInfo, a lock record) is
 * one printable line: no line break, escape, control or bidirectional character, no surrounding
 * space, not empty and not longer than MAX_VERSION_CHARS. Anything else is not taken as a version,
 * so it never adds a line of its own, or a terminal's escape, to what a face shows.
 */
export function isVersionLine(v: unknown): v is string {
  return (
    typeof v === 'string' && v.length > 0 && v.length <= MAX_VERSION_CHARS && v.trim() === v && terminalSafe(v) === v
  );
}
