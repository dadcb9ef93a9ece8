/**
 * Bin shims: where a package manager writes a small script into `node_modules/.bin` instead of a
 * symlink (pnpm always; npm's cmd-shim on Windows, whose sh form is the same text), the script it
 * runs is named in the shim's text relative to the shim's own folder:
 *   sh:   exec node  "$basedir/../@scope/pkg/dist/index.js" "$@"
 *   sh (pnpm 10+): exec node  "$basedir_abs"/'../.pnpm/@scope+pkg@1.0.0/node_modules/@scope/pkg/dist/index.js' "$@"
 *   cmd:  "%_prog%"  "%dp0%\..\@scope\pkg\dist\index.js" %*
 *   ps1:  & "$basedir/node$exe"  "$basedir/../@scope/pkg/dist/index.js" $args
 */

/** Shims are a few kilobytes; a bigger file under `.bin` is a program, not worth reading as text. */
export const MAX_SHIM_BYTES = 64 * 1024;

/** The interpreter a shim prefers when it sits beside the shim (`$basedir/node`), not the target. */
const INTERPRETER = /^node(\.exe|\$exe)?$/;

/**
 * The path a shim runs, relative to the shim's folder, with `/` separators (`../pkg/dist/index.js`);
 * undefined when the text is not a shim this recognises.
 */
export function parseBinShim(text: string): string | undefined {
  // pnpm 10 and later: `exec node "$basedir_abs"/'../.pnpm/.../index.js' "$@"` (the shim's real folder,
  // links resolved), beside NODE_PATH lines of the same shape: only an `exec` line names the script.
  for (const line of text.split('\n')) {
    if (!/^\s*exec\s/.test(line)) continue;
    const m = /"\$basedir(?:_abs)?"\/'([^']+)'/.exec(line);
    if (m && !INTERPRETER.test(m[1])) return m[1];
  }
  const quoted = [...text.matchAll(/"\$basedir[\\/]([^"]+)"/g), ...text.matchAll(/"%(?:~dp0|dp0%)\\?([^"%]+)"/g)];
  for (const m of quoted) {
    const rel = m[1].replace(/\\/g, '/');
    if (!INTERPRETER.test(rel)) return rel;
  }
  return undefined;
}
