/**
 * MCP Lifeguard's own CLI bundle, known by what it is, never by its name: the build writes this line
 * second in `dist/cli.js` (after the `#!` line), and every install is a copy of that file (the
 * guard at `<root>/bin/mcp-lifeguard.js`, the extension's `dist/cli.js`, a clone's). A guard, relay
 * or share host is a process running such a file with `run`; a script merely named `mcp-lifeguard`
 * is not one.
 */
export const CLI_BUNDLE_MARKER = '// mcp-lifeguard: the CLI bundle (guard, relay, share host, commands)';

/** How many bytes are read from a candidate's start: the `#!` line and the marker fit easily. */
const PREFIX_BYTES = 512;

/**
 * The line the launcher of an installed guard (`<root>/bin/mcp-lifeguard`, `.cmd` on Windows) holds
 * second, as a comment of its language: the command Wrap and Share write into clients' entries. It
 * only execs the bundle beside it, so an entry naming it launches our CLI as surely as one naming
 * the bundle.
 */
export const GUARD_LAUNCHER_MARKER = 'Written by MCP Lifeguard: runs the installed guard.';

/** Whether the text at a file's start is our CLI bundle's, or the launcher of an installed guard. */
export function isCliBundleText(prefix: string): boolean {
  const [first, second] = prefix.split('\n', 3).map((l) => l.replace(/\r$/, ''));
  if (first.startsWith('#!')) return second === CLI_BUNDLE_MARKER || second === `# ${GUARD_LAUNCHER_MARKER}`;
  if (first === '@echo off') return second === `rem ${GUARD_LAUNCHER_MARKER}`;
  return first === CLI_BUNDLE_MARKER;
}

/** What isCliBundleFile reads of a file: the Machine's file reads (core/machine) answer this. */
export interface BundleReads {
  statSync(path: string): { kind: string } | undefined;
  readBytesSync(path: string, position: number, length: number): Buffer | undefined;
}

/**
 * Whether a file is our CLI bundle: true or false when it could be read, undefined when not (gone,
 * unreadable). Regular files only, opened without following a FIFO's wait; a bounded read.
 */
export function isCliBundleFile(file: string, fs: BundleReads): boolean | undefined {
  try {
    const st = fs.statSync(file);
    if (!st) return undefined;
    if (st.kind !== 'file') return false;
    const prefix = fs.readBytesSync(file, 0, PREFIX_BYTES);
    return prefix === undefined ? undefined : isCliBundleText(prefix.toString('utf8'));
  } catch {
    return undefined;
  }
}
