/**
 * Names of the programs a launch runs, read the same way everywhere: by basename, for both path
 * separators, Windows executable extensions (`npx.cmd`, `node.exe`) ignored, case folded.
 */

/** The last path segment, for both separators, without a Windows executable extension, lower-cased. */
export function programName(token: string): string {
  const cut = Math.max(token.lastIndexOf('/'), token.lastIndexOf('\\'));
  const base = cut >= 0 ? token.slice(cut + 1) : token;
  return (base.includes('.') ? base.replace(/\.(exe|cmd|bat|ps1|com)$/i, '') : base).toLowerCase();
}

/** Whether a token names a path (it has a separator) rather than a bare command searched on PATH. */
export function hasSeparator(token: string): boolean {
  return token.includes('/') || token.includes('\\');
}

/**
 * JavaScript runtimes: they run a script (or, deno, an `npm:` package) in their own process, so the
 * server is what they run, never the runtime itself.
 */
export const JS_RUNTIMES = /^(node|nodejs|bun|deno)$/;
/** What reads `node [options] script`: the runtimes, and tsx and ts-node, which start node on it. */
export const NODE_LIKE = /^(node|nodejs|bun|deno|tsx|ts-node)$/;
/** Python interpreters: `python [options] (-m module | script)`. */
export const PYTHON_LIKE = /^(python|pythonw|python[23](\.\d+)?|pypy3?)$/;
/** POSIX shells, peeled when they run a command string (`sh -c '...'`). */
export const SHELLS = /^(sh|bash|dash|zsh|ksh|fish|ash|busybox)$/;
