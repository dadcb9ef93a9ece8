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

/** Whether the text at a file's start is our CLI bundle's. */
export function isCliBundleText(prefix: string): boolean {
  const lines = prefix.split('\n', 3);
  return lines[0].startsWith('#!') ? lines[1] === CLI_BUNDLE_MARKER : lines[0] === CLI_BUNDLE_MARKER;
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
