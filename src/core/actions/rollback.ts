import * as path from 'node:path';
import type { Instance, ServerStatus } from '../base/model';
import type { Installed } from '../base/versionTypes';
import { serverDownOf } from '../processes/guarded';

/**
 * Roll back: install again the versions a server's processes started with, the way it was
 * installed, so that a restart loads what ran (an upgrade that broke it undone). The versions are
 * the evidence's: what the guard recorded of the last server that served (a server that is down),
 * else what a running instance is known to run. Only what moved is pinned. Nothing runs here: the
 * plan is a command, shown before it runs (the CLI runs it on `--yes`), with no shell.
 */

export interface RollbackCommand {
  command: string;
  args: string[];
  cwd?: string;
}

export type RollbackPlan =
  | {
      kind: 'plan';
      serverName: string;
      /** How it was installed, in words: "venv /w/.venv", "npm global prefix /usr/local". */
      where: string;
      /** Whose versions: "what pid 4242 started with", "what the last server of the guard (pid 77) started with". */
      from: string;
      /** `name`, the version it had, the version installed now (`undefined`: no longer installed). */
      pins: Array<{ name: string; version: string; now?: string }>;
      command: RollbackCommand;
      /** Guards whose server is down: restarted once the command ran. */
      restart: Array<{ guardPid: number }>;
    }
  | { kind: 'refused'; serverName: string; message: string };

/** What the planner asks of the machine. */
export interface RollbackFacts {
  platform: NodeJS.Platform;
  isFile(p: string): boolean;
  isDir(p: string): boolean;
  /** The program's path on PATH (PATHEXT on Windows), or undefined. */
  which(program: string): string | undefined;
}

interface RanWith {
  version?: string;
  dependencies?: Record<string, string>;
  from: string;
}

/** What a process of the server started with: a down guard's record first, else a running instance's known versions. */
function ranWith(instances: readonly Instance[]): RanWith | undefined {
  for (const i of instances) {
    const down = serverDownOf(i);
    if (down?.ranWith)
      return {
        ...(down.ranWith.package ? { version: down.ranWith.package.version } : {}),
        ...(down.ranWith.dependencies ? { dependencies: down.ranWith.dependencies } : {}),
        from: `what the last server of its guard (pid ${i.pid}) started with`,
      };
  }
  for (const i of instances) {
    const r = i.versions?.running;
    if (r?.state !== 'known') continue;
    return {
      version: r.version,
      ...(r.environment ? { dependencies: r.environment.packages } : {}),
      from: `what pid ${i.pid} started with`,
    };
  }
  return undefined;
}

/** The installed package behind a server: the launch's, else an instance's. */
function installedOf(server: ServerStatus): Extract<Installed, { state: 'installed' }> | undefined {
  for (const x of [server.installed, ...server.instances.map((i) => i.versions?.installed)])
    if (x?.state === 'installed') return x;
  return undefined;
}

export function rollbackPlan(server: ServerStatus, facts: RollbackFacts): RollbackPlan {
  const refuse = (message: string): RollbackPlan => ({ kind: 'refused', serverName: server.name, message });
  const installed = installedOf(server);
  if (!installed) return refuse('what it runs is not known, so there is nothing to roll back to');
  const ran = ranWith(server.instances);
  if (!ran) return refuse('no process of it is known to have started with other versions than are installed');
  const pins: Array<{ name: string; version: string; now?: string }> = [];
  // A script has no version of its own (its label names the SDK it runs on): its dependencies say it all.
  if (!installed.dev?.script && ran.version && ran.version !== installed.version)
    pins.push({ name: installed.name, version: ran.version, now: installed.version });
  // npm resolves a package's dependencies again on install; Python's are pinned one by one.
  if (installed.ecosystem === 'python')
    for (const [name, version] of Object.entries(ran.dependencies ?? {})) {
      const now = installed.environment?.packages[name];
      if (now !== version) pins.push({ name, version, ...(now !== undefined ? { now } : {}) });
    }
  if (pins.length === 0) return refuse(`it already has what ${ran.from.replace(/^what /, '')}`);
  const restart = server.instances.filter((i) => i.lock && serverDownOf(i)).map((i) => ({ guardPid: i.pid }));
  const how =
    installed.ecosystem === 'python'
      ? pythonInstall(installed, pins, facts)
      : installed.ecosystem === 'npm'
        ? npmInstall(installed, pins, facts)
        : { refused: `a ${installed.ecosystem} install is not rolled back here` };
  if ('refused' in how) return refuse(how.refused);
  return {
    kind: 'plan',
    serverName: server.name,
    where: how.where,
    from: ran.from,
    pins,
    command: how.command,
    restart,
  };
}

type How = { where: string; command: RollbackCommand } | { refused: string };

/** pip of the venv (or of the site-packages' interpreter), else `pipx runpip`, else `uv pip`. */
function pythonInstall(
  installed: Extract<Installed, { state: 'installed' }>,
  pins: ReadonlyArray<{ name: string; version: string }>,
  facts: RollbackFacts,
): How {
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
  if (uv)
    return { where: `venv ${venv}`, command: { command: uv, args: ['pip', 'install', '--python', python, ...specs] } };
  return { refused: `venv ${venv} has no pip, and neither pipx nor uv is on PATH` };
}

/** npm into the tree it was installed in: a global prefix, or a project. An npx cache is the entry's pin to change. */
function npmInstall(
  installed: Extract<Installed, { state: 'installed' }>,
  pins: ReadonlyArray<{ name: string; version: string }>,
  facts: RollbackFacts,
): How {
  const p = facts.platform === 'win32' ? path.win32 : path.posix;
  const specs = pins.map((x) => `${x.name}@${x.version}`);
  const npm = facts.which('npm') ?? 'npm';
  const parts = installed.location.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return { refused: `${installed.location} is not in a node_modules tree` };
  if (parts.includes('_npx'))
    return { refused: `it runs from npx's cache: pin ${specs.join(' ')} in its entry's command instead` };
  const tree = parts.slice(0, at).join(p.sep) || p.sep;
  if (facts.isFile(p.join(tree, 'package.json')))
    return { where: `npm project ${tree}`, command: { command: npm, args: ['install', ...specs], cwd: tree } };
  // A global prefix: <prefix>/lib/node_modules (Windows: <prefix>/node_modules).
  const prefix = facts.platform === 'win32' ? tree : p.basename(tree) === 'lib' ? p.dirname(tree) : undefined;
  if (!prefix) return { refused: `${tree} is neither a project nor a global prefix` };
  return {
    where: `npm global prefix ${prefix}`,
    command: { command: npm, args: ['install', '--global', '--prefix', prefix, ...specs] },
  };
}

/** The plan in words, every command shown before it runs. */
export function rollbackText(plan: RollbackPlan): string[] {
  if (plan.kind === 'refused') return [`${plan.serverName}: not rolled back: ${plan.message}`];
  return [
    `${plan.serverName}: back to ${plan.from} (${plan.where}):`,
    ...plan.pins.map((x) => `  ${x.name} ${x.now ?? '(absent)'} -> ${x.version}`),
    `  ${[plan.command.command, ...plan.command.args].join(' ')}${plan.command.cwd ? `   (in ${plan.command.cwd})` : ''}`,
    ...(plan.restart.length
      ? [
          `  then restart its guard${plan.restart.length === 1 ? '' : 's'} (pid ${plan.restart.map((r) => r.guardPid).join(', ')}): its server is down`,
        ]
      : []),
  ];
}
