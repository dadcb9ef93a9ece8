import { pathFor } from '../base/hostEnv';
import { normalizeName } from '../base/pythonName';
import { innerArgv, runnerOfEntry } from '../launch/entryRunner';
import { uvToolInstall } from './uvToolInstall';
import { venvBase } from './venvBase';
import type { ServerStatus } from '../base/model';
import { redactUrl } from '../base/redact';
import type { Installed } from '../base/versionTypes';
import { commandLineFor, shellOf } from '../launch/shellWords';
import { isRecord } from '../versions/lookup';
import { parseJsonText } from '../versions/fs';
import { firstProblem, npmNameProblem, pathProblem, pythonNameProblem, versionProblem } from './installArgs';

/**
 * The one way an action installs versions of a server's packages (Roll back, Upgrade): into the
 * place it was installed, with that place's own installer. A venv with pip gets its pip; a pipx
 * venv `pipx runpip`; a venv without pip (a `uv tool`) `uv pip --python`; an npm project its npm,
 * pnpm or yarn (by its lockfile); a global npm prefix `npm install --global --prefix`. Nothing runs
 * here: the result is a command (no shell) a face shows before it runs it, and the same command as
 * the user's shell reads it (`shown`). Every argument is built from checked parts (installArgs.ts):
 * the package's name as its registry names it (and as the folder it is installed in says), an exact
 * version, absolute paths. A package that did not come from a registry (a folder, a tarball, a git
 * URL) is refused: installing its name from the registry would replace it with something else.
 */

export interface InstallCommand {
  command: string;
  args: string[];
  cwd?: string;
}

/** What the planner asks of the machine. */
export interface InstallFacts {
  platform: NodeJS.Platform;
  isFile(p: string): boolean;
  isDir(p: string): boolean;
  /** The program's path on PATH (PATHEXT on Windows), or undefined. */
  which(program: string): string | undefined;
  /** A small text file's content (a lockfile, a package.json, PEP 610's direct_url.json), or undefined. */
  readText(p: string): string | undefined;
  /** A folder's entry names (a site-packages' `*.dist-info`), or undefined when it cannot be read. */
  readdir?(p: string): string[] | undefined;
}

export type InstalledPackage = Extract<Installed, { state: 'installed' }>;

/** A package and the version to install. */
export interface Pin {
  name: string;
  version: string;
}

/**
 * `shown`: the command as the user's shell runs it (commandText), what a face shows before running
 * `command`; `unpinned`: pins asked for that the command leaves to the installer's resolution (a uv
 * tool's dependencies: uv's receipt names only what the user asked for); `exact`: the installer
 * makes the environment exactly what it resolves, removing what it no longer needs (`uv tool install`).
 */
export type InstallHow =
  { where: string; command: InstallCommand; shown: string; unpinned?: string[]; exact?: true } | { refused: string };
type Planned = { where: string; command: InstallCommand; unpinned?: string[]; exact?: true } | { refused: string };

/**
 * `save: 'exact'` (a roll back): a project's installer records the exact version in its
 * package.json, not its default caret range, so the project's next `npm update` does not bring back
 * the version just rolled back from. An upgrade keeps the installer's default (`'default'`).
 */
export type SaveRule = 'default' | 'exact';

/**
 * `entry`: the server's entry, whose own program tells which installer is meant (the `uv` beside
 * the `uvx` it names) before any PATH does: a face's PATH (VS Code's extension host) may differ
 * from the shell's the entry was written in.
 */
export function installCommandFor(
  installed: InstalledPackage,
  pins: readonly Pin[],
  facts: InstallFacts,
  save: SaveRule = 'default',
  entry?: Pick<ServerStatus, 'command' | 'args'>,
): InstallHow {
  const how = plannedInstall(installed, pins, facts, save, entry);
  if ('refused' in how) return how;
  const { command } = how;
  const paths = [command.command, command.cwd].filter((p): p is string => p !== undefined && /[\\/]/.test(p));
  const bad = firstProblem(...paths.map((p) => pathProblem(p, facts.platform)));
  if (bad) return { refused: bad };
  return { ...how, shown: commandText(command, facts.platform) };
}

function plannedInstall(
  installed: InstalledPackage,
  pins: readonly Pin[],
  facts: InstallFacts,
  save: SaveRule,
  entry: Pick<ServerStatus, 'command' | 'args'> | undefined,
): Planned {
  switch (installed.ecosystem) {
    case 'python': {
      const bad = firstProblem(
        ...pins.flatMap((p) => [pythonNameProblem(p.name), versionProblem('python', p.version)]),
        notFromIndex(installed, facts),
      );
      return bad ? { refused: bad } : pythonInstall(installed, pins, facts, entry);
    }
    case 'npm': {
      // A loose script's packages: into the project whose node_modules it imports from.
      if (installed.dev?.script && installed.nodeProject) {
        const bad = firstProblem(...pins.flatMap((p) => [npmNameProblem(p.name), versionProblem('npm', p.version)]));
        return bad ? { refused: bad } : scriptProjectInstall(installed.nodeProject.dir, pins, facts, save);
      }
      const bad = firstProblem(
        ...pins.flatMap((p) => [npmNameProblem(p.name), versionProblem('npm', p.version)]),
        npmFolderProblem(installed),
        installed.dev
          ? `it is installed from the folder ${installed.dev.root}, not from a registry: ${FROM_ELSEWHERE}`
          : undefined,
      );
      return bad ? { refused: bad } : npmInstall(installed, pins, facts, save);
    }
    case 'docker':
    case 'binary':
    case 'mcpb':
      return { refused: `a ${installed.ecosystem} install is not changed here` };
  }
}

const FROM_ELSEWHERE = 'install it again from where it came from';

/** The name npm installed a package under is the path below its `node_modules`: the name its package.json says must be that one. */
function npmFolderProblem(installed: InstalledPackage): string | undefined {
  const parts = installed.location.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const folderName = parts.slice(at + 1).join('/');
  return folderName === installed.name
    ? undefined
    : `its package.json names it ${installed.name}, but it is installed as ${folderName}: the name is not the one it was installed under`;
}

/** PEP 610: a distribution installed from a URL, a folder or a file (not from an index by name) has a direct_url.json. */
function notFromIndex(installed: InstalledPackage, facts: InstallFacts): string | undefined {
  if (!/\.dist-info$/.test(installed.location)) return undefined;
  const p = pathFor(facts);
  const text = facts.readText(p.join(installed.location, 'direct_url.json'));
  if (text === undefined) return undefined;
  let url = 'a URL, a folder or a file';
  try {
    const doc = JSON.parse(text) as { url?: unknown };
    if (typeof doc.url === 'string') url = redactUrl(doc.url);
  } catch {
    // Its presence says enough.
  }
  return `${installed.name} was installed from ${url} (its direct_url.json says so), not from a package index: ${FROM_ELSEWHERE}`;
}

/** How npm's lockfile of a tree says a package was got: a registry's tarball URL, or something else (`file:`, a link, git). */
function npmLockProblem(
  tree: string,
  installed: Pick<InstalledPackage, 'name' | 'location'>,
  facts: InstallFacts,
): string | undefined {
  const p = pathFor(facts);
  const parts = installed.location.split(/[\\/]/);
  const key = `node_modules/${parts.slice(parts.lastIndexOf('node_modules') + 1).join('/')}`;
  for (const lockfile of [p.join(tree, 'package-lock.json'), p.join(tree, 'node_modules', '.package-lock.json')]) {
    const entry = lockEntry(lockfile, key, facts);
    if (!entry) continue;
    if (entry.link === true || (typeof entry.resolved === 'string' && !/^https?:\/\//i.test(entry.resolved)))
      return `it was installed from ${typeof entry.resolved === 'string' ? redactUrl(entry.resolved) : 'a folder'} (${lockfile}), not from a registry: ${FROM_ELSEWHERE}`;
    return undefined;
  }
  // No npm lockfile: the project's own dependency says where it comes from (a range, or a path, a URL, git).
  const manifest = jsonObject(p.join(tree, 'package.json'), facts);
  for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    const deps = manifest?.[field];
    const spec = isRecord(deps) ? deps[installed.name] : undefined;
    if (
      typeof spec === 'string' &&
      /^(file:|link:|portal:|workspace:|git|https?:|\.{0,2}\/|~\/|[A-Za-z]:\\)|^[^@/]+\/[^@]/.test(spec)
    )
      return `${p.join(tree, 'package.json')} takes it from ${redactUrl(spec)}, not from a registry: ${FROM_ELSEWHERE}`;
  }
  return undefined;
}

/** A JSON file's object, or undefined (absent, not JSON, not an object). */
function jsonObject(file: string, facts: InstallFacts): Record<string, unknown> | undefined {
  const doc = parseJsonText(file, facts.readText(file));
  return isRecord(doc) ? doc : undefined;
}

function lockEntry(lockfile: string, key: string, facts: InstallFacts): Record<string, unknown> | undefined {
  const packages = jsonObject(lockfile, facts)?.packages;
  const entry = isRecord(packages) ? packages[key] : undefined;
  return isRecord(entry) ? entry : undefined;
}

/** pip of the venv (or of the site-packages' interpreter), else `pipx runpip`, else `uv pip`. */
function pythonInstall(
  installed: InstalledPackage,
  pins: readonly Pin[],
  facts: InstallFacts,
  entry: Pick<ServerStatus, 'command' | 'args'> | undefined,
): Planned {
  const site = installed.sitePackages;
  if (!site) return { refused: 'the site-packages it runs from is not known' };
  const specs = pins.map((p) => `${p.name}==${p.version}`);
  const win = facts.platform === 'win32';
  const p = pathFor(facts);
  // <venv>/lib/pythonX.Y/site-packages (Windows: <venv>/Lib/site-packages).
  const venv = win ? p.dirname(p.dirname(site)) : p.dirname(p.dirname(p.dirname(site)));
  const join = p.join;
  if (!facts.isFile(join(venv, 'pyvenv.cfg')))
    return { refused: `${site} is not in a venv: its installer is not known` };
  const python = win ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python');
  const badPath = pathProblem(python, facts.platform);
  if (badPath) return { refused: badPath };
  if (facts.isDir(join(site, 'pip')))
    return { where: `venv ${venv}`, command: { command: python, args: ['-m', 'pip', 'install', ...specs] } };
  const pipxVenv = /[\\/]pipx[\\/]venvs[\\/]([^\\/]+)$/.exec(venv);
  const pipx = pipxVenv && facts.which('pipx');
  if (pipxVenv && pipx) {
    const bad = pythonNameProblem(pipxVenv[1]);
    if (bad) return { refused: `pipx venv ${venv}: ${bad}` };
    return {
      where: `pipx venv ${venv}`,
      command: { command: pipx, args: ['runpip', pipxVenv[1], 'install', ...specs] },
    };
  }
  const uvTool = /[\\/]uv[\\/]tools[\\/][^\\/]+$/.test(venv);
  const uv = uvFor(venv, facts, entry, uvTool);
  // A uv tool whose own package moves: through `uv tool install`, so its receipt says the new version.
  const throughTool =
    uv && uvTool
      ? uvToolInstall(uv, facts.readText(join(venv, 'uv-receipt.toml')), pins, venvBase(venv, facts).interpreter)
      : undefined;
  if (throughTool)
    return {
      where: `uv tool ${venv}`,
      command: throughTool.install,
      exact: true,
      ...(throughTool.unpinned.length ? { unpinned: throughTool.unpinned } : {}),
    };
  if (uv)
    return {
      where: `${uvTool ? 'uv tool' : 'venv'} ${venv}`,
      command: { command: uv, args: ['pip', 'install', '--python', python, ...specs] },
    };
  return {
    refused: `venv ${venv} has no pip, and no uv was found (beside the entry's program, on PATH, or beside the Python the venv was made from)`,
  };
}

/**
 * The uv that installs into a venv, the same for every face whatever its PATH: the one beside the
 * entry's own `uvx` or `uv` (the one that made what runs), or, for a uv tool run by its own program,
 * the one beside that program (uv's bin folder, `~/.local/bin`, where uv's installer puts uv too),
 * else the one on PATH, else the one beside the Python the venv was made from (pyvenv.cfg's `home`:
 * `pip install uv` puts it there). VS Code's extension host gets a login shell's PATH, which often
 * lacks the folder uv is in.
 */
function uvFor(
  venv: string,
  facts: InstallFacts,
  entry: Pick<ServerStatus, 'command' | 'args'> | undefined,
  uvTool: boolean,
): string | undefined {
  const p = pathFor(facts);
  const exe = facts.platform === 'win32' ? 'uv.exe' : 'uv';
  const program = entry ? innerArgv(entry)[0] : undefined;
  const runner = program ? /^uvx?(\.exe)?$/i.test(p.basename(program)) : false;
  const entryProgram =
    (runner || uvTool) && program ? (/[\\/]/.test(program) ? program : facts.which(program)) : undefined;
  const { home } = venvBase(venv, facts);
  const beside = (dir: string | undefined) => (dir && p.isAbsolute(dir) ? p.join(dir, exe) : undefined);
  const besideEntry = beside(entryProgram && p.dirname(entryProgram));
  const besidePython = beside(home);
  if (besideEntry && facts.isFile(besideEntry)) return besideEntry;
  return facts.which('uv') ?? (besidePython && facts.isFile(besidePython) ? besidePython : undefined);
}

/** The project managers a lockfile names, in the order a folder is asked, each with its flag that saves the exact version. */
const PROJECT_MANAGERS = [
  { lockfile: 'pnpm-lock.yaml', program: 'pnpm', add: ['add'], exact: '--save-exact' },
  { lockfile: 'yarn.lock', program: 'yarn', add: ['add'], exact: '--exact' },
  { lockfile: 'bun.lock', program: 'bun', add: ['add'], exact: '--exact' },
  { lockfile: 'bun.lockb', program: 'bun', add: ['add'], exact: '--exact' },
] as const;
const NPM_EXACT = '--save-exact';

/** npm into the tree it was installed in: a global prefix, or a project. An npx cache is the entry's pin to change. */
function npmInstall(installed: InstalledPackage, pins: readonly Pin[], facts: InstallFacts, save: SaveRule): Planned {
  const p = pathFor(facts);
  const specs = pins.map((x) => `${x.name}@${x.version}`);
  const parts = installed.location.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return { refused: `${installed.location} is not in a node_modules tree` };
  if (parts.includes('_npx'))
    return { refused: `it runs from npx's cache: pin ${specs.join(' ')} in its entry's command instead` };
  // pnpm keeps packages in node_modules/.pnpm/<name>@<version>/node_modules: the project is above `.pnpm`.
  const pnpmStore = parts.indexOf('.pnpm');
  const tree = parts.slice(0, pnpmStore > 0 ? pnpmStore - 1 : at).join(p.sep) || p.sep;
  const fromElsewhere = npmLockProblem(tree, installed, facts);
  if (fromElsewhere) return { refused: fromElsewhere };
  if (facts.isFile(p.join(tree, 'package.json'))) return projectInstall(tree, specs, facts, save);
  // A global prefix: <prefix>/lib/node_modules (Windows: <prefix>/node_modules).
  const prefix = facts.platform === 'win32' ? tree : p.basename(tree) === 'lib' ? p.dirname(tree) : undefined;
  if (!prefix) return { refused: `${tree} is neither a project nor a global prefix` };
  const badPath = pathProblem(prefix, facts.platform);
  if (badPath) return { refused: badPath };
  return {
    where: `npm global prefix ${prefix}`,
    command: { command: facts.which('npm') ?? 'npm', args: ['install', '--global', '--prefix', prefix, ...specs] },
  };
}

/** A project's own installer (pnpm, yarn or bun by its lockfile, else npm), run in its folder. */
function projectInstall(tree: string, specs: readonly string[], facts: InstallFacts, save: SaveRule): Planned {
  const p = pathFor(facts);
  const exact = save === 'exact';
  // Said in the plan: the project's package.json gets the exact version, not a range.
  const pinned = exact ? '; its package.json gets the exact versions' : '';
  const manager = PROJECT_MANAGERS.find((m) => facts.isFile(p.join(tree, m.lockfile)));
  if (manager) {
    const program = facts.which(manager.program);
    if (!program)
      return {
        refused: `${tree} is a ${manager.program} project (${manager.lockfile}), and ${manager.program} is not on PATH`,
      };
    return {
      where: `${manager.program} project ${tree}${pinned}`,
      command: { command: program, args: [...manager.add, ...(exact ? [manager.exact] : []), ...specs], cwd: tree },
    };
  }
  return {
    where: `npm project ${tree}${pinned}`,
    command: {
      command: facts.which('npm') ?? 'npm',
      args: ['install', ...(exact ? [NPM_EXACT] : []), ...specs],
      cwd: tree,
    },
  };
}

/**
 * A loose script's imported packages, into the project whose node_modules holds them: each must
 * have come from a registry, as the project's lockfile or package.json says.
 */
function scriptProjectInstall(project: string, pins: readonly Pin[], facts: InstallFacts, save: SaveRule): Planned {
  const p = pathFor(facts);
  for (const pin of pins) {
    const location = p.join(project, 'node_modules', ...pin.name.split('/'));
    const fromElsewhere = npmLockProblem(project, { name: pin.name, location }, facts);
    if (fromElsewhere) return { refused: fromElsewhere };
  }
  return projectInstall(
    project,
    pins.map((x) => `${x.name}@${x.version}`),
    facts,
    save,
  );
}

/** A command as it is shown before it runs: quoted for the platform's shell, in its folder, so that pasting it runs the same. */
export function commandText(c: InstallCommand, platform: NodeJS.Platform): string {
  return commandLineFor(c, shellOf(platform));
}

/** The installed package behind a server: the launch's, else an instance's. */
export function installedOf(server: ServerStatus): InstalledPackage | undefined {
  for (const x of [server.installed, ...server.instances.map((i) => i.versions?.installed)])
    if (x?.state === 'installed') return x;
  return undefined;
}

/**
 * A server a runner fetches into its cache (`npx -y pkg@1.2.3`, `uvx pkg==1.2.3`): nothing is
 * installed in place; the version its entry pins changes instead, in every entry that pins it.
 */
export interface PinPlan {
  kind: 'pin';
  serverName: string;
  package: string;
  ecosystem: 'npm' | 'python';
  runner: string;
  from: string;
  to: string;
  /**
   * ISO 8601: the Upgrade that wrote the pin `from`, when its record alone says what to go back to
   * (the client never fetched that release, so nothing of it is installed to read).
   */
  recordedAt?: string;
}

/**
 * The runner whose cache a server is fetched into (`npx`, `uvx`, `pipx run`, deno), by where it
 * lives and how it is launched. An entry that pins its release to uvx follows its pin wherever uvx
 * found it (uvx runs an installed `uv tool` that satisfies the pin): what its next start runs, and
 * what an Upgrade or a Roll back changes, is the pin, never the tool.
 */
export function runnerOf(
  server: Pick<ServerStatus, 'command' | 'args'>,
  installed: InstalledPackage,
): string | undefined {
  if (followsUvxPin(server, installed.name)) return 'uvx';
  if (/[\\/]_npx[\\/]/.test(installed.location)) return 'npx';
  // `deno run npm:pkg@1.2.3`: deno fetches each release into its own cache (versions/npmPackages.ts).
  if (installed.how.startsWith('deno npm cache ')) return 'deno';
  const how = /^(uvx|pipx run) /.exec(installed.how);
  if (how) return how[1];
  const program = (server.command ?? '')
    .split(/[\\/]/)
    .pop()
    ?.replace(/\.(exe|cmd)$/i, '');
  if (program === 'uvx' && /[\\/]uv[\\/](archive|builds|environments)-v\d+[\\/]/.test(installed.location)) return 'uvx';
  return undefined;
}

/** Whether an entry runs `name` through uvx at a version it pins (`pkg==X`, `pkg@X`, `--from pkg==X`). */
export function followsUvxPin(server: Pick<ServerStatus, 'command' | 'args'>, name: string): boolean {
  const entry = runnerOfEntry(server);
  return entry?.runner === 'uvx' && entry.pin !== undefined && normalizeName(entry.name) === normalizeName(name);
}
