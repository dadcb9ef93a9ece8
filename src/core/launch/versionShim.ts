/**
 * Version managers' shims: `python3` on PATH may be pyenv's, asdf's or mise's shim, a small script
 * (or, for mise, a link to mise itself) in the manager's `shims` folder that execs the interpreter of
 * the version selected where it runs (`pyenv exec python3` -> `~/.pyenv/versions/3.12.1/bin/python3`).
 * The process it leaves running is that interpreter, never the shim: an entry that names `python3`
 * runs one of the manager's versions, and which one is read from the same files the manager reads.
 * Reads text only: nothing is run.
 */

export type ShimManager = 'pyenv' | 'asdf' | 'mise';

export interface VersionShim {
  manager: ShimManager;
  /** The program the shim stands for: its own file name (`python3`). */
  program: string;
  /** The folder of the shims (`~/.pyenv/shims`): the PATH entry a `system` version is searched after. */
  shims: string;
  /** The manager's root (`PYENV_ROOT`, `ASDF_DATA_DIR`, mise's data folder). */
  root: string;
  /** The folders the versions it may exec are installed under (`<root>/versions`, `<root>/installs`). */
  installs: string;
}

/** A shim is a few lines; a bigger file is a program. */
export const MAX_VERSION_SHIM_BYTES = 4096;

const join = (dir: string, name: string): string => `${dir.replace(/[\\/]+$/, '')}/${name}`;
const dirname = (file: string): string => file.replace(/[\\/]+[^\\/]*$/, '') || '/';
const basename = (file: string): string => file.replace(/^.*[\\/]/, '');

/**
 * The shim `file` is, from its text (a script) or the file it links to (mise's shims link to the
 * mise binary); undefined when it is not in a `shims` folder or reads as no manager's shim.
 */
export function readVersionShim(file: string, text: string | undefined, linkTarget?: string): VersionShim | undefined {
  const shims = dirname(file);
  if (basename(shims) !== 'shims') return undefined;
  const program = basename(file);
  const parent = dirname(shims);
  // pyenv: `export PYENV_ROOT="/root/.pyenv"` ... `exec "/root/.pyenv/libexec/pyenv" exec "$program" "$@"`.
  if (text !== undefined && /\bpyenv"?\s+exec\s+"\$program"/.test(text)) {
    const root = /^export PYENV_ROOT="([^"]+)"/m.exec(text)?.[1] ?? parent;
    return { manager: 'pyenv', program, shims, root, installs: join(root, 'versions') };
  }
  // asdf: `exec /path/to/asdf exec "python3" "$@"` (before 0.16: `exec $ASDF_DIR/bin/asdf exec ...`).
  if (text !== undefined && /\basdf"?\s+exec\s+"[^"]+"\s+"\$@"/.test(text))
    return { manager: 'asdf', program, shims, root: parent, installs: join(parent, 'installs') };
  // mise: a link to the mise binary (its default), or a script running `mise x -- python3`.
  if (
    (linkTarget !== undefined && /^(mise|rtx)(\.exe)?$/i.test(basename(linkTarget))) ||
    (text !== undefined && /\bmise"?\s+(x|exec)\b[^\n]*--\s/.test(text))
  )
    return { manager: 'mise', program, shims, root: parent, installs: join(parent, 'installs') };
  return undefined;
}

/**
 * The version names a `.python-version` (pyenv) file selects, in order (one per line or separated
 * by spaces; `#` comments ignored).
 */
export function pyenvVersionNames(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*$/, '').trim())
    .flatMap((l) => l.split(/\s+/))
    .filter(Boolean);
}

/** The versions a `.tool-versions` file (asdf, mise) selects for a plugin (`python 3.12.1 system`), in order. */
export function toolVersions(text: string, plugin: string): string[] | undefined {
  for (const raw of text.split(/\r?\n/)) {
    const words = raw.replace(/#.*$/, '').trim().split(/\s+/);
    if (words[0] === plugin && words.length > 1) return words.slice(1);
  }
  return undefined;
}

/** The plugin an asdf shim belongs to (`# asdf-plugin: python 3.12.1`); python for an interpreter's shim. */
export function asdfPlugin(text: string | undefined): string | undefined {
  return text !== undefined ? /^#\s*asdf-plugin:\s*(\S+)/m.exec(text)?.[1] : undefined;
}
