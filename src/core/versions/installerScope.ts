import type { HostEnv } from '../base/hostEnv';
import { pathFor } from '../base/hostEnv';
import { hasSeparator } from '../launch/program';
import { pipxHomeFolders, uvToolFolder } from '../launch/runnerHomes';
import { envVar, which } from '../launch/which';
import type { Installed } from '../base/versionTypes';
import type { VersionFs } from './fs';
import type { Machine } from '../machine/types';
import { readEnviron } from '../processes/environ';
import { hasFlag, Installer, InstallerProcess, installersIn, optionValue } from './installers';

/**
 * What an installer at work (installers.ts) can write, and which verdicts it holds: pip writes its
 * interpreter's environment, npm/pnpm/yarn/bun the tree of their working directory's project (or
 * the global prefix with `-g`), uv its project's environment (or its tool folder), pipx its home.
 * An installer whose reach cannot be told holds every verdict of its ecosystem, saying why. The
 * reach reads the installer's working directory, `pyvenv.cfg` and `package.json` files through
 * injected readers.
 */

/** What an installer can write: folders (each given as written and as its real path), or why that is not known. */
export type InstallerScope = { roots: string[]; words: string } | { roots?: undefined; unknown: string };

/** An installer and what it can write. */
export type ScopedInstaller = Installer & { scope: InstallerScope };

/** What the reach of an installer is read from. Only `PATH` and `VIRTUAL_ENV` of its environment are used. */
export interface ScopeReaders {
  fs: Pick<VersionFs, 'stat' | 'realpath'>;
  /** The process's working directory (Linux: /proc/<pid>/cwd), when readable. */
  cwd(pid: number): Promise<string | undefined>;
  /** One variable of the process's environment (Linux: /proc/<pid>/environ), when readable. */
  envOf(pid: number, name: 'PATH' | 'VIRTUAL_ENV'): Promise<string | undefined>;
  /** The process's real executable (Linux: /proc/<pid>/exe), when readable: a retitled npm's node. */
  exe?(pid: number): Promise<string | undefined>;
  /**
   * A retitled npm's arguments (its title keeps only the positional ones): the `verbose argv` line
   * of the debug log it has open (npmLogArgv), when readable.
   */
  npmArgv?(pid: number): Promise<string[] | undefined>;
}

/** A debug log npm writes as it runs (`<cache>/_logs/<time>-debug-0.log`), among a process's open files. */
export const NPM_DEBUG_LOG = /[\\/]_logs[\\/][^\\/]+-debug-\d+\.log$/;

/**
 * The arguments npm was started with, from the text of its debug log: `N verbose argv "ci"
 * "--prefix" "/srv/app"` (npm writes them JSON-quoted, secrets already replaced). Undefined when
 * the line is not there.
 */
export function npmLogArgv(text: string): string[] | undefined {
  const m = /^\d+ verbose argv (.*)$/m.exec(text);
  if (!m) return undefined;
  const out: string[] = [];
  for (const q of m[1].match(/"(?:[^"\\]|\\.)*"/g) ?? []) {
    try {
      out.push(JSON.parse(q) as string);
    } catch {
      return undefined;
    }
  }
  return out;
}

/** Whether the process table shows npm under its own title (`npm ci`): its options are not there. */
const retitledNpm = (inst: Installer) => inst.name === 'npm' && !inst.interpreter && inst.program === 'npm';

const isFile = async (r: ScopeReaders, p: string) => (await r.fs.stat(p))?.kind === 'file';

/** The folder a path names, against the installer's working directory when relative. */
function against(host: HostEnv, cwd: string | undefined, p: string): string | undefined {
  const pp = pathFor(host);
  const home = p.replace(/^~(?=$|[\\/])/, host.home);
  if (pp.isAbsolute(home)) return pp.normalize(home);
  return cwd ? pp.resolve(cwd, home) : undefined;
}

/**
 * The environment (sys.prefix) a Python interpreter serves: the venv its path is in (`pyvenv.cfg`
 * beside its `bin/` or `Scripts/`), else the prefix its real path is under. A bare name is found
 * on the process's own PATH (an activated venv's `python -m pip`); its `VIRTUAL_ENV` first.
 */
async function pythonPrefix(
  host: HostEnv,
  r: ScopeReaders,
  pid: number,
  interpreter: string,
  cwd: string | undefined,
): Promise<string | { unknown: string }> {
  const pp = pathFor(host);
  let exe: string | undefined;
  if (hasSeparator(interpreter)) exe = against(host, cwd, interpreter);
  else {
    const venv = await r.envOf(pid, 'VIRTUAL_ENV');
    if (venv && pp.isAbsolute(venv) && (await isFile(r, pp.join(venv, 'pyvenv.cfg')))) return pp.normalize(venv);
    const PATH = await r.envOf(pid, 'PATH');
    if (PATH === undefined)
      return { unknown: `its interpreter (${interpreter}) could not be found: its PATH is not readable` };
    exe = await which(interpreter, host.platform, { PATH }, (f) => isFile(r, f));
  }
  if (!exe) return { unknown: `its interpreter (${interpreter}) could not be found` };
  const prefix = pp.dirname(pp.dirname(exe));
  if (await isFile(r, pp.join(prefix, 'pyvenv.cfg'))) return prefix;
  const real = await r.fs.realpath(exe);
  if (!real) return { unknown: `its interpreter (${exe}) is not there` };
  // Windows keeps python.exe at the prefix's top; POSIX in its bin/.
  return host.platform === 'win32' ? pp.dirname(real) : pp.dirname(pp.dirname(real));
}

/** The project folder above `dir`: the nearest with `marker`, then the workspace root (npm/yarn `workspaces`, pnpm-workspace.yaml) above it. */
async function projectRoot(
  host: HostEnv,
  r: ScopeReaders,
  dir: string,
  markers: readonly string[],
  workspace: (dir: string) => Promise<boolean>,
): Promise<string> {
  const pp = pathFor(host);
  let nearest: string | undefined;
  for (let d = dir; ; d = pp.dirname(d)) {
    if (!nearest) {
      for (const m of markers) if (await r.fs.stat(pp.join(d, m))) nearest = d;
    } else if (await workspace(d)) return d;
    if (pp.dirname(d) === d) break;
  }
  return nearest ?? dir;
}

/** The user site a `pip install --user` writes (POSIX `~/.local`, Windows `%APPDATA%\\Python`). */
function userBase(host: HostEnv): string {
  const pp = pathFor(host);
  const env = envVar(host.env, 'PYTHONUSERBASE');
  if (env) return pp.resolve(env);
  if (host.platform === 'win32')
    return pp.join(envVar(host.env, 'APPDATA') ?? pp.join(host.home, 'AppData', 'Roaming'), 'Python');
  return pp.join(host.home, '.local');
}

/** npm's global prefix as the installer's own node says (its prefix), and the user's `.npmrc` `prefix=`. */
function npmGlobalPrefixes(host: HostEnv, node: string | undefined, npmrc: string | undefined): string[] {
  const pp = pathFor(host);
  const out: string[] = [];
  const env = envVar(host.env, 'npm_config_prefix');
  if (env) out.push(pp.resolve(env.replace(/^~(?=$|[\\/])/, host.home)));
  for (const line of (npmrc ?? '').split(/\r?\n/)) {
    const m = /^\s*prefix\s*=\s*(.*?)\s*$/.exec(line);
    if (m && m[1]) out.push(pp.resolve(m[1].replace(/^["']|["']$/g, '').replace(/^~(?=$|[\\/])/, host.home)));
  }
  if (node && pp.isAbsolute(node))
    out.push(host.platform === 'win32' ? pp.dirname(node) : pp.dirname(pp.dirname(node)));
  return out;
}

/** Where each npm-ecosystem installer keeps its global packages besides npm's prefix. */
function otherGlobals(host: HostEnv, name: string): string[] {
  const pp = pathFor(host);
  const data = envVar(host.env, 'XDG_DATA_HOME') ?? pp.join(host.home, '.local', 'share');
  if (name === 'pnpm') return [envVar(host.env, 'PNPM_HOME') ?? pp.join(data, 'pnpm')].map((x) => pp.resolve(x));
  if (name === 'yarn')
    return [
      pp.join(envVar(host.env, 'XDG_CONFIG_HOME') ?? pp.join(host.home, '.config'), 'yarn', 'global'),
      pp.join(data, 'yarn'),
    ];
  if (name === 'bun')
    return [pp.join(envVar(host.env, 'BUN_INSTALL') ?? pp.join(host.home, '.bun'), 'install', 'global')];
  return [];
}

type ScopeFs = ScopeReaders & { fs: Partial<Pick<VersionFs, 'readText'>> };

/** What every installer's reach is read with: the installer, where it runs, and the readers. */
interface ScopeContext {
  inst: Installer;
  host: HostEnv;
  r: ScopeFs;
  pp: ReturnType<typeof pathFor>;
  /** Its working directory, when readable. */
  cwd: string | undefined;
  /** The folder one of `names` gives (against the working directory), else the working directory. */
  dirOf(names: string[]): string | undefined;
  /** The scope of these folders, each also by its real path. */
  scope(roots: string[], words: string): Promise<InstallerScope>;
}

const noCwd = (): InstallerScope => ({ unknown: `its working directory is not readable` });

/** What one installer can write, read from its arguments, working directory and interpreter. */
export async function installerScope(inst: Installer, host: HostEnv, r: ScopeFs): Promise<InstallerScope> {
  const cwd = await r.cwd(inst.pid);
  if (retitledNpm(inst)) {
    const argv = await r.npmArgv?.(inst.pid);
    if (!argv)
      return {
        unknown:
          'npm shows only its title (`npm ci`), and its options (-g, --prefix) could not be read from its debug log',
      };
    inst = { ...inst, rest: argv };
  }
  const c = scopeContext(inst, host, r, cwd);
  switch (inst.name) {
    case 'npm':
    case 'pnpm':
    case 'yarn':
    case 'bun':
      return nodeInstallerScope(c);
    case 'pip':
      return pipScope(c);
    case 'uv':
      return uvScope(c);
    case 'pipx':
      return c.scope(pipxHomeFolders(host), `pipx's home (${pipxHomeFolders(host).join(', ')})`);
    case 'poetry':
      return poetryScope(c);
  }
  return { unknown: `what ${inst.name} writes is not known` };
}

function scopeContext(inst: Installer, host: HostEnv, r: ScopeFs, cwd: string | undefined): ScopeContext {
  return {
    inst,
    host,
    r,
    pp: pathFor(host),
    cwd,
    dirOf: (names) => {
      const v = optionValue(inst.rest, names);
      return v !== undefined ? against(host, cwd, v) : cwd;
    },
    scope: async (roots, words) => {
      const all = new Set<string>();
      for (const root of roots) {
        all.add(root);
        const real = await r.fs.realpath(root).catch(() => undefined);
        if (real) all.add(real);
      }
      return { roots: [...all], words };
    },
  };
}

/** npm, pnpm, yarn, bun: the global packages with `-g`, else the tree of the project (and workspace) they run in. */
async function nodeInstallerScope(c: ScopeContext): Promise<InstallerScope> {
  const { inst, host, r, pp, cwd } = c;
  const prefix = optionValue(inst.rest, ['--prefix', '--global-dir']);
  if (hasFlag(inst.rest, ['-g', '--global']) || (inst.name === 'yarn' && inst.verb === 'global')) {
    if (prefix !== undefined) {
      const p = against(host, cwd, prefix);
      return p ? c.scope([p], `its global prefix ${p}`) : noCwd();
    }
    const node = inst.interpreter ?? (await r.exe?.(inst.pid));
    const npmrc = await r.fs.readText?.(pp.join(host.home, '.npmrc')).catch(() => undefined);
    const roots = [...npmGlobalPrefixes(host, node, npmrc), ...otherGlobals(host, inst.name)];
    // `/usr/local/bin/npm` run by its path: its own prefix.
    if (!inst.interpreter && pp.isAbsolute(inst.program)) roots.push(pp.dirname(pp.dirname(inst.program)));
    return c.scope(roots, `the global packages (${roots.join(', ')})`);
  }
  const dir = c.dirOf(['--prefix', '--dir', '-C', '--cwd']);
  if (!dir) return noCwd();
  // `--prefix X` is the tree itself; a working directory belongs to its project (and that to its workspace).
  if (prefix !== undefined) return c.scope([dir], `the tree in ${dir}`);
  const isWorkspace = async (d: string) =>
    (await r.fs.stat(pp.join(d, 'pnpm-workspace.yaml'))) !== undefined ||
    (await workspacesIn(r, pp.join(d, 'package.json')));
  const root = await projectRoot(host, r, dir, ['package.json', 'node_modules'], isWorkspace);
  return c.scope([root], `the tree in ${root}`);
}

/** The folder an install option names (`--target`, `--prefix`), or undefined when none is given. */
function targetScope(c: ScopeContext, names: string[]): Promise<InstallerScope> | InstallerScope | undefined {
  const target = optionValue(c.inst.rest, names);
  if (target === undefined) return undefined;
  const t = against(c.host, c.cwd, target);
  return t ? c.scope([t], t) : noCwd();
}

/** The environment an interpreter belongs to. */
async function interpreterScope(c: ScopeContext, interpreter: string): Promise<InstallerScope> {
  const prefix = await pythonPrefix(c.host, c.r, c.inst.pid, interpreter, c.cwd);
  return typeof prefix === 'string' ? c.scope([prefix], `the environment ${prefix}`) : prefix;
}

/** pip: its target, the user site, or its interpreter's environment. */
async function pipScope(c: ScopeContext): Promise<InstallerScope> {
  const { inst, host } = c;
  const target = targetScope(c, ['--target', '-t', '--prefix', '--root']);
  if (target) return target;
  if (inst.rest.includes('--user')) return c.scope([userBase(host)], `the user site ${userBase(host)}`);
  // A pip script run directly (no interpreter in argv): its venv is the one its path is in.
  const interpreter = inst.interpreter ?? (hasSeparator(inst.program) ? inst.program : undefined);
  if (!interpreter) return { unknown: `which Python environment ${inst.program} writes is not known` };
  return interpreterScope(c, interpreter);
}

/** uv: its tool folder, the environment `uv pip` writes, or its project's. */
async function uvScope(c: ScopeContext): Promise<InstallerScope> {
  const { inst, host, r, pp } = c;
  if (inst.verb === 'tool') return c.scope([uvToolFolder(host)], `uv's tools (${uvToolFolder(host)})`);
  if (inst.verb === 'pip') return uvPipScope(c);
  const dir = c.dirOf(['--project', '--directory']);
  if (!dir) return noCwd();
  const root = await projectRoot(
    host,
    r,
    dir,
    ['pyproject.toml'],
    async (d) =>
      (await r.fs.stat(pp.join(d, 'uv.lock'))) !== undefined &&
      (await r.fs.stat(pp.join(d, 'pyproject.toml'))) !== undefined,
  );
  return c.scope([root], `the project ${root}`);
}

/** `uv pip`: its target, the Python it names, the active environment, or the `.venv` above its working directory. */
async function uvPipScope(c: ScopeContext): Promise<InstallerScope> {
  const { inst, host, r, pp, cwd } = c;
  const target = targetScope(c, ['--target', '--prefix']);
  if (target) return target;
  const py = optionValue(inst.rest, ['--python', '-p']);
  if (py !== undefined && hasSeparator(py)) {
    const p = against(host, cwd, py);
    if (!p) return noCwd();
    // `--python` names an interpreter or an environment's folder.
    if (await isFile(r, pp.join(p, 'pyvenv.cfg'))) return c.scope([p], `the environment ${p}`);
    return interpreterScope(c, p);
  }
  if (py !== undefined || inst.rest.includes('--system'))
    return { unknown: `which Python uv pip writes (${py ?? '--system'}) is not known` };
  const venv = await r.envOf(inst.pid, 'VIRTUAL_ENV');
  if (venv && pp.isAbsolute(venv)) return c.scope([venv], `the environment ${venv}`);
  if (!cwd) return noCwd();
  for (let d = cwd; ; d = pp.dirname(d)) {
    if (await isFile(r, pp.join(d, '.venv', 'pyvenv.cfg')))
      return c.scope([pp.join(d, '.venv')], `the environment ${pp.join(d, '.venv')}`);
    if (pp.dirname(d) === d) break;
  }
  return { unknown: `no environment found above its working directory ${cwd}` };
}

/** poetry: its project and poetry's environments. */
async function poetryScope(c: ScopeContext): Promise<InstallerScope> {
  const { host, r, pp } = c;
  const dir = c.dirOf(['--directory', '-C']);
  if (!dir) return noCwd();
  const root = await projectRoot(host, r, dir, ['pyproject.toml'], async () => false);
  const cache =
    host.platform === 'darwin'
      ? pp.join(host.home, 'Library', 'Caches', 'pypoetry', 'virtualenvs')
      : host.platform === 'win32'
        ? pp.join(
            envVar(host.env, 'LOCALAPPDATA') ?? pp.join(host.home, 'AppData', 'Local'),
            'pypoetry',
            'Cache',
            'virtualenvs',
          )
        : pp.join(envVar(host.env, 'XDG_CACHE_HOME') ?? pp.join(host.home, '.cache'), 'pypoetry', 'virtualenvs');
  return c.scope([root, cache], `the project ${root} and poetry's environments`);
}

async function workspacesIn(r: ScopeReaders, file: string): Promise<boolean> {
  const reader = r.fs as Partial<Pick<VersionFs, 'readText'>>;
  if (!reader.readText) return false;
  const text = await reader.readText(file).catch(() => undefined);
  if (!text) return false;
  try {
    return (JSON.parse(text) as { workspaces?: unknown }).workspaces !== undefined;
  } catch {
    return false;
  }
}

/** Every installer at work among the processes, each with what it can write. */
export async function scopedInstallers(
  processes: readonly InstallerProcess[],
  host: HostEnv,
  r: ScopeReaders & { fs: Partial<Pick<VersionFs, 'readText'>> },
  watch?: InstallerWatch,
): Promise<ScopedInstaller[]> {
  const found = installersIn(processes);
  return Promise.all(
    found.map(async (i) => ({
      ...i,
      scope: await (watch?.scopeOf(i, () => installerScope(i, host, r)) ?? installerScope(i, host, r)),
    })),
  );
}

/** This machine's readers of an installer's working directory, executable and environment (Linux; elsewhere unknown). */
export function machineScopeReaders(
  machine: Machine,
  fs: ScopeReaders['fs'] & Partial<Pick<VersionFs, 'readText'>> = machine.fs,
): ScopeReaders & { fs: Partial<Pick<VersionFs, 'readText'>> } {
  const linux = machine.host.platform === 'linux';
  const link = (p: string) => (linux ? machine.fs.readlink(p).catch(() => undefined) : Promise.resolve(undefined));
  return {
    fs,
    cwd: (pid) => link(`/proc/${pid}/cwd`),
    exe: (pid) => link(`/proc/${pid}/exe`),
    // Only the one variable asked for is kept; nothing of the environment is stored or printed.
    envOf: async (pid, name) => (linux ? readEnviron(pid, machine)?.get(name) : undefined),
    npmArgv: async (pid) => {
      if (!linux) return undefined;
      const fds = (await machine.fs.readdir(`/proc/${pid}/fd`).catch(() => undefined)) ?? [];
      for (const fd of fds) {
        const target = await link(`/proc/${pid}/fd/${fd}`);
        // npm keeps at most logs-max logs: another npm run may have deleted this one while it runs.
        if (!target || !NPM_DEBUG_LOG.test(target.replace(/ \(deleted\)$/, ''))) continue;
        // Read through the open file itself (a deleted log is still there); the argv line comes
        // first, within a few lines of the log's start. npm may close this descriptor and reuse
        // its number (a pipe, a socket) between the readlink and the open: non-blocking (a FIFO's
        // open waits for a writer) and a regular file only (a pipe's read waits for data, and
        // would take it from npm), so a snapshot never waits on another process's descriptors.
        // (The Machine's readBytes opens so, machine/liveFs.ts.)
        const head = await machine.fs.readBytes(`/proc/${pid}/fd/${fd}`, 0, 16 * 1024).catch(() => undefined);
        // Gone or unreadable since the look: the next descriptor may still say.
        const argv = head && npmLogArgv(head.toString('utf8'));
        if (argv) return argv;
      }
      return undefined;
    },
  };
}

/** What the judgement is told of an installer: which, since when, and what it writes. */
export interface RunningInstaller {
  /** In words: `npm ci (pid 4242)`. */
  what: string;
  /** ms since the epoch, when the OS gave it. */
  startTime?: number;
  /** What it writes, or why that is not known (then it holds every verdict of its ecosystem). */
  why?: string;
}

/** The folders an installed package's files live in: its location and a development package's source. */
function placesOf(installed: Installed): string[] {
  // A script's code is its own folder, what it imports is its environment's site-packages (a venv elsewhere).
  if (installed.state === 'installed')
    return [
      installed.location,
      ...(installed.dev ? [installed.dev.root] : []),
      ...(installed.sitePackages ? [installed.sitePackages] : []),
    ];
  if (installed.state === 'missing' && installed.location) return [installed.location];
  return [];
}

const inside = (file: string, root: string) =>
  file === root ||
  file.startsWith(root.endsWith('/') || root.endsWith('\\') ? root : `${root}/`) ||
  file.startsWith(`${root}\\`);

/** Whether an installer can write an installed package: its scope holds the package (an unknown scope holds every one of its ecosystem). */
export function writes(inst: ScopedInstaller, installed: Installed): boolean {
  if (inst.ecosystem !== installed.ecosystem) return false;
  if (!inst.scope.roots) return true;
  const places = placesOf(installed);
  if (!places.length) return true;
  return places.some((p) => inst.scope.roots!.some((root) => inside(p, root)));
}

/** The first installer that can write this package, as the judgement is told of it. */
export function installerHolding(
  installers: readonly ScopedInstaller[],
  installed: Installed,
): RunningInstaller | undefined {
  const inst = installers.find((i) => writes(i, installed));
  if (!inst) return undefined;
  return {
    what: inst.what,
    ...(inst.startTime !== undefined ? { startTime: inst.startTime } : {}),
    why: inst.scope.roots ? `it writes ${inst.scope.words}` : `what it writes is not known: ${inst.scope.unknown}`,
  };
}

/** How long an installer that has exited is remembered: a change it wrote is judged at once, not after a quiet period. */
const EXITED_KEEP_MS = 120_000;

/**
 * The installers seen at work across looks (a snapshot's process table, taken again and again):
 * one seen running that has exited since wrote what it wrote, and is done. A change of its scope
 * made after it started is then judged at once instead of after the quiet period that covers
 * writers nothing saw (a hand copy, an installer quicker than a look).
 */
export class InstallerWatch {
  private readonly seen = new Map<string, { inst: ScopedInstaller; exitedAt?: number }>();
  /** An installer's reach does not change while it runs: read once per process (pid and start). */
  private readonly scopes = new Map<string, Promise<InstallerScope>>();

  scopeOf(inst: Installer, read: () => Promise<InstallerScope>): Promise<InstallerScope> {
    const key = `${inst.pid}:${inst.startTime ?? ''}`;
    let scope = this.scopes.get(key);
    if (!scope) this.scopes.set(key, (scope = read()));
    return scope;
  }

  /** Records the installers running at `now`; returns those seen before that are gone since (for a while). */
  observe(now: number, running: readonly ScopedInstaller[]): ScopedInstaller[] {
    const present = new Set<string>();
    for (const inst of running) {
      const key = `${inst.pid}:${inst.startTime ?? ''}`;
      present.add(key);
      this.seen.set(key, { inst });
    }
    const gone: ScopedInstaller[] = [];
    for (const [key, entry] of this.seen) {
      if (present.has(key)) continue;
      entry.exitedAt ??= now;
      this.scopes.delete(key);
      if (now - entry.exitedAt > EXITED_KEEP_MS) this.seen.delete(key);
      else gone.push(entry.inst);
    }
    // Scopes read for processes that were never recorded as running (a snapshot that failed) go too.
    for (const key of this.scopes.keys()) if (!present.has(key)) this.scopes.delete(key);
    return gone;
  }
}

/** An installer that could write this package, seen at work earlier and gone now (only one whose scope is known). */
export function installerDone(
  exited: readonly ScopedInstaller[],
  installed: Installed,
): { what: string; startTime?: number } | undefined {
  const inst = exited.find((i) => i.scope.roots && writes(i, installed));
  return inst ? { what: inst.what, ...(inst.startTime !== undefined ? { startTime: inst.startTime } : {}) } : undefined;
}
