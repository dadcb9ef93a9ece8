import * as path from 'node:path';
import type { ServerStatus } from '../base/model';
import type { Installed } from '../base/versionTypes';

/**
 * The one way an action installs versions of a server's packages (Roll back, Upgrade): into the
 * place it was installed, with that place's own installer. A venv with pip gets its pip; a pipx
 * venv `pipx runpip`; a venv without pip (a `uv tool`) `uv pip --python`; an npm project its npm,
 * pnpm or yarn (by its lockfile); a global npm prefix `npm install --global --prefix`. Nothing runs
 * here: the result is a command (no shell) a face shows before it runs it.
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
}

export type InstalledPackage = Extract<Installed, { state: 'installed' }>;

/** A package and the version to install. */
export interface Pin {
  name: string;
  version: string;
}

export type InstallHow = { where: string; command: InstallCommand } | { refused: string };

export function installCommandFor(installed: InstalledPackage, pins: readonly Pin[], facts: InstallFacts): InstallHow {
  switch (installed.ecosystem) {
    case 'python':
      return pythonInstall(installed, pins, facts);
    case 'npm':
      return npmInstall(installed, pins, facts);
    case 'docker':
    case 'binary':
    case 'mcpb':
      return { refused: `a ${installed.ecosystem} install is not changed here` };
  }
}

/** pip of the venv (or of the site-packages' interpreter), else `pipx runpip`, else `uv pip`. */
function pythonInstall(installed: InstalledPackage, pins: readonly Pin[], facts: InstallFacts): InstallHow {
  const site = installed.sitePackages;
  if (!site) return { refused: 'the site-packages it runs from is not known' };
  const specs = pins.map((p) => `${p.name}==${p.version}`);
  const win = facts.platform === 'win32';
  // <venv>/lib/pythonX.Y/site-packages (Windows: <venv>/Lib/site-packages).
  const venv = win
    ? path.win32.dirname(path.win32.dirname(site))
    : path.posix.dirname(path.posix.dirname(path.posix.dirname(site)));
  const join = win ? path.win32.join : path.posix.join;
  if (!facts.isFile(join(venv, 'pyvenv.cfg')))
    return { refused: `${site} is not in a venv: its installer is not known` };
  const python = win ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python');
  if (facts.isDir(join(site, 'pip')))
    return { where: `venv ${venv}`, command: { command: python, args: ['-m', 'pip', 'install', ...specs] } };
  const pipxVenv = /[\\/]pipx[\\/]venvs[\\/]([^\\/]+)$/.exec(venv);
  const pipx = pipxVenv && facts.which('pipx');
  if (pipxVenv && pipx)
    return {
      where: `pipx venv ${venv}`,
      command: { command: pipx, args: ['runpip', pipxVenv[1], 'install', ...specs] },
    };
  const uv = facts.which('uv');
  const uvTool = /[\\/]uv[\\/]tools[\\/][^\\/]+$/.test(venv);
  if (uv)
    return {
      where: `${uvTool ? 'uv tool' : 'venv'} ${venv}`,
      command: { command: uv, args: ['pip', 'install', '--python', python, ...specs] },
    };
  return { refused: `venv ${venv} has no pip, and neither pipx nor uv is on PATH` };
}

/** The project managers a lockfile names, in the order a folder is asked. */
const PROJECT_MANAGERS = [
  { lockfile: 'pnpm-lock.yaml', program: 'pnpm', add: ['add'] },
  { lockfile: 'yarn.lock', program: 'yarn', add: ['add'] },
  { lockfile: 'bun.lock', program: 'bun', add: ['add'] },
  { lockfile: 'bun.lockb', program: 'bun', add: ['add'] },
] as const;

/** npm into the tree it was installed in: a global prefix, or a project. An npx cache is the entry's pin to change. */
function npmInstall(installed: InstalledPackage, pins: readonly Pin[], facts: InstallFacts): InstallHow {
  const p = facts.platform === 'win32' ? path.win32 : path.posix;
  const specs = pins.map((x) => `${x.name}@${x.version}`);
  const parts = installed.location.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return { refused: `${installed.location} is not in a node_modules tree` };
  if (parts.includes('_npx'))
    return { refused: `it runs from npx's cache: pin ${specs.join(' ')} in its entry's command instead` };
  // pnpm keeps packages in node_modules/.pnpm/<name>@<version>/node_modules: the project is above `.pnpm`.
  const pnpmStore = parts.indexOf('.pnpm');
  const tree = parts.slice(0, pnpmStore > 0 ? pnpmStore - 1 : at).join(p.sep) || p.sep;
  if (facts.isFile(p.join(tree, 'package.json'))) {
    const manager = PROJECT_MANAGERS.find((m) => facts.isFile(p.join(tree, m.lockfile)));
    if (manager) {
      const program = facts.which(manager.program);
      if (!program)
        return {
          refused: `${tree} is a ${manager.program} project (${manager.lockfile}), and ${manager.program} is not on PATH`,
        };
      return {
        where: `${manager.program} project ${tree}`,
        command: { command: program, args: [...manager.add, ...specs], cwd: tree },
      };
    }
    return {
      where: `npm project ${tree}`,
      command: { command: facts.which('npm') ?? 'npm', args: ['install', ...specs], cwd: tree },
    };
  }
  // A global prefix: <prefix>/lib/node_modules (Windows: <prefix>/node_modules).
  const prefix = facts.platform === 'win32' ? tree : p.basename(tree) === 'lib' ? p.dirname(tree) : undefined;
  if (!prefix) return { refused: `${tree} is neither a project nor a global prefix` };
  return {
    where: `npm global prefix ${prefix}`,
    command: { command: facts.which('npm') ?? 'npm', args: ['install', '--global', '--prefix', prefix, ...specs] },
  };
}

/** A command as it is shown before it runs. */
export function commandText(c: InstallCommand): string {
  return `${[c.command, ...c.args].join(' ')}${c.cwd ? `   (in ${c.cwd})` : ''}`;
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
}

/** The runner whose cache a server is fetched into (`npx`, `uvx`, `pipx run`, deno), by where it lives and how it is launched. */
export function runnerOf(server: Pick<ServerStatus, 'command'>, installed: InstalledPackage): string | undefined {
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
