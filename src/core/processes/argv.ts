/**
 * What a command line *runs*, independent of how it was wrapped: interpreters (`node x.js`,
 * `python -m x`), shells (`sh -c '...'`, `cmd.exe /d /s /c "..."`) and package runners (`npx pkg`,
 * `npm exec pkg`, `uvx pkg`, `docker run -i image`) are peeled off. The same functions read a
 * configured command and a process's argv, so both sides produce the same keys.
 */

import { isClaudeDisclaimer, parseLaunch, targetName } from '../launch/parse';
import { NODE_LIKE, programName, PYTHON_LIKE, SHELLS } from '../launch/program';
import { launcherOf } from '../launch/tables/launchers';

export { programName } from '../launch/program';
export { splitShellWords } from '../launch/shellWords';

/** Programs that only exist to start another one; the chain is walked through them. */
const WRAPPERS =
  /^(env|npm|npx|npx-cli\.js|npm-cli\.js|pnpm|pnpm\.c?js|pnpx|yarn|yarn\.c?js|yarn-[\d.]+\.c?js|bunx|uv|uvx|pipx|cmd|sh|bash|dash|zsh|ksh|fish|ash|busybox|powershell|pwsh|conhost|mcp-lifeguard|mcp-lifeguard\.js)$/;

/**
 * Peels interpreters and shells off an argv: `node --x a.js b` -> [a.js, b]; `python -u -m pkg b` ->
 * [pkg, b] (the module name); `sh -c 'mcp-server-x --y'` -> [mcp-server-x, --y];
 * `cmd.exe /d /s /c "x.cmd a"` -> [x.cmd, a]; `env A=1 x` -> [x]. A package runner stays (`npx -y pkg`).
 */
export function effectiveArgv(argv: readonly string[]): readonly string[] {
  return parseLaunch(argv).effective;
}

/**
 * A launch split into the interpreter that runs it (`/a/.venv/bin/python`, `node`), if any, and what
 * it runs: the effective argv (see effectiveArgv), with whether its first token is a module
 * (`python -m pkg`) rather than a script or program path.
 */
export function interpreterOf(argv: readonly string[]): {
  interpreter?: string;
  eff: readonly string[];
  module: boolean;
} {
  const parsed = parseLaunch(argv);
  const module = parsed.target.kind === 'module';
  return parsed.interpreter !== undefined
    ? { interpreter: parsed.interpreter, eff: parsed.effective, module }
    : { eff: parsed.effective, module };
}

/** What a launch runs: a package through a runner, or a program. */
export interface LaunchKey {
  /** `npx:@scope/pkg`, `uvx:pkg`, `docker:image`, `prog:mcp-server-memory`... Equal keys may be the same launch. */
  key: string;
  /** The arguments the server itself receives (after the package or program). */
  args: string[];
  /** True when the command is a package runner or container CLI (it starts the real server as a descendant, or remotely). */
  runner: boolean;
}

const NO_ARGS: string[] = [];

const GENERIC_SCRIPT = /^(index|main|server|cli|app|start|run|__main__|mod)$/;
const GENERIC_DIR = /^(dist|build|lib|out|src|bin|\.|\.\.|)$/;

/**
 * The name part of a plain program's key. A generic script name (`index.js`, `main.py`) is
 * qualified by its first meaningful folder (`/srv/weather/dist/index.js` -> `weather/index`), so
 * the many `node .../index.js` servers do not all share one key.
 */
function scriptKey(token: string, prog: string): string {
  const base = prog.replace(/\.(js|mjs|cjs|ts|py)$/, '');
  if (!GENERIC_SCRIPT.test(base)) return base;
  const parts = token.split(/[/\\]/);
  for (let i = parts.length - 2; i >= 0; i--) {
    if (!GENERIC_DIR.test(parts[i])) return `${parts[i].toLowerCase()}/${base}`;
  }
  return base;
}

/**
 * The launch key of an argv (a configured command + args, or a running process's argv). With
 * `withArgs` false the server's arguments are left out (`args` is empty): the cheap form used to
 * index a whole process table.
 */
export function launchKeyOf(argv: readonly string[], withArgs = true): LaunchKey | undefined {
  const { effective: eff, target } = parseLaunch(argv);
  if (target.kind === 'package' || target.kind === 'image') {
    const kind =
      target.kind === 'image'
        ? 'docker'
        : target.ecosystem === 'npm'
          ? 'npx'
          : target.ecosystem === 'go'
            ? 'gorun'
            : 'uvx';
    return { key: `${kind}:${targetName(target)}`, args: withArgs ? target.args : NO_ARGS, runner: true };
  }
  if (eff.length === 0) return undefined;
  const prog = programName(eff[0]);
  // A runner that names nothing (`npx` alone) has no key, as before.
  if (target.kind === 'none') return undefined;
  return { key: `prog:${scriptKey(eff[0], prog)}`, args: withArgs ? eff.slice(1) : NO_ARGS, runner: false };
}

/** Shells and interpreters: a server only when they run a script, a module or a command. */
const SHELL_LIKE = /^(sh|bash|dash|zsh|ksh|fish|ash|busybox|tcsh|csh|nu|pwsh|powershell|cmd)$/;
const INTERPRETERS =
  /^(node|nodejs|bun|deno|tsx|ts-node|python|pythonw|python[23](\.\d+)?|pypy3?|ruby|irb|perl|php|lua|luajit|java|jshell|r|rscript|julia|osascript|tclsh[\d.]*|wish[\d.]*|expect|guile|racket|ocaml|ghci|erl|iex|sbcl)$/;
/** Everyday tools: every machine runs them for reasons of its own, whatever their arguments. */
const TOOLS =
  /^(cat|sleep|tail|head|tee|yes|true|false|echo|printf|read|less|more|watch|xargs|time|wait|grep|sed|awk|gawk|mawk|nawk|sort|uniq|wc|cut|tr|dd|od|bc|dc|top|htop|login|getty|agetty|tmux|screen|vi|vim|nvim|view|ex|ed|emacs|nano|find)$/;

/**
 * The general-purpose program a launch runs, when it is one: a shell or interpreter with no script,
 * module or command (`bash`, `node`, `python3 -i`), or an everyday tool (`cat`, `sleep`, `tail`).
 * Its instances cannot be told apart from the ordinary processes of that program, so a config entry
 * that names one is never matched to processes.
 */
export function genericProgram(argv: readonly string[]): string | undefined {
  const eff = effectiveArgv(argv);
  if (eff.length === 0) return undefined;
  const prog = programName(eff[0]);
  if (TOOLS.test(prog)) return prog;
  if (!SHELL_LIKE.test(prog) && !INTERPRETERS.test(prog)) return undefined;
  return eff.slice(1).some((a) => !a.startsWith('-') && !/^\/[a-z]$/i.test(a)) ? undefined : prog;
}

const RUNNERS =
  /^(npx|npx-cli\.js|npm|npm-cli\.js|pnpx|pnpm|yarn|bunx|uvx|uv|pipx|poetry|pdm|hatch|docker|podman|cmd|env|go)$/;

/**
 * A cheap test that rules out most of a process table before launchKeyOf: a process whose program
 * is no interpreter, shell or runner can only have the key `prog:<its name>`.
 */
export function mayHaveKey(argv: readonly string[], keys: { has(key: string): boolean }): boolean {
  const prog = programName(argv[0] ?? '');
  if (
    NODE_LIKE.test(prog) ||
    PYTHON_LIKE.test(prog) ||
    SHELLS.test(prog) ||
    RUNNERS.test(prog) ||
    launcherOf(prog) !== undefined ||
    isClaudeDisclaimer(argv[0] ?? '')
  )
    return true;
  return keys.has(`prog:${scriptKey(argv[0] ?? '', prog)}`);
}

/**
 * Whether a process's script is MCP Lifeguard's own CLI bundle, read from the file itself (see
 * base/ownBundle.ts): undefined when that cannot be told (no file facts, as for a recorded table, or
 * the file gone), and then the script's name decides.
 */
export type OwnScript = (script: string) => boolean | undefined;

const OUR_NAME = /^mcp-lifeguard(\.js)?$/;

/** Whether an effective argv runs our CLI: by its file where it can be read, else by its name. */
function runsOurCli(eff: readonly string[], ours: OwnScript | undefined): boolean {
  const script = eff[0] ?? '';
  return ours?.(script) ?? OUR_NAME.test(programName(script));
}

/**
 * Whether a process is the guard (`mcp-lifeguard run ...`, as installed: `node .../mcp-lifeguard.js
 * run ...`; from a clone `node <clone>/dist/cli.js run ...`). With `ours`, the script is judged by
 * its content (any name, any path; a script merely named `mcp-lifeguard` is not the guard).
 */
export function isGuard(argv: readonly string[], ours?: OwnScript): boolean {
  const eff = effectiveArgv(argv);
  return eff[1] === 'run' && runsOurCli(eff, ours);
}

/**
 * Whether a command + args launch through the guard: the one rule a process is judged by
 * (`isGuard`: `mcp-lifeguard run`, `node <guard>.js run`, through `cmd /c` or `env`),
 * and `npx [-y] mcp-lifeguard[@version] run`, a form only an entry has (its process is the guard npx
 * starts, judged by the same rule).
 */
export function isWrappedCommand(command: string | undefined, args: readonly string[]): boolean {
  if (!command) return false;
  const eff = effectiveArgv([command, ...args]);
  if (isGuard(eff)) return true;
  if (!/^npx(\.cmd)?$/i.test(programName(eff[0] ?? ''))) return false;
  const rest = eff.slice(1).filter((a) => a !== '-y' && a !== '--yes');
  return rest.length > 1 && /^mcp-lifeguard(@[^/]+)?$/.test(rest[0]) && rest[1] === 'run';
}

/** The guard's own options (before `--`), when argv is the guard. */
function guardOptions(argv: readonly string[], ours?: OwnScript): readonly string[] | undefined {
  if (!isGuard(argv, ours)) return undefined;
  const eff = effectiveArgv(argv);
  const dash = eff.indexOf('--');
  return eff.slice(2, dash >= 0 ? dash : eff.length);
}

/**
 * Whether a process is a client's relay to a shared server (`mcp-lifeguard run --on-conflict share`,
 * not the share host): it runs no server, so it is no instance; the server runs under the share host.
 */
export function isShareRelay(argv: readonly string[], ours?: OwnScript): boolean {
  const own = guardOptions(argv, ours);
  if (!own || own.includes('--share-host')) return false;
  const i = own.indexOf('--on-conflict');
  return own.includes('--on-conflict=share') || (i >= 0 && own[i + 1] === 'share');
}

/**
 * A share host (`mcp-lifeguard run --share-host ...`) as the entry its clients configure: the same
 * command line without `--share-host` (the relays start the host with their own options), so the
 * server it runs is matched to every entry that shares it. Undefined for any other process.
 */
export function shareHostEntryArgv(argv: readonly string[], ours?: OwnScript): string[] | undefined {
  const own = guardOptions(argv, ours);
  if (!own || !own.includes('--share-host')) return undefined;
  const i = argv.indexOf('--share-host');
  const dash = argv.indexOf('--');
  if (i < 0 || (dash >= 0 && i > dash)) return undefined;
  return [...argv.slice(0, i), ...argv.slice(i + 1)];
}

/**
 * Whether a process only exists to start another: a shell running a command string, a package
 * runner, cmd.exe, a launcher that forks (`timeout`, `volta run`), a watcher (`node --watch`,
 * `tsx`, `nodemon`), the guard. The server is then below it.
 */
export function isWrapper(argv: readonly string[], ours?: OwnScript): boolean {
  if (argv.length === 0) return false;
  const parsed = parseLaunch(argv);
  if (parsed.spawns) return true;
  // Our CLI (the guard, a relay, a share host) always runs the server below it, whatever its file's name.
  const own =
    NODE_LIKE.test(programName(argv[0])) && parsed.effective.length > 0 ? ours?.(parsed.effective[0]) : undefined;
  if (own !== undefined) {
    if (own) return true;
    if (OUR_NAME.test(programName(parsed.effective[0]))) return false;
  }
  const prog = programName(argv[0]);
  if (WRAPPERS.test(prog)) return true;
  // `node /usr/lib/node_modules/npm/bin/npx-cli.js`, `node .../uv`: judge by the script.
  if (NODE_LIKE.test(prog) || PYTHON_LIKE.test(prog)) {
    const eff = parsed.effective;
    return eff.length > 0 && WRAPPERS.test(programName(eff[0]));
  }
  return false;
}

const MCP_WORD = /mcp|modelcontextprotocol/i;

/**
 * Whether a command line looks like an MCP server: a program or package named `mcp`, `mcp-server-*`,
 * `*-mcp`, `*_mcp`, or anything from `@modelcontextprotocol/`. MCP Lifeguard itself is not one.
 */
export function looksLikeMcpServer(argv: readonly string[]): boolean {
  // Cheap first: nearly every process names neither.
  if (!argv.some((a) => MCP_WORD.test(a))) return false;
  const launch = launchKeyOf(argv, false);
  if (!launch) return false;
  const eff = effectiveArgv(argv);
  const name = launch.key.slice(launch.key.indexOf(':') + 1);
  if (name === 'mcp-lifeguard' || name.startsWith('mcp-lifeguard')) return false;
  if (name.includes('modelcontextprotocol')) return true;
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (/(^|[-_.])mcp($|[-_.])/i.test(base)) return true;
  return /modelcontextprotocol|[/\\]mcp-server-[^/\\]*[/\\]|[/\\][^/\\]*[-_]mcp[/\\]/i.test(eff[0] ?? '');
}
