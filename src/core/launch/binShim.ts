/**
 * Bin shims: where a package manager writes a small script into `node_modules/.bin` instead of a
 * symlink (pnpm always; npm's cmd-shim on Windows, whose sh form is the same text), and on Windows
 * into npm's global prefix for `npm i -g` (`%APPDATA%\npm\<bin>.cmd`, its target `node_modules\...`
 * instead of `..\...`), the script it runs is named in the shim's text relative to the shim's own folder:
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

/** A path with `/` separators and no trailing one, for comparing folders of any platform's spelling. */
const slashed = (p: string): string => p.replace(/\\/g, '/').replace(/\/+$/, '');

/**
 * Whether a file may be a shim a package manager wrote in place of a link, so its text is read for
 * the script it runs: one in a `node_modules/.bin` folder; npm's Windows `.cmd` and `.ps1` shims of
 * a global bin wherever its prefix is (npm's own npmrc may move it where this cannot read); and any
 * file of `npmShimFolders` (npm's global prefix on Windows, launch/runnerHomes.ts: its sh shim too),
 * compared without case as Windows compares names. What is read must still be a shim's text.
 */
export function isShimLocation(file: string, npmShimFolders: readonly string[]): boolean {
  const dir = slashed(file).replace(/\/[^/]*$/, '');
  if (/(^|\/)\.bin$/.test(dir) || /\.(cmd|ps1)$/i.test(file)) return true;
  const folder = dir.toLowerCase();
  return npmShimFolders.some((f) => slashed(f).toLowerCase() === folder);
}

/**
 * The script a shim runs, from the target `parseBinShim` read (relative, `/`-separated), spelled
 * as the shim's own path is (its folder, its separator): `C:\u\npm\x.cmd` + `node_modules/p/i.js`
 * is `C:\u\npm\node_modules\p\i.js`, whatever the platform reading it.
 */
export function shimScriptPath(shim: string, target: string): string {
  const cut = Math.max(shim.lastIndexOf('/'), shim.lastIndexOf('\\'));
  const sep = cut >= 0 ? shim[cut] : '/';
  return `${shim.slice(0, cut)}${sep}${target.split('/').join(sep)}`;
}
