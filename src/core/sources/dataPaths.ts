import { hash } from 'node:crypto';
import { pathFor } from '../base/hostEnv';
import type { DataPath } from '../base/model';
import { isSecretName } from '../base/redact';
import { parseLaunch } from '../launch/parse';

/**
 * The data an entry names: the files and folders its server writes, read from its launch. Two
 * processes on one of them are two writers on one store, whatever else tells their entries apart
 * (another client, another folder, another command line), and the guard's lock is keyed by it
 * (`--resource`, written by Wrap with Guard, Share One Instance and Add to Config).
 *
 * What counts (docs/guarantees.md, "One data store, one lock"):
 * - an option of the server's own arguments (after what the launchers peel off: `uv --directory`
 *   is not the server's) whose name says data (`--palace`, `--db`, `--data-dir`, `--memory-file`,
 *   `--db-path=...`) and whose value is an absolute path;
 * - an env key the entry sets whose name says data in the same words (`MEMORY_FILE_PATH`,
 *   `SQLITE_DB_PATH`, `MEMPALACE_PALACE`) and whose value is an absolute path; never a key named as
 *   a credential (isSecretName: a key file's path is not shown), nor one of a runtime or tool
 *   (`HOME`, `PATH`, `PYTHONPATH`, `VIRTUAL_ENV`, `XDG_*`, `NODE_EXTRA_CA_CERTS`...);
 * and in both, the path exists or its parent folder does (a store not yet created is still the
 * store). A name that also says config, logs, certificates, an interpreter or a cache is not data
 * (`--config`, `LOG_DIR`, `SSL_CERT_FILE`, `PYTHON_BIN`): those are read, or written by each
 * process for itself. A path list (`a:b`), a relative path, one with a line break or an unresolved
 * variable is never a data path.
 *
 * A path so found never leaves this file: an env value is a secret whatever it holds, and one
 * rule for both origins keeps one key per store however an entry names it. What leaves is its key
 * (`dataKey`: `data:` and a digest of the path), which entries naming one path share: the
 * snapshot's `dataPaths` and the `sameData` verdict carry it with how each entry names the path
 * (`--palace`, `env MEMORY_FILE_PATH`: the key, never its value), and the guard's lock is keyed by it
 * (`--resource=data:...`). Env values under any other key are never read here.
 */

/**
 * The key of one data path: `data:` and the first 16 hex characters of the sha256 of the normalized
 * absolute path. Not keyed by a run's secret (as env digests are): every client's entry and every
 * guard must derive the same key for one store, on any run. It says nothing of the path to whoever
 * does not already know the path.
 */
export function dataKey(path: string): string {
  return `data:${hash('sha256', path, 'hex').slice(0, 16)}`;
}

/** Words that make an option or env key name data. */
const DATA_WORDS = new Set([
  'palace',
  'db',
  'dbpath',
  'database',
  'data',
  'datadir',
  'dir',
  'directory',
  'folder',
  'path',
  'file',
  'store',
  'storage',
  'memory',
  'vault',
  'root',
  'repo',
  'repository',
  'sqlite',
  'index',
  'notes',
  'workspace',
  'location',
  'kb',
]);

/** Words that make a name something else than the server's own data, whatever else it says. */
const NOT_DATA_WORDS = new Set([
  'config',
  'conf',
  'cfg',
  'settings',
  'log',
  'logs',
  'cert',
  'certs',
  'ca',
  'tls',
  'ssl',
  'key',
  'python',
  'node',
  'bin',
  'exe',
  'executable',
  'interpreter',
  'venv',
  'cache',
  'tmp',
  'temp',
  'tmpdir',
  'plugin',
  'plugins',
  'schema',
  'template',
  'pid',
  'socket',
  'xdg',
  'npm',
  'pip',
  'uv',
]);

/** Env keys of runtimes and tools: they name where a program runs from, not what a server writes. */
const RUNTIME_KEYS = new Set([
  'HOME',
  'USERPROFILE',
  'PATH',
  'PWD',
  'OLDPWD',
  'SHELL',
  'APPDATA',
  'LOCALAPPDATA',
  'PROGRAMDATA',
  'VIRTUAL_ENV',
  'CONDA_PREFIX',
  'PYTHONPATH',
  'PYTHONHOME',
  'NODE_PATH',
  'JAVA_HOME',
  'GOPATH',
  'GOROOT',
  'CARGO_HOME',
  'RUSTUP_HOME',
  'DENO_DIR',
  'BUN_INSTALL',
]);

/** Whether an option or env key's name says the server's data. */
export function namesData(name: string): boolean {
  const words = name
    .replace(/^-+/, '')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[-_.]+/)
    .filter(Boolean);
  if (words.length === 0 || words.some((w) => NOT_DATA_WORDS.has(w))) return false;
  return words.some((w) => DATA_WORDS.has(w));
}

/** Whether an argument is a data option (`--palace`, `--db=...`): the cheap test before the launch is read. */
function dataOption(arg: string): boolean {
  if (!arg.startsWith('--')) return false;
  const eq = arg.indexOf('=');
  return namesData(eq < 0 ? arg : arg.slice(0, eq));
}

/** The server's own arguments: what runs after the launchers parseLaunch peels off. */
function serverArgs(launch: { command: string; args: readonly string[] }): readonly string[] {
  const { target } = parseLaunch([launch.command, ...launch.args]);
  return target.kind === 'none' ? [] : target.args;
}

/** An absolute path on `platform`, one line, no list, no variable left: the path normalized, else undefined. */
function absolutePath(value: string, platform: NodeJS.Platform): string | undefined {
  if (value.length === 0 || /[\0\r\n]/.test(value) || /\$\{|\$[A-Za-z_]|%[A-Za-z_]+%/.test(value)) return undefined;
  if (platform === 'win32') {
    if (!/^([A-Za-z]:[\\/]|\\\\[^\\])/.test(value) || value.indexOf(';') >= 0) return undefined;
    return pathFor({ platform }).normalize(value);
  }
  if (!value.startsWith('/') || value.includes(':')) return undefined;
  return pathFor({ platform })
    .normalize(value)
    .replace(/(.)\/$/, '$1');
}

/**
 * What `dataPathsOf` asks `exists` about one value: its normalized absolute path, then that path's
 * folder (none for a root); nothing for a value that is no absolute path. These questions name the
 * value: a capture leaves them out of its record when the value is a secret (an env value), so a
 * capture never holds one (capture/redactRecord.ts).
 */
export function existenceQuestions(value: string, platform: NodeJS.Platform): string[] {
  const abs = absolutePath(value, platform);
  if (abs === undefined) return [];
  const parent = pathFor({ platform }).dirname(abs);
  return parent === abs ? [abs] : [abs, parent];
}

/**
 * The data paths of a stdio entry's resolved launch (`env`: the values it sets, resolved; no value
 * leaves this function, only the keys of the paths the rules above let through), each once, the
 * server's own options first in their order, then env keys by name. `exists` answers for a path on
 * the machine the entry runs on; `keyOfStandIn`, in a replay, for a value its capture replaced.
 */
export function dataPathsOf(
  launch: { command: string; args: readonly string[]; env?: Readonly<Record<string, string>> },
  platform: NodeJS.Platform,
  exists: (p: string) => boolean,
  keyOfStandIn?: (standIn: string) => string | undefined,
): DataPath[] {
  const out: DataPath[] = [];
  const seen = new Set<string>();
  const add = (key: string, from: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ from, key });
  };
  const take = (value: string, from: string) => {
    // A replay's env value is its capture's stand-in: the capture kept what it named (MachineFs.dataKeyOfStandIn).
    const recorded = keyOfStandIn?.(value);
    if (recorded !== undefined) return add(recorded, from);
    const [abs, parent] = existenceQuestions(value, platform);
    if (abs === undefined) return;
    if (!exists(abs) && (parent === undefined || !exists(parent))) return;
    add(dataKey(abs), from);
  };
  // Read the launch (which arguments are the server's own) only when an argument could name data:
  // a scan of thousands of entries pays nothing for the many that name none.
  const own = launch.args.some(dataOption) ? serverArgs(launch) : [];
  for (let i = 0; i < own.length; i++) {
    const arg = own[i];
    const m = /^(--[A-Za-z][\w.-]*)=(.*)$/s.exec(arg);
    if (m) {
      if (namesData(m[1])) take(m[2], m[1]);
    } else if (/^--[A-Za-z][\w.-]*$/.test(arg) && i + 1 < own.length && namesData(arg)) {
      take(own[i + 1], arg);
    }
  }
  for (const key of Object.keys(launch.env ?? {}).sort()) {
    if (RUNTIME_KEYS.has(key.toUpperCase()) || isSecretName(key) || !namesData(key)) continue;
    take(launch.env![key], `env ${key}`);
  }
  return out;
}
